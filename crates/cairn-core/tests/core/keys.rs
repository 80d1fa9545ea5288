//! Passphrases, recovery codes, the keys file and its KDF limits, and the vault lock.

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use cairn_core::{Error, KdfCost, OpenOptions, Passphrase, Vault};
use serde_json::Value;

use crate::common::*;

const PRODUCTION: OpenOptions = OpenOptions {
    allow_insecure_kdf: false,
};

/// The passphrase slot's `kdf` object.
fn pass_kdf(v: &mut Value) -> &mut Value {
    let slots = v["slots"].as_array_mut().unwrap();
    let slot = slots
        .iter_mut()
        .find(|s| s["kind"] == "passphrase")
        .expect("a passphrase slot");
    &mut slot["kdf"]
}

fn closed_vault() -> TestVault {
    let mut tv = TestVault::new();
    tv.v().add_incident(incident("kept", "safe")).unwrap();
    tv.close();
    tv
}

#[test]
fn wrong_passphrase_is_refused_and_changes_nothing() {
    let tv = closed_vault();
    let before = hash_tree(&tv.dir);
    for wrong in [
        "correct horse battery stapler",
        "Correct horse battery staple",
        "",
    ] {
        match Vault::open(&tv.dir, &Passphrase::new(wrong), TEST_OPEN) {
            Err(e @ Error::WrongPassphrase) => {
                assert_eq!(e.code(), "wrong_passphrase");
                assert!(e.is_wrong_secret());
            }
            other => panic!("{wrong:?}: expected WrongPassphrase, got {other:?}"),
        }
    }
    assert_eq!(
        without_attempts(&tv.dir, 3),
        before,
        "a failed open changed the vault folder (beyond noting the attempt)"
    );
    // Three wrong in a row: even the right one waits 2 s, and is not counted.
    match open(&tv.dir) {
        Err(e @ Error::TooSoon { wait_ms }) => {
            assert!(wait_ms > 0 && wait_ms <= 2000, "{wait_ms}");
            assert_eq!(e.code(), "too_soon");
            assert!(e.to_string().starts_with("Please wait "), "{e}");
        }
        other => panic!("expected TooSoon, got {:?}", other.map(|_| ())),
    }
    assert!(!Vault::unlock_wait(&tv.dir).is_zero());
    assert_eq!(without_attempts(&tv.dir, 3), before);
    std::thread::sleep(Vault::unlock_wait(&tv.dir));
    open(&tv.dir).expect("the right passphrase still opens it after the wait");
    assert!(Vault::unlock_wait(&tv.dir).is_zero());
}

#[test]
fn the_delay_after_wrong_secrets_outlasts_a_restart_and_a_clock_set_back() {
    let tv = closed_vault();
    let file = tv.dir.join(cairn_core::attempts::ATTEMPTS_FILE);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    // Five attempts (8 s), the last a minute ago: the wait is over.
    let lines = |last: i64| -> String {
        (0..5)
            .map(|i| format!("{} passphrase\n", last - 4 + i))
            .collect()
    };
    fs::write(&file, lines(now - 60_000)).unwrap();
    assert!(Vault::unlock_wait(&tv.dir).is_zero());
    // The last a second ago: about 7 s left, whatever process asks.
    fs::write(&file, lines(now - 1_000)).unwrap();
    let w = Vault::unlock_wait(&tv.dir);
    assert!(
        w > Duration::from_secs(5) && w <= Duration::from_secs(8),
        "{w:?}"
    );
    // The clock was turned back an hour after the attempts (or they were made while a
    // clock ran ahead): the full delay from now, not none, and not an hour and more.
    fs::write(&file, lines(now + 3_600_000)).unwrap();
    assert_eq!(Vault::unlock_wait(&tv.dir), Duration::from_secs(8));
    let rewritten: Vec<i64> = fs::read_to_string(&file)
        .unwrap()
        .lines()
        .map(|l| l.split(' ').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(rewritten.len(), 5);
    assert!(
        rewritten.iter().all(|&t| t <= now + 60_000),
        "{rewritten:?}"
    );
    match Vault::open_with_recovery(&tv.dir, &tv.code, TEST_OPEN) {
        Err(Error::TooSoon { .. }) => {}
        other => panic!("expected TooSoon, got {:?}", other.map(|_| ())),
    }
    // Nothing recorded for a refused try; the wait ends and the code opens it.
    assert_eq!(fs::read_to_string(&file).unwrap().lines().count(), 5);
    fs::write(&file, lines(now - 60_000)).unwrap();
    let v = Vault::open_with_recovery(&tv.dir, &tv.code, TEST_OPEN).expect("opens");
    assert_eq!(v.failed_attempts().map(|a| a.count), Some(5));
}

#[test]
fn wrong_recovery_code_is_refused_and_changes_nothing() {
    let tv = closed_vault();
    // A well-formed code with valid check characters: another vault's.
    let other = TestVault::new();
    assert_ne!(other.code, tv.code);
    let before = hash_tree(&tv.dir);
    match Vault::open_with_recovery(&tv.dir, &other.code, TEST_OPEN) {
        Err(e @ Error::WrongRecoveryCode) => assert_eq!(e.code(), "wrong_recovery_code"),
        other => panic!("expected WrongRecoveryCode, got {other:?}"),
    }
    assert_eq!(without_attempts(&tv.dir, 1), before);
}

/// The folder's files and hashes, after checking that `n` failed unlocks were noted
/// (the one file a failed unlock writes) and leaving that file out.
fn without_attempts(
    dir: &Path,
    n: usize,
) -> std::collections::BTreeMap<std::path::PathBuf, String> {
    let noted =
        fs::read_to_string(dir.join(cairn_core::attempts::ATTEMPTS_FILE)).unwrap_or_default();
    assert_eq!(noted.lines().count(), n, "{noted}");
    let mut tree = hash_tree(dir);
    tree.retain(|p, _| !p.ends_with(cairn_core::attempts::ATTEMPTS_FILE));
    tree
}

#[test]
fn recovery_code_typos_and_bad_shapes_are_refused_and_change_nothing() {
    let tv = closed_vault();
    let before = hash_tree(&tv.dir);
    let code: Vec<char> = tv.code.chars().collect();
    assert_eq!(code.len(), 35, "{}", tv.code);
    // Change one data character in each group in turn.
    let mut wrong = 0;
    for group in 0..6 {
        let i = group * 6 + 1;
        let mut typo = code.clone();
        typo[i] = if typo[i] == 'A' { 'B' } else { 'A' };
        let typo: String = typo.into_iter().collect();
        match Vault::open_with_recovery(&tv.dir, &typo, TEST_OPEN) {
            Err(Error::RecoveryCodeTypo { group: g }) => assert_eq!(g, group + 1),
            // 1 in 32 typos keeps a valid check character; the key is then simply wrong
            // (and the attempt is noted, like any wrong code).
            Err(Error::WrongRecoveryCode) => wrong += 1,
            other => panic!("typo in group {}: got {other:?}", group + 1),
        }
    }
    for bad in ["", "ABC", &tv.code[..29], &format!("{}-AAAAA", tv.code)] {
        match Vault::open_with_recovery(&tv.dir, bad, TEST_OPEN) {
            Err(e @ Error::RecoveryCodeFormat { .. }) => {
                assert_eq!(e.code(), "recovery_code_format")
            }
            other => panic!("{bad:?}: got {other:?}"),
        }
    }
    if wrong == 0 {
        assert_eq!(hash_tree(&tv.dir), before);
    } else {
        assert_eq!(without_attempts(&tv.dir, wrong), before);
    }
    // The real code works typed loosely: lower case, spaces instead of dashes.
    std::thread::sleep(Vault::unlock_wait(&tv.dir));
    let loose = tv.code.to_lowercase().replace('-', " ");
    Vault::open_with_recovery(&tv.dir, &loose, TEST_OPEN).expect("loosely typed code");
}

#[test]
fn recovery_code_opens_and_survives_a_passphrase_change() {
    let mut tv = TestVault::new();
    let inc = tv.v().add_incident(incident("before", "change")).unwrap();
    tv.close();
    let mut v = Vault::open_with_recovery(&tv.dir, &tv.code, TEST_OPEN).expect("recovery");
    assert_eq!(v.show(&inc.id).unwrap().record.unwrap()["title"], "before");

    match v.change_passphrase(&Passphrase::new("short"), KdfCost::InsecureTestOnly) {
        Err(e @ Error::Invalid(_)) => assert_eq!(e.code(), "invalid_input"),
        other => panic!("short passphrase accepted: {other:?}"),
    }
    let new = "a different long passphrase";
    v.change_passphrase(&Passphrase::new(new), KdfCost::InsecureTestOnly)
        .unwrap();
    drop(v);
    assert!(!tv.dir.join("keys.tmp").exists());

    match open(&tv.dir) {
        Err(Error::WrongPassphrase) => {}
        other => panic!("old passphrase: expected WrongPassphrase, got {other:?}"),
    }
    let v = Vault::open(&tv.dir, &Passphrase::new(new), TEST_OPEN).expect("new passphrase");
    assert_eq!(v.show(&inc.id).unwrap().record.unwrap()["title"], "before");
    assert_ok(&v);
    drop(v);
    let v = Vault::open_with_recovery(&tv.dir, &tv.code, TEST_OPEN).expect("code after change");
    assert_eq!(v.list().unwrap().len(), 1);
}

#[test]
fn keys_file_byte_flips_are_damage_never_a_wrong_passphrase() {
    let tv = closed_vault();
    let path = tv.dir.join("keys");
    let pristine = fs::read(&path).unwrap();
    assert!(pristine.len() > 200);
    for off in 0..pristine.len() {
        let mut bytes = pristine.clone();
        bytes[off] ^= 0xff;
        fs::write(&path, &bytes).unwrap();
        match open(&tv.dir) {
            Err(e @ Error::KeysDamaged(_)) => assert_eq!(e.code(), "keys_damaged"),
            other => panic!("flip at {off}: open gave {other:?}"),
        }
        match Vault::open_with_recovery(&tv.dir, &tv.code, TEST_OPEN) {
            Err(Error::KeysDamaged(_)) => {}
            other => panic!("flip at {off}: recovery open gave {other:?}"),
        }
    }
    // Cut short, or gone.
    for n in [0, 1, pristine.len() / 2, pristine.len() - 1] {
        fs::write(&path, &pristine[..n]).unwrap();
        match open(&tv.dir) {
            Err(Error::KeysDamaged(_)) => {}
            other => panic!("keys cut to {n} bytes: open gave {other:?}"),
        }
    }
    fs::remove_file(&path).unwrap();
    match open(&tv.dir) {
        Err(e @ Error::NoVault(_)) => assert_eq!(e.code(), "no_vault"),
        other => panic!("no keys file: open gave {other:?}"),
    }
    fs::write(&path, &pristine).unwrap();
    open(&tv.dir).expect("restored keys file opens");
}

/// Opens with `opts` and expects a refusal before any KDF runs.
fn expect_out_of_range(dir: &Path, opts: OpenOptions, what: &str) {
    let start = Instant::now();
    match Vault::open(dir, &Passphrase::new(PASS), opts) {
        Err(e @ Error::KdfOutOfRange(_)) => assert_eq!(e.code(), "kdf_out_of_range"),
        other => panic!("{what}: expected KdfOutOfRange, got {other:?}"),
    }
    let took = start.elapsed();
    assert!(
        took < Duration::from_secs(1),
        "{what}: refusal took {took:?}, so the KDF probably ran"
    );
}

#[test]
fn kdf_parameters_out_of_range_are_refused_before_running() {
    let tv = closed_vault();
    let pristine = fs::read(tv.dir.join("keys")).unwrap();

    // The rewrite itself is harmless: unchanged parameters still open.
    rewrite_keys(&tv.dir, |_| {});
    open(&tv.dir).expect("re-serialised keys file opens");

    // A test vault is refused without the explicit switch, for either secret.
    expect_out_of_range(&tv.dir, PRODUCTION, "insecure test vault");
    match Vault::open_with_recovery(&tv.dir, &tv.code, PRODUCTION) {
        Err(Error::KdfOutOfRange(_)) => {}
        other => panic!("recovery open of a test vault: {other:?}"),
    }

    type Edit = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, OpenOptions, Edit)> = vec![
        (
            "m_kib 8",
            PRODUCTION,
            Box::new(|v| pass_kdf(v)["m_kib"] = 8.into()),
        ),
        (
            "m_kib 7 (test mode)",
            TEST_OPEN,
            Box::new(|v| pass_kdf(v)["m_kib"] = 7.into()),
        ),
        (
            "m_kib 1e9",
            TEST_OPEN,
            Box::new(|v| pass_kdf(v)["m_kib"] = 1_000_000_000u32.into()),
        ),
        (
            "m_kib 1e9 (production)",
            PRODUCTION,
            Box::new(|v| {
                pass_kdf(v)["m_kib"] = 1_000_000_000u32.into();
                pass_kdf(v)["t"] = 3.into();
            }),
        ),
        (
            "t 1000",
            TEST_OPEN,
            Box::new(|v| pass_kdf(v)["t"] = 1000.into()),
        ),
        (
            "t 1000 (production)",
            PRODUCTION,
            Box::new(|v| {
                pass_kdf(v)["m_kib"] = 65536.into();
                pass_kdf(v)["t"] = 1000.into();
            }),
        ),
        ("t 0", TEST_OPEN, Box::new(|v| pass_kdf(v)["t"] = 0.into())),
        ("p 0", TEST_OPEN, Box::new(|v| pass_kdf(v)["p"] = 0.into())),
        (
            "p 64",
            TEST_OPEN,
            Box::new(|v| pass_kdf(v)["p"] = 64.into()),
        ),
        (
            "argon2 version 0x10",
            TEST_OPEN,
            Box::new(|v| pass_kdf(v)["version"] = 16.into()),
        ),
    ];
    for (what, opts, edit) in cases {
        fs::write(tv.dir.join("keys"), &pristine).unwrap();
        rewrite_keys(&tv.dir, |v| edit(v));
        expect_out_of_range(&tv.dir, opts, what);
    }
    fs::write(tv.dir.join("keys"), &pristine).unwrap();
    open(&tv.dir).expect("restored");
}

#[test]
fn calibrated_kdf_is_at_least_the_production_floor() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("vault");
    let (v, _code) =
        Vault::init(&dir, &Passphrase::new(PASS), KdfCost::Calibrated).expect("calibrated init");
    let summary = v.kdf().expect("a passphrase KDF");
    assert!(!summary.insecure);
    let r = assert_ok(&v);
    assert!(
        !r.warnings.iter().any(|w| w.code == "kdf_insecure"),
        "{:#?}",
        r.warnings
    );
    drop(v);
    let mut json = keys_json(&dir);
    let kdf = pass_kdf(&mut json).clone();
    assert_eq!(kdf["alg"], "argon2id");
    assert_eq!(kdf["version"], 0x13);
    let m = kdf["m_kib"].as_u64().unwrap();
    let t = kdf["t"].as_u64().unwrap();
    assert!(m >= 64 * 1024, "m_kib {m}");
    assert!(t >= 3, "t {t}");
    assert!(m <= 256 * 1024, "m_kib {m} is above the calibration cap");
    assert_eq!((summary.m_kib as u64, summary.t as u64), (m, t));
    // It opens without the test switch.
    Vault::open(&dir, &Passphrase::new(PASS), PRODUCTION).expect("production open");
}

#[test]
fn a_vault_open_twice_is_busy() {
    let mut tv = TestVault::new();
    match open(&tv.dir) {
        Err(e @ Error::Busy) => assert_eq!(e.code(), "vault_busy"),
        other => panic!("second open: expected Busy, got {other:?}"),
    }
    match Vault::open_with_recovery(&tv.dir, &tv.code, TEST_OPEN) {
        Err(Error::Busy) => {}
        other => panic!("second recovery open: expected Busy, got {other:?}"),
    }
    // The first handle is unaffected, and once it closes the vault opens again.
    tv.v().add_incident(incident("still", "works")).unwrap();
    tv.reopen();
    assert_eq!(tv.r().list().unwrap().len(), 1);
}

#[test]
fn init_and_open_refuse_the_wrong_folder_or_a_short_passphrase() {
    let tv = TestVault::new();
    match Vault::init(&tv.dir, &Passphrase::new(PASS), KdfCost::InsecureTestOnly) {
        Err(e @ Error::FolderNotEmpty(_)) => assert_eq!(e.code(), "folder_not_empty"),
        other => panic!("init over a vault: {other:?}"),
    }
    let other = tv.scratch("other");
    fs::create_dir(&other).unwrap();
    fs::write(other.join("holiday.jpg"), b"x").unwrap();
    match Vault::init(&other, &Passphrase::new(PASS), KdfCost::InsecureTestOnly) {
        Err(Error::FolderNotEmpty(_)) => {}
        r => panic!("init in a folder with other files: {r:?}"),
    }
    assert_eq!(fs::read_dir(&other).unwrap().count(), 1);
    match Vault::init(
        &tv.scratch("new"),
        &Passphrase::new("seven c"),
        KdfCost::InsecureTestOnly,
    ) {
        Err(Error::Invalid(_)) => {}
        r => panic!("short passphrase: {r:?}"),
    }
    assert!(!tv.scratch("new").exists());
    match open(&other) {
        Err(e @ Error::NoVault(_)) => assert_eq!(e.code(), "no_vault"),
        r => panic!("open of a non-vault: {r:?}"),
    }
    assert!(!Vault::exists(&other));
    assert!(Vault::exists(&tv.dir));
}

#[test]
fn passphrase_is_unicode_normalised() {
    // "é" as one code point (NFC) and as "e" + combining acute (NFD) open the same vault.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("v");
    let composed = cairn_core::Passphrase::new("caf\u{e9} au lait");
    let decomposed = cairn_core::Passphrase::new("cafe\u{301} au lait");
    let (vault, _) =
        cairn_core::Vault::init(&dir, &composed, cairn_core::KdfCost::InsecureTestOnly).unwrap();
    drop(vault);
    let opts = cairn_core::OpenOptions {
        allow_insecure_kdf: true,
    };
    cairn_core::Vault::open(&dir, &decomposed, opts).expect("NFD form opens an NFC vault");
    let other = cairn_core::Passphrase::new("cafe au lait");
    assert_eq!(
        cairn_core::Vault::open(&dir, &other, opts)
            .unwrap_err()
            .code(),
        "wrong_passphrase"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn the_process_writes_no_core_dump_and_is_not_dumpable() {
    use rustix::process::{dumpable_behavior, getrlimit, DumpableBehavior, Resource};
    cairn_core::hygiene::no_core_dumps();
    let core = getrlimit(Resource::Core);
    assert_eq!((core.current, core.maximum), (Some(0), Some(0)));
    // Not dumpable: no core, and no ptrace or /proc/PID/mem by the same user.
    assert_eq!(dumpable_behavior().unwrap(), DumpableBehavior::NotDumpable);
}

#[test]
fn failed_unlocks_are_recorded_in_the_chain_and_told_at_the_next_unlock() {
    use cairn_core::attempts::{ATTEMPTS_ENTRY, ATTEMPTS_FILE};
    let mut tv = TestVault::new();
    tv.close();
    for _ in 0..1 {
        let e = Vault::open(
            &tv.dir,
            &Passphrase::new("not the passphrase at all"),
            TEST_OPEN,
        )
        .unwrap_err();
        assert_eq!(e.code(), "wrong_passphrase");
    }
    let other = TestVault::new();
    let e = Vault::open_with_recovery(&tv.dir, &other.code, TEST_OPEN).unwrap_err();
    assert_eq!(e.code(), "wrong_recovery_code");
    let file = std::fs::read_to_string(tv.dir.join(ATTEMPTS_FILE)).unwrap();
    assert_eq!(file.lines().count(), 2, "{file}");
    assert!(file.contains(" passphrase\n") && file.contains(" recovery_code\n"));

    tv.reopen();
    let seen = tv
        .r()
        .failed_attempts()
        .cloned()
        .expect("told at the next unlock");
    assert_eq!(seen.count, 2);
    assert!(seen.first <= seen.last);
    let last = tv.r().chain().unwrap().pop().unwrap();
    assert_eq!(last.kind, ATTEMPTS_ENTRY);
    assert_eq!(last.meta["count"], 2);
    assert_eq!(last.meta["last"], seen.last.as_str());
    assert!(!tv.dir.join(ATTEMPTS_FILE).exists(), "moved into the chain");
    assert_ok(tv.r());
    tv.reopen();
    assert_eq!(tv.r().failed_attempts(), None, "told once");

    // A crash after the record and before the file went: the same lines come back,
    // and are not recorded again.
    let size = tv.r().chain().unwrap().len();
    tv.close();
    std::fs::write(tv.dir.join(ATTEMPTS_FILE), &file).unwrap();
    tv.reopen();
    assert_eq!(tv.r().chain().unwrap().len(), size, "not counted twice");
    assert!(!tv.dir.join(ATTEMPTS_FILE).exists());
}

#[test]
fn a_full_record_of_failed_unlocks_keeps_its_size_and_its_delay() {
    let tv = closed_vault();
    let file = tv.dir.join(cairn_core::attempts::ATTEMPTS_FILE);
    let old: String = (0..10_000)
        .map(|i| format!("{} passphrase\n", 1_000 + i))
        .collect();
    fs::write(&file, old).unwrap();
    assert!(Vault::unlock_wait(&tv.dir).is_zero(), "long ago");
    match Vault::open(
        &tv.dir,
        &Passphrase::new("yet another wrong guess"),
        TEST_OPEN,
    ) {
        Err(Error::WrongPassphrase) => {}
        other => panic!("expected WrongPassphrase, got {:?}", other.map(|_| ())),
    }
    let text = fs::read_to_string(&file).unwrap();
    assert_eq!(text.lines().count(), 10_000);
    assert!(Vault::unlock_wait(&tv.dir) > Duration::from_secs(299));
}

#[test]
fn sqlcipher_memory_security_is_off_unless_the_process_asks() {
    // This test binary, like the command line, never asks.
    let _tv = TestVault::new();
    assert!(!cairn_core::hygiene::database_memory_secured());
}

/// The attack: the key file's passphrase parameters nudged within range, its checksum
/// recomputed. Before, her right passphrase was "wrong" and counted toward the delay.
#[test]
fn an_altered_parameter_in_range_is_damage_never_an_attempt() {
    use cairn_core::attempts::ATTEMPTS_FILE;
    let tv = closed_vault();
    rewrite_keys(&tv.dir, |v| {
        let t = pass_kdf(v)["t"].as_u64().unwrap();
        pass_kdf(v)["t"] = (t + 1).into();
    });
    for pass in [PASS, "not the passphrase at all", PASS, PASS, PASS] {
        match Vault::open(&tv.dir, &Passphrase::new(pass), TEST_OPEN) {
            Err(e @ Error::KeysDamaged(_)) => {
                assert_eq!(e.code(), "keys_damaged");
                assert!(e.to_string().contains("not counted"), "{e}");
            }
            other => panic!("altered parameter: expected damage, got {other:?}"),
        }
    }
    // Five tries, no delay earned (three counted ones would have made her wait); each
    // is noted, so she hears of them.
    assert!(Vault::unlock_wait(&tv.dir).is_zero(), "no delay earned");
    let noted = fs::read_to_string(tv.dir.join(ATTEMPTS_FILE)).unwrap();
    assert_eq!(noted.lines().count(), 5, "{noted}");
    assert!(
        noted.lines().all(|l| l.ends_with(" on_changed_keys")),
        "{noted}"
    );

    // The code still opens it, and the keyed tag names what happened.
    let entries_altered = |v: &Vault| {
        v.chain()
            .unwrap()
            .iter()
            .filter(|e| e.kind == "vault.keys_altered")
            .count()
    };
    let v = Vault::open_with_recovery(&tv.dir, &tv.code, TEST_OPEN).expect("the code opens");
    assert!(v.keys_altered(), "the altered passphrase slot is found");
    assert_eq!(
        v.failed_attempts().map(|f| f.count),
        Some(5),
        "told of the tries"
    );
    assert_eq!(entries_altered(&v), 1);
    drop(v);
    let mut v = Vault::open_with_recovery(&tv.dir, &tv.code, TEST_OPEN).unwrap();
    assert!(v.keys_altered(), "told at every unlock");
    assert_eq!(entries_altered(&v), 1, "recorded once");
    // A new passphrase rewrites the file: nothing to tell after it.
    v.change_passphrase(&Passphrase::new(PASS), KdfCost::InsecureTestOnly)
        .unwrap();
    drop(v);
    let v = open(&tv.dir).expect("her passphrase opens again");
    assert!(!v.keys_altered());
    assert_ok(&v);
}

/// A recovery slot changed (or planted) by someone without the master key, or the tag
/// stripped, is told at every passphrase unlock: she learns the code may not work
/// before the day she needs it.
#[test]
fn a_changed_recovery_slot_or_a_stripped_tag_is_told_at_unlock() {
    let tv = closed_vault();
    let original = fs::read(tv.dir.join("keys")).unwrap();
    assert_eq!(keys_json(&tv.dir)["version"], 3, "tagged from the start");
    let v = open(&tv.dir).unwrap();
    assert!(!v.keys_altered());
    drop(v);

    use base64::Engine;
    let planted = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
    rewrite_keys(&tv.dir, |v| {
        let slots = v["slots"].as_array_mut().unwrap();
        let slot = slots.iter_mut().find(|s| s["kind"] == "recovery").unwrap();
        slot["kdf"]["public"] = planted.into();
    });
    let v = open(&tv.dir).expect("her passphrase still opens it");
    assert!(v.keys_altered(), "a planted recovery key is found");
    drop(v);

    fs::write(tv.dir.join("keys"), &original).unwrap();
    rewrite_keys(&tv.dir, |v| {
        v.as_object_mut().unwrap().remove("tag");
        v["version"] = 2.into();
    });
    let v = open(&tv.dir).expect("opens");
    assert!(v.keys_altered(), "a stripped tag is found");
    drop(v);

    fs::write(tv.dir.join("keys"), &original).unwrap();
    let v = open(&tv.dir).unwrap();
    assert!(!v.keys_altered(), "the file Cairn wrote is not blamed");
    assert_ok(&v);
}
