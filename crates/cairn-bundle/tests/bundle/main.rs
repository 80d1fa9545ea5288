//! Bundles against the real vault, real files and real age: export then verify; every
//! kind of tampering is caught and named; wrong keys, truncation and garbage get one
//! clear error; a chain rewritten after a receipt fails the receipt check; exhibit
//! references stay stable; location data is removed from photos.

use std::fs;
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use cairn_bundle::{plan, receipt, verify_bundle, ExportOptions, Exported, Key, Seal, Selection};
use cairn_core::{
    AddFile, Category, Error, Incident, ItemKind, KdfCost, Occurred, Passphrase, Vault,
};
use sha2::{Digest, Sha256};
use tempfile::TempDir;

mod forgery;
mod fuzz_found;
mod hostile;
mod in_memory;
mod proofs;
mod schedule;

const PASS: &str = "correct horse battery staple";

/// Her passphrase typed again, as an export needs (see `Vault::authorize`).
fn authorize(vault: &Vault) {
    vault
        .authorize(
            &Passphrase::new(PASS),
            cairn_core::OpenOptions {
                allow_insecure_kdf: true,
            },
        )
        .expect("authorize with the test passphrase");
}

/// `cairn_bundle::export` after typing the passphrase again.
fn export(vault: &mut Vault, out: &Path, opts: &ExportOptions<'_>) -> cairn_core::Result<Exported> {
    // A vault with another passphrase (the first-version fixture) is authorized by
    // its test before the export.
    let _ = vault.authorize(
        &Passphrase::new(PASS),
        cairn_core::OpenOptions {
            allow_insecure_kdf: true,
        },
    );
    cairn_bundle::export(vault, out, opts)
}
const SEAL_PASS: &str = "seven bridges over the quiet river Tay";
static NEVER: AtomicBool = AtomicBool::new(false);

struct Fixture {
    tmp: TempDir,
    vault: Vault,
    incident: String,
    photo: String,
    photo_bytes: Vec<u8>,
}

fn sha(b: &[u8]) -> String {
    Sha256::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

/// A small PNG of random-ish pixels.
fn png() -> Vec<u8> {
    let mut img = image::RgbImage::new(32, 24);
    for (i, p) in img.pixels_mut().enumerate() {
        *p = image::Rgb([(i * 7) as u8, (i * 13) as u8, (i * 29) as u8]);
    }
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("png");
    out.into_inner()
}

fn add_file(v: &mut Vault, dir: &Path, name: &str, bytes: &[u8], link: Option<&str>) -> String {
    let p = dir.join(name);
    fs::write(&p, bytes).expect("write");
    let opts = AddFile {
        acquired: "Photo taken on my phone".into(),
        link_to: link.map(str::to_string),
        progress: &|_| {},
        cancel: &NEVER,
    };
    v.add_file(&p, &opts).expect("add file").id
}

fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (mut vault, _) = Vault::init(
        &tmp.path().join("vault"),
        &Passphrase::new(PASS),
        KdfCost::InsecureTestOnly,
    )
    .expect("init");
    let inc = vault
        .add_incident(Incident {
            title: "He followed me home".into(),
            occurred: Some(Occurred {
                start: "2026-11-03T21:40:00+00:00".into(),
                end: None,
                approximate: false,
            }),
            categories: vec![Category::Stalking],
            body: "Same grey car outside the house.".into(),
            private_notes: "I felt I was going mad.".into(),
            ..Incident::default()
        })
        .expect("incident")
        .id;
    let bytes = png();
    let photo = add_file(&mut vault, tmp.path(), "car.png", &bytes, Some(&inc));
    Fixture {
        tmp,
        vault,
        incident: inc,
        photo,
        photo_bytes: bytes,
    }
}

fn opts<'a>(seal: Seal, sel: Selection) -> ExportOptions<'a> {
    ExportOptions {
        selection: sel,
        initials: "AB".into(),
        include_location: false,
        seal,
        agency: "Solicitor".into(),
        person: String::new(),
        progress: &|_, _| {},
        cancel: &NEVER,
        fast_kdf_for_tests: true,
        disclosure: cairn_bundle::Disclosure::FullChain,
        whole_exports: false,
        receipts: Vec::new(),
    }
}

fn seal_pass() -> Seal {
    Seal::Passphrase(Passphrase::new(SEAL_PASS))
}

fn key_pass() -> Key {
    Key::Passphrase(Passphrase::new(SEAL_PASS))
}

/// Rewrites the open bundle `src` as `dst`, changing the entry whose name ends with
/// `suffix` by `f`; with `rebag`, manifests are recomputed so only deeper checks can
/// notice.
fn tamper(src: &Path, dst: &Path, suffix: &str, rebag: bool, f: &dyn Fn(&mut Vec<u8>)) {
    let mut z = zip::ZipArchive::new(fs::File::open(src).expect("open")).expect("zip");
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..z.len() {
        let mut e = z.by_index(i).expect("entry");
        let mut b = Vec::new();
        e.read_to_end(&mut b).expect("read");
        let name = e.name().expect("name").to_string();
        if name.ends_with(suffix) {
            f(&mut b);
        }
        files.push((name, b));
    }
    if rebag {
        let root = files[0].0.split('/').next().unwrap_or_default().to_string();
        let mut manifest = String::new();
        let mut sorted: Vec<&(String, Vec<u8>)> = files
            .iter()
            .filter(|(n, _)| n.starts_with(&format!("{root}/data/")))
            .collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        for (n, b) in sorted {
            manifest.push_str(&format!("{}  {}\n", sha(b), &n[root.len() + 1..]));
        }
        for (n, b) in files.iter_mut() {
            if n.ends_with("/manifest-sha256.txt") {
                *b = manifest.clone().into_bytes();
            }
        }
        let tags: Vec<(String, String)> = files
            .iter()
            .filter(|(n, _)| {
                ["/bagit.txt", "/bag-info.txt", "/manifest-sha256.txt"]
                    .iter()
                    .any(|s| n.ends_with(s))
            })
            .map(|(n, b)| (n[root.len() + 1..].to_string(), sha(b)))
            .collect();
        let mut tm = String::new();
        for (n, s) in tags {
            tm.push_str(&format!("{s}  {n}\n"));
        }
        for (n, b) in files.iter_mut() {
            if n.ends_with("/tagmanifest-sha256.txt") {
                *b = tm.clone().into_bytes();
            }
        }
    }
    let mut w = zip::ZipWriter::new(fs::File::create(dst).expect("create"));
    for (n, b) in files {
        w.start_file(n, zip::write::SimpleFileOptions::default())
            .expect("start");
        w.write_all(&b).expect("write");
    }
    w.finish().expect("finish");
}

/// A change made to one file of a bundle.
type Edit = Box<dyn Fn(&mut Vec<u8>)>;

fn codes(r: &cairn_bundle::BundleReport) -> Vec<&'static str> {
    r.problems.iter().map(|p| p.code).collect()
}

fn open_bundle(f: &mut Fixture, name: &str) -> PathBuf {
    let out = f.tmp.path().join(name);
    export(&mut f.vault, &out, &opts(Seal::Open, Selection::All)).expect("export");
    out
}

#[test]
fn sealed_export_verifies_and_records_the_handover() {
    let mut f = fixture();
    let out = f.tmp.path().join("bundle.age");
    let done = export(&mut f.vault, &out, &opts(seal_pass(), Selection::All)).expect("export");
    assert!(done.sealed);
    assert_eq!(done.exhibits.len(), 1);
    assert_eq!(done.exhibits[0].reference, "AB/1");
    assert_eq!(
        done.exhibits[0].sha256.as_deref(),
        Some(sha(&f.photo_bytes).as_str())
    );
    let bytes = fs::read(&out).expect("read");
    assert!(bytes.starts_with(b"age-encryption.org/v1"));
    assert_eq!(sha(&bytes), done.bundle_sha256);
    // Only the finished file is left: no temporary beside it.
    let left: Vec<_> = fs::read_dir(f.tmp.path())
        .expect("ls")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".part-"))
        .collect();
    assert!(left.is_empty());

    let r = verify_bundle(&out, &key_pass(), None).expect("verify");
    assert!(r.ok, "{:?}", r.problems);
    assert!(r.sealed && r.checkpoint_valid);
    assert_eq!(r.evidence_sha256, done.evidence_sha256);
    assert_eq!(r.bundle_sha256, done.bundle_sha256);
    // The incident's private notes stayed behind, so its version is not re-hashed.
    assert_eq!(r.versions_withheld, 1);

    // The handover is on record, with the exhibit by hash.
    let rep = f.vault.show(&done.handover.id).expect("report");
    assert_eq!(rep.kind, ItemKind::Report);
    let rec = rep.record.expect("record");
    assert_eq!(rec["exhibits"][0]["sha256"], sha(&f.photo_bytes));
    assert_eq!(rec["bundle_sha256"], done.bundle_sha256);
    assert!(
        f.vault
            .verify(Default::default(), &|_, _| {})
            .expect("verify vault")
            .ok
    );
}

#[test]
fn exhibit_references_are_stable_across_exports() {
    let mut f = fixture();
    // The plan shows the reference an export will give, and stores nothing.
    let before = f.vault.chain().expect("chain").len();
    let p = plan(&mut f.vault, &Selection::All, "ab").expect("plan");
    assert_eq!((p.items, p.incidents, p.people, p.reports), (2, 1, 0, 0));
    assert_eq!(p.exhibits.len(), 1);
    let e = &p.exhibits[0];
    assert_eq!(
        (e.reference.as_str(), e.new, e.name.as_str()),
        ("AB/1", true, "car.png")
    );
    assert_eq!(
        (e.size, p.bytes),
        (f.photo_bytes.len() as u64, f.photo_bytes.len() as u64)
    );
    assert!(!e.has_location);
    assert_eq!(f.vault.chain().expect("chain").len(), before);

    let first = open_bundle(&mut f, "one.zip");
    let _ = first;
    let again = plan(&mut f.vault, &Selection::All, "AB").expect("plan");
    assert!(
        !again.exhibits[0].new,
        "the reference was given by the export"
    );
    assert_eq!(again.reports, 1, "the handover is a report");
    let dir = f.tmp.path().to_path_buf();
    let second = add_file(&mut f.vault, &dir, "letter.txt", b"a letter", None);
    let out = dir.join("two.zip");
    let done = export(
        &mut f.vault,
        &out,
        &ExportOptions {
            initials: "CD".into(),
            ..opts(Seal::Open, Selection::All)
        },
    )
    .expect("export");
    let refs: Vec<(String, String)> = done
        .exhibits
        .iter()
        .map(|e| (e.item.clone(), e.reference.clone()))
        .collect();
    assert!(refs.contains(&(f.photo.clone(), "AB/1".into())), "{refs:?}");
    assert!(refs.contains(&(second, "CD/1".into())), "{refs:?}");
}

#[test]
fn selection_by_item_takes_what_is_linked() {
    let mut f = fixture();
    let dir = f.tmp.path().to_path_buf();
    add_file(&mut f.vault, &dir, "unrelated.txt", b"other", None);
    let out = dir.join("sel.zip");
    let inc = f.incident.clone();
    let done = export(
        &mut f.vault,
        &out,
        &opts(Seal::Open, Selection::Items(vec![inc])),
    )
    .expect("export");
    assert_eq!(done.items, 2);
    assert_eq!(done.exhibits.len(), 1);
    assert_eq!(done.exhibits[0].item, f.photo);
}

#[test]
fn a_message_linked_to_an_incident_goes_out_with_its_original_export_and_photo() {
    use cairn_core::{ChatImport, NewMessage};
    let mut f = fixture();
    let stage = |v: &Vault, name: &str, bytes: &[u8]| {
        v.stage_file(
            std::ffi::OsStr::new(name),
            &mut Cursor::new(bytes.to_vec()),
            None,
            "From the export",
        )
        .expect("stage")
    };
    let export_text = b"03/11/2026, 21:39 - Sam: I can see you\n03/11/2026, 21:40 - Sam: IMG-1.png (file attached)\n";
    let chat = ChatImport {
        source: "whatsapp",
        original: stage(&f.vault, "WhatsApp Chat with Sam.txt", export_text),
        attachments: vec![stage(&f.vault, "IMG-1.png", &png())],
        messages: vec![
            NewMessage {
                conversation: "Sam".into(),
                sender: "Sam".into(),
                sent_at: "2026-11-03T21:39:00".into(),
                text: "I can see you".into(),
                line: 1,
                ..NewMessage::default()
            },
            NewMessage {
                conversation: "Sam".into(),
                sender: "Sam".into(),
                sent_at: "2026-11-03T21:40:00".into(),
                attachment: "IMG-1.png".into(),
                attachments: vec![0],
                line: 2,
                ..NewMessage::default()
            },
        ],
    };
    let done = f.vault.import_chat(chat).expect("import");
    let key = f.vault.conversations().expect("list")[0].key.clone();
    let page = f
        .vault
        .conversation_page(&key, &cairn_core::Anchor::Start, 10)
        .expect("page");
    let photo_msg = page.messages[1].id.clone();
    let kept_photo = page.messages[1].files[0].id.clone();
    f.vault.link(&f.incident, &photo_msg).expect("link");

    let p = plan(
        &mut f.vault,
        &Selection::Items(vec![f.incident.clone()]),
        "AB",
    )
    .expect("plan");
    // The incident, its photo, the message, the export and the message's photo; not
    // the other message.
    assert_eq!(p.items, 5);
    let mut exhibits: Vec<&str> = p.exhibits.iter().map(|e| e.item.as_str()).collect();
    exhibits.sort_unstable();
    let mut want = vec![f.photo.as_str(), done.export.as_str(), kept_photo.as_str()];
    want.sort_unstable();
    assert_eq!(exhibits, want);

    // The schedule lists the message under its conversation: when it was sent (the
    // phone's clock), where it was read from (the export's reference and line, the
    // attached photo's), and the entry it is linked to.
    let out = f.tmp.path().join("open.zip");
    export(
        &mut f.vault,
        &out,
        &opts(Seal::Open, Selection::Items(vec![f.incident.clone()])),
    )
    .expect("export");
    let mut z = zip::ZipArchive::new(fs::File::open(&out).expect("open")).expect("zip");
    let mut html = String::new();
    for i in 0..z.len() {
        let mut e = z.by_index(i).expect("entry");
        if e.name().expect("name").ends_with("data/index.html") {
            e.read_to_string(&mut html).expect("read");
        }
    }
    let export_ref = &p
        .exhibits
        .iter()
        .find(|e| e.item == done.export)
        .expect("export")
        .reference;
    let photo_ref = &p
        .exhibits
        .iter()
        .find(|e| e.item == kept_photo)
        .expect("photo")
        .reference;
    let section = &html[html
        .find("<h2 id=\"messages\">Messages</h2>")
        .expect("a messages section")..];
    for needle in [
        "<h3>Sam (WhatsApp)</h3>",
        "In this bundle: 1 message, sent 2026-11-03 21:40",
        "2026-11-03 21:40 (phone&#39;s clock; no time zone in the export)",
        &format!("{export_ref}, line 2; attached: {photo_ref}"),
        "linked to entry 1",
    ] {
        assert!(section.contains(needle), "{needle:?} not in {section}");
    }
    // The message not chosen is not in the schedule.
    assert!(!html.contains("I can see you"));
}

#[test]
fn tampering_is_named() {
    let mut f = fixture();
    let good = open_bundle(&mut f, "good.zip");
    assert!(verify_bundle(&good, &Key::None, None).expect("verify").ok);
    let dir = f.tmp.path().to_path_buf();
    let flip = |b: &mut Vec<u8>| {
        let n = b.len() / 2;
        b[n] ^= 1;
    };
    // Naive edits: fixity names the file.
    for (suffix, code) in [
        ("car.png", "fixity"),
        ("record/items.json", "fixity"),
        ("record/chain.jsonl", "fixity"),
        ("record/checkpoint.txt", "fixity"),
        ("/manifest-sha256.txt", "fixity"),
    ] {
        let bad = dir.join("bad.zip");
        tamper(&good, &bad, suffix, false, &flip);
        let r = verify_bundle(&bad, &Key::None, None).expect("verify");
        assert!(!r.ok, "{suffix}");
        assert!(codes(&r).contains(&code), "{suffix}: {:?}", r.problems);
        assert!(
            r.problems.iter().any(|p| p
                .path
                .as_deref()
                .is_some_and(|p| suffix.ends_with(p.rsplit('/').next().unwrap_or(p))
                    || p.ends_with(suffix.trim_start_matches('/')))),
            "{suffix} not named: {:?}",
            r.problems
        );
    }
    // Edits with the manifests redone: the deeper checks catch them.
    let cases: Vec<(&str, &'static str, Edit)> = vec![
        ("car.png", "exhibit_hash", Box::new(flip)),
        (
            "record/chain.jsonl",
            "chain_hash",
            Box::new(|b: &mut Vec<u8>| {
                let s = String::from_utf8_lossy(b).replacen(
                    "\"recorded_at\":1",
                    "\"recorded_at\":2",
                    1,
                );
                *b = s.into_bytes();
            }),
        ),
        (
            "record/versions.jsonl",
            "record_hash",
            Box::new(|b: &mut Vec<u8>| {
                let s = String::from_utf8_lossy(b).replacen("car.png", "cat.png", 1);
                *b = s.into_bytes();
            }),
        ),
        (
            "record/checkpoint.txt",
            "checkpoint_signature",
            Box::new(|b: &mut Vec<u8>| {
                // The signature line's last base64 characters.
                let n = b.len() - 3;
                b[n] = if b[n] == b'A' { b'B' } else { b'A' };
            }),
        ),
    ];
    for (suffix, code, f) in cases {
        let bad = dir.join("rebag.zip");
        tamper(&good, &bad, suffix, true, &*f);
        let r = verify_bundle(&bad, &Key::None, None).expect("verify");
        assert!(!r.ok, "{suffix}");
        assert!(codes(&r).contains(&code), "{suffix}: {:?}", r.problems);
    }
}

#[test]
fn wrong_key_truncation_and_garbage_are_clear_errors() {
    let mut f = fixture();
    let out = f.tmp.path().join("b.age");
    export(&mut f.vault, &out, &opts(seal_pass(), Selection::All)).expect("export");
    let wrong = Key::Passphrase(Passphrase::new("not the right passphrase at all"));
    let e = verify_bundle(&out, &wrong, None).expect_err("wrong key");
    assert!(matches!(e, Error::WrongBundleKey), "{e}");
    assert!(e.is_wrong_secret());

    let bytes = fs::read(&out).expect("read");
    for cut in [10, 200, bytes.len() / 2, bytes.len() - 1] {
        let p = f.tmp.path().join("cut.age");
        fs::write(&p, &bytes[..cut]).expect("write");
        match verify_bundle(&p, &key_pass(), None) {
            Err(Error::BundleUnreadable(_)) => {}
            other => panic!("cut at {cut}: {other:?}"),
        }
    }
    let g = f.tmp.path().join("garbage.bin");
    fs::write(&g, b"hello, this is not a bundle").expect("write");
    assert!(matches!(
        verify_bundle(&g, &Key::None, None),
        Err(Error::BundleUnreadable(_))
    ));
    let empty = f.tmp.path().join("empty");
    fs::write(&empty, b"").expect("write");
    assert!(matches!(
        verify_bundle(&empty, &Key::None, None),
        Err(Error::BundleUnreadable(_))
    ));
}

#[test]
fn receipt_catches_a_rewritten_history() {
    let mut f = fixture();
    let r = receipt(&mut f.vault).expect("receipt");
    let b1 = open_bundle(&mut f, "after.zip");
    let ok = verify_bundle(&b1, &Key::None, Some(&r.note)).expect("verify");
    assert_eq!(ok.receipt_extends, Some(true), "{:?}", ok.problems);
    let short = verify_bundle(&b1, &Key::None, Some(&r.short)).expect("verify");
    assert_eq!(short.receipt_extends, Some(true));

    // Someone with the keys rewrites entry 2 (the incident) and re-hashes everything
    // after it, re-signing the checkpoints: the vault is consistent again...
    {
        let conn = f.vault.raw_connection_for_tests();
        conn.execute_batch("DROP TRIGGER entries_no_update;")
            .expect("drop trigger");
        let chain = f.vault.chain().expect("chain");
        let mut prev = "0".repeat(64);
        for mut e in chain {
            if e.seq == 2 {
                e.recorded_at -= 86_400_000;
            }
            e.prev = prev.clone();
            e.hash = e.compute_hash().expect("hash");
            let unhex = |s: &str| -> Vec<u8> {
                (0..s.len() / 2)
                    .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap_or(0))
                    .collect()
            };
            conn.execute(
                "UPDATE entries SET recorded_at = ?2, prev = ?3, hash = ?4 WHERE seq = ?1",
                rusqlite::params![e.seq as i64, e.recorded_at, unhex(&e.prev), unhex(&e.hash)],
            )
            .expect("rewrite");
            prev = e.hash;
        }
        let (seed, _): (Vec<u8>, Vec<u8>) = conn
            .query_row("SELECT secret, public FROM device_key", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .expect("device key");
        let key = ed25519_dalek::SigningKey::from_bytes(&seed.try_into().expect("32 bytes"));
        let size = f.vault.chain().expect("chain").len() as u64;
        // The tree too: the stored right edge goes, so the vault rebuilds it.
        conn.execute("DELETE FROM merkle", []).expect("clear tree");
        let root: String = f
            .vault
            .merkle_tree()
            .expect("tree")
            .root()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let note = cairn_core::checkpoint::sign(
            &key,
            f.vault.vault_id(),
            size,
            &root,
            &prev,
            1_800_000_000_000,
        )
        .expect("sign");
        conn.execute("DELETE FROM checkpoints", []).expect("clear");
        conn.execute(
            "INSERT INTO checkpoints (size, note) VALUES (?1, ?2)",
            rusqlite::params![size as i64, note],
        )
        .expect("checkpoint");
    }
    let b2 = f.tmp.path().join("rewritten.zip");
    export(&mut f.vault, &b2, &opts(Seal::Open, Selection::All)).expect("export");
    let plain = verify_bundle(&b2, &Key::None, None).expect("verify");
    assert!(
        plain.ok,
        "a consistent rewrite passes on its own: {:?}",
        plain.problems
    );
    // ...but not against the receipt taken before.
    let checked = verify_bundle(&b2, &Key::None, Some(&r.note)).expect("verify");
    assert!(!checked.ok);
    assert_eq!(checked.receipt_extends, Some(false));
    assert!(
        codes(&checked).contains(&"receipt_rewritten"),
        "{:?}",
        checked.problems
    );
}

/// A JPEG with an Exif block holding a GPS directory (latitude 51.5).
fn jpeg_with_gps() -> Vec<u8> {
    let mut img = image::RgbImage::new(16, 16);
    for p in img.pixels_mut() {
        *p = image::Rgb([200, 100, 50]);
    }
    let mut plain = Cursor::new(Vec::new());
    img.write_to(&mut plain, image::ImageFormat::Jpeg)
        .expect("jpeg");
    let plain = plain.into_inner();
    // TIFF, little-endian: IFD0 with one entry (GPS pointer) at 8; GPS IFD at 26 with
    // GPSLatitudeRef "N" and GPSLatitude (3 rationals at 56).
    let mut t: Vec<u8> = Vec::new();
    t.extend_from_slice(b"II*\0");
    t.extend_from_slice(&8u32.to_le_bytes());
    t.extend_from_slice(&1u16.to_le_bytes());
    t.extend_from_slice(&0x8825u16.to_le_bytes());
    t.extend_from_slice(&4u16.to_le_bytes());
    t.extend_from_slice(&1u32.to_le_bytes());
    t.extend_from_slice(&26u32.to_le_bytes());
    t.extend_from_slice(&0u32.to_le_bytes());
    assert_eq!(t.len(), 26);
    t.extend_from_slice(&2u16.to_le_bytes());
    t.extend_from_slice(&1u16.to_le_bytes()); // GPSLatitudeRef
    t.extend_from_slice(&2u16.to_le_bytes());
    t.extend_from_slice(&2u32.to_le_bytes());
    t.extend_from_slice(b"N\0\0\0");
    t.extend_from_slice(&2u16.to_le_bytes()); // GPSLatitude
    t.extend_from_slice(&5u16.to_le_bytes());
    t.extend_from_slice(&3u32.to_le_bytes());
    t.extend_from_slice(&56u32.to_le_bytes());
    t.extend_from_slice(&0u32.to_le_bytes());
    assert_eq!(t.len(), 56);
    for (n, d) in [(51u32, 1u32), (30, 1), (0, 1)] {
        t.extend_from_slice(&n.to_le_bytes());
        t.extend_from_slice(&d.to_le_bytes());
    }
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&t);
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&plain[2..]);
    out
}

fn has_gps(jpeg: &[u8]) -> bool {
    exif::Reader::new()
        .read_from_container(&mut Cursor::new(jpeg))
        .map(|e| {
            e.fields()
                .any(|f| f.ifd_num == exif::In::PRIMARY && f.tag == exif::Tag::GPSLatitude)
        })
        .unwrap_or(false)
}

#[test]
fn photo_location_is_removed_unless_asked() {
    let mut f = fixture();
    let jpeg = jpeg_with_gps();
    assert!(has_gps(&jpeg), "the test photo carries GPS");
    let dir = f.tmp.path().to_path_buf();
    let id = add_file(&mut f.vault, &dir, "at-home.jpg", &jpeg, None);
    let rec = f.vault.show(&id).expect("show").record.expect("record");
    assert!(rec.pointer("/exif/gps_latitude").is_some(), "{rec}");
    let p = plan(&mut f.vault, &Selection::Items(vec![id.clone()]), "AB").expect("plan");
    assert!(
        p.exhibits.iter().any(|e| e.item == id && e.has_location),
        "{p:?}"
    );

    let out = dir.join("loc.zip");
    let done = export(
        &mut f.vault,
        &out,
        &opts(Seal::Open, Selection::Items(vec![id.clone()])),
    )
    .expect("export");
    let ex = &done.exhibits[0];
    assert!(ex.location_removed);
    assert_eq!(ex.original_sha256, sha(&jpeg));
    let mut z = zip::ZipArchive::new(fs::File::open(&out).expect("open")).expect("zip");
    let name = z
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .find(|n| n.ends_with("at-home.jpg"))
        .expect("exhibit in bundle");
    let mut copy = Vec::new();
    z.by_name(&name)
        .expect("entry")
        .read_to_end(&mut copy)
        .expect("read");
    assert!(!has_gps(&copy), "GPS removed from the copy");
    assert_eq!(&copy[copy.len() - 2..], &[0xFF, 0xD9]);
    assert!(
        image::load_from_memory(&copy).is_ok(),
        "the copy is still a picture"
    );
    let items = String::from_utf8_lossy(&{
        let n = z
            .file_names()
            .filter_map(|n| n.ok().map(|n| n.into_owned()))
            .find(|n| n.ends_with("record/items.json"))
            .expect("items");
        let mut b = Vec::new();
        z.by_name(&n)
            .expect("items")
            .read_to_end(&mut b)
            .expect("read");
        b
    })
    .into_owned();
    assert!(!items.contains("51.5"), "no coordinates in the record");
    assert!(
        items.contains("exif.gps_latitude"),
        "what was withheld is named"
    );
    let r = verify_bundle(&out, &Key::None, None).expect("verify");
    assert!(r.ok, "{:?}", r.problems);

    let out2 = dir.join("loc2.zip");
    let with = export(
        &mut f.vault,
        &out2,
        &ExportOptions {
            include_location: true,
            ..opts(Seal::Open, Selection::Items(vec![id]))
        },
    )
    .expect("export");
    assert!(!with.exhibits[0].location_removed);
    assert_eq!(
        with.exhibits[0].sha256.as_deref(),
        Some(sha(&jpeg).as_str())
    );
}

#[test]
fn an_existing_destination_is_never_replaced() {
    let mut f = fixture();
    let out = f.tmp.path().join("exists.zip");
    fs::write(&out, b"keep me").expect("write");
    let e = export(&mut f.vault, &out, &opts(Seal::Open, Selection::All)).expect_err("refused");
    assert!(matches!(e, Error::Invalid(_)));
    assert_eq!(fs::read(&out).expect("read"), b"keep me");
}
