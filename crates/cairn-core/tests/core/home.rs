//! Against the person in her home: what he can plant on her backup stick or in her
//! vault folder, and what an old copy of her keys opens after she changes them.
//! Each test is the attack; it must fail.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::mpsc;
use std::time::Duration;

use cairn_core::backup::restore;
use cairn_core::{Error, KdfCost, Passphrase, Vault};

use crate::common::*;

static NEVER: AtomicBool = AtomicBool::new(false);

/// A vault with two photos backed up to `<tmp>/stick`, then the second redacted in the
/// vault: the next backup would destroy the stick's copy of it. Returns the stick and
/// the path of that copy on it.
fn stick_with_a_file_the_next_backup_destroys(t: &mut TestVault) -> (PathBuf, PathBuf) {
    add_bytes(t.v(), "a.jpg", &pseudo_random(40_000, 11));
    let b = add_bytes(t.v(), "b.jpg", &pseudo_random(40_000, 12));
    let stick = t.scratch("stick");
    t.v().authed().backup(&stick, &NEVER, &|_| {}).unwrap();
    let before: Vec<String> = blob_files(&stick).iter().map(|p| blob_id(p)).collect();
    t.v().authed().redact(&b.id, "entered by mistake").unwrap();
    let now: Vec<String> = blob_files(&t.dir).iter().map(|p| blob_id(p)).collect();
    let gone = before
        .iter()
        .find(|id| !now.contains(id))
        .expect("the redacted blob")
        .clone();
    let at = stick.join("blobs").join(&gone[..2]).join(&gone);
    assert!(at.is_file());
    (stick, at)
}

fn refused_as_unsafe(r: cairn_core::Result<impl std::fmt::Debug>) {
    match r {
        Err(e @ Error::UnsafeFile { .. }) => {
            assert_eq!(e.code(), "unsafe_file");
            let msg = e.to_string();
            assert!(msg.contains("nothing was changed"), "{msg}");
        }
        other => panic!("expected an unsafe-file refusal, got {other:?}"),
    }
}

#[cfg(unix)]
#[test]
fn a_link_planted_on_the_stick_never_wipes_the_vault() {
    let mut t = TestVault::new();
    let (stick, at) = stick_with_a_file_the_next_backup_destroys(&mut t);
    let db = t.dir.join("vault.db");
    fs::remove_file(&at).unwrap();
    std::os::unix::fs::symlink(&db, &at).unwrap();
    t.v()
        .raw_connection_for_tests()
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    let db_before = sha_hex(&fs::read(&db).unwrap());
    refused_as_unsafe(t.v().authed().backup(&stick, &NEVER, &|_| {}));
    assert_eq!(
        sha_hex(&fs::read(&db).unwrap()),
        db_before,
        "the vault untouched"
    );
    t.reopen();
    assert_ok(t.r());
}

#[cfg(unix)]
#[test]
fn a_linked_blob_folder_on_the_stick_is_refused() {
    let mut t = TestVault::new();
    let (stick, _) = stick_with_a_file_the_next_backup_destroys(&mut t);
    // The stick's whole blob folder is swapped for a link to the vault's.
    fs::rename(stick.join("blobs"), t.scratch("old-blobs")).unwrap();
    std::os::unix::fs::symlink(t.dir.join("blobs"), stick.join("blobs")).unwrap();
    let tree_before = hash_tree(&t.dir.join("blobs"));
    refused_as_unsafe(t.v().authed().backup(&stick, &NEVER, &|_| {}));
    assert_eq!(hash_tree(&t.dir.join("blobs")), tree_before);
    assert_ok(t.r());
}

#[cfg(unix)]
#[test]
fn a_hard_link_on_the_stick_to_a_file_elsewhere_is_refused() {
    let mut t = TestVault::new();
    let (stick, at) = stick_with_a_file_the_next_backup_destroys(&mut t);
    let outside = t.scratch("her-letter.txt");
    fs::write(&outside, b"a letter she keeps beside the stick").unwrap();
    fs::remove_file(&at).unwrap();
    fs::hard_link(&outside, &at).unwrap();
    refused_as_unsafe(t.v().authed().backup(&stick, &NEVER, &|_| {}));
    assert_eq!(
        fs::read(&outside).unwrap(),
        b"a letter she keeps beside the stick"
    );
}

/// Runs `f` on another thread and fails the test if it has not finished in 20 s (a
/// FIFO opened for reading blocks until someone writes to it).
fn within_20s<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(20))
        .expect("it finished rather than waiting on a FIFO")
}

fn mkfifo(p: &Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(p)
        .status()
        .unwrap()
        .success();
    assert!(ok);
}

#[cfg(unix)]
#[test]
fn a_fifo_on_the_stick_is_refused_without_waiting_on_it() {
    let mut t = TestVault::new();
    let (stick, at) = stick_with_a_file_the_next_backup_destroys(&mut t);
    fs::remove_file(&at).unwrap();
    mkfifo(&at);
    let mut v = t.vault.take().unwrap();
    let (r, v) = within_20s(move || {
        let r = v.backup(&stick, &NEVER, &|_| {}).map(|_| ());
        (r, v)
    });
    refused_as_unsafe(r);
    assert_ok(&v);
}

#[cfg(unix)]
#[test]
fn restore_never_reads_through_a_link_on_the_stick() {
    let mut t = TestVault::new();
    let (stick, _) = stick_with_a_file_the_next_backup_destroys(&mut t);
    // A kept file on the stick now points at something of hers outside it.
    let kept = blob_files(&stick)[0].clone();
    let secret = t.scratch("private.txt");
    fs::write(&secret, b"not for the stick").unwrap();
    fs::remove_file(&kept).unwrap();
    std::os::unix::fs::symlink(&secret, &kept).unwrap();
    let to = t.scratch("restored");
    refused_as_unsafe(restore(&stick, &to, &NEVER));
    assert!(
        !to.join("blobs").exists(),
        "refused before anything was copied"
    );
}

#[cfg(unix)]
#[test]
fn restore_refuses_a_fifo_keys_file_without_waiting() {
    let mut t = TestVault::new();
    let (stick, _) = stick_with_a_file_the_next_backup_destroys(&mut t);
    fs::remove_file(stick.join("keys")).unwrap();
    mkfifo(&stick.join("keys"));
    let to = t.scratch("restored");
    let r = within_20s(move || restore(&stick, &to, &NEVER).map(|_| ()));
    refused_as_unsafe(r);
}

#[cfg(unix)]
#[test]
fn redacting_never_wipes_through_a_link_planted_in_the_vault() {
    let mut t = TestVault::new();
    let (id, outside) = file_with_its_blob_linked_outside(&mut t);
    refused_as_unsafe(t.v().authed().redact(&id, "entered by mistake"));
    assert_eq!(fs::read(&outside).unwrap(), b"a letter she keeps");
}

/// A stored file whose blob in the vault was replaced by a link to a letter of hers
/// outside: its item id and the letter's path.
#[cfg(unix)]
fn file_with_its_blob_linked_outside(t: &mut TestVault) -> (String, PathBuf) {
    let b = add_bytes(t.v(), "b.jpg", &pseudo_random(40_000, 13));
    let outside = t.scratch("her-letter.txt");
    fs::write(&outside, b"a letter she keeps").unwrap();
    let blob = blob_files(&t.dir)[0].clone();
    fs::remove_file(&blob).unwrap();
    std::os::unix::fs::symlink(&outside, &blob).unwrap();
    (b.id, outside)
}

#[test]
fn an_old_keys_file_and_the_old_passphrase_open_nothing_added_after_a_change() {
    let mut t = TestVault::new();
    add_bytes(t.v(), "a.jpg", &pseudo_random(10_000, 14));
    let old_keys = fs::read(t.dir.join("keys")).unwrap();
    t.v()
        .change_passphrase(
            &Passphrase::new("a new and longer passphrase"),
            KdfCost::InsecureTestOnly,
        )
        .unwrap();
    t.v()
        .add_incident(incident("After", "written after the change"))
        .unwrap();
    t.close();
    // He kept a copy of the keys file; he knows the old passphrase.
    let new_keys = fs::read(t.dir.join("keys")).unwrap();
    fs::write(t.dir.join("keys"), &old_keys).unwrap();
    let r = open(&t.dir);
    assert!(
        r.is_err(),
        "the old keys and passphrase must not open the vault"
    );
    // With the old keys file and the old recovery code neither.
    let r = Vault::open_with_recovery(&t.dir, &t.code, TEST_OPEN);
    assert!(
        r.is_err(),
        "an old keys file must not open the rotated vault"
    );
    fs::write(t.dir.join("keys"), &new_keys).unwrap();
    let v = Vault::open(
        &t.dir,
        &Passphrase::new("a new and longer passphrase"),
        TEST_OPEN,
    )
    .unwrap();
    assert_ok(&v);
    drop(v);
    // The recovery code she wrote down still opens it (it was not replaced).
    let v = Vault::open_with_recovery(&t.dir, &t.code, TEST_OPEN).unwrap();
    assert_ok(&v);
}

#[test]
fn a_replaced_recovery_code_opens_nothing_and_the_new_one_does() {
    let mut t = TestVault::new();
    let old_keys = fs::read(t.dir.join("keys")).unwrap();
    // Without a drafted (shown) code, nothing is replaced.
    assert!(t.v().replace_recovery_code(&Passphrase::new(PASS)).is_err());
    let new_code = t.v().draft_recovery_code().unwrap().to_string();
    // Her passphrase, or nothing.
    assert!(t
        .v()
        .replace_recovery_code(&Passphrase::new("his guess at her passphrase"))
        .is_err());
    t.v().replace_recovery_code(&Passphrase::new(PASS)).unwrap();
    assert_ne!(new_code, t.code);
    t.close();
    assert!(matches!(
        Vault::open_with_recovery(&t.dir, &t.code, TEST_OPEN),
        Err(Error::WrongRecoveryCode)
    ));
    // Nor with the old keys file he copied.
    let new_keys = fs::read(t.dir.join("keys")).unwrap();
    fs::write(t.dir.join("keys"), &old_keys).unwrap();
    assert!(Vault::open_with_recovery(&t.dir, &t.code, TEST_OPEN).is_err());
    fs::write(t.dir.join("keys"), &new_keys).unwrap();
    let v = Vault::open_with_recovery(&t.dir, &new_code, TEST_OPEN).unwrap();
    assert_ok(&v);
    drop(v);
    assert_ok(&open(&t.dir).unwrap());
}

#[test]
fn the_next_backup_re_keys_a_backup_made_before_a_passphrase_change() {
    let mut t = TestVault::new();
    add_bytes(t.v(), "a.jpg", &pseudo_random(20_000, 15));
    let stick = t.scratch("stick");
    t.v().authed().backup(&stick, &NEVER, &|_| {}).unwrap();
    let new = Passphrase::new("a new and longer passphrase");
    t.v()
        .change_passphrase(&new, KdfCost::InsecureTestOnly)
        .unwrap();
    // Until the next backup, the stick opens with the old passphrase (as documented).
    drop(open(&stick).unwrap());
    add_bytes(t.v(), "b.jpg", &pseudo_random(20_000, 16));
    // The stick holds a backup of this vault: no passphrase needed to update it.
    let r = t.v().backup(&stick, &NEVER, &|_| {}).unwrap();
    assert_eq!(r.files_kept, 1, "the stored files are not rewritten");
    assert!(matches!(open(&stick), Err(Error::WrongPassphrase)));
    let copy = Vault::open(&stick, &new, TEST_OPEN).unwrap();
    assert_ok(&copy);
    assert_eq!(copy.list().unwrap().len(), 2);
}

/// An old key file planted as `keys.next` (the name a rotation under way uses): it is
/// not a rotation of this vault's (it carries no old key), so it is dropped, and
/// neither it nor the old passphrase opens anything. The rotations cut short for real
/// are the kill -9 trials in tests/e2e/crash.rs.
#[test]
fn an_old_key_file_planted_as_a_rotation_is_dropped() {
    let new = Passphrase::new("a new and longer passphrase");
    let mut t = TestVault::new();
    add_bytes(t.v(), "a.jpg", &pseudo_random(10_000, 17));
    t.close();
    let before = fs::read(t.dir.join("keys")).unwrap();
    let mut v = open(&t.dir).unwrap();
    v.change_passphrase(&new, KdfCost::InsecureTestOnly)
        .unwrap();
    drop(v);
    let after = fs::read(t.dir.join("keys")).unwrap();
    fs::write(t.dir.join("keys.next"), &before).unwrap();
    assert!(open(&t.dir).is_err(), "the old passphrase opens nothing");
    let v = Vault::open(&t.dir, &new, TEST_OPEN).unwrap();
    assert_ok(&v);
    drop(v);
    assert!(!t.dir.join("keys.next").exists(), "dropped");
    assert_eq!(fs::read(t.dir.join("keys")).unwrap(), after);
    Vault::open_with_recovery(&t.dir, &t.code, TEST_OPEN).unwrap();
}

/// A recovery slot planted in the key file (its checksum is not keyed: anyone can
/// rewrite it) is never carried into a new key file: a passphrase change refuses it,
/// and his code opens nothing.
#[test]
fn a_planted_recovery_slot_is_never_sealed_to() {
    let mut t = TestVault::new();
    t.close();
    let his_dir = t.scratch("his");
    let (his, his_code) = Vault::init(
        &his_dir,
        &Passphrase::new("his own long passphrase here"),
        KdfCost::InsecureTestOnly,
    )
    .unwrap();
    drop(his);
    let line = |p: &Path| -> serde_json::Value {
        serde_json::from_str(fs::read_to_string(p).unwrap().lines().next().unwrap()).unwrap()
    };
    let mut mine = line(&t.dir.join("keys"));
    mine["slots"][1] = line(&his_dir.join("keys"))["slots"][1].clone();
    let json = serde_json::to_string(&mine).unwrap();
    fs::write(
        t.dir.join("keys"),
        format!("{json}\nsha256:{}\n", sha_hex(json.as_bytes())),
    )
    .unwrap();
    let mut v = open(&t.dir).unwrap();
    let r = v.change_passphrase(
        &Passphrase::new("a new and longer passphrase"),
        KdfCost::InsecureTestOnly,
    );
    assert!(matches!(r, Err(Error::KeysDamaged(_))), "{r:?}");
    drop(v);
    assert!(Vault::open_with_recovery(&t.dir, &his_code.display(), TEST_OPEN).is_err());
    // Her passphrase still opens it.
    assert_ok(&open(&t.dir).unwrap());
}

#[test]
fn an_easy_passphrase_is_refused_by_the_core_for_every_shell() {
    let tmp = tempfile::tempdir().unwrap();
    for weak in ["password", "password1", "qwertyuiop", "iloveyou2"] {
        let r = Vault::init(
            &tmp.path().join("v"),
            &Passphrase::new(weak),
            KdfCost::InsecureTestOnly,
        );
        assert!(matches!(r, Err(Error::WeakPassphrase)), "{weak}: {r:?}");
    }
    let mut t = TestVault::new();
    let r = t
        .v()
        .change_passphrase(&Passphrase::new("password"), KdfCost::InsecureTestOnly);
    assert!(matches!(r, Err(Error::WeakPassphrase)), "{r:?}");
    t.reopen();
}

/// Thirty seconds at an unlocked window: without her passphrase typed again, nothing
/// that destroys, copies out or weakens goes through; typed once, one change does.
#[test]
fn an_unlocked_window_does_nothing_destructive_without_the_passphrase_again() {
    let mut t = TestVault::new();
    let a = t.v().add_incident(incident("Kept", "evidence")).unwrap();
    // A window that stays open ends the authorization that opening gave.
    t.r().end_authorization();
    let needs = |r: cairn_core::Result<()>| {
        assert!(matches!(r, Err(Error::PassphraseNeeded)), "{r:?}");
    };
    needs(t.v().redact(&a.id, "his reason").map(|_| ()));
    let his = t.scratch("his-stick");
    needs(t.v().backup(&his, &NEVER, &|_| {}).map(|_| ()));
    assert!(!his.join("vault.db").exists());
    needs(t.r().set_decoy(
        &Passphrase::new("walnut ferry morning lantern"),
        KdfCost::InsecureTestOnly,
        TEST_OPEN,
    ));
    let weaker = cairn_core::Settings {
        auto_lock_minutes: 240,
        ..cairn_core::Settings::default()
    };
    needs(t.r().save_settings(&weaker));
    // A stricter setting needs nothing.
    let stricter = cairn_core::Settings {
        auto_lock_minutes: 1,
        ..cairn_core::Settings::default()
    };
    t.r().save_settings(&stricter).unwrap();
    // A wrong passphrase is refused; the right one allows exactly one change.
    assert!(matches!(
        t.r()
            .authorize(&Passphrase::new("his guess at it"), TEST_OPEN),
        Err(Error::WrongPassphrase)
    ));
    needs(t.v().redact(&a.id, "his reason").map(|_| ()));
    t.r().authorize(&Passphrase::new(PASS), TEST_OPEN).unwrap();
    t.v().redact(&a.id, "entered by mistake").unwrap();
    let b = t
        .v()
        .add_incident(incident("Also kept", "evidence"))
        .unwrap();
    needs(t.v().redact(&b.id, "his reason").map(|_| ()));
    assert_ok(t.r());
}

/// Someone who once copied the vault folder puts that copy back: everything added
/// since is gone, and the vault on its own cannot tell. The next backup to her stick
/// can: the stick holds the later head, and the backup says so, naming both.
#[test]
fn a_vault_folder_put_back_to_an_older_copy_is_found_at_the_next_backup() {
    let mut t = TestVault::new();
    t.v()
        .add_incident(incident("Early", "before he copied it"))
        .unwrap();
    t.close();
    let old = t.scratch("his-copy");
    copy_tree(&t.dir, &old);
    t.reopen();
    t.v()
        .add_incident(incident("Later", "after he copied it"))
        .unwrap();
    let stick = t.scratch("stick");
    t.v().authed().backup(&stick, &NEVER, &|_| {}).unwrap();
    t.close();
    // He puts his copy back.
    fs::remove_dir_all(&t.dir).unwrap();
    copy_tree(&old, &t.dir);
    t.reopen();
    assert_ok(t.r());
    let tree = hash_tree(&stick);
    match t.v().backup(&stick, &NEVER, &|_| {}) {
        Err(e @ Error::RolledBack(_)) => {
            assert_eq!(e.code(), "rolled_back");
            let msg = e.to_string();
            assert!(msg.contains("put back to an older copy"), "{msg}");
            assert!(msg.contains("this vault holds only"), "{msg}");
        }
        other => panic!("expected the roll-back to be found, got {other:?}"),
    }
    assert_eq!(hash_tree(&stick), tree, "the stick's later copy is kept");
    // Even after she writes more (the two have parted), it is still found.
    t.v()
        .add_incident(incident("After", "written after the roll-back"))
        .unwrap();
    t.v().add_incident(incident("After 2", "and more")).unwrap();
    assert!(matches!(
        t.v().backup(&stick, &NEVER, &|_| {}),
        Err(Error::RolledBack(_))
    ));
}

/// A key file rewritten (with its unkeyed checksum recomputed) to ask for more memory
/// than an unlock may use is reported as damage, before any KDF runs, and is not
/// counted as a wrong passphrase.
#[test]
fn a_key_file_asking_for_too_much_memory_is_damage_not_an_attempt() {
    let mut t = TestVault::new();
    t.close();
    let text = fs::read_to_string(t.dir.join("keys")).unwrap();
    let json = text.lines().next().unwrap();
    let mut v: serde_json::Value = serde_json::from_str(json).unwrap();
    v["slots"][0]["kdf"]["m_kib"] = serde_json::json!(2 * 1024 * 1024);
    let json = serde_json::to_string(&v).unwrap();
    fs::write(
        t.dir.join("keys"),
        format!("{json}\nsha256:{}\n", sha_hex(json.as_bytes())),
    )
    .unwrap();
    for _ in 0..4 {
        match open(&t.dir) {
            Err(e @ Error::KdfOutOfRange(_)) => assert_eq!(e.code(), "kdf_out_of_range"),
            other => panic!("expected damage, got {:?}", other.map(|_| ())),
        }
    }
    assert!(!t.dir.join("attempts").exists(), "not counted as attempts");
    assert!(Vault::unlock_wait(&t.dir).is_zero());
}

/// Decay on the stick (a flipped bit, a file gone, a database page that no longer
/// checks) is found by a scrub, which reads every file there back, and put right from
/// the vault; a backup alone never re-reads what it wrote before.
#[test]
fn a_scrub_finds_and_repairs_decay_on_the_stick() {
    let mut t = TestVault::new();
    for i in 0..3 {
        add_bytes(t.v(), &format!("p{i}.jpg"), &pseudo_random(90_000, 20 + i));
    }
    for i in 0..200 {
        t.v()
            .add_incident(incident(&format!("Entry {i}"), "words to fill pages"))
            .unwrap();
    }
    let stick = t.scratch("stick");
    t.v().authed().backup(&stick, &NEVER, &|_| {}).unwrap();
    let files = blob_files(&stick);
    // A bit flips in one file; another goes.
    let mut bytes = fs::read(&files[0]).unwrap();
    bytes[50_000] ^= 0x10;
    fs::write(&files[0], &bytes).unwrap();
    fs::remove_file(&files[1]).unwrap();
    // The next ordinary backup does not notice (it copies only what is new).
    let r = t.v().backup(&stick, &NEVER, &|_| {}).unwrap();
    assert_eq!(r.files_copied, 1, "only the missing one, by its absence");
    fs::remove_file(&files[1]).unwrap();
    // A page of the database decays too.
    let db = stick.join("vault.db");
    let mut d = fs::read(&db).unwrap();
    let mid = d.len() / 2;
    d[mid] ^= 0x01;
    fs::write(&db, &d).unwrap();

    let r = t.v().scrub_backup(&stick, &NEVER, &|_, _| {}).unwrap();
    assert_eq!(r.files_checked, files.len() as u64);
    let mut fixed = r.files_repaired.clone();
    fixed.sort();
    let mut want = vec![blob_id(&files[0]), blob_id(&files[1])];
    want.sort();
    assert_eq!(fixed, want, "{r:?}");
    assert!(r.database_repaired, "{r:?}");
    // The check and what it put right are in her history.
    let last = t.v().chain().unwrap().pop().unwrap();
    assert_eq!(last.kind, "vault.backup_checked");
    assert_eq!(last.meta["files_repaired"], 2);
    assert_eq!(last.meta["database_repaired"], true);
    // Clean now: a second scrub repairs nothing, and the stick verifies in full.
    let r = t.v().scrub_backup(&stick, &NEVER, &|_, _| {}).unwrap();
    assert!(r.files_repaired.is_empty() && !r.database_repaired, "{r:?}");
    let copy = open(&stick).unwrap();
    assert_ok(&copy);
    assert!(verify(&copy).ok);
    drop(copy);
    assert_ok(t.v());

    // The monthly prompt: not due just after a check, due a month on.
    let status = t.v().backup_status().unwrap();
    assert!(
        status.last_checked.is_some() && !status.check_due,
        "{status:?}"
    );
    let later = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
        + 31 * 24 * 3600 * 1000;
    t.v().set_clock_for_tests(Box::new(move || later));
    assert!(t.v().backup_status().unwrap().check_due);
}

/// A backup never checked is due a check a month after the first backup.
#[test]
fn a_backup_never_checked_is_due_a_check_a_month_on() {
    let mut t = TestVault::new();
    t.v().add_incident(incident("a", "b")).unwrap();
    let status = t.v().backup_status().unwrap();
    assert!(!status.check_due, "no backup, nothing to check: {status:?}");
    let stick = t.scratch("stick");
    t.v().authed().backup(&stick, &NEVER, &|_| {}).unwrap();
    assert!(!t.v().backup_status().unwrap().check_due);
    let later = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
        + 31 * 24 * 3600 * 1000;
    t.v().set_clock_for_tests(Box::new(move || later));
    let status = t.v().backup_status().unwrap();
    assert!(
        status.check_due && status.last_checked.is_none(),
        "{status:?}"
    );
}

/// Links and pipes planted among the vault's own files (found in a red-team pass):
/// `blobs/tmp` linked to a folder of hers (every opening used to empty it), `attempts`
/// as a pipe (every command hung) or a link (a wrong passphrase wrote through it),
/// `vault.lock` as a link (created a file elsewhere). Each is refused or ignored, and
/// nothing outside is touched.
#[cfg(unix)]
#[test]
fn links_and_pipes_in_the_vault_folder_touch_nothing_outside() {
    use std::os::unix::fs::symlink;
    let mut t = TestVault::new();
    add_bytes(t.v(), "a.jpg", &pseudo_random(10_000, 30));
    t.close();
    let hers = t.scratch("her-documents");
    fs::create_dir_all(&hers).unwrap();
    fs::write(hers.join("letter.txt"), b"a letter").unwrap();

    // blobs/tmp → her folder.
    fs::remove_dir_all(t.dir.join("blobs/tmp")).unwrap();
    symlink(&hers, t.dir.join("blobs/tmp")).unwrap();
    refused_as_unsafe(open(&t.dir).map(|_| ()));
    assert_eq!(fs::read(hers.join("letter.txt")).unwrap(), b"a letter");
    fs::remove_file(t.dir.join("blobs/tmp")).unwrap();
    fs::create_dir(t.dir.join("blobs/tmp")).unwrap();

    // attempts → her letter: a wrong passphrase writes nothing through it.
    symlink(hers.join("letter.txt"), t.dir.join("attempts")).unwrap();
    assert!(Vault::open(&t.dir, &Passphrase::new("a wrong guess at it"), TEST_OPEN).is_err());
    assert_eq!(fs::read(hers.join("letter.txt")).unwrap(), b"a letter");
    fs::remove_file(t.dir.join("attempts")).unwrap();

    // attempts as a pipe: nothing waits on it.
    mkfifo(&t.dir.join("attempts"));
    let dir = t.dir.clone();
    let r = within_20s(move || {
        let _ = Vault::unlock_wait(&dir);
        Vault::open(&dir, &Passphrase::new("a wrong guess at it"), TEST_OPEN).map(|_| ())
    });
    assert!(r.is_err());
    fs::remove_file(t.dir.join("attempts")).unwrap();

    // vault.lock → a new name in her folder: nothing is created there.
    let _ = fs::remove_file(t.dir.join("vault.lock"));
    symlink(hers.join("made-by-cairn"), t.dir.join("vault.lock")).unwrap();
    refused_as_unsafe(open(&t.dir).map(|_| ()));
    assert!(!hers.join("made-by-cairn").exists());
    fs::remove_file(t.dir.join("vault.lock")).unwrap();

    // `alt` → her folder: the decoy is never tried there, and opening refuses.
    symlink(&hers, t.dir.join("alt")).unwrap();
    assert!(open(&t.dir).is_err());
    assert!(!hers.join("vault.lock").exists());
    fs::remove_file(t.dir.join("alt")).unwrap();
    assert_ok(&open(&t.dir).unwrap());
}

/// A backup folder that is itself a link (named with a trailing slash, as tab
/// completion writes it), a restore from one or into one, and a restore into the
/// backup itself are refused.
#[cfg(unix)]
#[test]
fn a_linked_backup_or_restore_folder_is_refused_however_it_is_named() {
    let mut t = TestVault::new();
    add_bytes(t.v(), "a.jpg", &pseudo_random(10_000, 31));
    let laptop = t.scratch("laptop-folder");
    fs::create_dir_all(&laptop).unwrap();
    let stick = t.scratch("stick");
    fs::create_dir_all(&stick).unwrap();
    std::os::unix::fs::symlink(&laptop, stick.join("CairnBackup")).unwrap();
    let slashed = PathBuf::from(format!("{}/", stick.join("CairnBackup").display()));
    refused_as_unsafe(t.v().authed().backup(&slashed, &NEVER, &|_| {}).map(|_| ()));
    assert_eq!(
        fs::read_dir(&laptop).unwrap().count(),
        0,
        "nothing written there"
    );

    let real = t.scratch("real-backup");
    t.v().authed().backup(&real, &NEVER, &|_| {}).unwrap();
    std::os::unix::fs::symlink(&real, stick.join("Linked")).unwrap();
    let slashed = PathBuf::from(format!("{}/", stick.join("Linked").display()));
    refused_as_unsafe(restore(&slashed, &t.scratch("r1"), &NEVER).map(|_| ()));
    let target = t.scratch("elsewhere");
    fs::create_dir_all(&target).unwrap();
    std::os::unix::fs::symlink(&target, t.scratch("r2")).unwrap();
    refused_as_unsafe(restore(&real, &t.scratch("r2"), &NEVER).map(|_| ()));
    assert_eq!(fs::read_dir(&target).unwrap().count(), 0);
    assert!(restore(&real, &real.join("inside"), &NEVER).is_err());
}

/// The stick's files renamed to look like a first backup cut short (`vault.db.tmp`,
/// `keys.tmp`, `blobs.tmp`): the backup from a rolled-back vault neither passes quietly
/// nor deletes the newer database.
#[test]
fn a_stick_dressed_as_a_backup_cut_short_is_not_overwritten() {
    let mut t = TestVault::new();
    t.v().add_incident(incident("Early", "x")).unwrap();
    t.close();
    let old = t.scratch("his-copy");
    copy_tree(&t.dir, &old);
    t.reopen();
    t.v().add_incident(incident("Later", "y")).unwrap();
    let stick = t.scratch("stick");
    t.v().authed().backup(&stick, &NEVER, &|_| {}).unwrap();
    t.close();
    fs::remove_dir_all(&t.dir).unwrap();
    copy_tree(&old, &t.dir);
    t.reopen();
    for n in ["vault.db", "keys", "blobs"] {
        fs::rename(stick.join(n), stick.join(format!("{n}.tmp"))).unwrap();
    }
    let before = fs::read(stick.join("vault.db.tmp")).unwrap();
    let r = t.v().authed().backup(&stick, &NEVER, &|_| {});
    assert!(r.is_err(), "{r:?}");
    assert_eq!(fs::read(stick.join("vault.db.tmp")).unwrap(), before);
}

/// Redaction refused because a stored file is a planted link leaves no tombstone: the
/// item is as it was, and the vault still opens.
#[cfg(unix)]
#[test]
fn a_refused_redaction_changes_nothing() {
    let mut t = TestVault::new();
    let (id, _) = file_with_its_blob_linked_outside(&mut t);
    refused_as_unsafe(t.v().authed().redact(&id, "entered by mistake"));
    assert!(t.r().show(&id).unwrap().redaction.is_none());
    t.reopen();
    assert!(t.r().show(&id).unwrap().record.is_some());
}

/// Scrub never replaces a database it cannot open (another vault's backup, or one
/// damaged where it cannot be checked), and a `keys.next` planted on the stick is not
/// adopted by a backup or a scrub.
#[test]
fn scrub_and_backup_leave_what_is_not_theirs() {
    let mut t = TestVault::new();
    add_bytes(t.v(), "a.jpg", &pseudo_random(20_000, 40));
    let stick = t.scratch("stick");
    t.v().authed().backup(&stick, &NEVER, &|_| {}).unwrap();
    // Another vault's backup on another stick.
    let mut other = TestVault::new();
    let other_stick = t.scratch("other-stick");
    other
        .v()
        .authed()
        .backup(&other_stick, &NEVER, &|_| {})
        .unwrap();
    let tree = hash_tree(&other_stick);
    assert!(t
        .v()
        .scrub_backup(&other_stick, &NEVER, &|_, _| {})
        .is_err());
    assert_eq!(
        hash_tree(&other_stick),
        tree,
        "another vault's backup untouched"
    );
    // His key file planted as keys.next on her stick.
    fs::copy(other.dir.join("keys"), stick.join("keys.next")).unwrap();
    t.v().backup(&stick, &NEVER, &|_| {}).unwrap();
    assert!(!stick.join("keys.next").exists());
    assert_ok(&open(&stick).unwrap());
    fs::copy(other.dir.join("keys"), stick.join("keys.next")).unwrap();
    t.v().scrub_backup(&stick, &NEVER, &|_, _| {}).unwrap();
    assert_ok(&open(&stick).unwrap());
    assert!(Vault::open_with_recovery(&stick, &t.code, TEST_OPEN).is_ok());
}

/// Found by a red-team pass: a stick whose key file someone changed (both slots) was
/// checked "nothing had decayed" and left so that nothing opened it. A check now puts
/// the vault's key file back.
#[test]
fn a_check_puts_back_a_key_file_changed_on_the_stick() {
    let mut t = TestVault::new();
    t.v().add_incident(incident("kept", "safe")).unwrap();
    let stick = t.scratch("stick");
    t.v().authed().backup(&stick, &NEVER, &|_| {}).unwrap();
    rewrite_keys(&stick, |v| {
        for slot in v["slots"].as_array_mut().unwrap() {
            if slot["kind"] == "passphrase" {
                slot["kdf"]["t"] = 2.into();
            } else {
                slot["kdf"]["public"] = "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=".into();
            }
        }
    });
    assert!(open(&stick).is_err(), "the stick no longer opens");
    let r = t.v().scrub_backup(&stick, &NEVER, &|_, _| {}).unwrap();
    assert!(r.keys_repaired && !r.database_repaired, "{r:?}");
    assert_eq!(
        t.v().chain().unwrap().pop().unwrap().meta["keys_repaired"],
        true
    );
    let copy = open(&stick).expect("the stick opens again with her passphrase");
    assert!(!copy.keys_altered());
    drop(copy);
    Vault::open_with_recovery(&stick, &t.code, TEST_OPEN).expect("and with her code");
    let r = t.v().scrub_backup(&stick, &NEVER, &|_, _| {}).unwrap();
    assert!(!r.keys_repaired, "clean now: {r:?}");
}

/// Found by a red-team pass: opening a stick whose key file was changed recorded that
/// in the stick's chain, and every later backup to it was refused as a roll-back. The
/// entry is carried into the vault's chain, as tries on the stick are.
#[test]
fn a_change_found_on_the_stick_is_carried_not_taken_for_a_roll_back() {
    let mut t = TestVault::new();
    t.v().add_incident(incident("kept", "safe")).unwrap();
    let stick = t.scratch("stick");
    t.v().authed().backup(&stick, &NEVER, &|_| {}).unwrap();
    rewrite_keys(&stick, |v| {
        v["slots"].as_array_mut().unwrap().reverse();
    });
    let copy = open(&stick).expect("her passphrase opens the stick");
    assert!(copy.keys_altered(), "the reordered slots are found");
    drop(copy);
    t.v()
        .backup(&stick, &NEVER, &|_| {})
        .expect("the next backup goes ahead");
    let carried = t
        .v()
        .chain()
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "vault.keys_altered")
        .count();
    assert_eq!(carried, 1, "carried into the vault's chain once");
    t.v().backup(&stick, &NEVER, &|_| {}).unwrap();
    assert_ok(t.v());
    let copy = open(&stick).unwrap();
    assert!(
        !copy.keys_altered(),
        "the backup wrote the vault's key file back"
    );
}
