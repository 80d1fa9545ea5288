//! Scrubbing a backup: every file on the stick read back and checked, and what has
//! decayed there (a flipped bit, a file gone, a database page that no longer checks)
//! put right from the vault. A backup only copies what is new, so without this a file
//! written to a stick a year ago is never read again until the day it is needed.
//!
//! Each stored file on the stick is decrypted and authenticated under its key from the
//! vault (XChaCha20-Poly1305 per chunk: one changed bit fails), so the stick is read
//! once and the vault's copy only for a file that needs replacing. The backup's
//! database is opened and checked page by page (SQLCipher's HMACs), and replaced from
//! the vault if any page fails. Nothing is removed from the stick.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use serde::Serialize;
use sha2::Digest;

use crate::backup::copy_checked;
use crate::blobs::{self, BlobReader, TMP_DIR};
use crate::error::{Error, Result};
use crate::fsutil;
use crate::keys::{Keys, KEYS_FILE};
use crate::store::DB_FILE;
use crate::verify::VerifyOptions;
use crate::Vault;

/// The chain entry kind that records a backup checked (scrubbed): `meta` holds
/// `files_checked`, `files_repaired` and `database_repaired`.
pub const SCRUB_ENTRY: &str = "vault.backup_checked";

/// What a scrub found and did.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScrubReport {
    /// The backup folder.
    pub dest: String,
    /// Stored files read back and checked.
    pub files_checked: u64,
    /// Their bytes.
    pub bytes_checked: u64,
    /// Stored files that had decayed or gone, each replaced from the vault.
    pub files_repaired: Vec<String>,
    /// The backup's database failed its page check and was replaced from the vault.
    pub database_repaired: bool,
    /// The backup's key file did not hold the vault's slots (changed there, or
    /// decayed) and was replaced from the vault (with the database, when that was).
    pub keys_repaired: bool,
}

impl Vault {
    /// Scrubs the backup in `dest` (see the module documentation): it must be a backup
    /// of this vault. Stops between files when `cancel` is set.
    pub fn scrub_backup(
        &mut self,
        dest: &Path,
        cancel: &AtomicBool,
        progress: &dyn Fn(u64, u64),
    ) -> Result<ScrubReport> {
        fsutil::not_a_link(dest)?;
        if let (Ok(a), Ok(b)) = (self.dir().canonicalize(), dest.canonicalize()) {
            if a.starts_with(&b) || b.starts_with(&a) {
                return Err(Error::BackupRefused(
                    "A backup is outside the vault's folder (and not around it); choose the folder you back up to.".into(),
                ));
            }
        }
        fsutil::check_tree(dest)?;
        if !Vault::exists(dest) {
            return Err(Error::BackupRefused(format!(
                "{} is not a backup of this vault; choose the folder you back up to.",
                dest.display()
            )));
        }
        // Only this vault's backup, whose history this vault's extends, is scrubbed: a
        // database there that does not open is never replaced (it may be another
        // vault's, or the newer copy of a vault put back to an older one).
        crate::backup::remove_planted_next(dest)?;
        let lock = self.check_backup_folder(dest).map_err(|e| match e {
            Error::BackupRefused(_) => Error::BackupRefused(
                "The backup's database does not open with this vault's key: it is another vault's, or damaged where it cannot be checked. It was left as it is; back up to a new folder.".into(),
            ),
            e => e,
        })?;
        drop(lock);
        let database_ok = self.backup_database_checks(dest, cancel)?;
        let lock = crate::vault::open_lock(dest)?;

        let ids = blobs::list_ids(self.dir())?;
        let mut total = 0u64;
        let mut sizes = Vec::with_capacity(ids.len());
        for id in &ids {
            let (key, size) = self.blob_key(id)?;
            total += size;
            sizes.push((id, key, size));
        }
        let mut done = 0u64;
        let mut repaired = Vec::new();
        fsutil::create_private_dir(&dest.join(TMP_DIR))?;
        for (id, key, size) in sizes {
            if cancel.load(std::sync::atomic::Ordering::SeqCst) {
                return Err(Error::Cancelled);
            }
            let there = BlobReader::open(dest, id, &key, size)
                .and_then(|r| r.stream_to(&mut std::io::sink()).map(|_| ()));
            match there {
                Ok(()) => {}
                Err(Error::BlobDamaged { .. } | Error::BlobMissing(_)) => {
                    // Only from a copy that itself checks out.
                    self.open_blob(id)?
                        .stream_to(&mut std::io::sink())
                        .map_err(|e| {
                            Error::BackupRefused(format!(
                                "Stored file {id} is damaged on the backup and in the vault too ({e}); run `cairn verify`."
                            ))
                        })?;
                    let to = blobs::path(dest, id)?;
                    let parent = to.parent().unwrap_or(dest).to_path_buf();
                    fsutil::create_private_dir(&parent)?;
                    if to.exists() {
                        std::fs::remove_file(&to).map_err(|e| Error::io("remove", &to, e))?;
                    }
                    let part = dest.join(TMP_DIR).join(format!("{id}.part"));
                    copy_checked(
                        &blobs::path(self.dir(), id)?,
                        &part,
                        &to,
                        cancel,
                        &mut |_| {},
                    )?;
                    fsutil::sync_dir(&parent)?;
                    repaired.push(id.clone());
                }
                Err(e) => return Err(e),
            }
            done += size;
            progress(done, total);
        }

        // The stick's key file must hold the vault's slots: one someone changed there
        // (or that decayed) would leave a backup nothing opens. Put right like a file.
        let keys_ok = database_ok
            && match (Keys::read(dest), Keys::read(self.dir())) {
                (Ok(there), Ok(here)) => there.same_slots(&here),
                _ => false,
            };
        if database_ok && !keys_ok {
            self.copy_to_backup(dest, &[KEYS_FILE], cancel)?;
        }
        drop(lock);
        if !database_ok {
            self.replace_backup_database(dest, cancel)?;
            if !self.backup_database_checks(dest, cancel)? {
                return Err(Error::BackupRefused(
                    "The backup's database was replaced but still does not check out; the drive may be failing. Back up to a new one.".into(),
                ));
            }
        }
        // Recorded in her chain, so a check (and what it repaired) is part of the
        // history, and the app knows when to remind her of the next one.
        let vault_id = self.vault_id.clone();
        let text = format!(
            "{}\n{}\n{}\n{}\n",
            ids.len(),
            repaired.join(","),
            !database_ok,
            !keys_ok
        );
        self.write(|w| {
            let mut meta = serde_json::Map::new();
            meta.insert("files_checked".into(), serde_json::json!(ids.len()));
            meta.insert("files_repaired".into(), serde_json::json!(repaired.len()));
            meta.insert("database_repaired".into(), serde_json::json!(!database_ok));
            meta.insert("keys_repaired".into(), serde_json::json!(!keys_ok));
            w.append(
                SCRUB_ENTRY,
                &vault_id,
                &sha2::Sha256::digest(text.as_bytes()).into(),
                meta,
            )
            .map(|_| ())
        })?;
        Ok(ScrubReport {
            dest: dest.display().to_string(),
            files_checked: ids.len() as u64,
            bytes_checked: done,
            files_repaired: repaired,
            database_repaired: !database_ok,
            keys_repaired: !keys_ok,
        })
    }

    /// True if the backup's database opens with this vault's key and every page checks.
    fn backup_database_checks(&self, dest: &Path, cancel: &AtomicBool) -> Result<bool> {
        let master = self.master.clone();
        let copy = match Vault::open_with(dest, move |_| Ok(master.clone())) {
            Ok(v) => v,
            Err(Error::DatabaseDamaged(_) | Error::Database(_)) => return Ok(false),
            Err(e) => return Err(e),
        };
        let report = copy.verify_cancellable(VerifyOptions { quick: true }, &|_, _| {}, cancel)?;
        // Stored files are checked one by one in the scrub; here the rest counts.
        Ok(!report.problems.iter().any(|p| !p.code.starts_with("blob_")))
    }

    /// Replaces the backup's database and key file with this vault's, each read back.
    fn replace_backup_database(&mut self, dest: &Path, cancel: &AtomicBool) -> Result<()> {
        crate::store::fold_log(&self.conn)?;
        let _lock = crate::vault::open_lock(dest)?;
        for side in ["-wal", "-shm"] {
            let p = dest.join(format!("{DB_FILE}{side}"));
            if p.exists() {
                std::fs::remove_file(&p).map_err(|e| Error::io("remove", &p, e))?;
            }
        }
        self.copy_to_backup(dest, &[DB_FILE, KEYS_FILE], cancel)
    }

    /// Copies the vault's files `names` over the backup's, each read back; a record of
    /// the key file someone once opened the backup with no longer applies.
    fn copy_to_backup(&self, dest: &Path, names: &[&str], cancel: &AtomicBool) -> Result<()> {
        for name in names {
            copy_checked(
                &self.dir().join(name),
                &dest.join(format!("{name}.tmp")),
                &dest.join(name),
                cancel,
                &mut |_| {},
            )?;
        }
        crate::keys::forget_seen(dest)?;
        fsutil::sync_dir(dest)
    }
}
