//! Redaction through the CLI: the content is gone, a tombstone stays, the vault verifies.

use cairn_e2e::{assert_cairn_error, blob_files, sha256_hex, text, Cli, XorShift};

#[test]
fn redact_a_file() {
    let (cli, _) = Cli::with_vault();
    let keep = XorShift::new(20).bytes(10_000);
    let gone = XorShift::new(21).bytes(150_000);
    let p_keep = cli.write_file("keep.bin", &keep);
    let p_gone = cli.write_file("gone.bin", &gone);
    let lines = cli.json_lines([
        "file".as_ref(),
        "add".as_ref(),
        "--json".as_ref(),
        p_keep.as_os_str(),
        p_gone.as_os_str(),
    ]);
    let gone_id = lines[1]["id"].as_str().unwrap().to_string();
    assert_eq!(blob_files(&cli.vault).len(), 2);

    let out = cli.ok(["redact", &gone_id, "--reason", "added by mistake"]);
    assert!(text(&out.stdout).contains("Redacted"));
    assert_eq!(
        blob_files(&cli.vault).len(),
        1,
        "the blob file was not removed"
    );

    let shown = cli.json(["show", &gone_id, "--json"]);
    assert!(shown["record"].is_null(), "{shown}");
    assert_eq!(shown["redaction"]["reason"], "added by mistake");
    // The tombstone keeps the hash of what was there.
    assert_eq!(
        shown["redaction"]["versions"][0]["content_sha256"],
        sha256_hex(&gone).as_str(),
        "{shown}"
    );
    let hist = cli.json(["history", &gone_id, "--json"]);
    assert!(hist["versions"][0]["record"].is_null(), "{hist}");
    assert_eq!(hist["redaction"]["reason"], "added by mistake");
    let list = cli.json(["list", "--json"]);
    let item = list
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == gone_id.as_str())
        .expect("redacted item still listed");
    assert_eq!(item["redacted"], true);
    assert_eq!(item["title"], "");

    let dest = cli.scratch().join("out.bin");
    let out = cli.extract(&gone_id, &dest);
    let line = assert_cairn_error(&out, 2, "extract a redacted file");
    assert!(line.contains("redacted"), "{line}");
    assert!(!dest.exists());

    // Twice: refused.
    assert_cairn_error(
        &cli.run(["redact", &gone_id, "--reason", "again"]),
        2,
        "redact twice",
    );

    let report = cli.json(["verify", "--json"]);
    assert_eq!(report["ok"], true, "{report}");
    cli.ok(["verify"]);
    // The chain records the redaction as its last entry.
    let chain = cli.json_lines(["chain", "--json"]);
    let last = chain.last().unwrap();
    assert_eq!(last["kind"], "item.redact");
    assert_eq!(last["item"], gone_id.as_str());
    // The other file is intact.
    let keep_id = lines[0]["id"].as_str().unwrap();
    let dest = cli.scratch().join("keep.out");
    cli.extract_ok(keep_id, &dest);
    assert_eq!(std::fs::read(&dest).unwrap(), keep);
}

#[test]
fn redact_a_note() {
    let (cli, _) = Cli::with_vault();
    let note = cli.json([
        "note",
        "add",
        "--title",
        "Private",
        "--body",
        "secret words",
        "--json",
    ]);
    let id = note["id"].as_str().unwrap();
    cli.ok(["note", "edit", id, "--body", "more secret words"]);
    cli.ok(["redact", id, "--reason", "wrong diary"]);
    let hist = cli.json(["history", id, "--json"]);
    let versions = hist["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert!(versions.iter().all(|v| v["record"].is_null()), "{hist}");
    let out = cli.ok(["show", id]);
    assert!(!text(&out.stdout).contains("secret words"));
    // Editing a redacted note is refused.
    assert_cairn_error(
        &cli.run(["note", "edit", id, "--title", "x"]),
        2,
        "edit redacted",
    );
    cli.ok(["verify"]);
}
