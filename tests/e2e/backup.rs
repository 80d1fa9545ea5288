//! `cairn backup` and `cairn restore`: a round trip, a full or read-only stick, and
//! SIGKILL at random moments during a backup. The vault and the last good backup
//! always open and verify, and a backup that was reported done holds what it said.
//!
//! `CAIRN_CRASH_TRIALS=N` sets the number of kills (default 100; `make soak` runs 1000).

use std::path::Path;
use std::process::Stdio;
use std::thread;
use std::time::{Duration, Instant};

use cairn_e2e::{assert_cairn_error, assert_exit, parse_json, small_disk, text, Cli, XorShift};

/// `cairn --vault DIR ARGS…` with the test passphrase.
fn at(cli: &Cli, dir: &Path, args: &[&str]) -> std::process::Output {
    let mut c = cairn_e2e::cairn_command();
    c.arg("--vault")
        .arg(dir)
        .arg("--passphrase-file")
        .arg(&cli.pass_file)
        .args(args)
        .output()
        .expect("run cairn")
}

fn items_at(cli: &Cli, dir: &Path) -> usize {
    let out = at(cli, dir, &["list", "--json"]);
    assert_exit(&out, 0, "list");
    parse_json(&out.stdout).as_array().unwrap().len()
}

fn backups_recorded(cli: &Cli) -> usize {
    cli.json_lines(["chain", "--json"])
        .iter()
        .filter(|e| e["kind"] == "vault.backup")
        .count()
}

#[test]
fn backup_and_restore_round_trip() {
    let (cli, code) = Cli::with_vault();
    cli.ok(["note", "add", "--title", "He took my phone"]);
    let mut rng = XorShift::new(3);
    let photo = cli.write_file("photo.jpg", &rng.bytes(400_000));
    cli.ok(["file", "add", photo.to_str().unwrap()]);
    let dest = cli.scratch().join("stick/backup");
    let r = cli.json(["backup", dest.to_str().unwrap(), "--json"]);
    assert_eq!(r["files_copied"], 1, "{r}");
    assert_eq!(backups_recorded(&cli), 1);
    assert_exit(&at(&cli, &dest, &["verify"]), 0, "the backup verifies");
    let again = cli.json(["backup", dest.to_str().unwrap(), "--json"]);
    assert_eq!(
        (again["files_copied"].as_u64(), again["files_kept"].as_u64()),
        (Some(0), Some(1))
    );

    let to = cli.scratch().join("new-laptop/vault");
    let out = cli.run([
        "restore",
        dest.to_str().unwrap(),
        "--to",
        to.to_str().unwrap(),
        "--json",
    ]);
    assert_exit(&out, 0, "restore");
    let v = parse_json(&out.stdout);
    assert_eq!(v["verify"]["ok"], true, "{v}");
    assert_eq!(items_at(&cli, &to), 2);
    // The recovery code opens the backup too.
    let code_file = cli.write_file("code.txt", format!("{code}\n").as_bytes());
    let new_pass = cli.write_file(
        "new-pass.txt",
        b"a new long passphrase for the restored copy\n",
    );
    let out = cairn_e2e::cairn_command()
        .arg("--vault")
        .arg(&to)
        .args(["recover", "--recovery-code-file"])
        .arg(&code_file)
        .arg("--new-passphrase-file")
        .arg(&new_pass)
        .output()
        .unwrap();
    assert_exit(&out, 0, "recover the restored copy with the recovery code");

    // Restoring over something, or from something that is not a backup: one sentence.
    let line = assert_cairn_error(
        &cli.run([
            "restore",
            dest.to_str().unwrap(),
            "--to",
            to.to_str().unwrap(),
        ]),
        2,
        "restore over a vault",
    );
    assert!(line.contains("new or empty"), "{line}");
    let line = assert_cairn_error(
        &cli.run(["backup", cli.scratch().to_str().unwrap()]),
        2,
        "backup into a folder with other things",
    );
    assert!(line.contains("folder"), "{line}");
}

#[test]
fn a_full_or_read_only_stick_keeps_the_last_good_backup() {
    let (cli, _) = Cli::with_vault();
    cli.ok(["note", "add", "--title", "First"]);
    let stick_dir = cli.scratch().join("stick");
    let Some(stick) = small_disk(&stick_dir, "1m") else {
        return;
    };
    let dest = stick_dir.join("backup");
    cli.ok(["backup", dest.to_str().unwrap()]);
    let mut rng = XorShift::new(9);
    let big = cli.write_file("big.bin", &rng.bytes(3_000_000));
    cli.ok(["file", "add", big.to_str().unwrap()]);

    let line = assert_cairn_error(
        &cli.run(["backup", dest.to_str().unwrap()]),
        2,
        "backup to a full stick",
    );
    assert!(line.contains("disk is full"), "{line}");
    assert_exit(&cli.run(["verify"]), 0, "the vault after a full stick");
    assert_exit(
        &at(&cli, &dest, &["verify", "--quick"]),
        0,
        "the last good backup",
    );
    assert_eq!(
        items_at(&cli, &dest),
        1,
        "the last good backup, not a mixture"
    );
    assert_eq!(
        backups_recorded(&cli),
        1,
        "the failed backup is not recorded"
    );

    stick.remount("ro");
    let line = assert_cairn_error(
        &cli.run(["backup", dest.to_str().unwrap()]),
        2,
        "backup to a read-only stick",
    );
    assert!(!line.contains("panicked"), "{line}");
    assert_eq!(backups_recorded(&cli), 1);
    // A write-protected stick still restores.
    let to = cli.scratch().join("restored");
    let out = cli.run([
        "restore",
        dest.to_str().unwrap(),
        "--to",
        to.to_str().unwrap(),
    ]);
    assert_exit(&out, 0, "restore from a read-only stick");
    assert_eq!(items_at(&cli, &to), 1);
}

#[test]
fn crash_kill9_backup() {
    let trials: u64 = std::env::var("CAIRN_CRASH_TRIALS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100);
    let started = Instant::now();
    let (cli, _) = Cli::with_vault();
    let mut rng = XorShift::new(0xBAC0);
    let dest = cli.scratch().join("backup");
    let (mut done, mut killed, mut good_before) = (0u64, 0u64, false);
    let mut reported_entries = 0u64;
    // Kills land anywhere in a backup's run: the delay is drawn up to a little more
    // than the last run that finished took.
    let mut typical_ms = 60u64;
    for trial in 0..trials {
        // Something new to back up each time: a note, and now and then a file.
        cli.ok(["note", "add", "--title", &format!("note {trial}")]);
        if trial % 5 == 0 {
            let size = 200_000 + rng.below(800_000) as usize;
            let f = cli.write_file(format!("in/{trial}.bin"), &rng.bytes(size));
            cli.ok(["file", "add", f.to_str().unwrap()]);
        }
        let mut child = cli
            .command_with_pass(&cli.pass_file)
            .args(["backup", dest.to_str().unwrap(), "--json"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let t = Instant::now();
        thread::sleep(Duration::from_millis(rng.below(typical_ms * 6 / 5 + 1)));
        let _ = child.kill();
        let out = child.wait_with_output().unwrap();
        if out.status.success() {
            typical_ms = t.elapsed().as_millis() as u64;
            done += 1;
            good_before = true;
            reported_entries = parse_json(&out.stdout)["entries"].as_u64().unwrap();
        } else {
            killed += 1;
        }
        assert_exit(
            &cli.run(["verify", "--quick"]),
            0,
            &format!("trial {trial}: the vault"),
        );
        if good_before {
            let v = at(&cli, &dest, &["verify", "--quick", "--json"]);
            assert_exit(
                &v,
                0,
                &format!("trial {trial}: the backup\n{}", text(&v.stdout)),
            );
            let entries = parse_json(&v.stdout)["entries"].as_u64().unwrap();
            assert!(
                entries >= reported_entries,
                "trial {trial}: the backup holds {entries} entries, {reported_entries} were reported"
            );
        }
    }
    eprintln!(
        "crash_kill9_backup: {trials} trials in {:.1} s: {done} backups finished, {killed} killed",
        started.elapsed().as_secs_f64()
    );
    assert!(
        killed > 0 && done > 0,
        "the delays should both kill and let some finish"
    );
}
