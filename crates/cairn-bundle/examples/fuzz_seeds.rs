//! Writes seed inputs for the fuzz targets in `fuzz/` (run by `scripts/fuzz.sh`):
//! a small vault with fast test key derivation, a written record edited once, a
//! person, two files (one redacted), and from it real bundles — an open ZIP, a slim
//! copy of it, and one sealed with age to a passphrase — and its receipt, so the
//! fuzzer starts from valid ZIP, BagIt, chain and age structure. They hold random ids
//! and keys, so they are made afresh rather than committed.
//!
//! `cargo run -p cairn-bundle --example fuzz_seeds -- DIR` writes
//! `DIR/bundle_reader/`, `DIR/receipt_parse/` and `DIR/manifest_path/`. A
//! `bundle_reader` seed is one mode byte (see `cairn_bundle::fuzzing`) and the bundle.

use std::fs;
use std::io::{Cursor, Read, Write};
use std::path::Path;
use std::sync::atomic::AtomicBool;

use cairn_bundle::fuzzing::{
    MODE_NO_KEY, MODE_PACKED, MODE_PASSPHRASE, MODE_SEAL_TO_KEY, PACKED_SEPARATOR, SEAL_PASSPHRASE,
};
use cairn_bundle::{encode_manifest_path, export, receipt, ExportOptions, Seal, Selection};
use cairn_core::{AddFile, Category, Incident, KdfCost, Occurred, Passphrase, Person, Role, Vault};

static NEVER: AtomicBool = AtomicBool::new(false);

type Files = Vec<(String, Vec<u8>)>;

/// The files of a ZIP, in order; with `slim`, the schedule, the page and the
/// instructions are cut to 64 bytes (their fixity then fails), so that mutations land
/// mostly on the structure and the record.
fn files(zip_bytes: &[u8], slim: bool) -> Result<Files, Box<dyn std::error::Error>> {
    let mut z = zip::ZipArchive::new(Cursor::new(zip_bytes))?;
    let mut out = Vec::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i)?;
        let mut b = Vec::new();
        f.read_to_end(&mut b)?;
        let name = f.name()?.into_owned();
        if slim
            && [".pdf", "/index.html", "/HOW-TO-VERIFY.txt"]
                .iter()
                .any(|s| name.ends_with(s))
        {
            b.truncate(64);
        }
        out.push((name, b));
    }
    Ok(out)
}

/// Files in the `MODE_PACKED` form.
fn packed(files: &Files) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, (name, b)) in files.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(PACKED_SEPARATOR);
        }
        out.extend_from_slice(name.as_bytes());
        out.push(b'\n');
        out.extend_from_slice(b);
    }
    out
}

/// Files as a ZIP, stored as Cairn stores them.
fn zipped(files: &Files) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, b) in files {
        w.start_file(name.as_str(), opts)?;
        w.write_all(b)?;
    }
    Ok(w.finish()?.into_inner())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args_os()
        .nth(1)
        .ok_or("usage: fuzz_seeds DIR (the corpus folder; one folder per target is made)")?;
    let out = Path::new(&out);
    let tmp = tempfile::tempdir()?;
    let (mut vault, _) = Vault::init(
        &tmp.path().join("vault"),
        &Passphrase::new("correct horse battery staple"),
        KdfCost::InsecureTestOnly,
    )?;
    let first = Incident {
        title: "He followed me home".into(),
        occurred: Some(Occurred {
            start: "2026-11-03T21:40:00+00:00".into(),
            end: None,
            approximate: false,
        }),
        categories: vec![Category::Stalking],
        body: "Same grey car outside the house.".into(),
        ..Incident::default()
    };
    let inc = vault.add_incident(first.clone())?.id;
    vault.edit_incident(
        &inc,
        Incident {
            body: "Same grey car outside the house, engine running.".into(),
            ..first
        },
    )?;
    let person = vault
        .add_person(Person {
            name: "A neighbour".into(),
            role: Role::Witness,
            collar_number: String::new(),
            force: String::new(),
            organisation: String::new(),
            relationship: "neighbour".into(),
            notes: String::new(),
        })?
        .id;
    vault.link(&inc, &person)?;
    let add = |vault: &mut Vault, name: &str, bytes: &[u8]| -> cairn_core::Result<String> {
        let p = tmp.path().join(name);
        fs::write(&p, bytes).map_err(|e| cairn_core::Error::io("write", &p, e))?;
        let opts = AddFile {
            acquired: "Saved from my phone".into(),
            link_to: Some(inc.clone()),
            progress: &|_| {},
            cancel: &NEVER,
        };
        Ok(vault.add_file(&p, &opts)?.id)
    };
    add(&mut vault, "letter.txt", b"You will regret this.\n")?;
    let gone = add(&mut vault, "wrong.txt", b"added by mistake")?;
    authorize(&vault)?;
    vault.redact(&gone, "added by mistake")?;

    let bundle = |vault: &mut Vault,
                  name: &str,
                  seal: Seal,
                  disclosure: cairn_bundle::Disclosure|
     -> cairn_core::Result<Vec<u8>> {
        let p = tmp.path().join(name);
        let opts = ExportOptions {
            selection: Selection::All,
            initials: "AB".into(),
            include_location: false,
            seal,
            agency: "Solicitor".into(),
            person: String::new(),
            progress: &|_, _| {},
            cancel: &NEVER,
            fast_kdf_for_tests: true,
            disclosure,
            whole_exports: false,
            receipts: Vec::new(),
        };
        authorize(vault)?;
        export(vault, &p, &opts)?;
        fs::read(&p).map_err(|e| cairn_core::Error::io("read", &p, e))
    };
    let open = bundle(
        &mut vault,
        "open.zip",
        Seal::Open,
        cairn_bundle::Disclosure::FullChain,
    )?;
    let proofs = bundle(
        &mut vault,
        "proofs.zip",
        Seal::Open,
        cairn_bundle::Disclosure::Proofs,
    )?;
    let sealed = bundle(
        &mut vault,
        "sealed.age",
        Seal::Passphrase(Passphrase::new(SEAL_PASSPHRASE)),
        cairn_bundle::Disclosure::Proofs,
    )?;
    let r = receipt(&mut vault)?;

    let write = |dir: &str, name: &str, parts: &[&[u8]]| -> std::io::Result<()> {
        let d = out.join(dir);
        fs::create_dir_all(&d)?;
        fs::write(d.join(name), parts.concat())
    };
    let full = files(&open, false)?;
    let slim = files(&open, true)?;
    let slim_zip = zipped(&slim)?;
    for (name, mode, bytes) in [
        ("open-no-key", MODE_NO_KEY, &open),
        ("open-slim-no-key", MODE_NO_KEY, &slim_zip),
        ("sealed-passphrase", MODE_PASSPHRASE, &sealed),
        ("open-sealed-to-key", MODE_SEAL_TO_KEY, &open),
        ("open-slim-sealed-to-key", MODE_SEAL_TO_KEY, &slim_zip),
        ("packed", MODE_PACKED, &packed(&full)),
        ("packed-slim", MODE_PACKED, &packed(&slim)),
        ("open-proofs-no-key", MODE_NO_KEY, &proofs),
        (
            "packed-proofs-slim",
            MODE_PACKED,
            &packed(&files(&proofs, true)?),
        ),
    ] {
        write("bundle_reader", name, &[&[mode], bytes])?;
    }
    // The signed parts of a bundle, for signed_notes.
    for (name, b) in files(&proofs, false)? {
        if name.ends_with("/cairn-signature.txt") || name.ends_with("/checkpoint.txt") {
            let short = name.rsplit('/').next().unwrap_or("note").to_string();
            write("signed_notes", &short, &[&b])?;
        }
    }
    write("receipt_parse", "note", &[r.note.as_bytes()])?;
    write("receipt_parse", "short", &[r.short.as_bytes()])?;
    let email = format!(
        "Subject: my Cairn receipt\r\n\r\nKeep this safe.\r\n\r\n{}\r\n{}\r\n",
        r.note.replace('\n', "\r\n"),
        r.short
    );
    write("receipt_parse", "email", &[email.as_bytes()])?;
    for (i, p) in [
        "data/exhibits/AB-1 letter.txt",
        "data/record/chain.jsonl",
        "data/100%\r\nsure.txt",
        "tagmanifest-sha256.txt",
    ]
    .iter()
    .enumerate()
    {
        write(
            "manifest_path",
            &format!("path-{i}"),
            &[encode_manifest_path(p).as_bytes()],
        )?;
    }
    println!(
        "fuzz seeds in {}: open bundle {} bytes, sealed {} bytes",
        out.display(),
        open.len(),
        sealed.len()
    );
    Ok(())
}

/// The vault's passphrase typed again, as a redaction or an export needs.
fn authorize(vault: &Vault) -> cairn_core::Result<()> {
    vault.authorize(
        &Passphrase::new("correct horse battery staple"),
        cairn_core::OpenOptions {
            allow_insecure_kdf: true,
        },
    )
}
