//! Hostile surroundings: a full disk and a closed output pipe. Each gets one sentence
//! and the right exit code, and the vault loses nothing and keeps no half-written file.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use cairn_e2e::{
    assert_cairn_error, assert_exit, assert_no_panic, small_disk, tmp_blob_files, Cli, XorShift,
};

fn fill(dir: &Path) -> PathBuf {
    let filler = dir.join("filler");
    let mut f = fs::File::create(&filler).unwrap();
    let chunk = vec![0u8; 64 * 1024];
    while f.write_all(&chunk).is_ok() {}
    let _ = f.write_all(&chunk[..1]);
    filler
}

#[test]
fn full_disk_is_one_sentence_and_loses_nothing() {
    let cli = Cli::new();
    let Some(_mount) = small_disk(&cli.vault, "2m") else {
        return;
    };
    cli.init();
    let mut rng = XorShift::new(7);
    let small = cli.write_file("small.bin", &rng.bytes(300_000));
    let big = cli.write_file("big.bin", &rng.bytes(4_000_000));
    let kept = cli.json_lines(["file", "add", "--json", small.to_str().unwrap()]);
    let kept_id = kept[0]["id"].as_str().unwrap().to_string();

    // A file larger than the free space.
    let line = assert_cairn_error(
        &cli.run(["file", "add", big.to_str().unwrap()]),
        2,
        "file add on a full disk",
    );
    assert!(line.contains("disk is full"), "{line}");
    assert_eq!(
        tmp_blob_files(&cli.vault),
        0,
        "no half-written blob is left"
    );
    assert_exit(&cli.run(["verify"]), 0, "verify after a refused add");

    // A disk with no space at all: even a small note cannot be saved.
    let filler = fill(&cli.vault);
    let line = assert_cairn_error(
        &cli.run(["note", "add", "--title", "when full"]),
        2,
        "note add on a full disk",
    );
    assert!(line.contains("disk is full"), "{line}");

    // Space again: everything that was committed is there and intact.
    fs::remove_file(filler).unwrap();
    assert_exit(&cli.run(["verify"]), 0, "verify after freeing space");
    let list = cli.json(["list", "--json"]);
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [kept_id.as_str()],
        "only the file that was reported is in the vault"
    );
    cli.ok(["note", "add", "--title", "after freeing space"]);
}

/// An export to a full USB stick: one sentence, no half-written bundle beside the
/// destination, no handover on record (nothing was handed over), and the same export
/// works once there is room.
#[test]
fn export_to_a_full_disk_leaves_no_bundle_and_no_handover() {
    let cli = Cli::new();
    cli.init();
    let mut rng = XorShift::new(11);
    let big = cli.write_file("big.bin", &rng.bytes(3_000_000));
    cli.ok(["file", "add", big.to_str().unwrap()]);
    let stick = cli.scratch().join("stick");
    let Some(_mount) = small_disk(&stick, "1m") else {
        return;
    };
    let pw = cli.write_file("bundle-pw", b"a long bundle passphrase for the solicitor\n");
    let out = stick.join("bundle.age");
    let export = |dest: &Path| {
        cli.run([
            "export",
            "--all",
            "--initials",
            "AB",
            "--bundle-passphrase-file",
            pw.to_str().unwrap(),
            "--out",
            dest.to_str().unwrap(),
        ])
    };
    let line = assert_cairn_error(&export(&out), 2, "export to a full disk");
    assert!(line.contains("disk is full"), "{line}");
    let left: Vec<_> = fs::read_dir(&stick).unwrap().collect();
    assert!(left.is_empty(), "nothing is left on the stick: {left:?}");
    let reports = cli.json(["report", "list", "--json"]);
    assert_eq!(
        reports.as_array().map(Vec::len),
        Some(0),
        "no handover is recorded for a bundle that was not written: {reports}"
    );
    assert_exit(&cli.run(["verify"]), 0, "verify after a refused export");

    let roomy = cli.scratch().join("bundle.age");
    assert_exit(&export(&roomy), 0, "the same export with room");
    assert!(roomy.is_file());
}

/// Nothing leaves without being on record: when the vault's own disk is full, the
/// handover cannot be written, so no bundle is left at the destination either.
#[test]
fn export_from_a_full_vault_disk_leaves_no_bundle() {
    let cli = Cli::new();
    let Some(_mount) = small_disk(&cli.vault, "3m") else {
        return;
    };
    cli.init();
    let mut rng = XorShift::new(13);
    let photo = cli.write_file("evidence.bin", &rng.bytes(200_000));
    cli.ok(["file", "add", photo.to_str().unwrap()]);
    let filler = fill(&cli.vault);
    let out = cli.scratch().join("bundle.zip");
    let line = assert_cairn_error(
        &cli.run([
            "export",
            "--all",
            "--initials",
            "AB",
            "--no-encrypt",
            "--out",
            out.to_str().unwrap(),
        ]),
        2,
        "export when the vault cannot record the handover",
    );
    assert!(line.contains("disk is full"), "{line}");
    assert!(!out.exists(), "the bundle was removed");
    let left: Vec<_> = fs::read_dir(cli.scratch())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("bundle.zip"))
        .collect();
    assert!(left.is_empty(), "no partial bundle either: {left:?}");
    fs::remove_file(filler).unwrap();
    assert_exit(&cli.run(["verify"]), 0, "verify after freeing space");
    let reports = cli.json(["report", "list", "--json"]);
    assert_eq!(reports.as_array().map(Vec::len), Some(0), "{reports}");
}

#[test]
fn closed_output_pipe_is_not_a_panic() {
    let (cli, _) = Cli::with_vault();
    cli.ok(["note", "add", "--title", "one"]);
    for args in [
        vec!["list"],
        vec!["verify"],
        vec!["chain", "--json"],
        vec!["show", "--help"],
    ] {
        // The read end is closed before cairn starts, so its first write fails (EPIPE).
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = cli
            .command_with_pass(&cli.pass_file)
            .args(&args)
            .stdout(writer)
            .output()
            .unwrap();
        assert_no_panic(&out, &format!("{args:?} into a closed pipe"));
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            cairn_e2e::describe(&out)
        );
    }
}
