//! Crash safety: `cairn file add` killed with SIGKILL at random moments never leaves the
//! vault damaged, and every file it reported as added is there with the right hash.
//!
//! `CAIRN_CRASH_TRIALS=N` sets the number of kills (default 50; `make soak` runs 1000).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use cairn_e2e::{
    assert_exit, describe, parse_json, sha256_hex, text, tmp_blob_files, Cli, XorShift,
};
use serde_json::Value;

/// Input sizes: empty, chunk edges, and a spread up to 8 MiB.
const SIZES: [usize; 20] = [
    0,
    1,
    777,
    4096,
    65_535,
    65_536,
    65_537,
    100_000,
    250_000,
    500_000,
    1 << 20,
    1_500_000,
    2 << 20,
    3 << 20,
    3_500_000,
    4 << 20,
    5 << 20,
    6 << 20,
    7 << 20,
    8 << 20,
];

struct Input {
    path: PathBuf,
    size: usize,
    sha256: String,
}

#[derive(Default)]
struct Figures {
    trials: u64,
    reported: u64,
    kills_landed: u64,
    kills_mid_command: u64,
    kills_mid_blob_write: u64,
    finished_before_kill: u64,
    full_verifies: u64,
}

/// Trials per vault; the last of each ends with a full verify, as every 10th does. A trial
/// can add all 20 inputs (45 MB), so a vault is replaced (and its folder deleted) often
/// enough to keep the test's disk use under half a gigabyte: CI's disk is not large.
const EPOCH: u64 = 10;

fn file_count(cli: &Cli) -> u64 {
    cli.json(["list", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "file")
        .count() as u64
}

#[test]
fn crash_kill9_file_add() {
    let trials: u64 = std::env::var("CAIRN_CRASH_TRIALS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(50);
    let started = Instant::now();
    // Inputs live apart from the vault, which is replaced every EPOCH trials so each
    // trial's checks (a full verify re-reads every stored file) stay bounded.
    let inputs_dir = Cli::new();
    let (mut cli, _) = Cli::with_vault();
    let mut files_in_retired_vaults = 0u64;

    let mut rng = XorShift::new(0xC0FFEE);
    let inputs: Vec<Input> = SIZES
        .iter()
        .enumerate()
        .map(|(i, &size)| {
            let bytes = rng.bytes(size);
            let path = inputs_dir.write_file(format!("in/input-{i:02}.bin"), &bytes);
            Input {
                path,
                size,
                sha256: sha256_hex(&bytes),
            }
        })
        .collect();
    let by_name: HashMap<String, &Input> = inputs
        .iter()
        .map(|i| (i.path.file_name().unwrap().to_str().unwrap().to_string(), i))
        .collect();
    let input_shas: BTreeSet<&str> = inputs.iter().map(|i| i.sha256.as_str()).collect();

    // Every file the CLI reported as committed, across all trials: id → input name.
    let mut committed: BTreeMap<String, String> = BTreeMap::new();
    let mut fig = Figures::default();

    for trial in 0..trials {
        if trial > 0 && trial % EPOCH == 0 {
            files_in_retired_vaults += file_count(&cli);
            cli = Cli::with_vault().0;
            committed.clear();
        }
        let mut rng = XorShift::new(trial);
        let mut order: Vec<&Input> = inputs.iter().collect();
        rng.shuffle(&mut order);
        let delay = Duration::from_millis(rng.below(401));

        let mut child = cli
            .command_with_pass(&cli.pass_file)
            .args(["file", "add", "--json"])
            .args(order.iter().map(|i| &i.path))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn cairn file add");
        let stdout = child.stdout.take().unwrap();
        let mut stderr = child.stderr.take().unwrap();
        let out_reader = thread::spawn(move || {
            // Only whole lines count: a line is printed after its file is committed.
            let mut r = BufReader::new(stdout);
            let mut lines = Vec::new();
            loop {
                let mut buf = Vec::new();
                match r.read_until(b'\n', &mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(_) if buf.ends_with(b"\n") => lines.push(buf),
                    Ok(_) => break,
                }
            }
            lines
        });
        let err_reader = thread::spawn(move || {
            let mut s = Vec::new();
            let _ = stderr.read_to_end(&mut s);
            s
        });

        thread::sleep(delay);
        let finished_early = child.try_wait().expect("try_wait").is_some();
        if !finished_early {
            child.kill().expect("SIGKILL cairn");
        }
        let status = child.wait().expect("wait for cairn");
        let lines = out_reader.join().unwrap();
        let err = err_reader.join().unwrap();
        let part_left = tmp_blob_files(&cli.vault) > 0;

        fig.trials += 1;
        if finished_early {
            fig.finished_before_kill += 1;
            assert!(
                status.success() && lines.len() == inputs.len(),
                "trial {trial}: cairn finished by itself but failed: {status:?}, {} lines\n{}",
                lines.len(),
                text(&err)
            );
        } else {
            fig.kills_landed += 1;
            if !lines.is_empty() || part_left {
                fig.kills_mid_command += 1;
            }
            if part_left {
                fig.kills_mid_blob_write += 1;
            }
        }
        assert!(
            !text(&err).contains("panicked"),
            "trial {trial}: {}",
            text(&err)
        );

        // Each reported line names a whole input file with its right hash.
        let mut this_trial = Vec::new();
        for l in &lines {
            let v: Value = serde_json::from_slice(l)
                .unwrap_or_else(|e| panic!("trial {trial}: bad JSON line ({e}): {}", text(l)));
            let id = v["id"].as_str().expect("id").to_string();
            let name = v["name"].as_str().expect("name").to_string();
            let input = by_name
                .get(&name)
                .unwrap_or_else(|| panic!("trial {trial}: unknown name {name}"));
            assert_eq!(v["sha256"], input.sha256.as_str(), "trial {trial}: {v}");
            assert_eq!(v["size"], input.size as u64, "trial {trial}: {v}");
            assert!(
                committed.insert(id.clone(), name.clone()).is_none(),
                "trial {trial}: id {id} reported twice"
            );
            this_trial.push((id, name));
        }
        fig.reported += this_trial.len() as u64;

        // The vault is intact after the crash (quick every time, full every 10th).
        let full = trial % 10 == 9 || trial + 1 == trials;
        let args: &[&str] = if full {
            &["verify", "--json"]
        } else {
            &["verify", "--quick", "--json"]
        };
        let out = cli.run(args);
        if out.status.code() != Some(0) {
            panic!(
                "trial {trial} (killed after {delay:?}, {} files reported): verify failed\n{}",
                this_trial.len(),
                describe(&out)
            );
        }
        assert_exit(&out, 0, "verify after a kill");
        if full {
            fig.full_verifies += 1;
        }
        assert_eq!(
            tmp_blob_files(&cli.vault),
            0,
            "trial {trial}: half-written blobs were not swept"
        );

        // Every reported id is listed …
        let list = cli.json(["list", "--json"]);
        let listed: BTreeSet<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["kind"] == "file")
            .map(|i| i["id"].as_str().unwrap())
            .collect();
        for id in committed.keys() {
            assert!(
                listed.contains(id.as_str()),
                "trial {trial}: reported file {id} is not listed"
            );
        }
        // … and the chain records each with its input's SHA-256; any file committed
        // but killed before it was reported is still a whole input, never a partial one.
        let chain = cli.json_lines(["chain", "--json"]);
        let mut chain_sha: HashMap<&str, &str> = HashMap::new();
        for e in &chain {
            if e["kind"] == "file.add" {
                let sha = e["content_sha256"].as_str().unwrap();
                assert!(
                    input_shas.contains(sha),
                    "trial {trial}: a committed file matches no input: {e}"
                );
                chain_sha.insert(e["item"].as_str().unwrap(), sha);
            }
        }
        assert_eq!(chain_sha.len(), listed.len(), "trial {trial}");
        for (id, name) in &committed {
            assert_eq!(
                chain_sha.get(id.as_str()).copied(),
                Some(by_name[name].sha256.as_str()),
                "trial {trial}: {id} ({name}) has the wrong hash in the chain"
            );
        }

        // Spot checks of this trial's files: show, and extract of the smallest.
        for (id, name) in this_trial.iter().take(2) {
            let shown = cli.json(["show", id, "--json"]);
            assert_eq!(shown["content_sha256"], by_name[name].sha256.as_str());
            assert_eq!(shown["record"]["name"], name.as_str());
        }
        if let Some((id, name)) = this_trial
            .iter()
            .filter(|(_, n)| by_name[n].size <= 1 << 20)
            .min_by_key(|(_, n)| by_name[n].size)
        {
            let dest = cli.scratch().join(format!("extract-{trial}.bin"));
            cli.extract_ok(id, &dest);
            let want = std::fs::read(&by_name[name].path).unwrap();
            assert!(std::fs::read(&dest).unwrap() == want, "trial {trial}: {id}");
            std::fs::remove_file(&dest).unwrap();
        }
    }

    let files_in_vault = files_in_retired_vaults + file_count(&cli);
    eprintln!(
        "crash_kill9_file_add: {} trials in {:.1}s; {} files reported committed ({} more committed but killed before printing); \
         {} kills landed ({} mid-command, {} mid-blob-write), {} runs finished before the kill; {} full verifies",
        fig.trials,
        started.elapsed().as_secs_f64(),
        fig.reported,
        files_in_vault - fig.reported,
        fig.kills_landed,
        fig.kills_mid_command,
        fig.kills_mid_blob_write,
        fig.finished_before_kill,
        fig.full_verifies,
    );
}

/// Trials for the import and export kill tests: `CAIRN_CRASH_TRIALS`, else 100.
fn trials_or_100() -> u64 {
    std::env::var("CAIRN_CRASH_TRIALS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100)
}

/// Runs `cairn ARGS` and SIGKILLs it after `delay` unless it finished first; the
/// output, and whether it finished by itself.
fn run_and_kill(cli: &Cli, args: &[&str], delay: Duration) -> (std::process::Output, bool) {
    let mut child = cli
        .command_with_pass(&cli.pass_file)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn cairn");
    thread::sleep(delay);
    let finished = child.try_wait().expect("try_wait").is_some();
    if !finished {
        let _ = child.kill();
    }
    let out = child.wait_with_output().expect("wait for cairn");
    assert!(
        !text(&out.stderr).contains("panicked"),
        "{}",
        describe(&out)
    );
    (out, finished)
}

/// Messages in the vault, by the chat number their senders carry (`Sam-K`, `Alex-K`).
fn messages_by_chat(cli: &Cli) -> BTreeMap<String, u64> {
    let mut n = BTreeMap::new();
    for c in cli.json(["list", "--json"]).as_array().unwrap() {
        if c["kind"] == "message" {
            let sender = c["title"].as_str().unwrap_or_default();
            let chat = sender.rsplit('-').next().unwrap_or_default();
            *n.entry(chat.to_string()).or_default() += 1;
        }
    }
    n
}

/// A WhatsApp chat of `n` messages between `Sam-K` and `Alex-K`, K being `chat`.
fn chat_text(chat: u64, n: u64) -> String {
    (0..n)
        .map(|i| {
            format!(
                "{:02}/03/2024, {:02}:{:02} - {}-{chat}: message {i} with a few words\n",
                1 + i / 600,
                (i / 60) % 10 + 10,
                i % 60,
                if i % 2 == 0 { "Sam" } else { "Alex" }
            )
        })
        .collect()
}

/// `cairn import whatsapp` killed at random moments: the vault always verifies, an
/// import is all there or not there at all (never half a chat), one reported done is
/// all there, and running a killed import again completes it without duplicates.
#[test]
fn crash_kill9_import() {
    const MESSAGES: u64 = 2_000;
    let trials = trials_or_100();
    let started = Instant::now();
    let (mut cli, _) = Cli::with_vault();
    let mut rng = XorShift::new(0x1A90);
    let mut typical_ms = 300u64;
    let (mut done, mut killed, mut whole_anyway, mut reruns) = (0u64, 0u64, 0u64, 0u64);
    let mut reported: BTreeSet<String> = BTreeSet::new();
    for trial in 0..trials {
        if trial > 0 && trial % EPOCH == 0 {
            cli = Cli::with_vault().0;
            reported.clear();
        }
        let chat = cli.write_file(
            format!("in/WhatsApp Chat {trial}.txt"),
            chat_text(trial, MESSAGES).as_bytes(),
        );
        let chat_s = chat.to_str().unwrap();
        let delay = Duration::from_millis(rng.below(typical_ms * 6 / 5 + 1));
        let t = Instant::now();
        let (out, finished) = run_and_kill(&cli, &["import", "whatsapp", chat_s, "--json"], delay);
        if finished {
            assert_exit(&out, 0, &format!("trial {trial}: an import that finished"));
            typical_ms = (t.elapsed().as_millis() as u64).max(20);
            assert_eq!(parse_json(&out.stdout)["messages"], MESSAGES);
            reported.insert(trial.to_string());
            done += 1;
        } else {
            killed += 1;
        }
        let out = cli.run(["verify", "--quick"]);
        assert_exit(&out, 0, &format!("trial {trial}: verify after the kill"));
        let counts = messages_by_chat(&cli);
        let here = counts.get(&trial.to_string()).copied().unwrap_or(0);
        assert!(
            here == 0 || here == MESSAGES,
            "trial {trial}: {here} of {MESSAGES} messages: half an import was kept"
        );
        if !finished && here == MESSAGES {
            whole_anyway += 1;
        }
        for r in &reported {
            assert_eq!(
                counts.get(r).copied(),
                Some(MESSAGES),
                "trial {trial}: import {r} was reported done and is not all there"
            );
        }
        // Now and then the killed import is run again: it completes, once.
        if !finished && trial % 5 == 0 {
            reruns += 1;
            let again = cli.json(["import", "whatsapp", chat_s, "--json"]);
            assert_eq!(
                again["already_imported"],
                here == MESSAGES,
                "trial {trial}: {again}"
            );
            let n = messages_by_chat(&cli)[&trial.to_string()];
            assert_eq!(n, MESSAGES, "trial {trial}: after running it again");
            reported.insert(trial.to_string());
        }
    }
    if trials > 0 {
        assert_exit(&cli.run(["verify"]), 0, "a full verify at the end");
    }
    eprintln!(
        "crash_kill9_import: {trials} trials of {MESSAGES} messages in {:.1} s: {done} finished, \
         {killed} killed ({whole_anyway} of them after the commit), {reruns} killed imports run again",
        started.elapsed().as_secs_f64()
    );
    assert!(
        killed > 0 && done > 0,
        "the delays should both kill and let some finish"
    );
}

/// `cairn export` killed at random moments: the vault always verifies; a bundle at the
/// path asked for is always whole and verifies (a killed export leaves at most its
/// hidden `.part` file, never a partial bundle under the real name); and one reported
/// written verifies.
#[test]
fn crash_kill9_export() {
    let trials = trials_or_100();
    let started = Instant::now();
    let (cli, _) = Cli::with_vault();
    let mut rng = XorShift::new(0xE4B0);
    for i in 0..3 {
        cli.ok([
            "note",
            "add",
            "--title",
            &format!("incident {i}"),
            "--body",
            "what he said",
        ]);
        let f = cli.write_file(format!("in/photo-{i}.bin"), &rng.bytes(300_000));
        cli.ok(["file", "add", f.to_str().unwrap()]);
    }
    let bundle_pass = cli.write_file("bundle-pass.txt", b"copper meadow lighthouse nine\n");
    let bp = bundle_pass.to_str().unwrap();
    let mut typical_ms = 500u64;
    let (mut done, mut killed, mut whole_anyway, mut parts) = (0u64, 0u64, 0u64, 0u64);
    for trial in 0..trials {
        let out_path = cli.scratch().join(format!("out/bundle-{trial}.age"));
        std::fs::create_dir_all(out_path.parent().unwrap()).unwrap();
        let out_s = out_path.to_str().unwrap();
        let delay = Duration::from_millis(rng.below(typical_ms * 6 / 5 + 1));
        let t = Instant::now();
        let (out, finished) = run_and_kill(
            &cli,
            &[
                "export",
                "--all",
                "--out",
                out_s,
                "--bundle-passphrase-file",
                bp,
                "--json",
            ],
            delay,
        );
        if finished {
            assert_exit(&out, 0, &format!("trial {trial}: an export that finished"));
            typical_ms = (t.elapsed().as_millis() as u64).max(20);
            done += 1;
        } else {
            killed += 1;
        }
        assert_exit(
            &cli.run(["verify", "--quick"]),
            0,
            &format!("trial {trial}: the vault after the kill"),
        );
        if out_path.exists() {
            let v = cli.run_with_pass(&bundle_pass, ["verify-bundle", out_s]);
            assert_exit(
                &v,
                0,
                &format!(
                    "trial {trial}: the bundle at the real name\n{}",
                    text(&v.stdout)
                ),
            );
            if !finished {
                whole_anyway += 1;
            }
        } else {
            assert!(!finished, "trial {trial}: reported written, but not there");
        }
        // A killed export's hidden part file is sealed like the bundle; clear it away.
        for e in std::fs::read_dir(out_path.parent().unwrap()).unwrap() {
            let p = e.unwrap().path();
            if p.file_name().unwrap().to_string_lossy().contains(".part-") {
                parts += 1;
                let head = std::fs::read(&p).unwrap();
                // Cut short anywhere, even inside age's header line.
                const AGE: &[u8] = b"age-encryption.org/v1";
                let n = head.len().min(AGE.len());
                assert!(
                    head[..n] == AGE[..n],
                    "trial {trial}: a part file that is not sealed"
                );
                std::fs::remove_file(&p).unwrap();
            }
        }
        if out_path.exists() {
            std::fs::remove_file(&out_path).unwrap();
        }
    }
    eprintln!(
        "crash_kill9_export: {trials} trials in {:.1} s: {done} finished, {killed} killed \
         ({whole_anyway} after the bundle was in place), {parts} part files left by kills",
        started.elapsed().as_secs_f64()
    );
    assert!(
        killed > 0 && done > 0,
        "the delays should both kill and let some finish"
    );
}

/// `cairn passwd` killed with SIGKILL at random moments: the vault always opens with the
/// old passphrase or the new one (never neither), verifies, and the recovery code still
/// opens it at the end. `CAIRN_ROTATION_TRIALS=N` sets the number of kills (default 100;
/// `make soak` runs 1000).
#[test]
fn crash_kill9_passphrase_change() {
    let trials: u64 = std::env::var("CAIRN_ROTATION_TRIALS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100);
    let (cli, code) = Cli::with_vault();
    // A database of a few megabytes, so the re-key takes a while to cut into.
    let mut chat = String::new();
    for i in 0..4000 {
        chat.push_str(&format!(
            "{:02}/01/2024, 21:{:02} - Sam: message {i} — where are you, answer me now\n",
            1 + i % 28,
            i % 60
        ));
    }
    let export = cli.write_file("chat.txt", chat.as_bytes());
    cli.ok(["import", "whatsapp", export.to_str().unwrap()]);

    let pass_file = |n: u64| {
        cli.write_file(
            format!("pass-{n}.txt"),
            format!("rotation trial passphrase number {n} of many\n").as_bytes(),
        )
    };
    let mut current = cli.pass_file.clone();
    // How long an uninterrupted change takes, to spread the kills over it.
    let first = pass_file(0);
    let t0 = Instant::now();
    let out = cli.run_with_pass(
        &current,
        ["passwd", "--new-passphrase-file", first.to_str().unwrap()],
    );
    assert_exit(&out, 0, "passwd");
    let span = t0.elapsed().as_millis().max(1) as u64;
    current = first;

    let (mut new_opens, mut old_opens, mut mid, mut early) = (0u64, 0u64, 0u64, 0u64);
    for trial in 1..=trials {
        let mut rng = XorShift::new(0x5EED + trial);
        let next = pass_file(trial);
        let delay = Duration::from_micros(rng.below(span * 1200));
        let mut child = cli
            .command_with_pass(&current)
            .args(["passwd", "--new-passphrase-file", next.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn cairn passwd");
        thread::sleep(delay);
        if child.try_wait().expect("try_wait").is_some() {
            early += 1;
        } else {
            child.kill().expect("SIGKILL cairn");
        }
        let _ = child.wait();
        if cli.vault.join("keys.next").exists() {
            mid += 1;
        }
        let by_new = cli.run_with_pass(&next, ["verify", "--quick", "--json"]);
        if by_new.status.success() {
            new_opens += 1;
            current = next;
        } else {
            let by_old = cli.run_with_pass(&current, ["verify", "--quick", "--json"]);
            assert!(
                by_old.status.success(),
                "trial {trial} (killed after {delay:?}): neither passphrase opens the vault\nnew: {}\nold: {}",
                describe(&by_new),
                describe(&by_old)
            );
            old_opens += 1;
        }
        assert!(
            !cli.vault.join("keys.next").exists(),
            "trial {trial}: not settled"
        );
        if trial % 20 == 0 {
            assert_exit(
                &cli.run_with_pass(&current, ["verify", "--json"]),
                0,
                "full verify",
            );
        }
    }
    // `new-recovery-code` killed at random moments: the code in force is always one
    // she was shown (the printed one once it said "Done", else the one before).
    let mut code = code;
    let mut replaced = 0u64;
    let code_trials = (trials / 4).max(5);
    for trial in 1..=code_trials {
        let mut rng = XorShift::new(0xC0DE + trial);
        let delay = Duration::from_micros(rng.below(span * 1500));
        let mut child = cli
            .command_with_pass(&current)
            .args(["new-recovery-code"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn cairn new-recovery-code");
        let mut stdout = child.stdout.take().unwrap();
        let reader = thread::spawn(move || {
            let mut s = String::new();
            let _ = stdout.read_to_string(&mut s);
            s
        });
        thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();
        let printed = reader.join().unwrap();
        // The new code, if it was printed (it is printed before it replaces the old).
        let shown = printed_code(&printed);
        let done = printed.contains("Done:");
        // The code in force is one she was shown: the new one once it said "Done",
        // else the old one or (killed between replacing and saying so) the new one.
        let mut candidates: Vec<String> = Vec::new();
        if done {
            candidates.extend(shown.clone());
        } else {
            candidates.push(code.clone());
            candidates.extend(shown.clone());
        }
        let opened = candidates
            .iter()
            .find(|c| code_opens(&cli, &current, c))
            .cloned();
        let Some(c) = opened else {
            panic!("code trial {trial} (killed after {delay:?}): no code she was shown opens it; printed:\n{printed}");
        };
        if c != code {
            replaced += 1;
        }
        code = c;
    }
    // The recovery code she has (the first, or the last one shown) still opens it.
    let code_file = cli.write_file("code.txt", format!("{code}\n").as_bytes());
    let last = cli.write_file("last.txt", b"the passphrase after all the trials\n");
    let mut c = cli.command_with_pass(&current);
    let out = c
        .args([
            "recover",
            "--recovery-code-file",
            code_file.to_str().unwrap(),
            "--new-passphrase-file",
            last.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_exit(&out, 0, "recover with the first code");
    assert_exit(&cli.run_with_pass(&last, ["verify", "--json"]), 0, "verify");
    eprintln!(
        "rotation crash: {trials} trials over {span} ms changes; opened by the new passphrase {new_opens}, \
         by the old {old_opens}; keys.next left by the kill {mid}; finished before the kill {early}; \
         new-recovery-code: {code_trials} kills, {replaced} finished"
    );
    assert!(mid > 0 || trials < 20, "no kill landed inside a rotation");
}

/// `new-recovery-code` killed just before each file-system step it takes (strace's
/// fault injection: the Nth `unlink`, `rename`, `fsync` or `pwrite64` gets SIGKILL):
/// afterwards the vault opens with her passphrase, verifies, and the code in force is
/// one she was shown (the old one, or the printed one). A kill between writing the new
/// `keys` and removing `keys.next` once made the next opening "undo" a finished change
/// and destroy the vault.
#[test]
fn crash_at_each_step_of_a_recovery_code_replacement() {
    let (cli, mut code) = Cli::with_vault();
    cli.ok(["note", "add", "--title", "Kept through every kill"]);
    let mut steps = 0u64;
    for sys in ["unlink", "rename", "fsync", "pwrite64"] {
        for n in 1..=16u32 {
            let out = Command::new("strace")
                .args([
                    "-f",
                    "-qq",
                    "-o",
                    "/dev/null",
                    "-e",
                    &format!("trace={sys}"),
                    "-e",
                    &format!("inject={sys}:signal=KILL:when={n}"),
                ])
                .arg(cairn_e2e::cairn_bin())
                .args(["--vault".as_ref(), cli.vault.as_os_str()])
                .args(["--passphrase-file".as_ref(), cli.pass_file.as_os_str()])
                .arg("new-recovery-code")
                .env(cairn_e2e::TEST_KDF_ENV, "1")
                .stdin(Stdio::null())
                .output()
                .expect("strace (installed by scripts/setup.sh)");
            steps += 1;
            let printed = text(&out.stdout);
            let shown = printed_code(&printed);
            assert_exit(
                &cli.run(["verify", "--quick"]),
                0,
                &format!("{sys} #{n}: verify"),
            );
            let mut candidates = vec![code.clone()];
            candidates.extend(shown);
            let works = candidates
                .iter()
                .find(|c| code_opens(&cli, &cli.pass_file, c));
            code = works
                .unwrap_or_else(|| panic!("{sys} #{n}: no code she was shown opens it:\n{printed}"))
                .clone();
            assert!(
                !cli.vault.join("keys.next").exists(),
                "{sys} #{n}: not settled"
            );
        }
    }
    eprintln!("recovery-code replacement: killed at {steps} steps, each left a vault her passphrase and a shown code open");
}

/// The recovery code `cairn` printed (six dashed groups of five), if it printed one.
fn printed_code(printed: &str) -> Option<String> {
    printed
        .lines()
        .map(str::trim)
        .find(|l| l.len() == 35 && l.matches('-').count() == 5)
        .map(str::to_string)
}

/// True if `code` opens the vault (`recover`, setting the passphrase in `pass` again).
fn code_opens(cli: &Cli, pass: &std::path::Path, code: &str) -> bool {
    let f = cli.write_file("code-now.txt", format!("{code}\n").as_bytes());
    cli.command_with_pass(pass)
        .args([
            "recover".as_ref(),
            "--recovery-code-file".as_ref(),
            f.as_os_str(),
        ])
        .args(["--new-passphrase-file".as_ref(), pass.as_os_str()])
        .output()
        .expect("run cairn recover")
        .status
        .success()
}
