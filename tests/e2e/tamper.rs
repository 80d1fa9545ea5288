//! Damage made directly to the vault's files is found (verify exit 1) or refused (exit 2).

use std::fs;
use std::path::PathBuf;

use cairn_e2e::{
    assert_cairn_error, assert_exit, blob_files, flip_byte, parse_json, text, Cli, XorShift,
};
use serde_json::Value;

/// A vault with one 200 kB file (not an image, so exactly one blob); returns the blob path.
fn vault_with_one_blob(seed: u64) -> (Cli, String, PathBuf) {
    let (cli, _) = Cli::with_vault();
    let bytes = XorShift::new(seed).bytes(200_000);
    let p = cli.write_file("evidence.bin", &bytes);
    let line = &cli.json_lines([
        "file".as_ref(),
        "add".as_ref(),
        "--json".as_ref(),
        p.as_os_str(),
    ])[0];
    let id = line["id"].as_str().unwrap().to_string();
    let blobs = blob_files(&cli.vault);
    assert_eq!(blobs.len(), 1, "{blobs:?}");
    cli.ok(["verify"]);
    (cli, id, blobs[0].clone())
}

fn problems_with_blob<'a>(report: &'a Value, blob: &str) -> Vec<&'a Value> {
    report["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .filter(|p| p["blob"] == blob)
        .collect()
}

#[test]
fn flipped_byte_in_blob_content() {
    let (cli, item, blob) = vault_with_one_blob(5);
    let blob_id = blob.file_name().unwrap().to_str().unwrap().to_string();
    let len = fs::metadata(&blob).unwrap().len() as usize;
    flip_byte(&blob, len / 2);

    let out = cli.run(["verify"]);
    assert_exit(&out, 1, "verify after a flipped content byte");
    assert!(
        text(&out.stdout).contains(&blob_id),
        "{}",
        text(&out.stdout)
    );

    let out = cli.run(["verify", "--json"]);
    assert_exit(&out, 1, "verify --json after a flipped content byte");
    let report = parse_json(&out.stdout);
    assert_eq!(report["ok"], false);
    let found = problems_with_blob(&report, &blob_id);
    assert!(!found.is_empty(), "no problem names {blob_id}: {report}");
    assert_eq!(found[0]["item"], item.as_str(), "{report}");

    // --quick does not decrypt contents; documented: it checks presence and length only,
    // so a flip inside the content (length unchanged) passes it.
    let out = cli.run(["verify", "--quick"]);
    assert_exit(&out, 0, "verify --quick after a flipped content byte");

    // Extract refuses damaged bytes and leaves no partial output.
    let dest = cli.scratch().join("out.bin");
    let out = cli.extract(&item, &dest);
    let line = assert_cairn_error(&out, 2, "extract of a damaged blob");
    assert!(line.contains("damaged"), "{line}");
    assert!(!dest.exists(), "extract left a partial file");
}

#[test]
fn flipped_byte_in_blob_header_fails_quick_verify() {
    let (cli, _item, blob) = vault_with_one_blob(6);
    let blob_id = blob.file_name().unwrap().to_str().unwrap().to_string();
    flip_byte(&blob, 0); // the magic number
    for args in [vec!["verify", "--quick"], vec!["verify"]] {
        let out = cli.run(&args);
        assert_exit(&out, 1, &format!("{args:?} after a flipped header byte"));
        assert!(text(&out.stdout).contains(&blob_id));
    }
}

#[test]
fn truncated_blob_fails_quick_verify() {
    let (cli, _item, blob) = vault_with_one_blob(7);
    let bytes = fs::read(&blob).unwrap();
    fs::write(&blob, &bytes[..bytes.len() - 1000]).unwrap();
    let out = cli.run(["verify", "--quick", "--json"]);
    assert_exit(&out, 1, "verify --quick after truncation");
    let report = parse_json(&out.stdout);
    let blob_id = blob.file_name().unwrap().to_str().unwrap();
    assert!(!problems_with_blob(&report, blob_id).is_empty(), "{report}");
}

#[test]
fn deleted_blob_is_missing() {
    let (cli, item, blob) = vault_with_one_blob(8);
    let blob_id = blob.file_name().unwrap().to_str().unwrap().to_string();
    fs::remove_file(&blob).unwrap();
    for args in [vec!["verify"], vec!["verify", "--quick"]] {
        let out = cli.run(&args);
        assert_exit(&out, 1, &format!("{args:?} after deleting a blob"));
        let s = text(&out.stdout);
        assert!(s.contains("missing") && s.contains(&blob_id), "{s}");
    }
    let report = parse_json(&cli.run(["verify", "--json"]).stdout);
    let found = problems_with_blob(&report, &blob_id);
    assert_eq!(found[0]["code"], "blob_missing", "{report}");
    assert_eq!(found[0]["item"], item.as_str());
    let dest = cli.scratch().join("out.bin");
    let out = cli.extract(&item, &dest);
    let line = assert_cairn_error(&out, 2, "extract of a missing blob");
    assert!(line.contains("missing"), "{line}");
}

#[test]
fn stray_blob_file_is_reported() {
    let (cli, _item, blob) = vault_with_one_blob(9);
    let stray = blob.with_file_name("00000000000000000000000000000000");
    fs::copy(&blob, &stray).unwrap();
    let out = cli.run(["verify", "--quick"]);
    assert_exit(&out, 1, "verify with an unknown blob file");
    assert!(text(&out.stdout).contains("00000000000000000000000000000000"));
}

#[test]
fn damaged_keys_file_is_refused_and_reported() {
    let (cli, _item, _blob) = vault_with_one_blob(10);
    let keys = cli.vault.join("keys");
    let len = fs::metadata(&keys).unwrap().len() as usize;
    for offset in [len / 2, 10, len - 5] {
        let original = fs::read(&keys).unwrap();
        flip_byte(&keys, offset);
        for args in [vec!["list"], vec!["chain"]] {
            let out = cli.run(&args);
            let line = assert_cairn_error(&out, 2, &format!("{args:?} with damaged keys"));
            assert!(line.contains("key file is damaged"), "{line}");
        }
        // For verify, damage that stops the vault opening is a finding: exit 1, reported.
        for args in [vec!["verify"], vec!["verify", "--quick"]] {
            let out = cli.run(&args);
            assert_eq!(out.status.code(), Some(1), "{}", cairn_e2e::describe(&out));
            assert!(
                text(&out.stdout).contains("key file is damaged"),
                "{}",
                cairn_e2e::describe(&out)
            );
            cairn_e2e::assert_no_panic(&out, "verify with damaged keys");
        }
        fs::write(&keys, original).unwrap();
    }
    cli.ok(["verify"]);
    // A truncated key file, too.
    let original = fs::read(&keys).unwrap();
    fs::write(&keys, &original[..original.len() / 2]).unwrap();
    let line = assert_cairn_error(&cli.run(["list"]), 2, "truncated keys");
    assert!(line.contains("key file is damaged"), "{line}");
}

#[test]
fn damaged_database_is_not_a_panic() {
    let (cli, _item, _blob) = vault_with_one_blob(11);
    let db = cli.vault.join("vault.db");
    let len = fs::metadata(&db).unwrap().len() as usize;
    assert!(len >= 8192, "database is {len} bytes");
    // A byte in the second page: either refused on open (2) or found by verify (1).
    flip_byte(&db, 4096 + 100);
    // Refused on open or found by verify, it is a finding: exit 1 naming the page.
    let out = cli.run(["verify"]);
    assert_eq!(out.status.code(), Some(1), "{}", cairn_e2e::describe(&out));
    assert!(
        text(&out.stdout).contains("page"),
        "{}",
        cairn_e2e::describe(&out)
    );
    cairn_e2e::assert_no_panic(&out, "verify of a damaged database");
    // SQLCipher's own log lines must not leak onto stderr.
    assert!(
        !text(&out.stderr).contains("ERROR CORE"),
        "{}",
        cairn_e2e::describe(&out)
    );
    // Other commands refuse with one sentence naming the page.
    let out = cli.run(["list"]);
    if out.status.code() != Some(0) {
        let line = assert_cairn_error(&out, 2, "list of a damaged database");
        assert!(line.contains("damaged"), "{line}");
    }
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &t);
        } else {
            fs::copy(e.path(), &t).unwrap();
        }
    }
}

/// The vault folder put back to an older copy verifies on its own (nothing in it is
/// inconsistent), but not against a receipt she kept: `verify --receipt` names both.
#[test]
fn a_vault_put_back_to_an_older_copy_fails_her_receipt() {
    let (cli, _) = Cli::with_vault();
    cli.ok(["note", "add", "--title", "Early"]);
    let old = cli.scratch().join("his-copy");
    copy_dir(&cli.vault, &old);
    cli.ok(["note", "add", "--title", "Later, after he copied it"]);
    let receipt = cli.json(["receipt", "--json"]);
    let short = receipt["short"].as_str().unwrap().to_string();
    let ok = cli.json(["verify", "--quick", "--json", "--receipt", &short]);
    assert_eq!(ok["receipt"]["code"], "extends", "{ok}");

    fs::remove_dir_all(&cli.vault).unwrap();
    copy_dir(&old, &cli.vault);
    cli.ok(["verify", "--quick"]);
    let out = cli.run(["verify", "--quick", "--json", "--receipt", &short]);
    assert_exit(&out, 1, "verify against a receipt after a roll-back");
    let v = parse_json(&out.stdout);
    assert_eq!(v["receipt"]["code"], "rolled_back", "{v}");
    assert_eq!(v["receipt"]["ok"], false);
    let msg = v["receipt"]["message"].as_str().unwrap();
    assert!(msg.contains("older copy"), "{msg}");
    // The whole signed note works as well as the short line.
    let note = receipt["note"].as_str().unwrap().to_string();
    let out = cli.run(["verify", "--quick", "--json", "--receipt", &note]);
    assert_exit(&out, 1, "verify against the note");
}
