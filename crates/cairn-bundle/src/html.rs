//! `data/index.html`: the bundle read in any browser, offline, with no scripts (its
//! own Content-Security-Policy forbids them), linking each exhibit's file.

use crate::schedule::{pretty_time, text, Schedule, NARRATIVE_FIELDS, POLICE_FIELDS};

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

const STYLE: &str = "body{font:15px/1.5 sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}\
table{border-collapse:collapse;width:100%}td,th{border:1px solid #999;padding:.3rem .5rem;vertical-align:top;text-align:left}\
th{background:#eee}code{font-size:13px;word-break:break-all}img{max-width:160px;max-height:160px}\
.note{background:#f4f1ea;border-left:4px solid #555;padding:.5rem 1rem}dt{font-weight:bold}";

/// The page.
pub fn index(s: &Schedule<'_>) -> String {
    let mut h = String::new();
    h.push_str("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">");
    h.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; media-src 'self'\">");
    h.push_str("<title>Evidence bundle</title><style>");
    h.push_str(STYLE);
    h.push_str("</style></head><body>");
    h.push_str("<h1>Evidence bundle</h1>");
    h.push_str(&format!(
        "<p class=\"note\">CONFIDENTIAL. Made by {} on {}. Evidence fingerprint (SHA-256): <code>{}</code>. \
         How to check this bundle is in <a href=\"HOW-TO-VERIFY.txt\">HOW-TO-VERIFY.txt</a>; the evidence schedule is \
         <a href=\"report.pdf\">report.pdf</a>.</p>",
        esc(&s.info.software),
        esc(&pretty_time(&s.info.exported_at)),
        esc(s.evidence)
    ));
    h.push_str("<h2>Chronology</h2><table><tr><th>No.</th><th>When it happened</th><th>Summary</th><th>Category</th><th>Exhibits</th><th>Witnesses</th><th>References</th></tr>");
    for r in s.chronology() {
        h.push_str(&format!(
            "<tr><td><a href=\"#{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&r.id),
            r.number,
            esc(&r.when),
            esc(&r.summary),
            esc(&r.categories.join(", ")),
            esc(&r.exhibits.join(", ")),
            esc(&r.witnesses.join("; ")),
            esc(&r.references.join("; "))
        ));
    }
    h.push_str("</table><h2>Entries in full</h2>");
    for r in s.chronology() {
        let Some(it) = s.item(&r.id) else { continue };
        let rec = it.record.as_ref();
        h.push_str(&format!(
            "<h3 id=\"{}\">{}. {}</h3><p>When it happened: {}. First recorded by Cairn {}; version {} of {}.</p><dl>",
            esc(&r.id),
            r.number,
            esc(&r.summary),
            esc(&r.when),
            esc(&pretty_time(&it.recorded_at)),
            it.version,
            esc(&pretty_time(&it.updated_at))
        ));
        for (k, label) in NARRATIVE_FIELDS {
            let v = text(rec, k);
            if !v.is_empty() {
                h.push_str(&format!(
                    "<dt>{label}</dt><dd>{}</dd>",
                    esc(&v).replace('\n', "<br>")
                ));
            }
        }
        for (k, label) in POLICE_FIELDS {
            let v = text(rec.and_then(|x| x.get("police")), k);
            if !v.is_empty() {
                h.push_str(&format!(
                    "<dt>{label}</dt><dd>{}</dd>",
                    esc(&v).replace('\n', "<br>")
                ));
            }
        }
        h.push_str("</dl>");
        if !it.withheld.is_empty() {
            h.push_str("<p><em>Left out of this bundle at her choice: private notes or location data.</em></p>");
        }
        if let Some(red) = &it.redaction {
            h.push_str(&format!(
                "<p><strong>Removed by redaction</strong> on {}: {}</p>",
                esc(&pretty_time(&red.recorded_at)),
                esc(&red.reason)
            ));
        }
    }
    let conversations = s.conversations();
    if !conversations.is_empty() {
        h.push_str("<h2>Messages</h2><p>Each message was read from an original export, which is an exhibit, kept byte for byte: its reference and line show where. Times are as the export recorded them: WhatsApp gives the phone's own clock with no time zone; SMS backups, email and Telegram give the time zone. The whole of every message is in <code>record/items.json</code>.</p>");
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
    h.push_str("<h2>Exhibits</h2><table><tr><th>Ref</th><th>File</th><th>Type</th><th>SHA-256</th><th>Note</th></tr>");
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
    h.push_str("</table><h2>When each entry was written and changed</h2><table><tr><th>Entry</th><th>Recorded (UTC)</th><th>What</th><th>Item</th></tr>");
    for a in s.audit() {
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            a.seq,
            esc(&pretty_time(&a.recorded_at)),
            esc(&a.what),
            esc(&a.item)
        ));
    }
    h.push_str("</table>");
    h.push_str(&format!(
        "<p>The chain has {} entries; its last entry's hash is <code>{}</code>.</p>",
        s.info.chain_size,
        esc(&s.info.chain_head)
    ));
    h.push_str("</body></html>\n");
    h
}
