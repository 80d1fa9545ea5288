//! The test switches are not in what she runs: the release `cairn` and `cairn-desktop`
//! (built by `make test` with `cargo build --release`, as `make run` builds them) do
//! not contain the switches' names, and with both set the release CLI still makes a
//! real-cost passphrase slot and refuses a test-cost vault. The debug binaries the other
//! tests use do have them, which shows the check can fail.
//!
//! Runs when `CAIRN_RELEASE_BINS=1` (`make test` sets it after building them).

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use cairn_e2e::{cairn_bin, workspace_root, Cli};
use serde_json::Value;

const SWITCHES: [&str; 2] = ["CAIRN_TEST_INSECURE_KDF", "CAIRN_WEBDRIVER"];

fn release_bins() -> Option<(PathBuf, PathBuf)> {
    if std::env::var_os("CAIRN_RELEASE_BINS").is_none_or(|v| v != "1") {
        eprintln!("skipped: set CAIRN_RELEASE_BINS=1 after `cargo build --release -p cairn-cli -p cairn-desktop`");
        return None;
    }
    let dir = workspace_root().join("target/release");
    let bins = (dir.join("cairn"), dir.join("cairn-desktop"));
    assert!(
        bins.0.is_file() && bins.1.is_file(),
        "release binaries not built in {}",
        dir.display()
    );
    Some(bins)
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn the_release_binaries_do_not_hold_the_test_switches() {
    let Some((cli, desktop)) = release_bins() else {
        return;
    };
    for bin in [&cli, &desktop] {
        let bytes = fs::read(bin).unwrap();
        for s in SWITCHES {
            assert!(!contains(&bytes, s), "{} holds {s}", bin.display());
        }
    }
    // The test build does: the check above can fail.
    let debug = fs::read(cairn_bin()).unwrap();
    assert!(contains(&debug, SWITCHES[0]));
}

#[test]
fn the_release_cli_ignores_the_test_kdf_switch() {
    let Some((release, _)) = release_bins() else {
        return;
    };
    let run = |args: &[&str], vault: &std::path::Path, pass: &std::path::Path| {
        let mut c = Command::new(&release);
        for s in SWITCHES {
            c.env(s, "1");
        }
        c.env_remove("CAIRN_VAULT")
            .stdin(Stdio::null())
            .arg("--vault")
            .arg(vault)
            .arg("--passphrase-file")
            .arg(pass)
            .args(args)
            .output()
            .unwrap()
    };
    let cli = Cli::new();
    let out = run(&["init", "--json"], &cli.vault, &cli.pass_file);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let keys = fs::read_to_string(cli.vault.join("keys")).unwrap();
    let slots: Value = serde_json::from_str(keys.lines().next().unwrap()).unwrap();
    let kdf = &slots["slots"][0]["kdf"];
    assert_eq!(slots["slots"][0]["kind"], "passphrase");
    assert!(kdf["m_kib"].as_u64().unwrap() >= 64 * 1024, "{kdf}");
    assert!(kdf["t"].as_u64().unwrap() >= 3, "{kdf}");

    // A vault the test build made with the fast KDF does not open in the release build,
    // switch or not.
    let (test_vault, _) = Cli::with_vault();
    let out = run(&["list"], &test_vault.vault, &test_vault.pass_file);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("outside the safe range"), "{err}");
    assert!(!err.contains("CAIRN_"), "{err}");
}
