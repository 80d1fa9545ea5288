//! Backups and restores: a backup is a complete vault opened with the same secrets,
//! copies only what it lacks, follows redactions, never overwrites what only it
//! holds, and is recorded in the chain.

use std::fs;
use std::path::Path;
use std::sync::atomic::AtomicBool;

use cairn_core::backup::{restore, BackupReport, BACKUP_ENTRY};
use cairn_core::{OpenOptions, Vault};

use crate::common::*;

static NEVER: AtomicBool = AtomicBool::new(false);

fn backup(t: &mut TestVault, dest: &Path) -> cairn_core::Result<BackupReport> {
    t.v().authed().backup(dest, &NEVER, &|_| {})
}

#[test]
fn a_backup_is_a_vault_opened_with_the_same_passphrase_or_recovery_code() {
    let mut t = TestVault::new();
    let inc = t
        .v()
        .add_incident(incident("Kitchen", "He threw the plate"))
        .unwrap()
        .id;
    let photo = add_bytes(t.v(), "bruise.jpg", &pseudo_random(300_000, 1));
    let dest = t.scratch("usb/backup");
    let r = backup(&mut t, &dest).unwrap();
    assert_eq!((r.files_copied, r.files_kept, r.files_removed), (1, 0, 0));
    assert!(r.bytes_written > 300_000);
    assert!(t.r().last_backup().unwrap().is_some());
    let last = t.r().chain().unwrap().pop().unwrap();
    assert_eq!(last.kind, BACKUP_ENTRY);
    assert_eq!(
        r.entries,
        last.seq - 1,
        "the backup holds every entry before its record"
    );
    assert_eq!(
        last.content_sha256,
        sha_hex(&fs::read(dest.join("vault.db")).unwrap()),
        "the record names the database copied"
    );

    let copy = open(&dest).unwrap();
    assert_ok(&copy);
    assert_eq!(copy.show(&inc).unwrap().record.unwrap()["title"], "Kitchen");
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut copy.open_original(&photo.id).unwrap(), &mut bytes).unwrap();
    assert_eq!(bytes, pseudo_random(300_000, 1));
    drop(copy);
    let by_code = Vault::open_with_recovery(&dest, &t.code, TEST_OPEN).unwrap();
    assert_eq!(by_code.list().unwrap().len(), 2);
    assert_ok(t.r());
}

#[test]
fn she_is_reminded_when_there_is_no_backup_or_it_is_a_week_old() {
    use cairn_core::backup::REMIND_AFTER_MS;
    use std::sync::atomic::{AtomicI64, Ordering};
    use std::sync::Arc;
    let mut t = TestVault::new();
    let now = Arc::new(AtomicI64::new(1_700_000_000_000));
    let clock = now.clone();
    t.v()
        .set_clock_for_tests(Box::new(move || clock.load(Ordering::SeqCst)));
    let status = t.r().backup_status().unwrap();
    assert_eq!(
        (status.last, status.due),
        (None, false),
        "nothing to back up yet"
    );
    t.v().add_incident(incident("One", "x")).unwrap();
    assert!(t.r().backup_status().unwrap().due);
    let dest = t.scratch("b");
    backup(&mut t, &dest).unwrap();
    let status = t.r().backup_status().unwrap();
    assert_eq!(status.last.as_deref(), Some("2023-11-14T22:13:20.000Z"));
    assert!(!status.due);
    now.fetch_add(REMIND_AFTER_MS, Ordering::SeqCst);
    assert!(
        !t.r().backup_status().unwrap().due,
        "a week to the millisecond"
    );
    now.fetch_add(1, Ordering::SeqCst);
    assert!(t.r().backup_status().unwrap().due);
}

#[test]
fn the_next_backup_copies_only_new_files_and_follows_redactions() {
    let mut t = TestVault::new();
    let a = add_bytes(t.v(), "a.jpg", &pseudo_random(50_000, 2));
    let b = add_bytes(t.v(), "b.jpg", &pseudo_random(50_000, 3));
    let dest = t.scratch("backup");
    backup(&mut t, &dest).unwrap();
    let before = blob_files(&dest);
    assert_eq!(before.len(), 2);

    let c = add_bytes(t.v(), "c.jpg", &pseudo_random(80_000, 4));
    t.v().authed().redact(&b.id, "entered by mistake").unwrap();
    let r = backup(&mut t, &dest).unwrap();
    assert_eq!((r.files_copied, r.files_kept, r.files_removed), (1, 1, 1));
    let copy = open(&dest).unwrap();
    assert_ok(&copy);
    assert!(copy.open_original(&c.id).is_ok());
    assert!(copy.open_original(&a.id).is_ok());
    assert_eq!(copy.show(&b.id).unwrap().record, None, "redacted there too");
    assert_eq!(
        blob_files(&dest).len(),
        2,
        "the redacted file is gone from the backup"
    );
    drop(copy);

    // Nothing new: nothing but the database and keys is written.
    let r = backup(&mut t, &dest).unwrap();
    assert_eq!((r.files_copied, r.files_kept, r.files_removed), (0, 2, 0));
}

#[test]
fn a_backup_goes_only_to_an_empty_folder_or_this_vaults_backup() {
    let mut t = TestVault::new();
    t.v().add_incident(incident("One", "x")).unwrap();
    let code = |r: cairn_core::Result<BackupReport>| r.unwrap_err().code();

    let full = t.scratch("documents");
    fs::create_dir_all(&full).unwrap();
    fs::write(full.join("letter.txt"), b"keep me").unwrap();
    assert_eq!(code(backup(&mut t, &full)), "backup_refused");
    assert_eq!(fs::read(full.join("letter.txt")).unwrap(), b"keep me");

    let inside = t.dir.join("blobs/mine");
    assert_eq!(code(backup(&mut t, &inside)), "backup_refused");
    assert!(!inside.exists(), "nothing is made inside the vault");
    let around = t.tmp.path().to_path_buf();
    assert_eq!(code(backup(&mut t, &around)), "backup_refused");

    // Another vault's backup is not overwritten.
    let mut other = TestVault::new();
    let theirs = other.scratch("theirs");
    backup(&mut other, &theirs).unwrap();
    let moved = t.scratch("theirs");
    copy_tree(&theirs, &moved);
    let tree = hash_tree(&moved);
    assert_eq!(code(backup(&mut t, &moved)), "backup_refused");
    assert_eq!(hash_tree(&moved), tree);
    assert_ok(t.r());
}

#[test]
fn a_backup_that_holds_entries_this_vault_lacks_is_kept() {
    let mut t = TestVault::new();
    let dest = t.scratch("backup");
    backup(&mut t, &dest).unwrap();
    // Someone opened the backup itself and wrote to it.
    let mut copy = open(&dest).unwrap();
    copy.add_incident(incident("Written in the backup", "only here"))
        .unwrap();
    drop(copy);
    t.v()
        .add_incident(incident("Written in the vault", "only here"))
        .unwrap();
    let tree = hash_tree(&dest);
    assert_eq!(backup(&mut t, &dest).unwrap_err().code(), "rolled_back");
    assert_eq!(hash_tree(&dest), tree, "nothing in the backup changed");
}

#[test]
fn a_cancelled_backup_leaves_the_previous_one_whole() {
    let mut t = TestVault::new();
    add_bytes(t.v(), "a.jpg", &pseudo_random(50_000, 5));
    let dest = t.scratch("backup");
    backup(&mut t, &dest).unwrap();
    add_bytes(t.v(), "b.jpg", &pseudo_random(3_000_000, 6));
    let size = t.r().chain().unwrap().len();
    let cancel = AtomicBool::new(true);
    let e = t.v().authed().backup(&dest, &cancel, &|_| {}).unwrap_err();
    assert_eq!(e.code(), "cancelled");
    assert_eq!(t.r().chain().unwrap().len(), size, "not recorded");
    let copy = open(&dest).unwrap();
    assert_ok(&copy);
    assert_eq!(copy.list().unwrap().len(), 1, "the previous backup, whole");
}

#[test]
fn restore_copies_a_backup_into_a_new_folder_that_opens_and_verifies() {
    let mut t = TestVault::new();
    let photo = add_bytes(t.v(), "bruise.jpg", &pseudo_random(120_000, 7));
    let dest = t.scratch("backup");
    backup(&mut t, &dest).unwrap();
    t.close();

    let to = t.scratch("restored");
    let r = restore(&dest, &to, &NEVER).unwrap();
    assert_eq!(r.files, 1);
    let v = open(&to).unwrap();
    assert_ok(&v);
    assert!(v.open_original(&photo.id).is_ok());
    drop(v);

    // Never over anything.
    assert_eq!(
        restore(&dest, &to, &NEVER).unwrap_err().code(),
        "backup_refused"
    );
    let not_a_backup = t.scratch("empty");
    fs::create_dir_all(&not_a_backup).unwrap();
    assert_eq!(
        restore(&not_a_backup, &t.scratch("x"), &NEVER)
            .unwrap_err()
            .code(),
        "backup_refused"
    );
}

#[test]
fn a_backup_made_by_the_first_version_restores_and_opens() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let tmp = tempfile::tempdir().unwrap();
    let to = tmp.path().join("restored");
    restore(&fixtures.join("vault-v1"), &to, &NEVER).unwrap();
    let pass = fs::read_to_string(fixtures.join("vault-v1.passphrase")).unwrap();
    let v = Vault::open(
        &to,
        &cairn_core::Passphrase::new(pass.trim_end()),
        OpenOptions {
            allow_insecure_kdf: true,
        },
    )
    .unwrap();
    assert_ok(&v);
    assert_eq!(v.list().unwrap().len(), 3);
}

#[test]
fn a_backup_cut_short_after_its_database_went_in_is_finished_when_opened() {
    let mut t = TestVault::new();
    let dest = t.scratch("backup");
    backup(&mut t, &dest).unwrap();
    let photo = add_bytes(t.v(), "new.jpg", &pseudo_random(70_000, 8));
    backup(&mut t, &dest).unwrap();
    // How the folder looks when a backup dies between putting its database in and
    // moving the new file into place: the file is still staged under blobs/tmp.
    let placed = blob_files(&dest).pop().unwrap();
    let id = blob_id(&placed);
    fs::rename(&placed, dest.join("blobs/tmp").join(&id)).unwrap();
    // And a half-copied file of a later attempt beside it, which is cleared.
    fs::write(
        dest.join("blobs/tmp/0123456789abcdef0123456789abcdef.part"),
        b"half",
    )
    .unwrap();
    let copy = open(&dest).unwrap();
    assert_ok(&copy);
    assert!(placed.exists(), "moved into place");
    assert!(copy.open_original(&photo.id).is_ok());
    assert_eq!(fs::read_dir(dest.join("blobs/tmp")).unwrap().count(), 0);
}

#[test]
fn a_file_missing_or_cut_short_in_the_vault_never_replaces_the_backups_copy() {
    let mut t = TestVault::new();
    add_bytes(t.v(), "a.jpg", &pseudo_random(60_000, 9));
    let dest = t.scratch("backup");
    backup(&mut t, &dest).unwrap();
    let tree = hash_tree(&dest);
    let file = blob_files(&t.dir).pop().unwrap();
    // Cut short on the laptop: refused, and the backup's good copy stays.
    let bytes = fs::read(&file).unwrap();
    fs::write(&file, &bytes[..1000]).unwrap();
    assert_eq!(backup(&mut t, &dest).unwrap_err().code(), "backup_refused");
    assert_eq!(hash_tree(&dest), tree);
    // Gone from the laptop: the same.
    fs::remove_file(&file).unwrap();
    assert_eq!(backup(&mut t, &dest).unwrap_err().code(), "backup_refused");
    assert_eq!(hash_tree(&dest), tree);
    // And the backup gives it back.
    drop(t.vault.take());
    let to = t.scratch("restored");
    restore(&dest, &to, &NEVER).unwrap();
    assert_ok(&open(&to).unwrap());
}

#[test]
fn a_folder_with_a_database_but_no_keys_is_not_taken_for_a_first_backup() {
    let mut t = TestVault::new();
    let mut other = TestVault::new();
    add_bytes(other.v(), "theirs.jpg", &pseudo_random(20_000, 10));
    other.close();
    fs::remove_file(other.dir.join("keys")).unwrap();
    let tree = hash_tree(&other.dir);
    assert_eq!(
        backup(&mut t, &other.dir.clone()).unwrap_err().code(),
        "backup_refused"
    );
    assert_eq!(
        hash_tree(&other.dir),
        tree,
        "another vault's files are untouched"
    );
}

#[test]
fn a_backup_opened_with_a_wrong_passphrase_can_still_be_backed_up_to() {
    let mut t = TestVault::new();
    let dest = t.scratch("backup");
    backup(&mut t, &dest).unwrap();
    // Someone tries the backup stick, then it is opened rightly.
    assert!(Vault::open(
        &dest,
        &cairn_core::Passphrase::new("a wrong guess at it"),
        TEST_OPEN
    )
    .is_err());
    drop(open(&dest).unwrap());
    backup(&mut t, &dest).unwrap();
    let tried: Vec<_> = t
        .r()
        .chain()
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "vault.unlock_failed")
        .collect();
    assert_eq!(tried.len(), 1, "carried into the vault's own record, once");
    assert!(tried[0].meta.contains_key("backup_entry"));
    backup(&mut t, &dest).unwrap();
    assert_eq!(
        t.r()
            .chain()
            .unwrap()
            .iter()
            .filter(|e| e.kind == "vault.unlock_failed")
            .count(),
        1
    );
    assert_ok(t.r());
}

#[test]
fn a_file_managers_litter_on_the_stick_does_not_stop_a_backup_or_restore() {
    let mut t = TestVault::new();
    add_bytes(t.v(), "a.jpg", &pseudo_random(30_000, 11));
    let dest = t.scratch("backup");
    backup(&mut t, &dest).unwrap();
    let sub = blob_files(&dest)
        .pop()
        .unwrap()
        .parent()
        .unwrap()
        .to_path_buf();
    fs::write(sub.join(".DS_Store"), b"finder").unwrap();
    fs::write(sub.join("Thumbs.db"), b"explorer").unwrap();
    add_bytes(t.v(), "b.jpg", &pseudo_random(30_000, 12));
    backup(&mut t, &dest).unwrap();
    restore(&dest, &t.scratch("restored"), &NEVER).unwrap();
}

#[test]
fn restoring_a_backup_cut_short_after_its_database_went_in_keeps_every_file() {
    let mut t = TestVault::new();
    let dest = t.scratch("backup");
    backup(&mut t, &dest).unwrap();
    let photo = add_bytes(t.v(), "new.jpg", &pseudo_random(40_000, 13));
    backup(&mut t, &dest).unwrap();
    let placed = blob_files(&dest).pop().unwrap();
    fs::rename(&placed, dest.join("blobs/tmp").join(blob_id(&placed))).unwrap();
    let to = t.scratch("restored");
    restore(&dest, &to, &NEVER).unwrap();
    let v = open(&to).unwrap();
    assert_ok(&v);
    assert!(v.open_original(&photo.id).is_ok());
}
