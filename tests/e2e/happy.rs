//! The everyday path: init, notes, files, list, show, history, chain, verify.

use std::process::Command;

use cairn_e2e::{is_recovery_code_shape, sha256_hex, workspace_root, Cli, XorShift};
use serde_json::Value;

#[test]
fn happy_path() {
    let cli = Cli::new();
    let init = cli.json(["init", "--json"]);
    let code = init["recovery_code"].as_str().expect("recovery_code");
    assert!(
        is_recovery_code_shape(code),
        "recovery code shape: {code:?}"
    );
    assert!(
        init["vault"].is_string(),
        "init --json names the vault: {init}"
    );

    // An incident.
    let note = cli.json([
        "note",
        "add",
        "--title",
        "Shouting at the door",
        "--body",
        "He banged on the door at night.",
        "--occurred-at",
        "2026-11-03T21:40:00+00:00",
        "--category",
        "threats",
        "--category",
        "coercive-control",
        "--json",
    ]);
    let note_id = note["id"].as_str().expect("note id").to_string();
    assert_eq!(note["version"], 1);
    assert!(note["seq"].as_u64().unwrap() >= 2, "{note}");

    // Several files linked to it.
    let mut rng = XorShift::new(1);
    let inputs: Vec<(String, Vec<u8>)> = [0usize, 1, 5000, 70_000, 200_000]
        .iter()
        .enumerate()
        .map(|(i, &n)| (format!("evidence-{i}.bin"), rng.bytes(n)))
        .collect();
    let paths: Vec<_> = inputs
        .iter()
        .map(|(name, bytes)| cli.write_file(name, bytes))
        .collect();
    let mut args = vec!["file".into(), "add".into(), "--json".into()];
    args.push("--note".into());
    args.push(note_id.clone().into());
    args.push("--acquired".into());
    args.push("photo taken on my phone".into());
    args.extend(paths.iter().map(|p| p.clone().into_os_string()));
    let lines = cli.json_lines(&args);
    assert_eq!(lines.len(), inputs.len(), "one JSON line per file");
    for (line, (name, bytes)) in lines.iter().zip(&inputs) {
        for k in [
            "id",
            "sha256",
            "size",
            "name",
            "media_type",
            "seq",
            "recorded_at",
        ] {
            assert!(line.get(k).is_some(), "file add line lacks {k}: {line}");
        }
        assert_eq!(line["name"], name.as_str());
        assert_eq!(line["size"], bytes.len() as u64);
        assert_eq!(line["sha256"], sha256_hex(bytes).as_str());
    }
    let file_ids: Vec<String> = lines
        .iter()
        .map(|l| l["id"].as_str().unwrap().to_string())
        .collect();

    // Plain-text file add: "<id>  <sha256>  <name>".
    let plain = cli.write_file("plain.txt", b"plain text output\n");
    let out = cli.ok(["file".as_ref(), "add".as_ref(), plain.as_os_str()]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    let parts: Vec<&str> = stdout.trim_end().split("  ").collect();
    assert_eq!(parts.len(), 3, "text file add output: {stdout:?}");
    assert_eq!(parts[1], sha256_hex(b"plain text output\n"));
    assert_eq!(parts[2], "plain.txt");

    // List.
    let list = cli.json(["list", "--json"]);
    let listed: Vec<&str> = list
        .as_array()
        .expect("list is an array")
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert!(listed.contains(&note_id.as_str()), "{list}");
    for id in &file_ids {
        assert!(listed.contains(&id.as_str()), "{id} missing from {list}");
    }
    assert!(listed.contains(&parts[0]), "{list}");
    assert_eq!(listed.len(), 2 + file_ids.len());

    // Show: the note and a file.
    let shown = cli.json(["show", &note_id, "--json"]);
    assert_eq!(shown["id"], note_id.as_str());
    assert_eq!(shown["kind"], "incident");
    assert_eq!(shown["record"]["title"], "Shouting at the door");
    assert_eq!(shown["record"]["body"], "He banged on the door at night.");
    let cats: Vec<&str> = shown["record"]["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(cats.contains(&"threats") && cats.contains(&"coercive-control"));
    assert_eq!(
        shown["links"].as_array().map(|l| l.len()),
        Some(file_ids.len()),
        "each file is linked to the note: {shown}"
    );
    let f = cli.json(["show", &file_ids[3], "--json"]);
    assert_eq!(f["kind"], "file");
    assert_eq!(f["record"]["name"], inputs[3].0.as_str());
    assert_eq!(f["record"]["size"], inputs[3].1.len() as u64);
    assert_eq!(f["record"]["sha256"], sha256_hex(&inputs[3].1).as_str());
    assert_eq!(f["record"]["acquired"], "photo taken on my phone");
    assert_eq!(f["content_sha256"], sha256_hex(&inputs[3].1).as_str());
    assert!(f["redaction"].is_null());
    assert_eq!(f["links"][0]["other"], note_id.as_str());

    // Edit → two versions.
    let edited = cli.json([
        "note",
        "edit",
        &note_id,
        "--title",
        "Shouting and kicking at the door",
        "--json",
    ]);
    assert_eq!(edited["version"], 2);
    let hist = cli.json(["history", &note_id, "--json"]);
    let versions = hist["versions"].as_array().expect("versions");
    assert_eq!(versions.len(), 2, "{hist}");
    assert_eq!(versions[0]["version"], 1);
    assert_eq!(versions[1]["version"], 2);
    assert_eq!(versions[0]["record"]["title"], "Shouting at the door");
    assert_eq!(
        versions[1]["record"]["title"],
        "Shouting and kicking at the door"
    );
    assert!(
        versions[1]["changed"]
            .as_array()
            .unwrap()
            .contains(&Value::from("title")),
        "{hist}"
    );
    // Text history too.
    let out = cli.ok(["history", &note_id]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("2 version(s)"));

    // A person and a link, for variety in the chain.
    let person = cli.json([
        "person",
        "add",
        "--name",
        "PC Smith",
        "--role",
        "officer",
        "--collar-number",
        "1234",
        "--json",
    ]);
    let person_id = person["id"].as_str().unwrap();
    cli.ok(["link", &note_id, person_id]);

    // Chain: every line has seq/prev/hash and links up.
    let chain = cli.json_lines(["chain", "--json"]);
    assert!(chain.len() >= 10, "{} entries", chain.len());
    let mut prev = "0".repeat(64);
    for (i, e) in chain.iter().enumerate() {
        assert_eq!(e["seq"], i as u64 + 1, "{e}");
        assert_eq!(e["prev"], prev.as_str(), "{e}");
        let h = e["hash"].as_str().expect("hash");
        assert_eq!(h.len(), 64);
        prev = h.to_string();
    }
    // The independent Python checker agrees.
    let chain_out = cli.ok(["chain", "--json"]);
    let chain_file = cli.write_file("chain.jsonl", &chain_out.stdout);
    let root = workspace_root();
    let py = Command::new("python3")
        .arg(root.join("docs/chain_verify.py"))
        .arg(&chain_file)
        .current_dir(&root)
        .output()
        .expect("run python3 docs/chain_verify.py");
    assert!(
        py.status.success(),
        "chain_verify.py rejects the chain: {}{}",
        String::from_utf8_lossy(&py.stdout),
        String::from_utf8_lossy(&py.stderr)
    );

    // Nothing tampered: verify passes, in text and JSON, quick and full.
    let out = cli.ok(["verify"]);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("Intact"));
    cli.ok(["verify", "--quick"]);
    let report = cli.json(["verify", "--json"]);
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["quick"], false);
    assert_eq!(report["entries"], chain.len() as u64);
    assert_eq!(report["head"], prev.as_str());
    assert_eq!(report["blobs_checked"], 6, "{report}");
    assert!(report["problems"].as_array().unwrap().is_empty());
}
