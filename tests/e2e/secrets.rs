//! Wrong passphrases and recovery codes: exit 3, nothing written but a note of the attempt
//! (told at the next unlock). Recovery and passwd work.

use cairn_e2e::{
    assert_cairn_error, assert_same_tree, hash_tree, text, tree_without_attempts, Cli,
};

#[test]
fn wrong_passphrase_exits_3_and_writes_nothing() {
    let (cli, _) = Cli::with_vault();
    cli.ok(["note", "add", "--title", "Something happened"]);
    let wrong = cli.write_file("wrong.txt", b"not the passphrase\n");
    let before = hash_tree(&cli.vault);
    for (n, args) in [
        vec!["list"],
        vec!["verify"],
        vec!["note", "add", "--title", "x"],
        vec!["passwd", "--new-passphrase-file", "/dev/null"],
        vec!["chain", "--json"],
    ]
    .into_iter()
    .enumerate()
    {
        let out = cli.run_with_pass(&wrong, &args);
        // The third wrong one in a row sets a 2-second delay: inside it nothing is
        // tried (or counted), whichever process asks.
        if n < 3 {
            let line = assert_cairn_error(&out, 3, &format!("wrong passphrase: {args:?}"));
            assert!(line.contains("passphrase is not right"), "{line}");
        } else {
            let line = assert_cairn_error(&out, 2, &format!("too soon: {args:?}"));
            assert!(line.contains("Please wait"), "{line}");
        }
        assert!(out.stdout.is_empty(), "{args:?} printed to stdout");
    }
    assert_same_tree(
        &before,
        &tree_without_attempts(&cli.vault, 3),
        "after wrong passphrases (beyond noting them)",
    );
    // Even the right one waits out the delay; then it works, and says someone tried.
    let out = cli.run(["list"]);
    assert!(assert_cairn_error(&out, 2, "right, too soon").contains("Please wait"));
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let out = cli.ok(["list"]);
    let err = text(&out.stderr);
    assert!(
        err.contains("someone tried to open this vault 3 times"),
        "{err}"
    );
    let chain = cli.json_lines(["chain", "--json"]);
    assert_eq!(chain.last().unwrap()["kind"], "vault.unlock_failed");
    assert_eq!(chain.last().unwrap()["meta"]["count"], 3);
}

#[test]
fn recovery_code() {
    let (cli, code) = Cli::with_vault();
    let (_other, other_code) = Cli::with_vault();
    assert_ne!(code, other_code);
    cli.ok(["note", "add", "--title", "Before recovery"]);
    let new_pass = cli.write_file("new-pass.txt", b"a brand new passphrase\n");

    // Another vault's (well-formed) code: exit 3, nothing written.
    let wrong_code = cli.write_file("wrong-code.txt", format!("{other_code}\n").as_bytes());
    let before = hash_tree(&cli.vault);
    let recover = |code_file: &std::path::Path| {
        cli.run([
            "recover".as_ref(),
            "--recovery-code-file".as_ref(),
            code_file.as_os_str(),
            "--new-passphrase-file".as_ref(),
            new_pass.as_os_str(),
        ])
    };
    let out = recover(&wrong_code);
    let line = assert_cairn_error(&out, 3, "recover with another vault's code");
    assert!(line.contains("recovery code is not right"), "{line}");
    assert_same_tree(
        &before,
        &tree_without_attempts(&cli.vault, 1),
        "after a wrong code",
    );

    // A typo (one character changed) is caught by the check characters: exit 3 too.
    let mut typo = code.clone().into_bytes();
    typo[1] = if typo[1] == b'A' { b'B' } else { b'A' };
    let typo_file = cli.write_file("typo.txt", &typo);
    let out = recover(&typo_file);
    let line = assert_cairn_error(&out, 3, "recover with a typo");
    // The check characters catch all but about 1 typo in 32; one they miss reaches the
    // keys and is noted as a failed unlock, like another vault's code.
    let noted = 1 + usize::from(line.contains("recovery code is not right"));
    // Garbage: exit 3.
    let junk = cli.write_file("junk.txt", b"hello\n");
    assert_cairn_error(&recover(&junk), 3, "recover with junk");
    assert_same_tree(
        &before,
        &tree_without_attempts(&cli.vault, noted),
        "after bad codes (a typo or junk is not an attempt: it never reached the keys)",
    );

    // The right code, typed in lower case with spaces instead of dashes.
    let sloppy = code.to_lowercase().replace('-', " ");
    let right = cli.write_file("right-code.txt", format!("{sloppy}\n").as_bytes());
    let out = recover(&right);
    assert_eq!(out.status.code(), Some(0), "{}", cairn_e2e::describe(&out));

    // New passphrase opens; the old one no longer does.
    let out = cli.run_with_pass(&new_pass, ["list", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", cairn_e2e::describe(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Before recovery"));
    assert_cairn_error(&cli.run(["list"]), 3, "old passphrase after recovery");
    // The recovery code still works afterwards (it is not consumed).
    let again = cli.write_file("again.txt", format!("{code}\n").as_bytes());
    let out = cli.run([
        "recover".as_ref(),
        "--recovery-code-file".as_ref(),
        again.as_os_str(),
        "--new-passphrase-file".as_ref(),
        cli.pass_file.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", cairn_e2e::describe(&out));
    cli.ok(["verify"]);
}

#[test]
fn passwd_changes_the_passphrase() {
    let (cli, _) = Cli::with_vault();
    let new_pass = cli.write_file("new.txt", b"another long passphrase\n");
    // Too short: refused (exit 2), nothing changed.
    let short = cli.write_file("short.txt", b"short\n");
    let before = hash_tree(&cli.vault);
    let out = cli.run([
        "passwd".as_ref(),
        "--new-passphrase-file".as_ref(),
        short.as_os_str(),
    ]);
    assert_cairn_error(&out, 2, "passwd with a short passphrase");
    assert_same_tree(&before, &hash_tree(&cli.vault), "after a refused passwd");

    cli.ok([
        "passwd".as_ref(),
        "--new-passphrase-file".as_ref(),
        new_pass.as_os_str(),
    ]);
    assert_cairn_error(&cli.run(["list"]), 3, "old passphrase after passwd");
    let out = cli.run_with_pass(&new_pass, ["verify"]);
    assert_eq!(out.status.code(), Some(0), "{}", cairn_e2e::describe(&out));
}

#[test]
fn passwd_after_a_stale_keys_tmp() {
    // A crash (power cut) during an earlier passwd can leave `keys.tmp` behind; that
    // must not block the next passphrase change or recovery forever.
    let (cli, code) = Cli::with_vault();
    std::fs::write(cli.vault.join("keys.tmp"), b"half-written key file").unwrap();
    let new_pass = cli.write_file("new.txt", b"another long passphrase\n");
    let out = cli.run([
        "passwd".as_ref(),
        "--new-passphrase-file".as_ref(),
        new_pass.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", cairn_e2e::describe(&out));
    let out = cli.run_with_pass(&new_pass, ["list"]);
    assert_eq!(out.status.code(), Some(0), "{}", cairn_e2e::describe(&out));

    std::fs::write(cli.vault.join("keys.tmp"), b"half-written key file").unwrap();
    let code_file = cli.write_file("code.txt", code.as_bytes());
    let out = cli.run([
        "recover".as_ref(),
        "--recovery-code-file".as_ref(),
        code_file.as_os_str(),
        "--new-passphrase-file".as_ref(),
        cli.pass_file.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", cairn_e2e::describe(&out));
    cli.ok(["verify"]);
}

/// `cairn decoy set`: the decoy passphrase opens a separate, empty vault; the real one
/// is untouched; `cairn decoy remove` ends it.
#[test]
fn decoy_passphrase_opens_a_separate_vault() {
    let (cli, _) = Cli::with_vault();
    cli.ok(["note", "add", "--title", "What he did on Friday"]);
    let decoy = cli.write_file("decoy.txt", b"plum orchard sunday kettle\n");
    let out = cli.ok([
        "decoy",
        "set",
        "--decoy-passphrase-file",
        decoy.to_str().unwrap(),
    ]);
    assert!(
        text(&out.stdout).contains("Decoy set"),
        "{}",
        text(&out.stdout)
    );
    // The decoy: nothing of the real vault; what is added there stays there.
    let listed = cli.run_with_pass(&decoy, ["list", "--json"]);
    assert_eq!(listed.status.code(), Some(0), "{}", text(&listed.stderr));
    assert_eq!(cairn_e2e::parse_json(&listed.stdout), serde_json::json!([]));
    let added = cli.run_with_pass(&decoy, ["note", "add", "--title", "Shopping"]);
    assert_eq!(added.status.code(), Some(0), "{}", text(&added.stderr));
    let real = cli.json(["list", "--json"]);
    let titles: Vec<&str> = real
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["What he did on Friday"]);
    assert_eq!(cli.run(["verify"]).status.code(), Some(0));
    cli.ok(["decoy", "remove"]);
    let out = cli.run_with_pass(&decoy, ["list"]);
    let line = assert_cairn_error(&out, 3, "the removed decoy");
    assert!(line.contains("passphrase is not right"), "{line}");
}
