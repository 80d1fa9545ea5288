//! Bundles through the built `cairn` and standard tools: Debian's `age` decrypts a
//! bundle sealed to an X25519 key, the Library of Congress BagIt validator
//! (`bagit.py --validate`) and `sha256sum -c` accept the bag, `pdftoppm` renders the
//! schedule; `verify-bundle` exits 0 intact, 1 tampered, 2 unreadable, 3 wrong key; a
//! receipt round-trips; every export is in `report list`.

use std::fs;
use std::path::Path;
use std::process::Command;

use cairn_e2e::{assert_exit, describe, find_program_or_panic, sha256_hex, text, Cli};

fn tool(cmd: &mut Command, what: &str) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(out.status.success(), "{what} failed: {}", describe(&out));
    text(&out.stdout)
}

/// Unzips `zip` into `dir` with Python's zipfile (no extra tool) and returns the bag.
fn unzip(zip: &Path, dir: &Path) -> std::path::PathBuf {
    tool(
        Command::new("python3")
            .args(["-m", "zipfile", "-e"])
            .arg(zip)
            .arg(dir),
        "unzip",
    );
    fs::read_dir(dir)
        .expect("ls")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.join("bagit.txt").is_file())
        .expect("one bag folder")
}

#[test]
fn bundles_open_and_validate_with_standard_tools() {
    let age = find_program_or_panic("age", "apt package age");
    let age_keygen = find_program_or_panic("age-keygen", "apt package age");
    // The validator's script, or the same module through Python where the script is
    // not on PATH (pip under pyenv installs it without a shim until a rehash).
    let bagit: Vec<String> = match cairn_e2e::desktop::find_program("bagit.py") {
        Some(p) => vec![p.display().to_string()],
        None => {
            find_program_or_panic("python3", "apt package python3");
            vec!["python3".into(), "-m".into(), "bagit".into()]
        }
    };
    let pdftoppm = find_program_or_panic("pdftoppm", "apt package poppler-utils");
    let (cli, _) = Cli::with_vault();
    let note = cli.json([
        "note",
        "add",
        "--title",
        "Threats at the door",
        "--body",
        "He said no one would believe me.",
        "--occurred-at",
        "2026-11-03",
        "--category",
        "threats",
        "--json",
    ]);
    let note_id = note["id"].as_str().expect("id").to_string();
    let photo: Vec<u8> = (0..5000u32).map(|i| (i * 31 % 251) as u8).collect();
    let p = cli.write_file("letter.bin", &photo);
    let added = cli.json_lines([
        "file",
        "add",
        p.to_str().expect("path"),
        "--note",
        &note_id,
        "--json",
    ]);
    let file_id = added[0]["id"].as_str().expect("file id").to_string();

    // Sealed to an age key: Debian's age decrypts it.
    let key = cli.scratch().join("key.txt");
    tool(Command::new(&age_keygen).arg("-o").arg(&key), "age-keygen");
    let recipient = tool(
        Command::new(&age_keygen).arg("-y").arg(&key),
        "age-keygen -y",
    );
    let sealed = cli.scratch().join("bundle.age");
    let exp = cli.json([
        "export",
        "--out",
        sealed.to_str().expect("path"),
        "--all",
        "--initials",
        "JS",
        "--recipient",
        recipient.trim(),
        "--json",
    ]);
    assert_eq!(exp["exhibits"][0]["reference"], "JS/1", "{exp}");
    assert_eq!(
        exp["bundle_sha256"],
        sha256_hex(&fs::read(&sealed).expect("read"))
    );
    let zip = cli.scratch().join("bundle.zip");
    tool(
        Command::new(&age)
            .arg("-d")
            .arg("-i")
            .arg(&key)
            .arg("-o")
            .arg(&zip)
            .arg(&sealed),
        "age -d",
    );
    let out = cli.scratch().join("unzipped");
    let bag = unzip(&zip, &out);
    tool(
        Command::new(&bagit[0])
            .args(&bagit[1..])
            .arg("--validate")
            .arg(&bag),
        "bagit.py --validate",
    );
    tool(
        Command::new("sha256sum")
            .arg("-c")
            .arg("manifest-sha256.txt")
            .current_dir(&bag),
        "sha256sum -c manifest",
    );
    tool(
        Command::new("sha256sum")
            .arg("-c")
            .arg("tagmanifest-sha256.txt")
            .current_dir(&bag),
        "sha256sum -c tagmanifest",
    );
    let exhibit =
        fs::read(bag.join("data/exhibits/JS-1 letter.bin")).expect("exhibit by reference");
    assert_eq!(exhibit, photo, "the original, byte for byte");
    // The fingerprint recipe in HOW-TO-VERIFY.txt gives the one on record.
    let manifest = fs::read_to_string(bag.join("manifest-sha256.txt")).expect("manifest");
    let ev: String = manifest
        .lines()
        .filter(|l| l.contains("  data/exhibits/") || l.contains("  data/record/"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(
        sha256_hex(ev.as_bytes()),
        exp["evidence_sha256"].as_str().expect("fp")
    );
    let howto = fs::read_to_string(bag.join("data/HOW-TO-VERIFY.txt")).expect("howto");
    assert!(howto.contains(exp["evidence_sha256"].as_str().expect("fp")));
    let html = fs::read_to_string(bag.join("data/index.html")).expect("index");
    assert!(!html.contains("<script"), "the offline page has no scripts");
    assert!(html.contains("Threats at the door"));
    // The schedule renders; its pages go to the test output for a look.
    let shots = cairn_e2e::workspace_root().join("target/e2e-screens/bundle");
    let _ = fs::remove_dir_all(&shots);
    fs::create_dir_all(&shots).expect("mkdir");
    tool(
        Command::new(&pdftoppm)
            .args(["-r", "60", "-png"])
            .arg(bag.join("data/report.pdf"))
            .arg(shots.join("report")),
        "pdftoppm",
    );
    assert!(
        fs::read_dir(&shots).expect("ls").count() >= 4,
        "the schedule has its sections"
    );

    // verify-bundle: 0 intact (sealed, with the key), 3 wrong key.
    let ok = cli.ok([
        "verify-bundle",
        sealed.to_str().expect("path"),
        "--identity",
        key.to_str().expect("key"),
    ]);
    assert!(text(&ok.stdout).starts_with("Intact"), "{}", describe(&ok));
    let other = cli.scratch().join("other.txt");
    tool(
        Command::new(&age_keygen).arg("-o").arg(&other),
        "age-keygen",
    );
    let wrong = cli.run([
        "verify-bundle",
        sealed.to_str().expect("path"),
        "--identity",
        other.to_str().expect("key"),
    ]);
    assert_exit(&wrong, 3, "wrong age key");

    // Sealed with a passphrase: the wrong one exits 3, the right one 0.
    let bpw = cli.write_file(
        "bundle-pass.txt",
        b"seven bridges over the quiet river Tay\n",
    );
    let wpw = cli.write_file("wrong-pass.txt", b"not the bundle passphrase at all\n");
    let pbundle = cli.scratch().join("p.age");
    cli.ok([
        "export",
        "--out",
        pbundle.to_str().expect("p"),
        "--item",
        &file_id,
        "--bundle-passphrase-file",
        bpw.to_str().expect("p"),
    ]);
    let good = cairn_e2e::cairn_command()
        .arg("--passphrase-file")
        .arg(&bpw)
        .args(["verify-bundle", pbundle.to_str().expect("p")])
        .output()
        .expect("run");
    assert_exit(&good, 0, "right bundle passphrase");
    let bad = cairn_e2e::cairn_command()
        .arg("--passphrase-file")
        .arg(&wpw)
        .args(["verify-bundle", pbundle.to_str().expect("p")])
        .output()
        .expect("run");
    assert_exit(&bad, 3, "wrong bundle passphrase");

    // The open bag, tampered: exit 1 naming the file. Garbage: exit 2.
    let mut bytes = fs::read(&zip).expect("zip");
    let at = bytes
        .windows(4)
        .position(|w| w == b"\x1f\x9e\xa4\x1b")
        .unwrap_or(bytes.len() / 3);
    let i = memchr_find(&bytes, &photo[1000..1016]).unwrap_or(at);
    bytes[i] ^= 0xff;
    let tampered = cli.write_file("tampered.zip", &bytes);
    let t = cli.run(["verify-bundle", tampered.to_str().expect("p")]);
    assert_exit(&t, 1, "tampered exhibit");
    assert!(
        text(&t.stdout).contains("JS-1 letter.bin"),
        "names the file: {}",
        describe(&t)
    );
    let g = cli.write_file("garbage.age", b"age-encryption.org/v1\n-> nonsense\n");
    let gr = cli.run([
        "verify-bundle",
        g.to_str().expect("p"),
        "--identity",
        key.to_str().expect("key"),
    ]);
    assert_exit(&gr, 2, "garbage");

    // A receipt, then a later bundle that extends it.
    let receipt = cli.json(["receipt", "--json"]);
    let note_text = receipt["note"].as_str().expect("note").to_string();
    cli.ok([
        "note",
        "add",
        "--title",
        "Later",
        "--occurred-at",
        "2026-11-20",
    ]);
    let later = cli.scratch().join("later.zip");
    cli.ok([
        "export",
        "--out",
        later.to_str().expect("p"),
        "--all",
        "--no-encrypt",
    ]);
    let rf = cli.write_file("receipt.txt", note_text.as_bytes());
    let ext = cli.json([
        "verify-bundle",
        later.to_str().expect("p"),
        "--receipt",
        rf.to_str().expect("p"),
        "--json",
    ]);
    assert_eq!(ext["receipt_extends"], true, "{ext}");

    // Every export is on record.
    let reports = cli.json(["report", "list", "--json"]);
    assert_eq!(reports.as_array().map(Vec::len), Some(3), "{reports}");
}

fn memchr_find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
