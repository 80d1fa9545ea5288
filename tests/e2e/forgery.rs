//! The forger's matrix against the built programs: a bundle made by `cairn export`,
//! opened, changed and put back together consistently by an outsider's tool
//! (tests/forger.py: manifests, Payload-Oxum, fingerprint, External-Identifier and
//! HOW-TO-VERIFY recomputed, re-zipped with deflate), then sealed again with age —
//! to the recipient's X25519 key with Debian's `age`, and to a passphrase — must make
//! `cairn verify-bundle` exit 1 naming the signature, and the independent Python
//! verifier (docs/bundle_verify.py) exit 1 on the unpacked bag. Untouched and
//! re-zipped bundles verify with both. Both disclosure modes.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use cairn_e2e::find_program_or_panic;
use cairn_e2e::{describe, workspace_root, Cli};

const SEAL_PASS: &str = "a bundle passphrase for the solicitor";

/// A JPEG that says where it was taken (exiftool writes the GPS).
fn geotagged_jpeg(cli: &Cli) -> PathBuf {
    let mut img = image::RgbImage::new(24, 16);
    for (i, p) in img.pixels_mut().enumerate() {
        *p = image::Rgb([(i * 7) as u8, 90, (i * 3) as u8]);
    }
    let path = cli.scratch().join("at-home.jpg");
    img.save(&path).expect("jpeg");
    let exiftool = find_program_or_panic("exiftool", "apt package libimage-exiftool-perl");
    let out = Command::new(exiftool)
        .args([
            "-q",
            "-overwrite_original",
            "-GPSLatitude=51.5074",
            "-GPSLatitudeRef=N",
            "-GPSLongitude=0.1278",
            "-GPSLongitudeRef=W",
            "-DateTimeOriginal=2026:11:03 21:40:00",
        ])
        .arg(&path)
        .output()
        .expect("exiftool");
    assert!(out.status.success(), "exiftool: {}", describe(&out));
    path
}

fn id(v: &serde_json::Value) -> String {
    v["id"].as_str().expect("id").to_string()
}

/// Everything the tampers need: an incident edited twice, an officer and a
/// geotagged photo linked to it, a redacted incident, another incident.
fn vault(cli: &Cli) {
    let inc = id(&cli.json([
        "note",
        "add",
        "--title",
        "He followed me home",
        "--body",
        "Same grey car outside.",
        "--occurred-at",
        "2026-11-03T21:40:00+00:00",
        "--location",
        "Outside the flats",
        "--json",
    ]));
    cli.ok([
        "note",
        "edit",
        &inc,
        "--body",
        "Same grey car outside, two nights running.",
    ]);
    cli.ok(["note", "edit", &inc, "--title", "He followed me home again"]);
    let officer = id(&cli.json([
        "person",
        "add",
        "--name",
        "Dan Hollis",
        "--role",
        "officer",
        "--collar-number",
        "PC 4471",
        "--force",
        "Northshire Police",
        "--json",
    ]));
    cli.ok(["link", &inc, &officer]);
    let photo = geotagged_jpeg(cli);
    let added = cli.json_lines([
        "file",
        "add",
        photo.to_str().expect("path"),
        "--note",
        &inc,
        "--json",
    ]);
    assert!(added[0]["id"].is_string());
    let other = cli.write_file("letter.txt", b"You will regret this.\n");
    cli.ok(["file", "add", other.to_str().expect("path"), "--note", &inc]);
    let gone = id(&cli.json([
        "note",
        "add",
        "--title",
        "Written by mistake",
        "--body",
        "x",
        "--json",
    ]));
    cli.ok(["redact", &gone, "--reason", "a duplicate of another entry"]);
    let third = id(&cli.json([
        "note",
        "add",
        "--title",
        "Phone taken",
        "--body",
        "For an hour.",
        "--json",
    ]));
    cli.ok(["link", &third, &officer]);
}

fn unzip(zip: &Path, dir: &Path) -> PathBuf {
    let _ = fs::remove_dir_all(dir);
    let mut z = zip::ZipArchive::new(fs::File::open(zip).expect("open")).expect("zip");
    z.extract(dir).expect("extract");
    fs::read_dir(dir)
        .expect("dir")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.is_dir())
        .expect("the bag folder")
}

/// Seals `zip` to a passphrase with the age library (a forger's `age -p`), at a low
/// work factor so the test stays quick.
fn seal_with_passphrase(zip: &Path, out: &Path) {
    let mut r =
        age::scrypt::Recipient::new(age::secrecy::SecretString::from(SEAL_PASS.to_string()));
    r.set_work_factor(10);
    let enc = age::Encryptor::with_recipients(std::iter::once(&r as &dyn age::Recipient))
        .expect("encryptor");
    let mut w = enc
        .wrap_output(fs::File::create(out).expect("create"))
        .expect("wrap");
    w.write_all(&fs::read(zip).expect("read")).expect("write");
    w.finish().expect("finish");
}

struct Checkers {
    age: PathBuf,
    recipient: String,
    key: PathBuf,
    pass: PathBuf,
}

/// Seals `zip` both ways and checks it with `cairn verify-bundle`, and the unpacked
/// bag with the Python verifier: `true` when every check says intact, `false` when
/// every check says not (a disagreement fails the test).
fn verdicts(cli: &Cli, c: &Checkers, zip: &Path, what: &str) -> bool {
    let s = cli.scratch();
    let to_key = s.join("forged-key.age");
    let _ = fs::remove_file(&to_key);
    let out = Command::new(&c.age)
        .args(["-r", &c.recipient, "-o"])
        .arg(&to_key)
        .arg(zip)
        .output()
        .expect("age");
    assert!(out.status.success(), "age -r: {}", describe(&out));
    let to_pass = s.join("forged-pass.age");
    seal_with_passphrase(zip, &to_pass);
    let mut results = Vec::new();
    let by_key = cli.run([
        "verify-bundle",
        to_key.to_str().expect("path"),
        "--identity",
        c.key.to_str().expect("path"),
    ]);
    results.push(("cairn, sealed to a key", by_key));
    let by_pass = cli.run_with_pass(&c.pass, ["verify-bundle", to_pass.to_str().expect("path")]);
    results.push(("cairn, sealed to a passphrase", by_pass));
    let bag = unzip(zip, &s.join("unpacked"));
    let py = Command::new("python3")
        .arg(workspace_root().join("docs/bundle_verify.py"))
        .arg(&bag)
        .output()
        .expect("python3 docs/bundle_verify.py");
    results.push(("the Python verifier", py));
    let intact: Vec<bool> = results
        .iter()
        .map(|(_, o)| o.status.code() == Some(0))
        .collect();
    for (who, o) in &results {
        assert!(
            matches!(o.status.code(), Some(0 | 1)),
            "{what}: {who} could not read it: {}",
            describe(o)
        );
    }
    assert!(
        intact.iter().all(|i| *i) || intact.iter().all(|i| !*i),
        "{what}: the checkers disagree: {}",
        results
            .iter()
            .map(|(w, o)| format!("{w}: {}", describe(o)))
            .collect::<Vec<_>>()
            .join("\n")
    );
    if !intact[0] {
        let said = String::from_utf8_lossy(&results[0].1.stdout);
        assert!(
            said.contains("not the one the vault signed"),
            "{what}: cairn did not name the signature first: {said}"
        );
    }
    intact[0]
}

#[test]
fn forged_bundles_fail_with_every_checker_and_seal() {
    let age = find_program_or_panic("age", "apt package age");
    let age_keygen = find_program_or_panic("age-keygen", "apt package age");
    find_program_or_panic("python3", "apt package python3");
    let forger = workspace_root().join("tests/forger.py");
    let (cli, _) = Cli::with_vault();
    vault(&cli);
    let s = cli.scratch().to_path_buf();
    let key = s.join("key.txt");
    assert!(Command::new(&age_keygen)
        .arg("-o")
        .arg(&key)
        .output()
        .expect("age-keygen")
        .status
        .success());
    let recipient = String::from_utf8(
        Command::new(&age_keygen)
            .arg("-y")
            .arg(&key)
            .output()
            .expect("age-keygen -y")
            .stdout,
    )
    .expect("utf-8")
    .trim()
    .to_string();
    let pass = cli.write_file("seal-pass", format!("{SEAL_PASS}\n").as_bytes());
    let checkers = Checkers {
        age,
        recipient,
        key,
        pass,
    };
    // An older genuine checkpoint, from a bundle made before the last entries.
    let early = s.join("early.zip");
    cli.ok([
        "export",
        "--all",
        "--initials",
        "AB",
        "--no-encrypt",
        "--out",
        early.to_str().expect("path"),
    ]);
    let older = s.join("older-checkpoint.txt");
    let early_bag = unzip(&early, &s.join("early"));
    fs::copy(early_bag.join("data/record/checkpoint.txt"), &older).expect("copy");
    cli.ok([
        "note",
        "add",
        "--title",
        "Later",
        "--body",
        "Another night.",
    ]);

    for (mode, extra) in [("proofs", None), ("full chain", Some("--full-chain"))] {
        let good = s.join(format!("good-{}.zip", mode.replace(' ', "-")));
        let mut args = vec![
            "export",
            "--all",
            "--initials",
            "AB",
            "--no-encrypt",
            "--out",
            good.to_str().expect("path"),
        ];
        args.extend(extra);
        cli.ok(args);
        assert!(verdicts(
            &cli,
            &checkers,
            &good,
            &format!("{mode}, untouched")
        ));
        let tampers = [
            "none",
            "append-version",
            "older-checkpoint",
            "retitle",
            "rename-officer",
            "redate",
            "drop-version",
            "redaction-reason",
            "hide-redaction",
            "rewrite-notes-withheld",
            "edit-photo-record",
            "swap-copy",
            "plant",
            "swap-references",
            "forge-link",
            "repoint-link",
            "alter-pdf",
            "alter-html",
            "alter-howto",
            "flip-location",
        ];
        for t in tampers {
            let forged = s.join("forged.zip");
            let out = Command::new("python3")
                .arg(&forger)
                .arg(&good)
                .arg(&forged)
                .arg(t)
                .arg(&older)
                .output()
                .expect("forger.py");
            assert!(out.status.success(), "forger.py {t}: {}", describe(&out));
            let intact = verdicts(&cli, &checkers, &forged, &format!("{mode}, {t}"));
            assert_eq!(intact, t == "none", "{mode}, {t}: verified {intact}");
        }
    }
}
