//! Usage and input errors: exit 2, a clear message, no panic, nothing written.

use std::fs;

use cairn_e2e::{
    assert_cairn_error, assert_exit, assert_same_tree, cairn_command, hash_tree, text, Cli,
};

#[test]
fn argument_errors_exit_2() {
    let (cli, _) = Cli::with_vault();
    let before = hash_tree(&cli.vault);
    // Rejected by the argument parser (its own message format, but exit 2 and no panic).
    for args in [
        vec!["frobnicate"],
        vec![],
        vec!["note"],
        vec!["note", "add", "--title"],
        vec!["file", "add"],
        vec!["list", "--no-such-flag"],
        vec!["extract", "fil-x"],
        vec![
            "note",
            "add",
            "--title",
            "t",
            "--body",
            "b",
            "--body-file",
            "f",
        ],
    ] {
        let out = cli.run(&args);
        assert_exit(&out, 2, &format!("{args:?}"));
        assert!(!out.stderr.is_empty(), "{args:?}: no message");
    }
    assert_same_tree(&before, &hash_tree(&cli.vault), "after argument errors");
}

#[test]
fn input_errors_exit_2() {
    let (cli, _) = Cli::with_vault();
    let note = cli.json(["note", "add", "--title", "t", "--json"]);
    let note_id = note["id"].as_str().unwrap().to_string();
    let before = hash_tree(&cli.vault);
    let missing = cli.scratch().join("no-such-file.jpg");
    let folder = cli.scratch().join("a-folder");
    fs::create_dir(&folder).unwrap();
    let cases: Vec<(Vec<std::ffi::OsString>, &str)> = vec![
        (
            vec!["note".into(), "add".into(), "--body".into(), "b".into()],
            "title",
        ),
        (
            vec![
                "note".into(),
                "add".into(),
                "--title".into(),
                "t".into(),
                "--category".into(),
                "nonsense".into(),
            ],
            "not a category",
        ),
        (
            vec![
                "note".into(),
                "add".into(),
                "--title".into(),
                "t".into(),
                "--occurred-at".into(),
                "yesterday-ish".into(),
            ],
            "not a date",
        ),
        (
            vec![
                "note".into(),
                "edit".into(),
                note_id.clone().into(),
                "--category".into(),
                "nonsense".into(),
            ],
            "not a category",
        ),
        (
            vec!["file".into(), "add".into(), missing.clone().into()],
            "does not exist",
        ),
        (
            vec!["file".into(), "add".into(), folder.clone().into()],
            "folder",
        ),
        (
            vec![
                "person".into(),
                "add".into(),
                "--name".into(),
                "X".into(),
                "--role".into(),
                "villain".into(),
            ],
            "villain",
        ),
        (
            vec!["person".into(), "add".into(), "--name".into(), "X".into()],
            "--role",
        ),
        (vec!["show".into(), "inc-nonexistent".into()], "no item"),
        (vec!["history".into(), "inc-nonexistent".into()], "no item"),
        (
            vec![
                "link".into(),
                note_id.clone().into(),
                note_id.clone().into(),
            ],
            "itself",
        ),
        (vec!["unlink".into(), note_id.clone().into()], "not a link"),
        (
            vec![
                "redact".into(),
                note_id.clone().into(),
                "--reason".into(),
                "  ".into(),
            ],
            "reason",
        ),
        (
            vec![
                "note".into(),
                "edit".into(),
                note_id.clone().into(),
                "--title".into(),
                "t".into(),
            ],
            "Nothing changed",
        ),
    ];
    for (args, needle) in cases {
        let out = cli.run(&args);
        let line = assert_cairn_error(&out, 2, &format!("{args:?}"));
        assert!(line.contains(needle), "{args:?}: {line:?} lacks {needle:?}");
    }
    // A nonexistent file among good ones: the earlier ones are added, then exit 2.
    let good = cli.write_file("good.bin", b"good");
    let out = cli.run([
        "file".as_ref(),
        "add".as_ref(),
        "--json".as_ref(),
        good.as_os_str(),
        missing.as_os_str(),
    ]);
    assert_cairn_error(&out, 2, "file add with a missing second file");
    assert_eq!(
        text(&out.stdout).lines().count(),
        1,
        "the first file was added"
    );
    let _ = before;
    cli.ok(["verify"]);
}

#[test]
fn no_vault_and_existing_vault() {
    let cli = Cli::new();
    // A folder with no vault (absent, and present but empty).
    for create in [false, true] {
        if create {
            fs::create_dir_all(&cli.vault).unwrap();
        }
        for args in [vec!["list"], vec!["verify"], vec!["recover"], vec!["chain"]] {
            let out = cli.run(&args);
            let line = assert_cairn_error(&out, 2, &format!("no vault: {args:?}"));
            assert!(line.contains("There is no Cairn vault"), "{line}");
        }
    }
    // Opening must not have created anything.
    assert!(
        hash_tree(&cli.vault).is_empty(),
        "opening a non-vault wrote files"
    );

    // CAIRN_VAULT sets the folder too.
    let code = cli.init();
    assert!(!code.is_empty());
    let out = cairn_command()
        .env("CAIRN_VAULT", &cli.vault)
        .arg("--passphrase-file")
        .arg(&cli.pass_file)
        .args(["list", "--json"])
        .output()
        .unwrap();
    assert_exit(&out, 0, "list via CAIRN_VAULT");

    // init into a folder that already holds a vault: exit 2, untouched.
    let before = hash_tree(&cli.vault);
    let out = cli.run(["init"]);
    let line = assert_cairn_error(&out, 2, "init over a vault");
    assert!(line.contains("already holds"), "{line}");
    assert!(out.stdout.is_empty(), "init over a vault printed a code");
    assert_same_tree(&before, &hash_tree(&cli.vault), "after init over a vault");

    // init into a folder holding someone else's files: exit 2, untouched.
    let other = cli.scratch().join("photos");
    fs::create_dir(&other).unwrap();
    fs::write(other.join("holiday.jpg"), b"not ours").unwrap();
    let out = cairn_command()
        .arg("--vault")
        .arg(&other)
        .arg("--passphrase-file")
        .arg(&cli.pass_file)
        .arg("init")
        .output()
        .unwrap();
    assert_cairn_error(&out, 2, "init into a non-empty folder");
    assert_eq!(fs::read_dir(&other).unwrap().count(), 1);

    // init with a too-short passphrase: exit 2, no vault.
    let fresh = cli.scratch().join("fresh");
    let short = cli.write_file("short.txt", b"abc\n");
    let out = cairn_command()
        .arg("--vault")
        .arg(&fresh)
        .arg("--passphrase-file")
        .arg(&short)
        .arg("init")
        .output()
        .unwrap();
    assert_exit(&out, 2, "init with a short passphrase");
    assert!(!fresh.join("keys").exists());

    // No passphrase file and no terminal: exit 2 with a message, not a hang.
    let out = cairn_command()
        .arg("--vault")
        .arg(&cli.vault)
        .arg("list")
        .output()
        .unwrap();
    let line = assert_cairn_error(&out, 2, "no terminal");
    assert!(line.contains("terminal"), "{line}");
    // An unreadable passphrase file: exit 2.
    let out = cairn_command()
        .arg("--vault")
        .arg(&cli.vault)
        .arg("--passphrase-file")
        .arg(cli.scratch().join("nope.txt"))
        .arg("list")
        .output()
        .unwrap();
    assert_cairn_error(&out, 2, "missing passphrase file");
}

#[test]
fn help_and_version_exit_0() {
    for args in [
        vec!["--help"],
        vec!["--version"],
        vec!["note", "add", "--help"],
    ] {
        let out = cairn_command().args(&args).output().unwrap();
        assert_exit(&out, 0, &format!("{args:?}"));
        assert!(!out.stdout.is_empty());
    }
}
