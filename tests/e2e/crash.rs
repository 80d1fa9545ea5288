//! Crash safety: `cairn file add` killed with SIGKILL at random moments never leaves the
//! vault damaged, and every file it reported as added is there with the right hash.
//!
//! `CAIRN_CRASH_TRIALS=N` sets the number of kills (default 50; `make soak` runs 1000).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::Stdio;
use std::thread;
use std::time::{Duration, Instant};

use cairn_e2e::{assert_exit, describe, sha256_hex, text, tmp_blob_files, Cli, XorShift};
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
