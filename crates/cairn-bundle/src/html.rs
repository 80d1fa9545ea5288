//! `data/index.html`: the bundle read in any browser, offline, with no scripts (its
//! own Content-Security-Policy forbids them), linking each exhibit's file.

use cairn_core::ItemKind;

use crate::record::Disclosure;
use crate::schedule::{
    agency_words, capitalised, count_words, handed_words, left_out_words, numbered, pretty_time,
    tags, text, Schedule, NARRATIVE_FIELDS, POLICE_FIELDS, UNVERIFIABLE_WORDS,
};

/// Escapes text for HTML.
pub(crate) fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// Percent-encodes a relative link (a file name with spaces and the like).
fn href(path: &str) -> String {
    let mut o = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'-' | b'_') {
            o.push(b as char);
        } else {
            o.push_str(&format!("%{b:02X}"));
        }
    }
    o
}

const STYLE: &str = "body{font:15px/1.5 sans-serif;max-width:62rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}\
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}td,th{border:1px solid #999;padding:.3rem .5rem;vertical-align:top;text-align:left}\
th{background:#eee}code{font-size:13px;word-break:break-all}img{max-width:160px;max-height:160px}\
.note{background:#f4f1ea;border-left:4px solid #555;padding:.5rem 1rem}dt{font-weight:bold}dd{margin:0 0 .4rem 1.5rem}\
.bar{display:inline-block;height:.8em;background:#555}.num{text-align:right;width:5rem}.id{color:#555;font-size:13px}\
nav ul{columns:2}ul.plain{padding-left:1.2rem;margin:0}";

/// Cells that hold several lines: each escaped, joined by line breaks.
fn lines(v: &[String]) -> String {
    v.iter().map(|x| esc(x)).collect::<Vec<_>>().join("<br>")
}

/// Escaped text with its line breaks kept.
fn para(s: &str) -> String {
    esc(s).replace('\n', "<br>")
}

/// A `<dt>`/`<dd>` pair, when there is something to say.
fn dd(label: &str, value: &str) -> String {
    if value.trim().is_empty() {
        String::new()
    } else {
        format!("<dt>{}</dt><dd>{}</dd>", esc(label), para(value))
    }
}

/// The page.
pub fn index(s: &Schedule<'_>) -> String {
    let chronology = s.chronology();
    let reports = s.reports();
    let people = s.people();
    let pattern = s.pattern();
    let conversations = s.conversations();
    let count = |k: ItemKind| s.items.iter().filter(|i| i.kind == k).count();
    let mut h = String::new();
    h.push_str("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">");
    h.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; media-src 'self'\">");
    h.push_str("<title>Evidence bundle</title><style>");
    h.push_str(STYLE);
    h.push_str("</style></head><body>");
    h.push_str("<h1>Evidence bundle</h1>");
    h.push_str(&format!(
        "<p class=\"note\">CONFIDENTIAL. Prepared for the purpose of legal advice and proceedings. Made by {} on {}. \
         How to check this bundle is in <a href=\"HOW-TO-VERIFY.txt\">HOW-TO-VERIFY.txt</a>; the evidence schedule is \
         <a href=\"report.pdf\">report.pdf</a>. This page is a view of the records in the bundle, made by software; it is not a statement of truth.</p>",
        esc(&s.info.software),
        esc(&pretty_time(&s.info.exported_at)),
    ));
    let left = s.left_out().len();
    h.push_str("<dl>");
    h.push_str(&dd(
        "Bundle format",
        &format!("{}: signed by the vault's own key", s.info.version),
    ));
    h.push_str(&format!(
        "<dt>Evidence fingerprint (SHA-256)</dt><dd><code>{}</code></dd>",
        esc(s.evidence)
    ));
    h.push_str(&format!(
        "<dt>Vault</dt><dd><code>{}</code></dd>",
        esc(&s.info.vault_id)
    ));
    if s.info.chain_head.is_empty() {
        h.push_str(&format!(
            "<dt>Chain</dt><dd>{} entries (the last is not named here: it may be one this bundle does not carry)</dd>",
            s.info.chain_size
        ));
    } else {
        h.push_str(&format!(
            "<dt>Chain</dt><dd>{} entries; last entry hash <code>{}</code></dd>",
            s.info.chain_size,
            esc(&s.info.chain_head)
        ));
    }
    h.push_str(&format!(
        "<dt>Merkle tree head</dt><dd><code>{}</code> (over all {} entries, signed by the vault)</dd>",
        esc(&s.info.tree_root),
        s.info.chain_size
    ));
    h.push_str(&dd("Entries carried", &s.disclosure_words()));
    h.push_str(&dd(
        "Contents",
        &format!(
            "{} in the chronology, {}, {}, {}, {}; {} items in all",
            count_words(chronology.len(), "incident", "incidents"),
            count_words(reports.len(), "report or handover", "reports and handovers"),
            count_words(count(ItemKind::Person), "person", "people"),
            count_words(s.exhibits.len(), "exhibit", "exhibits"),
            count_words(count(ItemKind::Message), "message", "messages"),
            s.items.len()
        ),
    ));
    h.push_str(&dd(
        "Left out",
        &format!(
            "No address is given here. Private notes: {}. Photo location data: {}.{}",
            if s.info.private_notes_included {
                "included at her choice"
            } else {
                "left out"
            },
            if s.info.location_included {
                "included at her choice"
            } else {
                "removed from the copies sent"
            },
            if left == 0 {
                String::new()
            } else {
                format!(
                    " {} left out (the audit annex says why).",
                    count_words(left, "exhibit was", "exhibits were")
                )
            }
        ),
    ));
    h.push_str("</dl>");
    h.push_str("<nav><h2>Contents</h2><ul>");
    let mut sections = vec![
        ("pattern", "Pattern of behaviour"),
        ("chronology", "Chronology"),
    ];
    if !chronology.is_empty() {
        sections.push(("incidents", "Incidents in full"));
    }
    sections.push(("reports", "Reports and handovers"));
    if !people.is_empty() {
        sections.push(("people", "People"));
    }
    if !conversations.is_empty() {
        sections.push(("messages", "Messages"));
    }
    sections.extend([
        ("exhibits", "Exhibits"),
        ("annex", "Audit annex"),
        ("references", "Index of reference numbers"),
    ]);
    for (id, name) in &sections {
        h.push_str(&format!("<li><a href=\"#{id}\">{name}</a></li>"));
    }
    h.push_str("</ul></nav>");

    // Pattern.
    h.push_str(&format!(
        "<h2 id=\"pattern\">Pattern of behaviour</h2><p>{}</p>",
        esc(&pattern.summary())
    ));
    if !pattern.categories.is_empty() {
        h.push_str("<table><tr><th>Kind of abuse</th><th class=\"num\">Incidents</th></tr>");
        for (c, n) in &pattern.categories {
            h.push_str(&format!(
                "<tr><td>{}</td><td class=\"num\">{n}</td></tr>",
                esc(c)
            ));
        }
        h.push_str("</table>");
    }
    if !pattern.months.is_empty() {
        let max = pattern.months.iter().map(|m| m.1).max().unwrap_or(1).max(1);
        h.push_str("<h3>Incidents by month</h3><table><tr><th>Month</th><th class=\"num\">Incidents</th><th></th></tr>");
        for (m, n) in &pattern.months {
            h.push_str(&format!(
                "<tr><td>{}</td><td class=\"num\">{n}</td><td><span class=\"bar\" style=\"width:{}%\"></span></td></tr>",
                esc(m),
                n * 100 / max
            ));
        }
        h.push_str("</table>");
    }
    if !pattern.features.is_empty() {
        h.push_str("<h3>What the incidents record</h3><table><tr><th>Recorded</th><th class=\"num\">Incidents</th></tr>");
        for (k, n) in &pattern.features {
            h.push_str(&format!(
                "<tr><td>{}</td><td class=\"num\">{n}</td></tr>",
                esc(k)
            ));
        }
        h.push_str("</table>");
    }

    // Chronology.
    h.push_str("<h2 id=\"chronology\">Chronology</h2>");
    if chronology.is_empty() {
        h.push_str("<p>There are no incidents in this bundle.</p>");
    } else {
        h.push_str("<table><tr><th>No.</th><th>When it happened</th><th>Summary</th><th>Category</th><th>People and witnesses</th><th>Exhibits</th><th>Agency references</th></tr>");
        for r in &chronology {
            let mut who: Vec<String> = r.people.iter().map(|p| p.describe()).collect();
            if !r.witnesses.trim().is_empty() {
                who.push(format!("Witnesses: {}", r.witnesses.trim()));
            }
            h.push_str(&format!(
                "<tr><td><a href=\"#{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&r.id),
                r.number,
                esc(&r.when),
                esc(&r.summary),
                esc(&r.categories.join(", ")),
                lines(&who),
                esc(&r.exhibits.join(", ")),
                lines(&r.references)
            ));
        }
        h.push_str("</table>");
    }

    // Incidents in full.
    let mut messages_of: std::collections::BTreeMap<usize, Vec<String>> = Default::default();
    for c in &conversations {
        for m in &c.listed {
            for n in &m.linked_to {
                messages_of
                    .entry(*n)
                    .or_default()
                    .push(format!("M{}", m.number));
            }
        }
    }
    if !chronology.is_empty() {
        h.push_str("<h2 id=\"incidents\">Incidents in full</h2>");
    }
    for r in &chronology {
        let Some(it) = s.item(&r.id) else { continue };
        let rec = it.record.as_ref();
        h.push_str(&format!(
            "<h3 id=\"{}\">{}. {}</h3><dl>",
            esc(&r.id),
            r.number,
            esc(&r.summary),
        ));
        if it.redaction.is_none() {
            h.push_str(&dd("When it happened", &r.when));
        }
        h.push_str(&dd(
            "Recorded by Cairn",
            &format!(
                "first {}; this is version {}, saved {} (item {})",
                pretty_time(&it.recorded_at),
                it.version,
                pretty_time(&it.updated_at),
                it.id
            ),
        ));
        for (k, label) in NARRATIVE_FIELDS {
            h.push_str(&dd(label, &text(rec, k)));
        }
        if let Some(c) = rec
            .and_then(|x| x.get("children_present"))
            .and_then(serde_json::Value::as_bool)
        {
            h.push_str(&dd("Children present", if c { "Yes" } else { "No" }));
        }
        let who: Vec<String> = r.people.iter().map(|p| p.describe()).collect();
        h.push_str(&dd("People linked", &who.join("\n")));
        if let Some(ags) = rec
            .and_then(|x| x.get("agencies"))
            .and_then(serde_json::Value::as_array)
        {
            for a in ags {
                h.push_str(&dd("Agency contacted", &agency_words(a)));
            }
        }
        for (k, label) in POLICE_FIELDS {
            h.push_str(&dd(label, &text(rec.and_then(|x| x.get("police")), k)));
        }
        h.push_str(&dd("Categories", &r.categories.join(", ")));
        h.push_str(&dd("Tags", &tags(rec)));
        h.push_str(&dd("Exhibits", &r.exhibits.join(", ")));
        if !r.reports.is_empty() {
            h.push_str(&dd(
                "Reports and handovers",
                numbered("", &r.reports, "R").trim(),
            ));
        }
        if let Some(ms) = messages_of.get(&r.number) {
            h.push_str(&dd("Linked messages", &ms.join(", ")));
        }
        h.push_str(&dd("Left out", &left_out_words(&it.withheld)));
        if let Some(red) = &it.redaction {
            h.push_str(&dd(
                "Removed by redaction",
                &format!(
                    "{} — reason given: {}",
                    pretty_time(&red.recorded_at),
                    red.reason
                ),
            ));
        }
        h.push_str("</dl>");
    }

    // Reports and handovers.
    h.push_str("<h2 id=\"reports\">Reports and handovers</h2>");
    if reports.is_empty() {
        h.push_str("<p>No reports to agencies or handovers of evidence are in this bundle.</p>");
    } else {
        h.push_str("<p>Each report to an agency and each handover of evidence on record, in the order made. What was handed over is named by exhibit reference; the SHA-256 of each is given under the report, so anyone can match what was handed over byte for byte.</p>");
        h.push_str("<table><tr><th>No.</th><th>When</th><th>Agency</th><th>Person</th><th>Reference</th><th>Handed over</th><th>Outcome</th></tr>");
        for r in &reports {
            h.push_str(&format!(
                "<tr><td><a href=\"#{}\">R{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&r.id),
                r.number,
                esc(&r.when),
                esc(&r.agency),
                esc(&r.person_words()),
                esc(&r.reference),
                esc(&r.references().join(", ")),
                para(&r.outcome)
            ));
        }
        h.push_str("</table>");
        for r in &reports {
            let Some(it) = s.item(&r.id) else { continue };
            h.push_str(&format!(
                "<h3 id=\"{}\">R{}. {}</h3><dl>",
                esc(&r.id),
                r.number,
                esc(&r.title)
            ));
            h.push_str(&dd("When", &r.when));
            h.push_str(&dd(
                "Recorded by Cairn",
                &format!(
                    "first {}; this is version {}, saved {} (item {})",
                    pretty_time(&it.recorded_at),
                    it.version,
                    pretty_time(&it.updated_at),
                    it.id
                ),
            ));
            h.push_str(&dd("Agency", &r.agency));
            h.push_str(&dd("Person", &r.person));
            h.push_str(&dd("Collar number", &r.collar_number));
            h.push_str(&dd("Reference", &r.reference));
            h.push_str(&dd("Outcome", &r.outcome));
            let handed: Vec<String> = r.handed_over.iter().map(handed_words).collect();
            h.push_str(&dd("Handed over", &handed.join("\n")));
            h.push_str(&dd("Bundle file SHA-256", &r.bundle_sha256));
            h.push_str(&dd("Evidence fingerprint", &r.evidence_sha256));
            let who: Vec<String> = r.people.iter().map(|p| p.describe()).collect();
            h.push_str(&dd("People linked", &who.join("\n")));
            if !r.entries.is_empty() {
                h.push_str(&dd(
                    "About",
                    &numbered(
                        if r.entries.len() == 1 {
                            "Incident"
                        } else {
                            "Incidents"
                        },
                        &r.entries,
                        "",
                    ),
                ));
            }
            h.push_str(&dd("Notes", &r.notes));
            if let Some(why) = &r.redaction {
                h.push_str(&dd("Removed by redaction", &format!("reason given: {why}")));
            }
            h.push_str("</dl>");
        }
    }

    // People.
    if !people.is_empty() {
        h.push_str("<h2 id=\"people\">People</h2><p>Everyone in this bundle, with the incidents and reports each is linked to.</p>");
        h.push_str("<table><tr><th>Name</th><th>Role and details</th><th>Linked to</th></tr>");
        for p in &people {
            let mut d: Vec<String> = p.person.details().iter().map(|d| capitalised(d)).collect();
            if !p.person.notes.trim().is_empty() {
                d.push(format!("Notes: {}", p.person.notes.trim()));
            }
            h.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&p.person.name_words()),
                lines(&d),
                esc(&p.appears())
            ));
        }
        h.push_str("</table>");
    }

    if !conversations.is_empty() {
        h.push_str("<h2 id=\"messages\">Messages</h2><p>Each message was read from an original export, which is an exhibit, kept byte for byte: its reference and line show where. Times are as the export recorded them: WhatsApp gives the phone's own clock with no time zone; SMS backups, email and Telegram give the time zone. The whole of every message is in <code>record/items.json</code>.</p>");
        for c in &conversations {
            h.push_str(&format!(
                "<h3>{}</h3><p>In this bundle: {}; read from {}.</p>",
                esc(&c.name),
                esc(&c.span()),
                esc(&c.exports.join(", "))
            ));
            if c.listed.is_empty() {
                h.push_str("<p>None of them is linked to an entry above, so they are not listed one by one here.</p>");
                continue;
            }
            if c.listed.len() < c.count {
                h.push_str("<p>Listed: the messages linked to an entry above.</p>");
            }
            h.push_str("<table><tr><th>No.</th><th>Sent</th><th>From</th><th>Message</th><th>Read from</th></tr>");
            for m in &c.listed {
                let linked = if m.linked_to.is_empty() {
                    String::new()
                } else {
                    let n: Vec<String> = m.linked_to.iter().map(|n| format!("entry {n}")).collect();
                    format!("<br><em>linked to {}</em>", n.join(", "))
                };
                h.push_str(&format!(
                    "<tr id=\"{}\"><td>M{}</td><td>{}</td><td>{}</td><td>{}{linked}</td><td>{}</td></tr>",
                    esc(&m.id),
                    m.number,
                    esc(&m.when),
                    esc(&m.from),
                    esc(&m.text).replace('\n', "<br>"),
                    esc(&m.read_from)
                ));
            }
            h.push_str("</table>");
        }
    }
    h.push_str("<h2 id=\"exhibits\">Exhibits</h2><table><tr><th>Ref</th><th>File</th><th>Type</th><th>SHA-256</th><th>Note</th></tr>");
    for e in s.exhibits {
        let cell = match &e.path {
            Some(p) => {
                let rel = p.strip_prefix("data/").unwrap_or(p);
                let img = if e.media_type.starts_with("image/") {
                    format!(
                        "<br><img src=\"{}\" alt=\"Exhibit {}\">",
                        href(rel),
                        esc(&e.reference)
                    )
                } else {
                    String::new()
                };
                format!("<a href=\"{}\">{}</a>{img}", href(rel), esc(&e.name))
            }
            None => esc(&e.name),
        };
        let note = match (&e.left_out, e.location_removed) {
            (Some(why), _) => format!("Left out: {}.", esc(why)),
            (None, true) => format!(
                "A copy with its location data removed. The original's SHA-256 is <code>{}</code>.",
                esc(&e.original_sha256)
            ),
            _ => "The original, byte for byte.".into(),
        };
        h.push_str(&format!(
            "<tr><td>{}</td><td>{cell}</td><td>{}</td><td><code>{}</code></td><td>{note}</td></tr>",
            esc(&e.reference),
            esc(&e.media_type),
            esc(e.sha256.as_deref().unwrap_or("—"))
        ));
    }
    h.push_str("</table>");

    // Audit annex.
    h.push_str("<h2 id=\"annex\">Audit annex</h2><p>What this bundle leaves out and why, what was removed by redaction, and when each entry was written and changed.</p>");
    h.push_str(&format!(
        "<h3>The chain entries in this bundle</h3><p>{}</p>",
        esc(&s.disclosure_words())
    ));
    h.push_str("<h3>Left out of this bundle, and why</h3>");
    let withheld = s.withheld();
    if withheld.is_empty() {
        h.push_str("<p>No field of any record in this bundle was left out.</p>");
    } else {
        h.push_str("<table><tr><th>Item</th><th>Left out</th><th>Why</th></tr>");
        for w in &withheld {
            for (n, (f, why)) in w.fields.iter().enumerate() {
                let item = if n == 0 {
                    format!(
                        "<td rowspan=\"{}\">{}<br><span class=\"id\">{}</span></td>",
                        w.fields.len(),
                        esc(&w.item),
                        esc(&w.id)
                    )
                } else {
                    String::new()
                };
                h.push_str(&format!(
                    "<tr>{item}<td>{}</td><td>{}</td></tr>",
                    esc(f),
                    esc(why)
                ));
            }
        }
        h.push_str("</table>");
    }
    let left_out = s.left_out();
    if !left_out.is_empty() {
        h.push_str("<p><strong>Exhibits left out</strong> (their records and SHA-256 are still in the bundle):</p><table><tr><th>Exhibit</th><th>File</th><th>Why</th></tr>");
        for (r, n, why) in &left_out {
            h.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(r),
                esc(n),
                esc(why)
            ));
        }
        h.push_str("</table>");
    }
    let unverifiable = s.unverifiable();
    if !unverifiable.is_empty() {
        h.push_str(&format!(
            "<p><strong>Versions that cannot be checked from this bundle alone.</strong> {}</p><table><tr><th>Item</th><th>Version</th><th>Left out of it</th></tr>",
            esc(UNVERIFIABLE_WORDS)
        ));
        for u in &unverifiable {
            h.push_str(&format!(
                "<tr><td>{}<br><span class=\"id\">{}</span></td><td>{}</td><td>{}</td></tr>",
                esc(&u.item),
                esc(&u.id),
                u.version,
                esc(&u.fields.join(", "))
            ));
        }
        h.push_str("</table>");
    }
    h.push_str("<h3>Redactions</h3>");
    let reds = s.redactions();
    if reds.is_empty() {
        h.push_str(if s.info.disclosure == Disclosure::FullChain {
            "<p>Nothing in this vault has been removed by redaction.</p>"
        } else {
            "<p>Nothing in this bundle has been removed by redaction.</p>"
        });
    } else {
        h.push_str(
            "<table><tr><th>Entry</th><th>Recorded (UTC)</th><th>Item</th><th>Reason</th></tr>",
        );
        for a in &reds {
            h.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}<br><span class=\"id\">{}</span></td><td>{}</td></tr>",
                a.seq,
                esc(&pretty_time(&a.recorded_at)),
                esc(&a.label),
                esc(&a.item),
                esc(&a.what)
            ));
        }
        h.push_str("</table>");
    }
    h.push_str("<h3>When each entry was written and changed</h3><p>Times are Cairn's recording times from the computer's clock (UTC); they cannot be typed in. Every edit is a new version; earlier versions are kept.</p>");
    h.push_str("<table><tr><th>Entry</th><th>Recorded (UTC)</th><th>What</th><th>Item</th></tr>");
    for a in s.audit() {
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}<br><span class=\"id\">{}</span></td></tr>",
            a.seq,
            esc(&pretty_time(&a.recorded_at)),
            esc(&a.what),
            esc(&a.label),
            esc(&a.item)
        ));
    }
    h.push_str("</table>");

    h.push_str("<h2 id=\"references\">Index of reference numbers</h2>");
    let idx = s.reference_index();
    if idx.is_empty() {
        h.push_str("<p>No crime, incident or complaint references were recorded.</p>");
    } else {
        h.push_str("<table><tr><th>Reference</th><th>Where it appears</th></tr>");
        for (k, v) in idx {
            h.push_str(&format!(
                "<tr><td>{}</td><td>{}</td></tr>",
                esc(&k),
                esc(&v.join("; "))
            ));
        }
        h.push_str("</table>");
    }
    h.push_str("</body></html>\n");
    h
}
