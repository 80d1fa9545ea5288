//! Network audit: a whole CLI session (init, records, files, an import, search, a
//! sealed export and its check, verify, a backup and a restore) run under
//! `strace -f -e trace=connect`, and not one connection to an internet address (IPv4 or
//! IPv6) is tried. Local sockets (AF_UNIX) are allowed.

use std::path::Path;
use std::process::Command;

use cairn_e2e::{assert_exit, cairn_bin, internet_connects, Cli, XorShift};

/// Runs `cairn ARGS…` for `cli`'s vault under strace, appending to `log`.
fn traced(cli: &Cli, log: &Path, args: &[&str]) {
    let out = Command::new("strace")
        .args(["-f", "-qq", "-e", "trace=connect", "-A", "-o"])
        .arg(log)
        .arg(cairn_bin())
        .arg("--vault")
        .arg(&cli.vault)
        .arg("--passphrase-file")
        .arg(&cli.pass_file)
        .args(args)
        .env("CAIRN_TEST_INSECURE_KDF", "1")
        .output()
        .expect("strace (installed by scripts/setup.sh)");
    assert_exit(&out, 0, &format!("{args:?} under strace"));
}

#[test]
fn a_whole_cli_session_tries_no_network_connection() {
    let cli = Cli::new();
    let log = cli.scratch().join("connect.log");

    // The audit sees a connection when there is one.
    let probe = cli.scratch().join("probe.log");
    let _ = Command::new("strace")
        .args(["-f", "-qq", "-e", "trace=connect", "-o"])
        .arg(&probe)
        .args([
            "python3",
            "-c",
            "import socket; s = socket.socket(); s.settimeout(0.2)\ntry: s.connect(('127.0.0.1', 9))\nexcept OSError: pass",
        ])
        .status()
        .expect("strace");
    assert_eq!(
        internet_connects(&probe).len(),
        1,
        "the audit does not see a TCP connect"
    );

    traced(&cli, &log, &["init", "--json"]);
    traced(
        &cli,
        &log,
        &["note", "add", "--title", "He followed me home"],
    );
    let mut rng = XorShift::new(5);
    let photo = cli.write_file("photo.jpg", &rng.bytes(200_000));
    traced(&cli, &log, &["file", "add", photo.to_str().unwrap()]);
    let chat = cli.write_file(
        "WhatsApp Chat with Sam.txt",
        b"25/12/2023, 21:15 - Sam: where are you\n25/12/2023, 21:16 - Me: out\n",
    );
    traced(&cli, &log, &["import", "whatsapp", chat.to_str().unwrap()]);
    traced(&cli, &log, &["search", "where"]);
    let pw = cli.write_file("bundle-pw", b"a long bundle passphrase for the solicitor\n");
    let bundle = cli.scratch().join("bundle.age");
    traced(
        &cli,
        &log,
        &[
            "export",
            "--all",
            "--bundle-passphrase-file",
            pw.to_str().unwrap(),
            "--out",
            bundle.to_str().unwrap(),
        ],
    );
    traced(&cli, &log, &["verify"]);
    let dest = cli.scratch().join("stick");
    traced(&cli, &log, &["backup", dest.to_str().unwrap()]);
    let to = cli.scratch().join("restored");
    traced(
        &cli,
        &log,
        &[
            "restore",
            dest.to_str().unwrap(),
            "--to",
            to.to_str().unwrap(),
        ],
    );

    let seen = internet_connects(&log);
    assert!(
        seen.is_empty(),
        "connections to the network:\n{}",
        seen.join("\n")
    );
    assert!(log.exists(), "strace wrote its log");
}
