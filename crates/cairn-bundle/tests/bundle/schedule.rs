//! The evidence schedule as a solicitor reads it, in both views (`data/index.html`
//! and `data/report.pdf`, read back with poppler's `pdftotext`): the people linked to
//! each incident, reports and handovers in a section of their own, a pattern of
//! incidents only, an annex that names what was left out and why, and instructions
//! whose Python checks really pass on the bundle they come with.

use std::fs;
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use cairn_bundle::{Disclosure, ExportOptions, Seal, Selection};

use crate::export;
use cairn_core::{Category, HandedOver, Handover, Incident, Occurred, Person, Role};

use crate::{add_file, fixture, jpeg_with_gps, opts, sha, Fixture};

/// The views of one open bundle.
struct Views {
    html: String,
    /// `pdftotext -layout` of the schedule.
    pdf: String,
    howto: String,
    /// Every file, by its path inside the bag.
    files: Vec<(String, Vec<u8>)>,
    root: String,
}

fn read_views(bundle: &Path) -> Views {
    let mut z = zip::ZipArchive::new(fs::File::open(bundle).expect("open")).expect("zip");
    let mut files = Vec::new();
    let mut root = String::new();
    for i in 0..z.len() {
        let mut e = z.by_index(i).expect("entry");
        let name = e.name().expect("name").to_string();
        let Some((r, rest)) = name.split_once('/') else {
            continue;
        };
        root = r.to_string();
        let mut b = Vec::new();
        e.read_to_end(&mut b).expect("read");
        files.push((rest.to_string(), b));
    }
    let get = |p: &str| {
        files
            .iter()
            .find(|(n, _)| n == p)
            .map(|(_, b)| b.clone())
            .unwrap_or_else(|| panic!("{p} is not in the bundle"))
    };
    let html = String::from_utf8(get("data/index.html")).expect("utf-8");
    let howto = String::from_utf8(get("data/HOW-TO-VERIFY.txt")).expect("utf-8");
    Views {
        html,
        pdf: pdf_text(&get("data/report.pdf")),
        howto,
        files,
        root,
    }
}

/// The PDF's text as `pdftotext -layout` gives it (poppler, installed by
/// scripts/setup.sh).
fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("report.pdf");
    fs::write(&p, pdf).expect("write");
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg(&p)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) must be installed: scripts/setup.sh test");
    assert!(out.status.success(), "pdftotext failed on the schedule");
    String::from_utf8(out.stdout).expect("utf-8")
}

/// Runs of white space made one space.
fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text of the PDF from the line that is `from` (trimmed; or starts with it when
/// `from` ends in "…") to the first line after it that is one of `to`.
fn pdf_section<'a>(text: &'a str, from: &str, to: &[&str]) -> &'a str {
    let is = |line: &str, h: &str| match h.strip_suffix('…') {
        Some(prefix) => line.trim().starts_with(prefix),
        None => line.trim() == h,
    };
    let mut start = None;
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        match start {
            None if is(line, from) => start = Some(pos),
            Some(s) if to.iter().any(|h| is(line, h)) => return &text[s..pos],
            _ => {}
        }
        pos += line.len();
    }
    match start {
        Some(s) => &text[s..],
        None => panic!("no heading {from:?} in the schedule:\n{text}"),
    }
}

/// The HTML from `from` to the first `to` after it.
fn html_section<'a>(html: &'a str, from: &str, to: &str) -> &'a str {
    let s = html
        .find(from)
        .unwrap_or_else(|| panic!("{from:?} not in the page"));
    let rest = &html[s..];
    match rest[from.len()..].find(to) {
        Some(e) => &rest[..from.len() + e],
        None => rest,
    }
}

/// The `<tr>` of a table section that holds `needle`.
fn html_row<'a>(table: &'a str, needle: &str) -> &'a str {
    table
        .split("<tr>")
        .find(|r| r.contains(needle))
        .unwrap_or_else(|| panic!("no row with {needle:?} in {table}"))
}

fn day(start: &str) -> Option<Occurred> {
    Some(Occurred {
        start: start.into(),
        end: None,
        approximate: false,
    })
}

fn open_export(f: &mut Fixture, name: &str, disclosure: Disclosure) -> PathBuf {
    let out = f.tmp.path().join(name);
    export(
        &mut f.vault,
        &out,
        &ExportOptions {
            disclosure,
            ..opts(Seal::Open, Selection::All)
        },
    )
    .expect("export");
    out
}

#[test]
fn the_officer_linked_to_an_incident_is_named_with_it_in_both_views() {
    let mut f = fixture();
    let mut officer = Person::new("Dan Reed", Role::Officer);
    officer.force = "Kent Police".into();
    officer.collar_number = "4471".into();
    let officer = f.vault.add_person(officer).expect("person").id;
    let harming = f
        .vault
        .add_person(Person::new("Sam Carter", Role::Harming))
        .expect("person")
        .id;
    f.vault.link(&f.incident, &officer).expect("link");
    f.vault.link(&f.incident, &harming).expect("link");
    let other = f
        .vault
        .add_incident(Incident {
            title: "Messages all night".into(),
            occurred: day("2026-11-10T23:00:00+00:00"),
            categories: vec![Category::TechnologySurveillance],
            witnesses: "My sister Jo".into(),
            ..Incident::default()
        })
        .expect("incident")
        .id;
    f.vault.link(&other, &harming).expect("link");
    let v = read_views(&open_export(&mut f, "people.zip", Disclosure::Proofs));

    let described = "Dan Reed (police officer or staff, Kent Police, collar number 4471)";
    // The page: in the incident's chronology row and its full narrative, not in the
    // other incident's.
    let chronology = html_section(&v.html, "<h2 id=\"chronology\">", "</table>");
    let row = html_row(chronology, &format!("href=\"#{}\"", f.incident));
    assert!(row.contains(described), "{row}");
    assert!(row.contains("Sam Carter (person harming her)"), "{row}");
    let row2 = html_row(chronology, &format!("href=\"#{other}\""));
    assert!(!row2.contains("Dan Reed"), "{row2}");
    assert!(row2.contains("Sam Carter") && row2.contains("Witnesses: My sister Jo"));
    let full = html_section(&v.html, &format!("<h3 id=\"{}\">", f.incident), "<h3");
    assert!(
        full.contains(&format!(
            "<dt>People linked</dt><dd>Sam Carter (person harming her)<br>{described}</dd>"
        )),
        "{full}"
    );
    let people = html_section(&v.html, "<h2 id=\"people\">", "</table>");
    let row = html_row(people, "Dan Reed");
    assert!(row.contains("Kent Police") && row.contains("Collar number 4471"));
    assert!(row.contains("entry 1"), "{row}");
    assert!(html_row(people, "Sam Carter").contains("entries 1, 2"));

    // The schedule: the same, page by page.
    let chrono = pdf_section(&v.pdf, "Chronology", &["Incidents in full"]);
    for needle in ["Dan Reed", "Kent Police", "4471", "Sam Carter"] {
        assert!(chrono.contains(needle), "{needle:?} not in\n{chrono}");
    }
    let first = flat(pdf_section(
        &v.pdf,
        "1. He followed me home",
        &["2. Messages all night"],
    ));
    assert!(
        first.contains(&format!(
            "People linked Sam Carter (person harming her) {described}"
        )),
        "{first}"
    );
    let second = pdf_section(&v.pdf, "2. Messages all night", &["Reports and handovers"]);
    assert!(!second.contains("Dan Reed"), "{second}");
    let people = flat(pdf_section(&v.pdf, "People", &["Exhibits"]));
    assert!(people.contains("Dan Reed"), "{people}");
    assert!(people.contains("Collar number 4471"), "{people}");
}

#[test]
fn reports_and_handovers_have_their_own_section_not_chronology_rows() {
    let mut f = fixture();
    // The first export records a handover; a report to the police is written by hand.
    open_export(&mut f, "first.zip", Disclosure::Proofs);
    let report = f
        .vault
        .add_report(Handover {
            title: "Reported to the police".into(),
            occurred: day("2026-11-04"),
            agency: "Police".into(),
            organisation: "Essex Police".into(),
            person: "PC Jones".into(),
            collar_number: "2210".into(),
            reference: "CAD 5678".into(),
            outcome: "No further action".into(),
            exhibits: vec![HandedOver {
                reference: "AB/1".into(),
                item: f.photo.clone(),
                sha256: sha(&f.photo_bytes),
                original_sha256: None,
            }],
            ..Handover::default()
        })
        .expect("report")
        .id;
    f.vault.link(&f.incident, &report).expect("link");
    let v = read_views(&open_export(&mut f, "second.zip", Disclosure::FullChain));

    let chronology = html_section(&v.html, "<h2 id=\"chronology\">", "</table>");
    assert_eq!(
        chronology.matches("<tr>").count(),
        2,
        "a header and one incident: {chronology}"
    );
    for not in ["Reported to the police", "Bundle for Solicitor"] {
        assert!(!chronology.contains(not), "{not:?} is a chronology row");
    }
    // The incident names the report's reference.
    assert!(html_row(chronology, "He followed me home").contains("Police: CAD 5678"));
    let reports = html_section(&v.html, "<h2 id=\"reports\">", "<h2 id=\"exhibits\"");
    let row = html_row(reports, &format!("href=\"#{report}\""));
    for needle in [
        "2026-11-04",
        "Police (Essex Police)",
        "PC Jones, collar number 2210",
        "CAD 5678",
        "AB/1",
        "No further action",
    ] {
        assert!(row.contains(needle), "{needle:?} not in {row}");
    }
    assert!(
        reports.contains(&format!("AB/1 — SHA-256 {}", sha(&f.photo_bytes))),
        "what was handed over, by hash: {reports}"
    );
    assert!(reports.contains("Bundle for Solicitor"), "{reports}");
    assert!(reports.contains("About</dt><dd>Incident 1"), "{reports}");

    let chrono = pdf_section(&v.pdf, "Chronology", &["Incidents in full"]);
    for not in ["Reported to the police", "Bundle for Solicitor", "R1", "R2"] {
        assert!(
            !chrono.contains(not),
            "{not:?} in the chronology:\n{chrono}"
        );
    }
    let section = pdf_section(&v.pdf, "Reports and handovers", &["People", "Exhibits"]);
    for needle in [
        "R1",
        "R2",
        "PC Jones",
        "2210",
        "CAD 5678",
        "No further action",
        "AB/1",
    ] {
        assert!(section.contains(needle), "{needle:?} not in\n{section}");
    }
    assert!(
        flat(section).contains("R2. Bundle for Solicitor")
            || flat(section).contains("R1. Bundle for Solicitor")
    );
    assert!(flat(section).contains(&sha(&f.photo_bytes)));
    // The pattern counts the one incident, not the reports.
    let pattern = flat(pdf_section(&v.pdf, "Pattern of behaviour", &["Chronology"]));
    assert!(
        pattern.contains("1 incident is in this bundle, on 2026-11-03."),
        "{pattern}"
    );
}

#[test]
fn the_pattern_counts_incidents_only_and_a_redacted_one_has_no_date() {
    let mut f = fixture();
    let add = |f: &mut Fixture, title: &str, when: Option<&str>, c: Category| {
        f.vault
            .add_incident(Incident {
                title: title.into(),
                occurred: when.and_then(day),
                categories: vec![c],
                ..Incident::default()
            })
            .expect("incident")
            .id
    };
    add(
        &mut f,
        "He took my bank card",
        Some("2026-12-20"),
        Category::Economic,
    );
    let late = add(
        &mut f,
        "Written in error",
        Some("2027-03-05"),
        Category::Threats,
    );
    crate::authorize(&f.vault);
    f.vault
        .redact(&late, "Written about the wrong day")
        .expect("redact");
    add(&mut f, "Threats on the stairs", None, Category::Threats);
    f.vault
        .add_report(Handover {
            title: "Told my GP".into(),
            occurred: day("2027-06-01"),
            agency: "GP".into(),
            ..Handover::default()
        })
        .expect("report");
    let v = read_views(&open_export(&mut f, "pattern.zip", Disclosure::FullChain));

    let want = "4 incidents are in this bundle. The 2 with dates run from 2026-11-03 to 2026-12-20. 1 has no date given. 1 was removed by redaction: counted here, but its date and details are not shown.";
    let page = html_section(&v.html, "<h2 id=\"pattern\">", "<h2 id=\"chronology\">");
    assert!(page.contains(want), "{page}");
    for not in ["Date not given", "2027", "Told my GP"] {
        assert!(!page.contains(not), "{not:?} in the pattern: {page}");
    }
    // Each kind once: the redacted incident's kinds are gone with it.
    assert!(html_row(page, "Threats").contains(">1<"), "{page}");
    assert!(html_row(page, "Economic").contains(">1<"));
    assert!(html_row(page, "November 2026").contains(">1<"));
    assert!(html_row(page, "December 2026").contains(">1<"));

    let pattern = flat(pdf_section(&v.pdf, "Pattern of behaviour", &["Chronology"]));
    assert!(pattern.contains(want), "{pattern}");
    assert!(
        !pattern.contains("Date not given") && !pattern.contains("2027"),
        "{pattern}"
    );
    // The redacted incident is a chronology row of its own, with no date.
    let chrono = flat(pdf_section(&v.pdf, "Chronology", &["Incidents in full"]));
    assert!(chrono.contains("redaction"), "{chrono}");
    assert!(!chrono.contains("Told my GP"), "{chrono}");
}

/// A WhatsApp-style zip export holding a photo that says where it was taken: Cairn
/// cannot clean it, so it is left out of the bundle.
fn geotagged_zip() -> Vec<u8> {
    let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
    z.start_file("notes.txt", zip::write::SimpleFileOptions::default())
        .expect("start");
    z.write_all(b"photos from that night").expect("write");
    z.start_file("photo.jpg", zip::write::SimpleFileOptions::default())
        .expect("start");
    z.write_all(&jpeg_with_gps()).expect("write");
    z.finish().expect("finish").into_inner()
}

#[test]
fn the_annex_names_what_was_left_out_and_why() {
    let mut f = fixture();
    let dir = f.tmp.path().to_path_buf();
    let inc = f.incident.clone();
    let zipped = add_file(
        &mut f.vault,
        &dir,
        "photos.zip",
        &geotagged_zip(),
        Some(&inc),
    );
    // A version written before format 2 with a field left out cannot be re-hashed: the
    // incident's version stands for one here, its salts taken away (a version written
    // before schema 7 has none). The schedule reads only what the export makes of it.
    let conn = f.vault.raw_connection_for_tests();
    conn.execute_batch("DROP TRIGGER versions_only_redact;")
        .expect("drop trigger");
    conn.execute(
        "UPDATE versions SET salts = NULL WHERE item_id = ?1",
        [&f.incident],
    )
    .expect("old version");
    let out = open_export(&mut f, "annex.zip", Disclosure::Proofs);
    let v = read_views(&out);
    let reason = "It holds location data that Cairn cannot remove";

    let annex = html_section(&v.html, "<h2 id=\"annex\">", "<h3>Redactions");
    assert!(
        annex.contains("Only the entries of the exported items"),
        "the disclosure mode: {annex}"
    );
    let row = html_row(annex, "Private notes");
    assert!(
        row.contains("Entry 1") && row.contains(&f.incident),
        "{row}"
    );
    assert!(
        row.contains("Her private notes stay in the vault."),
        "{row}"
    );
    let left = html_row(annex, "photos.zip");
    assert!(left.contains("AB/2") && left.contains(reason), "{left}");
    let old = html_section(annex, "Versions that cannot be checked", "</table>");
    assert!(
        old.contains("cannot show that the rest of the version is exactly as written"),
        "{old}"
    );
    let row = html_row(old, &f.incident);
    assert!(
        row.contains("Entry 1") && row.contains("<td>1</td><td>Private notes</td>"),
        "{row}"
    );
    // The narrative says so too.
    let full = html_section(&v.html, &format!("<h3 id=\"{inc}\">"), "</dl>");
    assert!(
        full.contains("Private notes: her private notes stay in the vault."),
        "{full}"
    );

    let annex = flat(pdf_section(&v.pdf, "Audit annex", &["Redactions"]));
    for needle in [
        "Only the entries of the exported items",
        "Private notes Her private notes stay in the vault.",
        "photos.zip",
        "Versions that cannot be checked from this bundle alone",
    ] {
        assert!(annex.contains(needle), "{needle:?} not in\n{annex}");
    }
    assert!(
        annex.contains("AB/2") && annex.contains("location data"),
        "{annex}"
    );
    assert!(
        v.files.iter().all(|(n, _)| !n.contains("photos.zip")),
        "AB/2 went out"
    );
    let _ = zipped;
}

#[test]
fn the_cover_and_instructions_give_format_2_and_the_tree_head() {
    for disclosure in [Disclosure::Proofs, Disclosure::FullChain] {
        let mut f = fixture();
        let v = read_views(&open_export(&mut f, "cover.zip", disclosure));
        let vault: serde_json::Value = serde_json::from_slice(
            &v.files
                .iter()
                .find(|(n, _)| n == "data/record/vault.json")
                .expect("vault.json")
                .1,
        )
        .expect("json");
        let root = vault["tree_root"].as_str().expect("tree root");
        let head = vault["chain_head"].as_str().expect("head");
        let cover = flat(pdf_section(
            &v.pdf,
            "Evidence schedule",
            &["Pattern of behaviour"],
        ));
        assert!(cover.contains("Bundle format 2"), "{cover}");
        assert!(
            cover.contains(&format!("Merkle tree head {root}")),
            "{cover}"
        );
        assert!(cover.contains(head), "{cover}");
        let mode = match disclosure {
            Disclosure::Proofs => "Only the entries of the exported items",
            Disclosure::FullChain => "Every entry of the vault's chain",
        };
        assert!(cover.contains(mode), "{cover}");
        assert!(v.html.contains(root), "the page gives the tree head");
        assert!(
            v.html.contains(&mode.replace('\'', "&#39;")),
            "the page gives the mode"
        );

        // The instructions name this bundle's figures and files, and their Python
        // really passes on this bundle.
        assert!(v.howto.contains(root) && v.howto.contains("cairn-signature.txt"));
        assert!(v.howto.contains("docs/bundle_verify.py"));
        let (file, not) = match disclosure {
            Disclosure::Proofs => ("data/record/entries.jsonl", "data/record/chain.jsonl"),
            Disclosure::FullChain => ("data/record/chain.jsonl", "data/record/entries.jsonl"),
        };
        assert!(
            v.howto.contains(file) && !v.howto.contains(not),
            "{}",
            v.howto
        );
        let printed = run_step_6(&v);
        match disclosure {
            Disclosure::Proofs => assert_eq!(printed.trim(), "every entry is in the signed tree"),
            Disclosure::FullChain => assert_eq!(
                printed.trim(),
                format!("{} {head} {root}", vault["chain_size"])
            ),
        }
    }
}

/// Unpacks the bag and runs the Python of step 6 of HOW-TO-VERIFY.txt inside it.
fn run_step_6(v: &Views) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let bag = dir.path().join(&v.root);
    for (name, bytes) in &v.files {
        if name.ends_with('/') {
            continue;
        }
        let p = bag.join(name);
        fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        fs::write(&p, bytes).expect("write");
    }
    let step = &v.howto[v.howto.find("\n6. ").expect("step 6")..];
    let code: String = step
        .lines()
        .skip_while(|l| !l.ends_with("In Python:"))
        .skip(1)
        .take_while(|l| l.starts_with("       "))
        .map(|l| format!("{}\n", &l[7..]))
        .collect();
    assert!(code.contains("import hashlib"), "{step}");
    let out = Command::new("python3")
        .arg("-c")
        .arg(&code)
        .current_dir(&bag)
        .output()
        .expect("python3 must be installed");
    assert!(
        out.status.success(),
        "step 6 fails:\n{code}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}
