//! Backups: a copy of the vault in another folder (a USB stick, another drive, a
//! folder a trusted person keeps) that is itself a complete vault, opened with the
//! same passphrase or recovery code.
//!
//! A backup is incremental: stored files are never changed once written, so only new
//! ones are copied, and files redacted since the last backup are overwritten and
//! removed there too. The database is copied whole. At every moment the folder holds
//! either the previous backup or the new one, never a mixture: each file is written
//! beside its place, flushed, read back and compared, then renamed; new stored files
//! wait under `blobs/tmp` until the database that names them is in place. Opening a
//! backup cut short clears what it staged (before its database went in) or moves it
//! into place (after).
//!
//! Afterwards the backup is opened as a vault and checked, and the backup is recorded
//! in the vault's chain (`vault.backup`, with the SHA-256 of the database copied).

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;
use serde_json::{json, Map};
use sha2::{Digest, Sha256};

use crate::blobs::{self, BLOB_DIR, TMP_DIR};
use crate::chain;
use crate::clock::format_ms;
use crate::error::{Error, Result};
use crate::fsutil;
use crate::keys::{hex, KEYS_FILE};
use crate::store::{self, map_err, DB_FILE};
use crate::vault::{open_lock, Vault, LOCK_FILE};
use crate::verify::VerifyOptions;

/// The chain entry kind that records a backup.
pub const BACKUP_ENTRY: &str = "vault.backup";

/// What a backup is doing.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BackupStep {
    /// Copying stored files that the backup lacks.
    Files,
    /// Copying the database.
    Database,
    /// Opening the backup and checking it.
    Checking,
}

/// How far a backup has got: bytes of the step done out of its total.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BackupProgress {
    /// The step.
    pub step: BackupStep,
    /// Bytes done.
    pub done: u64,
    /// Bytes in all.
    pub total: u64,
}

/// What a backup did.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupReport {
    /// The backup folder.
    pub dest: String,
    /// Chain entries the backup holds (the vault's, up to the one before this backup's
    /// own record).
    pub entries: u64,
    /// Stored files copied this time.
    pub files_copied: u64,
    /// Stored files the backup already had.
    pub files_kept: u64,
    /// Files of redacted items removed from the backup.
    pub files_removed: u64,
    /// Bytes written to the backup folder.
    pub bytes_written: u64,
    /// When the backup was recorded (RFC 3339).
    pub recorded_at: String,
}

/// How long after the newest backup Cairn reminds her to make another: a week.
pub const REMIND_AFTER_MS: i64 = 7 * 24 * 60 * 60 * 1000;

/// How long after the last check of a backup (or the first backup) the app asks her to
/// check it again: a month.
pub const CHECK_AFTER_MS: i64 = 30 * 24 * 60 * 60 * 1000;

/// The newest backup, for the reminder.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupStatus {
    /// When the newest backup was recorded (RFC 3339), if there was one.
    pub last: Option<String>,
    /// Time to make one (see [`Vault::backup_status`]).
    pub due: bool,
    /// When a backup was last checked (scrubbed, [`Vault::scrub_backup`]), if ever.
    pub last_checked: Option<String>,
    /// Time to check it: the last check, or the first backup if none, is older than
    /// [`CHECK_AFTER_MS`].
    pub check_due: bool,
}

/// What a restore did.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RestoreReport {
    /// The new vault folder.
    pub to: String,
    /// Stored files copied.
    pub files: u64,
    /// Bytes copied.
    pub bytes: u64,
}

fn refused(msg: &str) -> Error {
    Error::BackupRefused(msg.into())
}

/// Copies `from` to `to` through `tmp` (created new, private): flushed, dropped from
/// the page cache where the platform allows, read back and compared, then renamed.
/// Returns the bytes copied and their SHA-256.
pub(crate) fn copy_checked(
    from: &Path,
    tmp: &Path,
    to: &Path,
    cancel: &AtomicBool,
    on_bytes: &mut dyn FnMut(u64),
) -> Result<(u64, [u8; 32])> {
    let _ = fs::remove_file(tmp);
    let mut src = fsutil::open_plain(from, false)?;
    let mut out = fsutil::create_private(tmp)?;
    let result = (|| {
        let (n, want) = hash_chunks(&mut src, from, "read", cancel, &mut |chunk| {
            out.write_all(chunk)
                .map_err(|e| Error::io("write", tmp, e))?;
            on_bytes(chunk.len() as u64);
            Ok(())
        })?;
        out.sync_all().map_err(|e| Error::io("flush", tmp, e))?;
        forget_cached(&out);
        let (m, got) = sha256_file(tmp, cancel)?;
        if m != n || got != want {
            return Err(Error::BackupRefused(format!(
                "What was written to {} did not read back the same; the drive may be failing. \
                 Nothing was replaced.",
                tmp.display()
            )));
        }
        fs::rename(tmp, to).map_err(|e| Error::io("replace", to, e))?;
        Ok((n, want))
    })();
    if result.is_err() {
        let _ = fs::remove_file(tmp);
    }
    result
}

/// Asks the kernel to drop its cached copy of `f`, so reading it back reads the drive.
fn forget_cached(f: &File) {
    #[cfg(target_os = "linux")]
    {
        let _ = rustix::fs::fadvise(f, 0, None, rustix::fs::Advice::DontNeed);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = f;
}

fn sha256_file(p: &Path, cancel: &AtomicBool) -> Result<(u64, [u8; 32])> {
    let mut f = fsutil::open_plain(p, false)?;
    hash_chunks(&mut f, p, "read back", cancel, &mut |_| Ok(()))
}

/// Reads `src` (the file at `path`) to its end a megabyte at a time, handing each
/// chunk to `each`; returns its length and SHA-256. Stops when `cancel` is set.
fn hash_chunks(
    src: &mut File,
    path: &Path,
    action: &'static str,
    cancel: &AtomicBool,
    each: &mut dyn FnMut(&[u8]) -> Result<()>,
) -> Result<(u64, [u8; 32])> {
    let mut sha = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        if cancel.load(Ordering::SeqCst) {
            return Err(Error::Cancelled);
        }
        let k = src.read(&mut buf).map_err(|e| Error::io(action, path, e))?;
        if k == 0 {
            return Ok((n, sha.finalize().into()));
        }
        each(&buf[..k])?;
        sha.update(&buf[..k]);
        n += k as u64;
    }
}

/// `p` with links resolved, for a folder that may not exist yet: its nearest existing
/// ancestor resolved, and the rest as given.
fn real_path(p: &Path) -> Result<PathBuf> {
    let mut rest = Vec::new();
    let mut at = p;
    loop {
        match fs::canonicalize(at) {
            Ok(real) => return Ok(rest.iter().rev().fold(real, |acc, c| acc.join(c))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let (Some(parent), Some(name)) = (at.parent(), at.file_name()) else {
                    return Err(Error::io("read", p, e));
                };
                rest.push(name.to_os_string());
                at = if parent.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    parent
                };
            }
            Err(e) => return Err(Error::io("read", at, e)),
        }
    }
}

/// Removes a `keys.next` from a backup folder (see [`Vault::backup`]).
pub(crate) fn remove_planted_next(dest: &Path) -> Result<()> {
    let p = dest.join(crate::keys::NEXT_KEYS_FILE);
    match fs::remove_file(&p) {
        Ok(()) => fsutil::sync_dir(dest),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io("remove", &p, e)),
    }
}

fn size_of(p: &Path) -> Option<u64> {
    fs::symlink_metadata(p)
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len())
}

/// Whether `dir` has nothing in it (or does not exist).
fn is_empty_dir(dir: &Path) -> Result<bool> {
    match fs::read_dir(dir) {
        Ok(mut rd) => Ok(rd.next().is_none()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(Error::io("read", dir, e)),
    }
}

impl Vault {
    /// Backs the vault up to the folder `dest`: empty or new the first time, then the
    /// same folder each time. See the module documentation. `cancel` stops it between
    /// reads; whatever was already in `dest` stays a complete backup.
    pub fn backup(
        &mut self,
        dest: &Path,
        cancel: &AtomicBool,
        progress: &dyn Fn(BackupProgress),
    ) -> Result<BackupReport> {
        let src = self.dir().to_path_buf();
        // The folder she named, not where a link planted there points.
        fsutil::not_a_link(dest)?;
        let (src_real, dest_real) = (real_path(&src)?, real_path(dest)?);
        if dest_real.starts_with(&src_real) || src_real.starts_with(&dest_real) {
            return Err(refused(
                "A backup must go outside the vault's folder (and not around it); choose another folder.",
            ));
        }
        // A new folder needs her passphrase typed again: whoever finds the window
        // unlocked must not copy everything onto his own stick. The folder of an
        // earlier backup of this vault does not.
        if !Vault::exists(dest) {
            self.take_authorization()?;
        }
        fsutil::create_private_dir(dest)?;
        // Nothing is read, written or removed through a link, a pipe, a device or a
        // hard link, in the vault or on the stick: a planted one refuses the backup.
        fsutil::check_tree(&src)?;
        fsutil::check_tree(dest)?;
        // The vault first: a stored file missing or cut short here must never replace
        // or remove the backup's good copy.
        let own = self.verify_cancellable(VerifyOptions { quick: true }, &|_, _| {}, cancel)?;
        if !own.ok {
            let first = own
                .problems
                .first()
                .map(|p| p.message.clone())
                .unwrap_or_default();
            return Err(Error::BackupRefused(format!(
                "This vault has a problem ({first}), so the backup was left as it was. Run `cairn verify`."
            )));
        }
        let dest_lock = self.check_backup_folder(dest)?;
        // A backup never has a rotation under way (only `keys` is copied): a
        // `keys.next` there was planted, and opening the backup would adopt it.
        remove_planted_next(dest)?;

        // Everything committed is in vault.db itself, and nothing writes while `self`
        // is borrowed here.
        store::fold_log(&self.conn)?;
        let head = chain::head(&self.conn)?;

        // Files first: the database that names them goes in after them.
        fsutil::create_private_dir(&dest.join(TMP_DIR))?;
        let have = blobs::list_ids(&src)?;
        let there = blobs::list_ids(dest)?;
        blobs::remove_litter(dest)?;
        let mut todo = Vec::new();
        let mut kept = 0u64;
        for id in &have {
            let (from, to) = (blobs::path(&src, id)?, blobs::path(dest, id)?);
            let size = size_of(&from).unwrap_or(0);
            if size_of(&to) == Some(size) {
                kept += 1;
            } else {
                todo.push((from, to, size));
            }
        }
        let total: u64 = todo.iter().map(|t| t.2).sum();
        let mut done = 0u64;
        let mut written = 0u64;
        progress(BackupProgress {
            step: BackupStep::Files,
            done,
            total,
        });
        // Staged whole and checked under tmp, moved into place once the database that
        // names them is in: a backup cut short before then is the previous one (opening
        // it clears tmp), and after then opening it moves them in (blobs::adopt_staged).
        let mut staged = Vec::new();
        for (from, to, _) in &todo {
            let name = to
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let part = dest.join(TMP_DIR).join(format!("{name}.part"));
            let at = blobs::staged_path(dest, &name);
            let (n, _) = copy_checked(from, &part, &at, cancel, &mut |k| {
                done += k;
                progress(BackupProgress {
                    step: BackupStep::Files,
                    done,
                    total,
                });
            })?;
            written += n;
            staged.push((at, to.clone()));
        }
        fsutil::sync_dir(&dest.join(TMP_DIR))?;

        // The database, then the keys (passphrase and recovery code slots).
        let db = src.join(DB_FILE);
        let db_total = size_of(&db).unwrap_or(0);
        let mut db_done = 0u64;
        progress(BackupProgress {
            step: BackupStep::Database,
            done: 0,
            total: db_total,
        });
        // A write-ahead log left beside an older copy would be replayed onto the new one.
        for side in ["-wal", "-shm"] {
            let p = dest.join(format!("{DB_FILE}{side}"));
            if p.exists() {
                fs::remove_file(&p).map_err(|e| Error::io("remove", &p, e))?;
            }
        }
        let (n, db_sha) = copy_checked(
            &db,
            &dest.join(format!("{DB_FILE}.tmp")),
            &dest.join(DB_FILE),
            cancel,
            &mut |k| {
                db_done += k;
                progress(BackupProgress {
                    step: BackupStep::Database,
                    done: db_done,
                    total: db_total,
                });
            },
        )?;
        written += n;
        let (n, _) = copy_checked(
            &src.join(KEYS_FILE),
            &dest.join(format!("{KEYS_FILE}.tmp")),
            &dest.join(KEYS_FILE),
            cancel,
            &mut |_| {},
        )?;
        written += n;
        crate::keys::forget_seen(dest)?;
        fsutil::sync_dir(dest)?;
        let mut dirs = Vec::new();
        for (at, to) in &staged {
            let parent = to.parent().unwrap_or(dest).to_path_buf();
            fsutil::create_private_dir(&parent)?;
            fs::rename(at, to).map_err(|e| Error::io("move", to, e))?;
            if !dirs.contains(&parent) {
                dirs.push(parent);
            }
        }
        for d in &dirs {
            fsutil::sync_dir(d)?;
        }

        // Files the vault no longer has (redacted since) go from the backup too.
        let mut removed = 0u64;
        for id in there.iter().filter(|id| have.binary_search(id).is_err()) {
            let stored: bool = self
                .conn
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM blobs WHERE id = ?1 AND state = 'stored')",
                    [id],
                    |r| r.get(0),
                )
                .map_err(map_err)?;
            if !stored {
                blobs::destroy(dest, id)?;
                removed += 1;
            }
        }

        // Open the backup as a vault and check it: chain, items, indexes, and that every
        // file is there at its length (the files copied now were read back above).
        progress(BackupProgress {
            step: BackupStep::Checking,
            done: 0,
            total: 1,
        });
        drop(dest_lock);
        {
            let master = self.master.clone();
            let copy = Vault::open_with(dest, move |_| Ok(master.clone()))?;
            let report =
                copy.verify_cancellable(VerifyOptions { quick: true }, &|_, _| {}, cancel)?;
            if !report.ok {
                let first = report
                    .problems
                    .first()
                    .map(|p| p.message.clone())
                    .unwrap_or_default();
                return Err(Error::BackupRefused(format!(
                    "The backup was written but does not check out ({first}). Run `cairn verify` on this vault."
                )));
            }
        }
        progress(BackupProgress {
            step: BackupStep::Checking,
            done: 1,
            total: 1,
        });

        let entries = head.as_ref().map_or(0, |h| h.seq);
        let vault_id = self.vault_id.clone();
        let entry = self.write(|w| {
            let mut meta = Map::new();
            meta.insert("entries".into(), json!(entries));
            meta.insert("files".into(), json!(have.len()));
            w.append(BACKUP_ENTRY, &vault_id, &db_sha, meta)
        })?;
        Ok(BackupReport {
            dest: dest.display().to_string(),
            entries,
            files_copied: todo.len() as u64,
            files_kept: kept,
            files_removed: removed,
            bytes_written: written,
            recorded_at: format_ms(entry.recorded_at),
        })
    }

    /// Checks that `dest` may take this vault's backup: empty, or a backup of this
    /// vault (or a first one cut short, before its keys went in) whose chain this
    /// vault's extends, so nothing only the backup holds is overwritten. Failed unlocks
    /// recorded in the backup itself are the one exception: they are carried into this
    /// vault's chain first. Returns the backup's lock, held while it is written.
    pub(crate) fn check_backup_folder(&mut self, dest: &Path) -> Result<File> {
        let has_db = dest.join(DB_FILE).is_file();
        if !Vault::exists(dest) && !has_db {
            // Empty, or what a first backup cut short before its database leaves:
            // the lock, the staging folder and temporary files, no stored file.
            for e in fs::read_dir(dest)
                .map_err(|e| Error::io("read", dest, e))?
                .flatten()
            {
                let n = e.file_name().to_string_lossy().into_owned();
                // Exactly the names a first backup writes before its database is in
                // place (not any `.tmp`: renamed files must not pass for ours).
                let ours = n == LOCK_FILE
                    || n == format!("{KEYS_FILE}.tmp")
                    || (n == format!("{DB_FILE}.tmp") && !self.holds_later_entries(&e.path())?)
                    || (n == BLOB_DIR && blobs::list_files(dest)?.is_empty());
                if !ours {
                    return Err(refused(
                        "That folder has other things in it; choose an empty folder for the backup.",
                    ));
                }
            }
            return open_lock(dest);
        }
        let lock = open_lock(dest)?;
        // A backup written before the keys were last changed is under a retired key.
        let mut keys = vec![self.master.clone()];
        keys.extend(self.retired_keys()?);
        let mut opened = None;
        for key in &keys {
            match store::open(dest, &key.derive("sqlcipher-key"), false) {
                Ok(conn) => {
                    opened = Some(conn);
                    break;
                }
                Err(Error::WrongPassphrase | Error::DatabaseDamaged(_) | Error::Database(_)) => {}
                Err(e) => return Err(e),
            }
        }
        let conn = opened.ok_or_else(|| {
            refused(
                "That folder holds a different vault (or a damaged one); choose an empty folder for the backup.",
            )
        })?;
        let id: Option<String> = conn
            .query_row("SELECT value FROM meta WHERE key = 'vault_id'", [], |r| {
                r.get(0)
            })
            .ok();
        if id.as_deref() != Some(self.vault_id.as_str()) {
            return Err(refused(
                "That folder holds a different vault; choose an empty folder for the backup.",
            ));
        }
        // The backup's entries from the newest down to the last one this vault has too.
        let mut extra = Vec::new();
        {
            let mut st = conn
                .prepare("SELECT seq, hash, kind, meta FROM entries ORDER BY seq DESC")
                .map_err(map_err)?;
            let mut rows = st.query([]).map_err(map_err)?;
            while let Some(r) = rows.next().map_err(map_err)? {
                let seq: i64 = r.get(0).map_err(map_err)?;
                let hash: Vec<u8> = r.get(1).map_err(map_err)?;
                let ours: Option<Vec<u8>> = self
                    .conn
                    .query_row("SELECT hash FROM entries WHERE seq = ?1", [seq], |r| {
                        r.get(0)
                    })
                    .ok();
                if ours.as_deref() == Some(hash.as_slice()) {
                    break;
                }
                let kind: String = r.get(2).map_err(map_err)?;
                // What opening the stick itself records: tries on it, and a key file
                // there found changed. Anything else means a roll-back.
                if kind != crate::attempts::ATTEMPTS_ENTRY
                    && kind != crate::vault::KEYS_ALTERED_ENTRY
                {
                    return Err(self.rolled_back(&conn, dest)?);
                }
                extra.push((kind, hex(&hash), r.get::<_, String>(3).map_err(map_err)?));
            }
        }
        // Fold any log into the old copy before it is replaced (its -wal is removed).
        let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            r.get::<_, i64>(0)
        });
        drop(conn);
        // Someone tried to open the backup itself, or found its key file changed: that
        // goes on record here.
        let vault_id = self.vault_id.clone();
        for (kind, hash, meta) in extra.iter().rev() {
            // Carried once, even if this backup stops and is tried again.
            let carried: bool = self
                .conn
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM entries WHERE kind = ?1
                     AND json_extract(meta, '$.backup_entry') = ?2)",
                    [kind.as_str(), hash.as_str()],
                    |r| r.get(0),
                )
                .map_err(map_err)?;
            if carried {
                continue;
            }
            let mut m: Map<String, serde_json::Value> =
                serde_json::from_str(meta).unwrap_or_default();
            m.insert("backup_entry".into(), json!(hash));
            let content: [u8; 32] = Sha256::digest(meta.as_bytes()).into();
            self.write(|w| w.append(kind, &vault_id, &content, m.clone()))?;
        }
        Ok(lock)
    }

    /// The loud finding when a backup holds entries this vault does not have: the
    /// vault folder was most likely put back to an older copy (or the two parted after
    /// that and this vault went on). It names both heads; the backup is left alone.
    fn rolled_back(&self, backup: &rusqlite::Connection, dest: &Path) -> Result<Error> {
        let (there, newest): (i64, i64) = backup
            .query_row("SELECT max(seq), max(recorded_at) FROM entries", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .map_err(map_err)?;
        let here = chain::head(&self.conn)?.map_or(0, |h| h.seq);
        let how = if (there as u64) > here {
            format!("this vault holds only {here}")
        } else {
            format!("this vault holds {here}, but they are not the same entries")
        };
        Ok(Error::RolledBack(format!(
            "Your backup in {} holds entries up to {there} (the newest recorded {}), and {how}: the vault folder may have been put back to an older copy. The backup was left as it was; keep it, restore from it, and back up to a new folder.",
            dest.display(),
            format_ms(newest)
        )))
    }

    /// True if the database file at `path` (a `vault.db.tmp` a first backup cut short
    /// could leave, or the stick's newer database renamed to look like one) opens with
    /// one of this vault's keys and holds entries this vault does not have. It is only
    /// read.
    fn holds_later_entries(&self, path: &Path) -> Result<bool> {
        let mut keys = vec![self.master.clone()];
        keys.extend(self.retired_keys()?);
        for key in &keys {
            let Some(conn) = store::peek(path, &key.derive("sqlcipher-key")) else {
                continue;
            };
            // Its newest entry: if this vault has no such entry, or another one there,
            // the file holds what this vault lacks.
            let newest: Option<(i64, Vec<u8>)> = conn
                .query_row(
                    "SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .ok();
            let Some((seq, hash)) = newest else {
                return Ok(false);
            };
            let ours: Option<Vec<u8>> = self
                .conn
                .query_row("SELECT hash FROM entries WHERE seq = ?1", [seq], |r| {
                    r.get(0)
                })
                .ok();
            return Ok(ours.as_deref() != Some(hash.as_slice()));
        }
        Ok(false)
    }

    /// Master keys retired by rotations, newest first.
    fn retired_keys(&self) -> Result<Vec<crate::secret::SecretKey>> {
        let mut st = self
            .conn
            .prepare("SELECT master FROM retired_keys ORDER BY retired_at DESC")
            .map_err(map_err)?;
        let rows = st
            .query_map([], |r| r.get::<_, Vec<u8>>(0))
            .map_err(map_err)?;
        let mut out = Vec::new();
        for row in rows {
            let bytes = zeroize::Zeroizing::new(row.map_err(map_err)?);
            if let Some(k) = crate::secret::SecretKey::from_bytes(&bytes) {
                out.push(k);
            }
        }
        Ok(out)
    }

    /// When the newest backup was recorded, if there was one.
    pub fn last_backup(&self) -> Result<Option<String>> {
        Ok(self.last_backup_ms()?.map(format_ms))
    }

    fn last_backup_ms(&self) -> Result<Option<i64>> {
        self.conn
            .query_row(
                "SELECT max(recorded_at) FROM entries WHERE kind = ?1",
                [BACKUP_ENTRY],
                |r| r.get(0),
            )
            .map_err(map_err)
    }

    /// The newest backup, and whether it is time to remind her to make one: there is
    /// something to back up and no backup, or the newest is older than
    /// [`REMIND_AFTER_MS`].
    pub fn backup_status(&self) -> Result<BackupStatus> {
        // The newest and the first backup, and the newest check, in one read.
        let (last, first, checked): (Option<i64>, Option<i64>, Option<i64>) = self
            .conn
            .query_row(
                "SELECT max(CASE WHEN kind = ?1 THEN recorded_at END),
                        min(CASE WHEN kind = ?1 THEN recorded_at END),
                        max(CASE WHEN kind = ?2 THEN recorded_at END)
                 FROM entries WHERE kind IN (?1, ?2)",
                [BACKUP_ENTRY, crate::scrub::SCRUB_ENTRY],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .map_err(map_err)?;
        let due = match last {
            Some(at) => self.now_ms() - at > REMIND_AFTER_MS,
            None => chain::head(&self.conn)?.is_some_and(|h| h.seq > 1),
        };
        // A backup nobody re-read for a month may have decayed unseen: from the first
        // backup, or the last check, a month on.
        let check_due = checked
            .or(first)
            .is_some_and(|at| self.now_ms() - at > CHECK_AFTER_MS);
        Ok(BackupStatus {
            last: last.map(format_ms),
            due,
            last_checked: checked.map(format_ms),
            check_due,
        })
    }
}

/// Copies the backup (or vault) in `src` to the new folder `to` (absent or empty), each
/// file read back and compared. Open the result with its passphrase or recovery code
/// and verify it; a backup made by an older version is upgraded when it is opened.
pub fn restore(src: &Path, to: &Path, cancel: &AtomicBool) -> Result<RestoreReport> {
    // Nothing is read through a link or from a pipe or device planted on the stick,
    // and nothing is written through one.
    fsutil::not_a_link(src)?;
    fsutil::not_a_link(to)?;
    if src.is_dir() {
        fsutil::check_tree(src)?;
    }
    let (src_real, to_real) = (real_path(src)?, real_path(to)?);
    if to_real.starts_with(&src_real) || src_real.starts_with(&to_real) {
        return Err(refused(
            "Restore into a folder outside the backup (and not around it); choose another folder.",
        ));
    }
    if !Vault::exists(src) || !src.join(DB_FILE).is_file() {
        return Err(refused(
            "That folder is not a Cairn backup (it has no vault in it).",
        ));
    }
    if !is_empty_dir(to)? {
        return Err(refused(
            "The folder to restore into must be new or empty, so nothing in it is overwritten.",
        ));
    }
    fsutil::create_private_dir(&to.join(TMP_DIR))?;
    // Held so nothing writes to the backup while it is copied; a write-protected
    // stick cannot take a lock file, and nothing can write to it either.
    let _lock = match open_lock(src) {
        Ok(lock) => Some(lock),
        Err(Error::Busy) => return Err(Error::Busy),
        Err(_) => None,
    };
    let mut files = 0u64;
    let mut bytes = 0u64;
    for id in blobs::list_ids(src)? {
        let (from, dest) = (blobs::path(src, &id)?, blobs::path(to, &id)?);
        let parent = dest.parent().unwrap_or(to).to_path_buf();
        fsutil::create_private_dir(&parent)?;
        let part = to.join(TMP_DIR).join(format!("{id}.part"));
        let (n, _) = copy_checked(&from, &part, &dest, cancel, &mut |_| {})?;
        fsutil::sync_dir(&parent)?;
        files += 1;
        bytes += n;
    }
    // Files a backup cut short left staged (its database names them): staged here too,
    // and moved into place when the restored vault is opened.
    for id in blobs::staged_ids(src)? {
        if blobs::path(src, &id)?.exists() {
            continue;
        }
        let part = to.join(TMP_DIR).join(format!("{id}.part"));
        let from = blobs::staged_path(src, &id);
        let (n, _) = copy_checked(
            &from,
            &part,
            &blobs::staged_path(to, &id),
            cancel,
            &mut |_| {},
        )?;
        files += 1;
        bytes += n;
    }
    fsutil::sync_dir(&to.join(TMP_DIR))?;
    // A log beside the database holds committed changes: it comes too.
    for name in [
        format!("{DB_FILE}-wal"),
        DB_FILE.to_string(),
        KEYS_FILE.to_string(),
    ] {
        let from = src.join(&name);
        if from.is_file() {
            let (n, _) = copy_checked(
                &from,
                &to.join(format!("{name}.tmp")),
                &to.join(&name),
                cancel,
                &mut |_| {},
            )?;
            bytes += n;
        }
    }
    fsutil::sync_dir(to)?;
    Ok(RestoreReport {
        to: to.display().to_string(),
        files,
        bytes,
    })
}
