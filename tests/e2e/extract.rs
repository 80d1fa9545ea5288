//! `extract` gives back the original bytes exactly, and never overwrites.

use std::ffi::OsString;
use std::fs;

use cairn_e2e::{assert_cairn_error, hex, sha256_hex, Cli, XorShift};

#[cfg(unix)]
fn non_utf8_name() -> OsString {
    use std::os::unix::ffi::OsStringExt;
    OsString::from_vec(b"caf\xe9 \xff\xfe photo.bin".to_vec())
}

#[cfg(not(unix))]
fn non_utf8_name() -> OsString {
    OsString::from("non-unix-fallback.bin")
}

#[test]
fn extract_is_byte_exact() {
    let (cli, _) = Cli::with_vault();
    let mut rng = XorShift::new(2);
    let mut cases: Vec<(OsString, Vec<u8>)> = [0usize, 1, 65_535, 65_536, 65_537, 3 << 20]
        .iter()
        .map(|&n| (OsString::from(format!("size-{n}.bin")), rng.bytes(n)))
        .collect();
    cases.push((non_utf8_name(), rng.bytes(100_000)));

    let mut args: Vec<OsString> = vec!["file".into(), "add".into(), "--json".into()];
    for (name, bytes) in &cases {
        args.push(cli.write_file(name, bytes).into_os_string());
    }
    let lines = cli.json_lines(&args);
    assert_eq!(lines.len(), cases.len());

    for (i, (line, (name, bytes))) in lines.iter().zip(&cases).enumerate() {
        let id = line["id"].as_str().unwrap();
        assert_eq!(line["size"], bytes.len() as u64, "{name:?}");
        assert_eq!(line["sha256"], sha256_hex(bytes).as_str(), "{name:?}");
        // Write back under a fresh name in a fresh folder; the last one keeps its odd name.
        let out_dir = cli.scratch().join(format!("out-{i}"));
        fs::create_dir(&out_dir).unwrap();
        let out_path = out_dir.join(name);
        let out = cli.extract_ok(id, &out_path);
        let msg = String::from_utf8_lossy(&out.stdout);
        assert!(
            msg.contains(&format!("Wrote {} bytes", bytes.len())),
            "{msg}"
        );
        let got = fs::read(&out_path).unwrap();
        assert!(got == *bytes, "{name:?}: extracted bytes differ");
    }

    // The non-UTF-8 name is kept exactly (as hex) alongside a readable form.
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let id = lines.last().unwrap()["id"].as_str().unwrap();
        let shown = cli.json(["show", id, "--json"]);
        assert_eq!(
            shown["record"]["name_bytes_hex"],
            hex(non_utf8_name().as_bytes()).as_str(),
            "{shown}"
        );
    }
    #[cfg(not(unix))]
    let _ = hex;

    // Extracting onto an existing file: exit 2, the file untouched.
    let existing = cli.write_file("existing.bin", b"do not touch me");
    let id = lines[4]["id"].as_str().unwrap();
    let out = cli.extract(id, &existing);
    let line = assert_cairn_error(&out, 2, "extract onto an existing file");
    assert!(line.contains("already exists"), "{line}");
    assert_eq!(fs::read(&existing).unwrap(), b"do not touch me");

    // Extracting something that is not a file, or does not exist: exit 2.
    let note = cli.json(["note", "add", "--title", "t", "--json"]);
    let out = cli.extract(
        note["id"].as_str().unwrap(),
        &cli.scratch().join("note.out"),
    );
    assert_cairn_error(&out, 2, "extract a note");
    assert!(!cli.scratch().join("note.out").exists());
    let out = cli.extract("fil-0000000000", &cli.scratch().join("none.out"));
    assert_cairn_error(&out, 2, "extract an unknown id");
    assert!(!cli.scratch().join("none.out").exists());
}
