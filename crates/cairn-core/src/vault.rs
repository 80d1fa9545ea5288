//! The vault: a folder holding `keys`, `vault.db` and `blobs/`. [`Vault`] is the one
//! API the CLI and the desktop app call; every rule lives here.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs::{self, File};
use std::io::{BufReader, Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use ed25519_dalek::SigningKey;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::attempts::{self, FailedAttempts};
use crate::blobs::{self, BlobReader};
use crate::canonical::{to_canonical, Record};
use crate::chain::{self, Entry};
use crate::checkpoint;
use crate::clock::{format_ms, system_clock, Clock, Millis};
use crate::decoy;
use crate::error::{Error, Result};
use crate::fsutil;
use crate::ids::Ids;
use crate::items::{
    changed_fields, FileRecord, Incident, ItemKind, Link, Message, Person, Thumbnail,
};
use crate::keys::{
    hex, KdfCost, KdfSummary, Keys, RecoveryChange, TagCheck, KEYS_FILE, NEXT_KEYS_FILE,
};
use crate::location::{self, Located, LocationStatus};
use crate::media;
use crate::merkle::{leaf_hash, Frontier};
use crate::messages::{ChatImport, ImportedChat};
use crate::recovery::RecoveryCode;
use crate::secret::{random_array, Passphrase, SecretKey};
use crate::store::{self, map_err};
use crate::tree;
use crate::withhold;

/// Lock file that keeps two processes from opening one vault.
pub(crate) const LOCK_FILE: &str = "vault.lock";
/// The chain entry kind that records a key rotation (see [`Vault::change_passphrase`]).
pub const REKEY_ENTRY: &str = "vault.rekey";

/// What she is told at each unlock while [`Vault::keys_altered`] holds.
pub const KEYS_ALTERED_NOTICE: &str = "Someone changed this vault's key file without its key (a recovery slot, or the passphrase's settings, that Cairn did not write), so your recovery code or passphrase may no longer open it: make a new recovery code now, and keep the vault backed up.";

/// The chain entry kind that records a key file someone else changed (found at an
/// unlock; its content hash is the SHA-256 of that file).
pub const KEYS_ALTERED_ENTRY: &str = "vault.keys_altered";
/// Shortest passphrase accepted.
pub const MIN_PASSPHRASE_CHARS: usize = 8;

/// How to treat the passphrase KDF when opening.
#[derive(Debug, Clone, Copy, Default)]
pub struct OpenOptions {
    /// Accept a vault whose passphrase slot uses the insecure test KDF cost.
    pub allow_insecure_kdf: bool,
}

/// The unlocked vault. Dropping it closes the database and wipes every key.
pub struct Vault {
    dir: PathBuf,
    pub(crate) conn: Connection,
    pub(crate) master: SecretKey,
    pub(crate) vault_id: String,
    pub(crate) device: SigningKey,
    pub(crate) kdf: Option<KdfSummary>,
    clock: Clock,
    _lock: File,
    /// Failed unlocks found at this opening (see [`crate::attempts`]).
    failed_attempts: Option<FailedAttempts>,
    /// The key file's slots were changed by someone without the master key (see
    /// [`Vault::keys_altered`]).
    keys_altered: bool,
    /// When the passphrase was last typed for a change that needs it (see
    /// [`Vault::authorize`]): milliseconds since `opened`, plus one; 0 for none.
    authorized: std::sync::atomic::AtomicU64,
    opened: std::time::Instant,
    /// A new recovery code shown to her before it replaces the old one (see
    /// [`Vault::draft_recovery_code`]).
    drafted_code: Option<RecoveryCode>,
}

/// How long the passphrase typed for a change stays good for it: long enough to finish
/// a dialog, too short for whoever finds the window unlocked afterwards.
pub const AUTHORIZATION_WINDOW: Duration = Duration::from_secs(120);

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

/// The result of a change: the item and the chain entry that records it.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct Added {
    /// Item id.
    pub id: String,
    /// Version number created (1 for a new item).
    pub version: u64,
    /// Chain sequence number.
    pub seq: u64,
    /// When it was recorded (RFC 3339 UTC).
    pub recorded_at: String,
    /// SHA-256 recorded in the chain for the content, hex.
    pub content_sha256: String,
}

/// The result of adding a file.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct AddedFile {
    /// Item id.
    pub id: String,
    /// SHA-256 of the original bytes, hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// Original name.
    pub name: String,
    /// Sniffed media type.
    pub media_type: String,
    /// Chain sequence number.
    pub seq: u64,
    /// When it was recorded.
    pub recorded_at: String,
}

/// Options for adding a file.
pub struct AddFile<'a> {
    /// How it was acquired, in her words.
    pub acquired: String,
    /// Link the new file to this incident.
    pub link_to: Option<String>,
    /// Called with bytes stored so far.
    pub progress: &'a (dyn Fn(u64) + Sync),
    /// Set to abandon the add (nothing is committed).
    pub cancel: &'a AtomicBool,
}

/// One item in the list.
#[derive(Debug, Clone, Serialize)]
pub struct ItemSummary {
    /// Item id.
    pub id: String,
    /// Kind.
    pub kind: ItemKind,
    /// Title or name (empty once redacted).
    pub title: String,
    /// When it happened (incidents) or was taken (photos), as recorded.
    pub occurred: Option<String>,
    /// When the item was first recorded.
    pub recorded_at: Millis,
    /// When its latest version was recorded.
    pub updated_at: Millis,
    /// Latest version number.
    pub version: u64,
    /// True once redacted.
    pub redacted: bool,
}

/// A redaction tombstone.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct Tombstone {
    /// Why it was redacted.
    pub reason: String,
    /// When.
    pub recorded_at: String,
    /// Chain entry of the redaction.
    pub seq: u64,
    /// Content hashes of the versions that were removed.
    pub versions: Vec<Value>,
}

/// A link seen from one of its ends.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct LinkView {
    /// The link item's id.
    pub link: String,
    /// The item at the other end.
    pub other: String,
    /// Its kind.
    pub other_kind: ItemKind,
    /// Its title.
    pub other_title: String,
    /// Its media type, when it is a file.
    pub other_media_type: Option<String>,
    /// It is a file with a stored thumbnail.
    pub other_has_thumbnail: bool,
}

/// Everything about one item.
#[derive(Debug, Clone, Serialize)]
pub struct ItemDetail {
    /// Item id.
    pub id: String,
    /// Kind.
    pub kind: ItemKind,
    /// Latest version.
    pub version: u64,
    /// The current record (`None` once redacted).
    pub record: Option<Value>,
    /// SHA-256 of the record's canonical JSON, hex.
    pub record_sha256: String,
    /// SHA-256 recorded in the chain for the content, hex.
    pub content_sha256: String,
    /// First recorded.
    pub recorded_at: String,
    /// Latest version recorded.
    pub updated_at: String,
    /// Chain entry that created it.
    pub created_seq: u64,
    /// Chain entry of the latest version.
    pub current_seq: u64,
    /// Tombstone, if redacted.
    pub redaction: Option<Tombstone>,
    /// Active links.
    pub links: Vec<LinkView>,
}

/// One version in an item's history.
#[derive(Debug, Clone, Serialize)]
pub struct VersionView {
    /// Version number.
    pub version: u64,
    /// Chain entry.
    pub seq: u64,
    /// Entry kind (`incident.create`, `incident.edit`, …).
    pub entry_kind: String,
    /// When recorded.
    pub recorded_at: String,
    /// Record (`None` once redacted).
    pub record: Option<Value>,
    /// Record hash, hex.
    pub record_sha256: String,
    /// Content hash, hex.
    pub content_sha256: String,
    /// Top-level fields that differ from the previous version.
    pub changed: Vec<String>,
}

/// An item's full history.
#[derive(Debug, Clone, Serialize)]
pub struct History {
    /// Item id.
    pub id: String,
    /// Kind.
    pub kind: ItemKind,
    /// Every version, oldest first.
    pub versions: Vec<VersionView>,
    /// Tombstone, if redacted.
    pub redaction: Option<Tombstone>,
}

/// The result of extracting a file.
#[derive(Debug, Clone, Serialize)]
pub struct Extracted {
    /// Bytes written.
    pub size: u64,
    /// Their SHA-256, which matched the recorded one.
    pub sha256: String,
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

pub(crate) fn open_lock(dir: &Path) -> Result<File> {
    let p = dir.join(LOCK_FILE);
    // Never through a link (which would create or lock a file elsewhere) or on a pipe.
    let f = fsutil::open_append(&p)?;
    match f.try_lock() {
        Ok(()) => Ok(f),
        Err(fs::TryLockError::WouldBlock) => Err(Error::Busy),
        Err(fs::TryLockError::Error(e)) => Err(Error::io("lock", &p, e)),
    }
}

/// The keys file of a rotation cut short, if there is one (it is written atomically,
/// so one that does not read is not ours and is left alone).
fn pending_rotation(dir: &Path) -> Option<Keys> {
    let p = dir.join(NEXT_KEYS_FILE);
    fs::symlink_metadata(&p).ok()?;
    Keys::read_file(&p).ok()
}

/// `keys.next` becomes `keys` (without the old key it carried), then goes.
fn finish_rotation(dir: &Path, next: Keys) -> Result<()> {
    next.settled().write(dir)?;
    let p = dir.join(NEXT_KEYS_FILE);
    fs::remove_file(&p).map_err(|e| Error::io("remove", &p, e))?;
    fsutil::sync_dir(dir)
}

/// Opens a vault whose rotation was cut short, and settles it:
///
/// - `keys` already holds `keys.next`'s slots: the rotation was done but for removing
///   `keys.next`, which goes.
/// - A rotation making a new code (`next` present) is undone, unless the code was
///   shown to her first and it is that code opening it now.
/// - Otherwise a secret that opens `keys.next` finishes the rotation (the database
///   re-keyed with the old key `keys.next` carries, if that had not committed), and
///   one that opens `keys` and the database means the re-key never happened.
///
/// Either way the vault opens with the old secret or the new, never neither. A
/// `keys.next` that is not a rotation of this vault's (no old key in it, a recovery key
/// Cairn did not make, or one that opens nothing) is removed.
fn settle_rotation(
    dir: &Path,
    keys: &Keys,
    next: &Keys,
    unlock: &impl Fn(&Keys) -> Result<SecretKey>,
) -> Result<(SecretKey, Connection)> {
    let db_key = |k: &SecretKey| k.derive("sqlcipher-key");
    let open_db = |k: &SecretKey| match store::open(dir, &db_key(k), false) {
        Ok(conn) => Ok(Some(conn)),
        Err(Error::DatabaseDamaged(_)) => Ok(None),
        Err(e) => Err(e),
    };
    let drop_next = || -> Result<()> {
        let p = dir.join(NEXT_KEYS_FILE);
        fs::remove_file(&p).map_err(|e| Error::io("remove", &p, e))?;
        fsutil::sync_dir(dir)
    };
    // Undo: the database back under `old`, from under `new` if the re-key committed.
    let undo = |old: SecretKey, new: &SecretKey| -> Result<Option<(SecretKey, Connection)>> {
        if let Some(conn) = open_db(&old)? {
            drop_next()?;
            return Ok(Some((old, conn)));
        }
        if let Some(conn) = open_db(new)? {
            store::rekey(&conn, &db_key(&old))?;
            drop_next()?;
            return Ok(Some((old, conn)));
        }
        Ok(None)
    };
    // Forward: the database under `new`, re-keyed from `old` if that had not committed.
    let forward = |old: &SecretKey, new: SecretKey| -> Result<Option<(SecretKey, Connection)>> {
        let conn = match open_db(&new)? {
            Some(conn) => conn,
            None => match open_db(old)? {
                Some(conn) => {
                    store::rekey(&conn, &db_key(&new))?;
                    conn
                }
                None => return Ok(None),
            },
        };
        let trusted = match next.recovery_public() {
            Some(p) => is_trusted_recovery_key(&conn, &p)?,
            None => true,
        };
        if !trusted {
            return Ok(None);
        }
        finish_rotation(dir, next.clone())?;
        Ok(Some((new, conn)))
    };
    if keys.same_slots(next) {
        drop_next()?;
        let master = unlock(keys)?;
        let conn = store::open(dir, &db_key(&master), false)?;
        return Ok((master, conn));
    }
    let by_next = unlock(next);
    if let Ok(new) = &by_next {
        if let Some(old) = next.previous(new) {
            let done = if next.makes_new_code() {
                let by_new_code = next.code_was_shown() && unlock(keys).is_err();
                if by_new_code {
                    forward(&old, new.clone())?
                } else {
                    undo(old, new)?
                }
            } else {
                forward(&old, new.clone())?
            };
            if let Some(done) = done {
                return Ok(done);
            }
        }
    }
    // `keys`: the old secret, or a `keys.next` that is not a rotation of this vault's.
    let old = match unlock(keys) {
        Ok(old) => old,
        Err(e) => {
            return Err(match by_next {
                Err(w @ (Error::WrongPassphrase | Error::WrongRecoveryCode)) => w,
                _ => e,
            })
        }
    };
    if let Some(conn) = open_db(&old)? {
        // The re-key never happened, or `keys.next` was not ours.
        drop_next()?;
        return Ok((old, conn));
    }
    if let Some(new) = next.next_from(&old) {
        if let Some(done) = undo(old, &new)? {
            return Ok(done);
        }
    }
    // The old secret, after a passphrase change's re-key committed: no longer right.
    Err(match by_next {
        Err(w @ (Error::WrongPassphrase | Error::WrongRecoveryCode)) => w,
        _ => Error::WrongPassphrase,
    })
}

/// Notes a recovery public key as one Cairn made for this vault (see migration 8).
fn trust_recovery_key(conn: &Connection, public: &[u8; 32], now: i64) -> Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO recovery_keys (public, added_at) VALUES (?1, ?2)",
        params![&public[..], now],
    )
    .map_err(map_err)?;
    Ok(())
}

/// True if Cairn made `public` for this vault's recovery slot.
fn is_trusted_recovery_key(conn: &Connection, public: &[u8; 32]) -> Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM recovery_keys WHERE public = ?1)",
        [&public[..]],
        |r| r.get(0),
    )
    .map_err(map_err)
}

/// Normalises an id typed by the user.
pub(crate) fn norm_id(id: &str) -> String {
    id.trim().to_lowercase()
}

impl Vault {
    /// The default vault folder: `vault` beside the program in portable mode (see
    /// [`crate::portable`]), else the platform data directory
    /// (`~/.local/share/cairn/vault` on Linux).
    pub fn default_dir() -> Option<PathBuf> {
        crate::portable::vault_dir().or_else(|| {
            directories::ProjectDirs::from("", "", "cairn").map(|d| d.data_dir().join("vault"))
        })
    }

    /// True if `dir` holds a vault (a `keys` file).
    pub fn exists(dir: &Path) -> bool {
        dir.join(KEYS_FILE).is_file()
    }

    /// Creates a vault in `dir` (which must be empty or absent). Returns the unlocked
    /// vault and the recovery code, which is never stored and must be shown once.
    pub fn init(dir: &Path, pass: &Passphrase, cost: KdfCost) -> Result<(Vault, RecoveryCode)> {
        Self::init_with_id(dir, pass, cost, None)
    }

    /// [`Vault::init`], with the vault id given (a decoy takes its vault's, so its
    /// Integrity screen, receipts and bundles name the same vault) or a new random one.
    pub(crate) fn init_with_id(
        dir: &Path,
        pass: &Passphrase,
        cost: KdfCost,
        id: Option<&str>,
    ) -> Result<(Vault, RecoveryCode)> {
        // One rule for the CLI and the app: long enough, and not easy to guess.
        if pass.expose().chars().count() < MIN_PASSPHRASE_CHARS {
            return Err(Error::Invalid(format!(
                "Choose a passphrase of at least {MIN_PASSPHRASE_CHARS} characters."
            )));
        }
        crate::require_strong(pass)?;
        if Self::exists(dir) {
            return Err(Error::FolderNotEmpty(dir.to_path_buf()));
        }
        fsutil::not_a_link(dir)?;
        if dir.exists() {
            let rd = fs::read_dir(dir).map_err(|e| Error::io("read", dir, e))?;
            // A crash during an earlier init can leave our own files but no `keys`
            // (the commit point); those hold nothing readable and are replaced.
            // A database without `keys` may still hold evidence (a lost key file can
            // turn up in a backup), so init never replaces one.
            let ours = [LOCK_FILE, "blobs", "keys.tmp"];
            for e in rd.flatten() {
                if !ours.iter().any(|o| OsStr::new(o) == e.file_name()) {
                    return Err(Error::FolderNotEmpty(dir.to_path_buf()));
                }
            }
        }
        fsutil::create_private_dir(dir)?;
        let lock = open_lock(dir)?;
        let _ = fs::remove_file(dir.join("keys.tmp"));
        fsutil::create_private_dir(&dir.join(blobs::TMP_DIR))?;

        let master = SecretKey::random()?;
        let code = RecoveryCode::generate()?;
        let keys = Keys::create(&master, pass, &code, cost)?;
        let conn = store::open(dir, &master.derive("sqlcipher-key"), true)?;
        let seed = Zeroizing::new(random_array::<32>()?);
        let device = SigningKey::from_bytes(&seed);
        let vault_id = match id {
            Some(id) => id.to_string(),
            None => hex(&random_array::<16>()?),
        };
        let mut vault = Vault {
            dir: dir.to_path_buf(),
            conn,
            master,
            vault_id: vault_id.clone(),
            device,
            kdf: keys.kdf_summary(),
            clock: system_clock(),
            _lock: lock,
            failed_attempts: None,
            keys_altered: false,
            authorized: std::sync::atomic::AtomicU64::new(1),
            opened: std::time::Instant::now(),
            drafted_code: None,
        };
        let init_record = json!({
            "vault_id": vault_id,
            "device_public_key": hex(vault.device.verifying_key().as_bytes()),
            "software": format!("cairn {}", env!("CARGO_PKG_VERSION")),
            "kdf_insecure_for_tests": cost.is_insecure(),
        });
        let init_text = to_canonical(&init_record)?;
        let public = vault.device.verifying_key().to_bytes();
        vault.write(|w| {
            w.conn
                .execute(
                    "INSERT INTO device_key (id, secret, public) VALUES (1, ?1, ?2)",
                    params![&seed[..], &public[..]],
                )
                .map_err(map_err)?;
            for (k, v) in [
                ("vault_id", w.vault_id),
                ("init_record", init_text.as_str()),
            ] {
                w.conn
                    .execute(
                        "INSERT INTO meta (key, value) VALUES (?1, ?2)",
                        params![k, v],
                    )
                    .map_err(map_err)?;
            }
            w.append(
                "vault.init",
                w.vault_id,
                &sha256(init_text.as_bytes()),
                Map::new(),
            )?;
            Ok(())
        })?;
        if let Some(public) = keys.recovery_public() {
            trust_recovery_key(&vault.conn, &public, vault.now_ms())?;
        }
        // Its key file is tagged from the start: one without a tag is altered.
        vault
            .conn
            .execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('keys_tagged', '1')",
                [],
            )
            .map_err(map_err)?;
        // The keys file is written last: until it exists there is no vault.
        keys.write(dir)?;
        fsutil::sync_dir(dir)?;
        Ok((vault, code))
    }

    /// Opens the vault in `dir` with the passphrase. A wrong one is recorded (see
    /// [`crate::attempts`]); [`Vault::failed_attempts`] tells of earlier ones.
    ///
    /// If the vault has a decoy (see [`crate::decoy`]), the passphrase is tried on both
    /// at once and the decoy is opened if it is the decoy's.
    pub fn open(dir: &Path, pass: &Passphrase, opts: OpenOptions) -> Result<Vault> {
        Self::not_too_soon(dir)?;
        let unlock = |keys: &Keys| keys.unlock_passphrase(pass, opts.allow_insecure_kdf);
        // The tries run at once: together they may not ask for more memory than one
        // unlock is allowed (a key file altered to ask for more is not tried).
        let mut total = Keys::read(dir)
            .ok()
            .and_then(|k| k.kdf_summary())
            .map_or(0, |k| k.m_kib);
        let decoys: Vec<PathBuf> = decoy::chain_of(dir)
            .into_iter()
            .take_while(|d| {
                let m = Keys::read(d)
                    .ok()
                    .and_then(|k| k.kdf_summary())
                    .map_or(0, |k| k.m_kib);
                total = total.saturating_add(m);
                total <= crate::keys::MAX_TOTAL_M_KIB
            })
            .collect();
        if decoys.is_empty() {
            let opened = Self::open_with(dir, unlock).map_err(|e| store::refine_io(dir, e));
            return Self::after_attempt(dir, opened);
        }
        let (main, others) = std::thread::scope(|s| {
            let others: Vec<_> = decoys
                .iter()
                .map(|d| s.spawn(move || Self::open_with(d, unlock)))
                .collect();
            let main = Self::open_with(dir, unlock).map_err(|e| store::refine_io(dir, e));
            (
                main,
                others.into_iter().map(|h| h.join()).collect::<Vec<_>>(),
            )
        });
        if !matches!(main, Err(Error::WrongPassphrase)) {
            return Self::after_attempt(dir, main);
        }
        // Anything wrong with a decoy itself stays unsaid: she hears only that the
        // passphrase is not right, as without one.
        match others.into_iter().find_map(|r| r.ok().and_then(|r| r.ok())) {
            Some(v) => Ok(Self::after_decoy(dir, v)),
            None => Self::after_attempt(dir, main),
        }
    }

    /// A decoy opened: it tells of the failed unlocks since it was last opened, as the
    /// real vault would (and records them in its own chain). What it has told is kept
    /// inside the decoy's own encrypted database, never beside the real vault: the
    /// real vault's record of failed unlocks is left as it was, so its delay keeps
    /// growing however often the decoy opens, and it records every one when it is next
    /// opened.
    fn after_decoy(dir: &Path, mut v: Vault) -> Vault {
        // As the real vault would (best effort: a decoy never fails to open).
        let _ = v.check_keys_tag();
        const TOLD: &str = "attempts_told_until";
        let told: i64 = v
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [TOLD], |r| {
                r.get::<_, String>(0)
            })
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(i64::MIN);
        let times: Vec<i64> = attempts::read_all(dir)
            .into_iter()
            .filter(|t| *t > told)
            .collect();
        if let Some(&last) = times.last() {
            if Self::tell_attempts(&mut v, &times) {
                let _ = v.conn.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                    params![TOLD, last.to_string()],
                );
            }
        }
        v
    }

    /// Opens the vault in `dir` with the recovery code (a wrong one is recorded).
    pub fn open_with_recovery(dir: &Path, code: &str, opts: OpenOptions) -> Result<Vault> {
        Self::not_too_soon(dir)?;
        let opened = RecoveryCode::parse(code).and_then(|code| {
            let v = Self::open_with(dir, |keys| {
                keys.unlock_recovery(&code, opts.allow_insecure_kdf)
            })
            .map_err(|e| store::refine_io(dir, e))?;
            // The code opened it, so its key is hers. A version-1 recovery slot is
            // remade for the same code now that it is known, so a later passphrase
            // change can keep it (best effort: the old slot still works if this
            // cannot be written).
            if let Ok(mut keys) = Keys::read(dir) {
                if keys.recovery_is_v1() && keys.upgrade_recovery(&v.master, &code).is_ok() {
                    if let Some(public) = keys.recovery_public() {
                        if trust_recovery_key(&v.conn, &public, v.now_ms()).is_ok() {
                            let _ = keys.write(dir);
                        }
                    }
                } else if let Some(public) = keys.recovery_public() {
                    let _ = trust_recovery_key(&v.conn, &public, v.now_ms());
                }
            }
            Ok(v)
        });
        Self::after_attempt(dir, opened)
    }

    /// How long until a passphrase or recovery code may be tried on the vault in
    /// `dir`, after wrong ones (zero when it may be tried now).
    pub fn unlock_wait(dir: &Path) -> Duration {
        attempts::wait(dir, system_clock()())
    }

    /// Refuses to try a secret while the delay after wrong ones runs.
    fn not_too_soon(dir: &Path) -> Result<()> {
        let wait = Self::unlock_wait(dir);
        if wait.is_zero() {
            return Ok(());
        }
        Err(Error::TooSoon {
            wait_ms: u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
        })
    }

    /// Records a wrong secret, or moves the failed unlocks recorded while the vault was
    /// locked into its chain.
    fn after_attempt(dir: &Path, opened: Result<Vault>) -> Result<Vault> {
        match opened {
            Err(e @ (Error::WrongPassphrase | Error::WrongRecoveryCode)) => {
                // A key file changed since Cairn last wrote or opened with it, not by
                // Cairn: the secret may well be right. Damage, not an attempt.
                if crate::keys::seen_matches(dir) == Some(false) {
                    // Noted, so she hears of it, but adding nothing to the delay.
                    attempts::record(dir, attempts::ON_CHANGED_KEYS, system_clock()());
                    let what = match e {
                        Error::WrongPassphrase => "passphrase",
                        _ => "recovery code",
                    };
                    return Err(Error::KeysDamaged(format!(
                        "it was changed since Cairn last opened the vault, not by Cairn, and this {what} did not open it, so the try was not counted"
                    )));
                }
                let how = match e {
                    Error::WrongPassphrase => "passphrase",
                    _ => "recovery_code",
                };
                attempts::record(dir, how, system_clock()());
                Err(e)
            }
            Ok(mut v) => {
                // Here, not in open_with: a backup opened to be checked is never
                // written to. Best effort: a check that cannot run (a full disk) must
                // never keep her out of an intact vault; it runs again next time.
                let _ = v.check_keys_tag();
                crate::keys::mark_seen(dir);
                let times = attempts::read_all(dir);
                // If the record cannot be written now (a full disk), the file stays for
                // the next opening, which tells her; she still gets in.
                if !times.is_empty() && Self::tell_attempts(&mut v, &times) {
                    attempts::clear(dir);
                }
                Ok(v)
            }
            Err(e) => Err(e),
        }
    }

    /// Records failed unlocks at `times` as one chain entry (unless that entry is
    /// already there: a crash came after it and before the file was removed) and keeps
    /// their summary to tell her. False if the entry could not be written.
    fn tell_attempts(v: &mut Vault, times: &[i64]) -> bool {
        let Some(s) = attempts::summary(times) else {
            return true;
        };
        let text: String = times.iter().map(|t| format!("{t}\n")).collect();
        let mut meta = Map::new();
        meta.insert("count".into(), json!(s.count));
        meta.insert("first".into(), json!(s.first));
        meta.insert("last".into(), json!(s.last));
        let recorded = v
            .append_once(attempts::ATTEMPTS_ENTRY, &sha256(text.as_bytes()), meta)
            .is_ok();
        if recorded {
            v.failed_attempts = Some(s);
        }
        recorded
    }

    /// Failed unlocks recorded since the vault was last opened, found at this opening.
    pub fn failed_attempts(&self) -> Option<&FailedAttempts> {
        self.failed_attempts.as_ref()
    }

    pub(crate) fn open_with(
        dir: &Path,
        unlock: impl Fn(&Keys) -> Result<SecretKey>,
    ) -> Result<Vault> {
        if !Self::exists(dir) {
            return Err(Error::NoVault(dir.to_path_buf()));
        }
        // Nothing is swept, locked or read through a link planted in the folder.
        fsutil::check_vault_shape(dir)?;
        let lock = open_lock(dir)?;
        let keys = Keys::read(dir)?;
        let (master, conn) = match pending_rotation(dir) {
            Some(next) => settle_rotation(dir, &keys, &next, &unlock)?,
            None => {
                let master = unlock(&keys)?;
                let conn = store::open(dir, &master.derive("sqlcipher-key"), false)?;
                (master, conn)
            }
        };
        let (seed, vault_id): (Zeroizing<Vec<u8>>, String) = conn
            .query_row(
                "SELECT d.secret, m.value FROM device_key d, meta m WHERE d.id = 1 AND m.key = 'vault_id'",
                [],
                |r| Ok((Zeroizing::new(r.get::<_, Vec<u8>>(0)?), r.get::<_, String>(1)?)),
            )
            .map_err(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => {
                    Error::DatabaseDamaged("its vault identity is missing".into())
                }
                e => store::locate_damage(&conn, map_err(e)),
            })?;
        let seed: Zeroizing<[u8; 32]> = Zeroizing::new(
            seed.as_slice()
                .try_into()
                .map_err(|_| Error::DatabaseDamaged("its device key is malformed".into()))?,
        );
        let vault = Vault {
            dir: dir.to_path_buf(),
            conn,
            master,
            vault_id,
            device: SigningKey::from_bytes(&seed),
            kdf: keys.kdf_summary(),
            clock: system_clock(),
            _lock: lock,
            failed_attempts: None,
            keys_altered: false,
            // The secret was just typed: one change that needs it may follow (a CLI
            // command). A window kept open ends this at once (end_authorization).
            authorized: std::sync::atomic::AtomicU64::new(1),
            opened: std::time::Instant::now(),
            drafted_code: None,
        };
        vault
            .sweep()
            .map_err(|e| store::locate_damage(&vault.conn, e))?;
        Ok(vault)
    }

    /// Checks the key file's keyed tag now that the master key is known. A file from
    /// before tags is tagged (once: the database then says it was); a tag that does not
    /// match, or one missing after that, means someone without the master key changed
    /// a slot — the recovery slot, or the passphrase slot's settings if the code opened
    /// it. She is told at every unlock until a new passphrase or recovery code rewrites
    /// the file, and the chain records it once for each such file.
    fn check_keys_tag(&mut self) -> Result<()> {
        const TAGGED: &str = "keys_tagged";
        let keys = Keys::read(&self.dir)?;
        let tagged: bool = self
            .conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM meta WHERE key = ?1)",
                [TAGGED],
                |r| r.get(0),
            )
            .map_err(map_err)?;
        let mark = |conn: &Connection| {
            conn.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES (?1, '1')",
                [TAGGED],
            )
            .map_err(map_err)
        };
        match keys.check_tag(&self.master)? {
            TagCheck::Good => {
                if !tagged {
                    mark(&self.conn)?;
                }
                return Ok(());
            }
            // A file from before tags is tagged only if its recovery key is one Cairn
            // made for this vault: a slot planted before this version first opened it
            // must not be blessed.
            TagCheck::Missing
                if !tagged
                    && match keys.recovery_public() {
                        Some(p) => is_trusted_recovery_key(&self.conn, &p)?,
                        None => true,
                    } =>
            {
                let mut keys = keys;
                keys.add_tag(&self.master)?;
                // Best effort: an untagged file still opens, and is tagged next time.
                if keys.write(&self.dir).is_ok() {
                    mark(&self.conn)?;
                }
                return Ok(());
            }
            TagCheck::Missing | TagCheck::Bad => {}
        }
        self.keys_altered = true;
        let bytes = fsutil::read_small(&self.dir.join(KEYS_FILE), 64 * 1024)?.unwrap_or_default();
        // Best effort, as the failed-unlock entry: a full disk must not keep her out.
        let _ = self.append_once(KEYS_ALTERED_ENTRY, &sha256(&bytes), Map::new());
        Ok(())
    }

    /// Appends a vault-level entry of `kind` with `content`, unless the chain already
    /// holds one (an opening finds the same thing again, or a crash came after the
    /// entry and before what was to follow it).
    fn append_once(
        &mut self,
        kind: &str,
        content: &[u8; 32],
        meta: Map<String, Value>,
    ) -> Result<()> {
        let known: bool = self
            .conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM entries WHERE kind = ?1 AND content_sha256 = ?2)",
                params![kind, content.to_vec()],
                |r| r.get(0),
            )
            .map_err(map_err)?;
        if known {
            return Ok(());
        }
        let vault_id = self.vault_id.clone();
        self.write(|w| w.append(kind, &vault_id, content, meta).map(|_| ()))
    }

    /// True if the key file's slots were changed by someone without the master key
    /// since Cairn last wrote it (found at this opening): the recovery code, or the
    /// passphrase, may no longer open the vault. A new passphrase or recovery code
    /// rewrites the file. The shells tell her at every unlock.
    pub fn keys_altered(&self) -> bool {
        self.keys_altered
    }

    /// Removes what a crash left half-done: temporary blob files, blobs that were being
    /// written when the process died (their rows are `pending`), and files of redacted
    /// blobs that were not yet overwritten.
    fn sweep(&self) -> Result<()> {
        // A backup cut short may have left files its database names under tmp.
        blobs::adopt_staged(&self.dir, &|id| {
            self.conn
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM blobs WHERE id = ?1 AND state = 'stored')",
                    [id],
                    |r| r.get(0),
                )
                .map_err(map_err)
        })?;
        blobs::sweep_tmp(&self.dir)?;
        let stale: Vec<(String, String)> = {
            let mut st = self
                .conn
                .prepare(
                    // A blob that a live (unredacted) version still needs is never
                    // destroyed here, whatever its row says: verify reports it instead.
                    "SELECT id, state FROM blobs WHERE state IN ('pending', 'destroyed')
                     AND id NOT IN (SELECT blob_id FROM versions
                                    WHERE record IS NOT NULL AND blob_id IS NOT NULL)
                     AND id NOT IN (SELECT thumb_blob_id FROM versions
                                    WHERE record IS NOT NULL AND thumb_blob_id IS NOT NULL)",
                )
                .map_err(map_err)?;
            let rows = st
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(map_err)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(map_err)?;
            rows
        };
        for (id, state) in stale {
            if blobs::path(&self.dir, &id)?.exists() {
                match blobs::destroy(&self.dir, &id) {
                    // A link planted where a stored file was is left alone (and not
                    // followed); verify reports it. The vault still opens.
                    Err(Error::UnsafeFile { .. }) => continue,
                    other => other?,
                }
            }
            if state == "pending" {
                self.conn
                    .execute(
                        "DELETE FROM blobs WHERE id = ?1 AND state = 'pending'",
                        [&id],
                    )
                    .map_err(map_err)?;
            }
        }
        Ok(())
    }

    /// Checks that `pass` is this vault's current passphrase (before a change made
    /// from an unlocked window, so whoever finds it unlocked cannot change it).
    pub fn check_passphrase(&self, pass: &Passphrase, opts: OpenOptions) -> Result<()> {
        let key = Keys::read(&self.dir)?.unlock_passphrase(pass, opts.allow_insecure_kdf)?;
        if key.expose() == self.master.expose() {
            Ok(())
        } else {
            Err(Error::WrongPassphrase)
        }
    }

    /// Checks the passphrase again and allows one change that needs it within
    /// [`AUTHORIZATION_WINDOW`]: redaction, export, a decoy set or removed, a backup to
    /// a new folder, a weaker disguise, quick-exit or lock setting. Opening the vault
    /// allows one too (each CLI command is typed with the passphrase); a window that
    /// stays open ends that at once with [`Vault::end_authorization`]. A wrong
    /// passphrase here is [`Error::WrongPassphrase`]; the caller counts it as a failed
    /// unlock.
    pub fn authorize(&self, pass: &Passphrase, opts: OpenOptions) -> Result<()> {
        self.check_passphrase(pass, opts)?;
        let now = u64::try_from(self.opened.elapsed().as_millis()).unwrap_or(u64::MAX - 1);
        self.authorized
            .store(now + 1, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }

    /// Ends any authorization (see [`Vault::authorize`]).
    pub fn end_authorization(&self) {
        self.authorized
            .store(0, std::sync::atomic::Ordering::SeqCst);
    }

    /// Uses up the authorization a change needs, or refuses it with
    /// [`Error::PassphraseNeeded`]. Public for the crates that make such changes on the
    /// core's behalf (a bundle export).
    pub fn take_authorization(&self) -> Result<()> {
        let at = self.authorized.swap(0, std::sync::atomic::Ordering::SeqCst);
        let now = u64::try_from(self.opened.elapsed().as_millis()).unwrap_or(u64::MAX - 1);
        let window = AUTHORIZATION_WINDOW.as_millis() as u64;
        if at == 0 || now + 1 - at > window {
            return Err(Error::PassphraseNeeded);
        }
        Ok(())
    }

    /// Replaces the passphrase and rotates the master key: the database is re-keyed
    /// (stored files keep their own keys, which live inside it, so they are not
    /// rewritten) and a new keys file is written, so a copy of the old keys file opens
    /// nothing with the old passphrase. The recovery code is kept; if this vault's
    /// recovery slot is too old to be resealed without the code, a new code is made
    /// and returned, and the old one no longer works. A backup written before still
    /// opens with the old secrets until the next backup replaces it.
    ///
    /// Crash-safe: until the re-key commits the vault opens with the old passphrase
    /// (and with the new one, which finishes the change); after, with the new one.
    pub fn change_passphrase(
        &mut self,
        new: &Passphrase,
        cost: KdfCost,
    ) -> Result<Option<RecoveryCode>> {
        if new.expose().chars().count() < MIN_PASSPHRASE_CHARS {
            return Err(Error::Invalid(format!(
                "Choose a passphrase of at least {MIN_PASSPHRASE_CHARS} characters."
            )));
        }
        crate::require_strong(new)?;
        // The decoy's passphrase would open both, and the decoy could no longer be
        // reached. (Trying it is only a check, so a test-cost decoy is tried too.)
        if self.has_decoy() {
            let alt = Keys::read(&decoy::dir_of(&self.dir))?;
            if alt.unlock_passphrase(new, true).is_ok() {
                return Err(Error::Invalid(
                    "That is the decoy's passphrase; choose a different one.".into(),
                ));
            }
        }
        self.rotate(new, cost, RecoveryChange::Keep, "passphrase")
    }

    /// Makes a new recovery code to show her, before it replaces the old one: the code
    /// is shown first and [`Vault::replace_recovery_code`] then makes it hers, so a
    /// crash can never leave a code in force that she was not shown (a replacement cut
    /// short is undone, and the old code still works). Returns its text.
    pub fn draft_recovery_code(&mut self) -> Result<Zeroizing<String>> {
        let code = RecoveryCode::generate()?;
        let text = code.display();
        self.drafted_code = Some(code);
        Ok(text)
    }

    /// Makes the drafted code (see [`Vault::draft_recovery_code`]) her recovery code and
    /// revokes the old one: the master key is rotated as in
    /// [`Vault::change_passphrase`], the passphrase slot sealed for `pass` (her current
    /// passphrase, which she types again for this).
    pub fn replace_recovery_code(&mut self, pass: &Passphrase) -> Result<()> {
        // The new slot is sealed for this passphrase: it must be hers.
        self.check_passphrase(
            pass,
            OpenOptions {
                allow_insecure_kdf: true,
            },
        )?;
        let code = self.drafted_code.take().ok_or_else(|| {
            Error::Invalid("Show the new recovery code first, so it can be written down.".into())
        })?;
        let cost = self.kdf.map_or(KdfCost::Calibrated, KdfCost::same_as);
        match self.rotate(pass, cost, RecoveryChange::To(&code), "recovery_code") {
            Ok(_) => Ok(()),
            Err(e) => {
                self.drafted_code = Some(code);
                Err(e)
            }
        }
    }

    /// Rotates the master key (see [`Vault::change_passphrase`]): `keys.next` with the
    /// new slots and the old key sealed under the new, the database re-keyed in one
    /// transaction, then `keys` replaced and `keys.next` removed. Opening settles a
    /// rotation cut short at any step (see `settle_rotation`).
    fn rotate(
        &mut self,
        pass: &Passphrase,
        cost: KdfCost,
        recovery: RecoveryChange<'_>,
        what: &str,
    ) -> Result<Option<RecoveryCode>> {
        let keys = Keys::read(&self.dir)?;
        let next = SecretKey::random()?;
        // Asked of the key file's own recovery key only; a database error is an error,
        // never taken for "not trusted".
        let in_file = match keys.recovery_public() {
            Some(p) => Some((p, is_trusted_recovery_key(&self.conn, &p)?)),
            None => None,
        };
        let trusted = |public: &[u8; 32]| in_file.is_some_and(|(p, ok)| ok && p == *public);
        let (new_keys, made) = keys.rotated(&next, &self.master, pass, cost, recovery, &trusted)?;
        // Backups written before this still use the old key; the next backup opens
        // them with it (see backup.rs). A new code's key is one Cairn made.
        self.conn
            .execute(
                "INSERT OR IGNORE INTO retired_keys (master, retired_at) VALUES (?1, ?2)",
                params![&self.master.expose()[..], self.now_ms()],
            )
            .map_err(|e| store::refine_io(&self.dir, map_err(e)))?;
        if let Some(public) = new_keys.recovery_public() {
            trust_recovery_key(&self.conn, &public, self.now_ms())?;
        }
        new_keys.write_file(&self.dir.join(NEXT_KEYS_FILE))?;
        store::rekey(&self.conn, &next.derive("sqlcipher-key"))
            .map_err(|e| store::refine_io(&self.dir, e))?;
        self.master = next;
        finish_rotation(&self.dir, new_keys)?;
        self.kdf = Keys::read(&self.dir)?.kdf_summary();
        let vault_id = self.vault_id.clone();
        let code_made = made.is_some() || what == "recovery_code";
        self.write(|w| {
            let mut meta = Map::new();
            meta.insert("changed".into(), json!(what));
            meta.insert("recovery_code_replaced".into(), json!(code_made));
            let content = sha256(format!("{what}\n").as_bytes());
            w.append(REKEY_ENTRY, &vault_id, &content, meta)
        })?;
        Ok(made)
    }

    /// The vault folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The vault's random id.
    pub fn vault_id(&self) -> &str {
        &self.vault_id
    }

    /// The passphrase slot's KDF cost.
    pub fn kdf(&self) -> Option<KdfSummary> {
        self.kdf
    }

    /// Replaces the clock (tests use this to make the clock go backwards).
    #[doc(hidden)]
    pub fn set_clock_for_tests(&mut self, clock: Clock) {
        self.clock = clock;
    }

    /// Now, by the vault's clock (UTC milliseconds).
    pub(crate) fn now_ms(&self) -> i64 {
        (self.clock)()
    }

    /// The keyed database connection, for tests that tamper below the triggers.
    #[doc(hidden)]
    pub fn raw_connection_for_tests(&self) -> &Connection {
        &self.conn
    }

    /// Runs `f` in one immediate transaction, then signs a checkpoint of the new head
    /// and commits. Everything `f` appends lands together or not at all.
    pub fn write<T>(&mut self, f: impl FnOnce(&mut Writer<'_>) -> Result<T>) -> Result<T> {
        self.write_inner(f)
            .map_err(|e| store::refine_io(&self.dir, e))
    }

    fn write_inner<T>(&mut self, f: impl FnOnce(&mut Writer<'_>) -> Result<T>) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(map_err)?;
        let head = chain::head(&tx)?;
        let start = head.as_ref().map_or(0, |h| h.seq);
        let mut w = Writer {
            conn: &tx,
            clock: &self.clock,
            vault_id: &self.vault_id,
            tree: tree::load(&tx, start)?,
            head,
            ids: Ids::default(),
        };
        let out = f(&mut w)?;
        if w.tree.size() != start {
            let head = w
                .head
                .take()
                .ok_or_else(|| Error::DatabaseDamaged("the chain lost its head".into()))?;
            tree::store(&tx, &w.tree)?;
            let note = checkpoint::sign(
                &self.device,
                &self.vault_id,
                head.seq,
                &hex(&w.tree.root()),
                &head.hash,
                (self.clock)(),
            )?;
            tx.execute(
                "INSERT OR REPLACE INTO checkpoints (size, note) VALUES (?1, ?2)",
                params![head.seq as i64, note],
            )
            .map_err(map_err)?;
        }
        tx.commit().map_err(map_err)?;
        Ok(out)
    }

    /// Records a new incident.
    pub fn add_incident(&mut self, inc: Incident) -> Result<Added> {
        self.write(|w| w.add_incident(inc))
    }

    /// Records a new version of an incident.
    pub fn edit_incident(&mut self, id: &str, inc: Incident) -> Result<Added> {
        self.write(|w| w.edit(id, ItemKind::Incident, &inc.normalised()?))
    }

    /// Records a new person.
    pub fn add_person(&mut self, p: Person) -> Result<Added> {
        self.write(|w| w.add_person(p))
    }

    /// Records a new version of a person.
    pub fn edit_person(&mut self, id: &str, p: Person) -> Result<Added> {
        self.write(|w| w.edit(id, ItemKind::Person, &p.normalised()?))
    }

    /// Links two items.
    pub fn link(&mut self, a: &str, b: &str) -> Result<Added> {
        self.write(|w| w.link(a, b))
    }

    /// Removes a link (recorded as a new version with `active: false`).
    pub fn unlink(&mut self, link_id: &str) -> Result<Added> {
        let id = norm_id(link_id);
        let cur = self.current(&id)?;
        if cur.kind != ItemKind::Link {
            return Err(Error::Invalid(format!("{id} is not a link.")));
        }
        let mut link: Link =
            serde_json::from_value(cur.record.ok_or_else(|| Error::Redacted(id.clone()))?)
                .map_err(|_| Error::DatabaseDamaged(format!("link {id} is unreadable")))?;
        link.active = false;
        self.write(|w| w.edit(&id, ItemKind::Link, &link))
    }

    /// Adds the file at `path`: streamed into an encrypted blob, hashed in the same pass,
    /// described (media type, EXIF, thumbnail) from the stored bytes, then committed
    /// with its chain entry in one transaction.
    pub fn add_file(&mut self, path: &Path, opts: &AddFile<'_>) -> Result<AddedFile> {
        let meta = fs::metadata(path).map_err(|e| Error::io("read", path, e))?;
        if meta.is_dir() {
            return Err(Error::Invalid(format!(
                "{} is a folder; add the files in it instead.",
                path.display()
            )));
        }
        let mut file = File::open(path).map_err(|e| Error::io("open", path, e))?;
        let name = path.file_name().unwrap_or(path.as_os_str());
        let modified = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| format_ms(d.as_millis() as i64));
        self.add_file_from(name, &mut file, modified, opts)
    }

    /// Adds a file from any reader (importers use this for files inside archives).
    pub fn add_file_from(
        &mut self,
        name: &OsStr,
        src: &mut (dyn Read + Send),
        modified_at: Option<String>,
        opts: &AddFile<'_>,
    ) -> Result<AddedFile> {
        let link_to = match &opts.link_to {
            Some(id) => Some(self.current(&norm_id(id))?.id),
            None => None,
        };
        let acquired = if opts.acquired.trim().is_empty() {
            "Added from a file on this computer"
        } else {
            opts.acquired.trim()
        };
        let staged = self.stage(name, src, modified_at, acquired, opts.progress, opts.cancel)?;
        let result = self.write(|w| {
            let added = w.commit_staged(&staged)?;
            if let Some(target) = &link_to {
                w.link(target, &added.id)?;
            }
            Ok(added)
        });
        let added = match result {
            Ok(added) => added,
            Err(e) => {
                self.discard(staged);
                return Err(e);
            }
        };
        let record = staged.record;
        Ok(AddedFile {
            id: added.id,
            sha256: record.sha256,
            size: record.size,
            name: record.name,
            media_type: record.media_type,
            seq: added.seq,
            recorded_at: added.recorded_at,
        })
    }

    /// Stores a file encrypted and describes it (media type, EXIF, thumbnail) without
    /// putting it on record: importers stage an export and its attachments, then hand
    /// them to [`Vault::import_chat`], which commits them all or none. A staged file
    /// that is not imported must be [`Vault::discard`]ed; one left by a crash is swept
    /// when the vault is next opened.
    pub fn stage_file(
        &self,
        name: &OsStr,
        src: &mut (dyn Read + Send),
        modified_at: Option<String>,
        acquired: &str,
    ) -> Result<StagedFile> {
        let never = AtomicBool::new(false);
        self.stage(name, src, modified_at, acquired.trim(), &|_| {}, &never)
    }

    /// Reads a staged file back, decrypting as it goes: an importer parses what it
    /// kept, so the exhibit and what was read from it cannot differ.
    pub fn open_staged(&self, staged: &StagedFile) -> Result<BlobReader> {
        BlobReader::open(&self.dir, &staged.blob_id, &staged.key, staged.stored.size)
    }

    /// Removes a staged file's encrypted bytes (and its thumbnail's).
    pub fn discard(&self, staged: StagedFile) {
        self.abandon_blob(&staged.blob_id);
        if let Some(t) = &staged.thumb {
            self.abandon_blob(&t.id);
        }
    }

    fn stage(
        &self,
        name: &OsStr,
        src: &mut (dyn Read + Send),
        modified_at: Option<String>,
        acquired: &str,
        progress: &(dyn Fn(u64) + Sync),
        cancel: &AtomicBool,
    ) -> Result<StagedFile> {
        let blob_id = self.begin_blob()?;
        let key = SecretKey::random()?;
        let stored = match blobs::store(&self.dir, &blob_id, &key, src, progress, cancel) {
            Ok(s) => s,
            Err(e) => {
                self.abandon_blob(&blob_id);
                return Err(e);
            }
        };
        match self.describe(name, &blob_id, &key, &stored, modified_at, acquired) {
            Ok((record, thumb, location_free)) => Ok(StagedFile {
                blob_id,
                key,
                stored,
                thumb,
                record,
                location_free,
            }),
            Err(e) => {
                self.abandon_blob(&blob_id);
                Err(e)
            }
        }
    }

    /// A stored blob's file record and thumbnail, read back from the stored bytes.
    fn describe(
        &self,
        name: &OsStr,
        blob_id: &str,
        key: &SecretKey,
        stored: &blobs::StoredBlob,
        modified_at: Option<String>,
        acquired: &str,
    ) -> Result<(FileRecord, Option<StoredThumb>, Option<LocationStatus>)> {
        let mut reader = BufReader::new(BlobReader::open(&self.dir, blob_id, key, stored.size)?);
        let mut head = Vec::with_capacity(8192);
        (&mut reader)
            .take(8192)
            .read_to_end(&mut head)
            .map_err(|e| blob_read_error(blob_id, e))?;
        let media_type = media::sniff(&head);
        let mut exif = None;
        let mut thumb = None;
        if media_type.starts_with("image/") {
            use std::io::Seek;
            let _ = reader.rewind();
            // Photo parsers run on untrusted bytes; a bug in one must not stop the
            // original being kept, so a panic there means "no EXIF" / "no thumbnail".
            exif =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| media::exif(&mut reader)))
                    .ok()
                    .flatten();
            let _ = reader.rewind();
            thumb = self.store_thumbnail(&mut reader)?;
        }
        // A photo or video that says where it was made gets its location-free copy
        // now, so its SHA-256 goes into the same entry (docs/FORMAT.md §5.7). Formats
        // only a whole read can decide are checked when they are exported.
        // What the scan found as the bytes were stored decides a file no parser takes
        // apart; a position track found in a video's media data overrules its parser.
        let mut location_free = match stored.scanned {
            None => Some(LocationStatus::CannotClean(
                "Cairn could not read it to check for location".into(),
            )),
            Some((true, signs)) => Some(match signs.reason() {
                Some(why) => LocationStatus::CannotClean(why.into()),
                None => LocationStatus::NoLocation,
            }),
            Some((false, _)) => None,
        };
        let track = stored.scanned.is_some_and(|(_, s)| s.track);
        if track {
            location_free = Some(LocationStatus::CannotClean(
                cairn_location::TRACK_FOUND.into(),
            ));
        } else if stored.scanned.is_some()
            && cairn_location::structured(head.get(..16).unwrap_or(&head))
        {
            location_free = Some(match location::inspect(&mut reader, stored.size, false)? {
                Located::Copy { patches, .. } => {
                    let again = BlobReader::open(&self.dir, blob_id, key, stored.size)?;
                    LocationStatus::Copy {
                        sha256: location::copy_sha256(again, patches)?,
                    }
                }
                Located::CannotClean(why) => LocationStatus::CannotClean(why),
                Located::NoLocation => LocationStatus::NoLocation,
                // The parser leaves it to the scan, which has read it already.
                Located::ScanAsItPasses => match stored.scanned.and_then(|(_, s)| s.reason()) {
                    Some(why) => LocationStatus::CannotClean(why.into()),
                    None => LocationStatus::NoLocation,
                },
            });
        }
        let (name_text, name_bytes_hex) = os_name(name);
        let record = FileRecord {
            name: name_text,
            name_bytes_hex,
            size: stored.size,
            sha256: hex(&stored.sha256),
            media_type,
            modified_at,
            acquired: acquired.to_string(),
            description: String::new(),
            exif,
            thumbnail: thumb.as_ref().map(|t| Thumbnail {
                sha256: hex(&t.blob.sha256),
                width: t.width,
                height: t.height,
            }),
        };
        Ok((record, thumb, location_free))
    }

    /// Imports messages: the original export (staged, see [`Vault::stage_file`]) is
    /// kept byte-exact as a file item, each attachment as a file item, and each message
    /// as an item naming the export and its attachments, all in one transaction with
    /// one chain entry per item. An export imported before (the same SHA-256) adds
    /// nothing. Every staged file is committed or, on any failure, discarded.
    pub fn import_chat(&mut self, chat: ChatImport<'_>) -> Result<ImportedChat> {
        self.import_chat_reporting(chat, &|_, _| {})
    }

    /// [`Vault::import_chat`], telling `recorded(done, total)` how many messages are
    /// written, every few hundred and at the end. Nothing is committed until the end.
    pub fn import_chat_reporting(
        &mut self,
        chat: ChatImport<'_>,
        recorded: &dyn Fn(u64, u64),
    ) -> Result<ImportedChat> {
        let ChatImport {
            source,
            original,
            attachments,
            messages,
        } = chat;
        let discard_all = |v: &Vault, original: StagedFile, attachments: Vec<StagedFile>| {
            v.discard(original);
            for a in attachments {
                v.discard(a);
            }
        };
        if messages.is_empty() {
            discard_all(self, original, attachments);
            return Err(Error::Invalid(
                "The export has no messages in it, so nothing was imported.".into(),
            ));
        }
        if let Some(m) = messages
            .iter()
            .find(|m| m.attachments.iter().any(|&i| i >= attachments.len()))
        {
            let line = m.line;
            discard_all(self, original, attachments);
            return Err(Error::Invalid(format!(
                "The message on line {line} names an attachment the import does not have, so nothing was imported."
            )));
        }
        let sha = original.record.sha256.clone();
        let prior = match self.imported_export(&sha) {
            Ok(prior) => prior,
            Err(e) => {
                discard_all(self, original, attachments);
                return Err(e);
            }
        };
        if let Some(export) = prior {
            discard_all(self, original, attachments);
            return Ok(ImportedChat {
                export,
                export_sha256: sha,
                messages: 0,
                attachments: 0,
                already_imported: true,
                first_seq: 0,
                last_seq: 0,
            });
        }
        let result = self.write(|w| {
            let file = w.commit_staged(&original)?;
            let mut files = Vec::with_capacity(attachments.len());
            for a in &attachments {
                files.push(w.commit_staged(a)?.id);
            }
            let mut last = file.seq;
            let total = messages.len() as u64;
            for (i, m) in messages.iter().enumerate() {
                if i % 500 == 0 {
                    recorded(i as u64, total);
                }
                let msg = Message {
                    source: source.to_string(),
                    conversation: m.conversation.clone(),
                    sender: m.sender.clone(),
                    recipients: m.recipients.clone(),
                    sent_at: m.sent_at.clone(),
                    subject: m.subject.clone(),
                    text: m.text.clone(),
                    kind: m.kind,
                    attachment: m.attachment.clone(),
                    attachments: m.attachments.iter().map(|&i| files[i].clone()).collect(),
                    export: file.id.clone(),
                    line: m.line,
                    source_id: m.source_id.clone(),
                };
                last = w.add_message(&msg)?.seq;
            }
            recorded(total, total);
            Ok(ImportedChat {
                export: file.id,
                export_sha256: sha.clone(),
                messages: messages.len(),
                attachments: files.len(),
                already_imported: false,
                first_seq: file.seq,
                last_seq: last,
            })
        });
        if result.is_err() {
            discard_all(self, original, attachments);
        }
        result
    }

    /// The file item holding an export with this SHA-256 that messages were imported
    /// from, if any: an importer asks before it stages anything large.
    pub fn imported_export(&self, sha: &str) -> Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT f.item_id FROM versions f JOIN items i ON i.id = f.item_id
                 WHERE i.kind = 'file' AND json_extract(f.record, '$.sha256') = ?1
                   AND EXISTS (SELECT 1 FROM versions m JOIN items mi ON mi.id = m.item_id
                               WHERE mi.kind = 'message'
                                 AND json_extract(m.record, '$.export') = f.item_id)
                 LIMIT 1",
                [sha],
                |r| r.get(0),
            )
            .optional()
            .map_err(map_err)
    }

    /// Items whose words match what she typed (every word; the last, from three
    /// bytes, also as the start of a longer word), best first (among the most recently
    /// recorded [`crate::search::RANKED_MATCHES`] when more match), at most `limit`, with the words around each match: incidents, messages,
    /// people, files, reports. (The timeline's filter, [`Vault::search`], matches
    /// within words and keeps the timeline's order.)
    pub fn search_ranked(&self, typed: &str, limit: usize) -> Result<crate::search::Found> {
        crate::search::search(&self.conn, typed, limit)
    }

    /// Makes a photo's thumbnail and stores it as a pending blob; `None` if the image
    /// cannot be decoded (the original is kept all the same).
    fn store_thumbnail(
        &self,
        reader: impl std::io::BufRead + std::io::Seek,
    ) -> Result<Option<StoredThumb>> {
        let made =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| media::thumbnail(reader)));
        let Some((jpeg, width, height)) = made.ok().flatten() else {
            return Ok(None);
        };
        let (id, key, blob) = self.store_bytes(&jpeg)?;
        Ok(Some(StoredThumb {
            id,
            key,
            blob,
            width,
            height,
        }))
    }

    /// Stores `bytes` as a new pending blob under a fresh key (a thumbnail); on
    /// failure nothing is left behind.
    fn store_bytes(&self, bytes: &[u8]) -> Result<(String, SecretKey, blobs::StoredBlob)> {
        let id = self.begin_blob()?;
        let key = SecretKey::random()?;
        let never = AtomicBool::new(false);
        match blobs::store(
            &self.dir,
            &id,
            &key,
            &mut Cursor::new(bytes),
            &|_| {},
            &never,
        ) {
            Ok(blob) => Ok((id, key, blob)),
            Err(e) => {
                self.abandon_blob(&id);
                Err(e)
            }
        }
    }

    /// Records a blob as pending (committed at once, so a crash leaves a trace to sweep).
    fn begin_blob(&self) -> Result<String> {
        let id = blobs::new_id()?;
        self.conn
            .execute(
                "INSERT INTO blobs (id, state) VALUES (?1, 'pending')",
                [&id],
            )
            .map_err(|e| store::refine_io(&self.dir, map_err(e)))?;
        Ok(id)
    }

    fn abandon_blob(&self, id: &str) {
        let _ = blobs::destroy(&self.dir, id);
        let _ = self.conn.execute(
            "DELETE FROM blobs WHERE id = ?1 AND state = 'pending'",
            [id],
        );
    }

    /// The latest version of an item.
    pub(crate) fn current(&self, id: &str) -> Result<CurrentRow> {
        current_row(&self.conn, id)
    }

    /// Every item except links, in the order they were recorded.
    pub fn list(&self) -> Result<Vec<ItemSummary>> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT item_id, kind, version, title, occurred, recorded_at, updated_at, redacted
                 FROM item_index ORDER BY created_seq",
            )
            .map_err(map_err)?;
        let rows = st
            .query_map([], |r| {
                let kind = r.get_ref(1)?.as_str().ok().and_then(ItemKind::parse);
                Ok(ItemSummary {
                    id: r.get(0)?,
                    kind: kind.unwrap_or(ItemKind::Incident),
                    version: r.get::<_, i64>(2)? as u64,
                    title: r.get(3)?,
                    occurred: r.get(4)?,
                    recorded_at: Millis(r.get(5)?),
                    updated_at: Millis(r.get(6)?),
                    redacted: r.get(7)?,
                })
            })
            .map_err(map_err)?;
        // Every item has its own creating entry, so the chain length bounds the count.
        let bound: i64 = self
            .conn
            .query_row("SELECT coalesce(max(seq), 0) FROM entries", [], |r| {
                r.get(0)
            })
            .map_err(map_err)?;
        let mut out = Vec::with_capacity(bound.clamp(0, 1 << 22) as usize);
        for row in rows {
            out.push(row.map_err(map_err)?);
        }
        Ok(out)
    }

    /// Everything about one item.
    pub fn show(&self, id: &str) -> Result<ItemDetail> {
        let id = norm_id(id);
        let cur = self.current(&id)?;
        let created: (i64, i64) = self
            .conn
            .query_row(
                "SELECT i.created_seq, e.recorded_at FROM items i JOIN entries e ON e.seq = i.created_seq WHERE i.id = ?1",
                [&id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(map_err)?;
        Ok(ItemDetail {
            id: id.clone(),
            kind: cur.kind,
            version: cur.version,
            record: cur.record,
            record_sha256: cur.record_sha256,
            content_sha256: cur.content_sha256,
            recorded_at: format_ms(created.1),
            updated_at: format_ms(cur.recorded_at),
            created_seq: created.0 as u64,
            current_seq: cur.seq,
            redaction: self.tombstone(&id)?,
            links: self.links_of(&id)?,
        })
    }

    fn tombstone(&self, id: &str) -> Result<Option<Tombstone>> {
        self.conn
            .query_row(
                "SELECT t.seq, t.record, e.recorded_at FROM tombstones t JOIN entries e ON e.seq = t.seq WHERE t.item_id = ?1",
                [id],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?)),
            )
            .optional()
            .map_err(map_err)?
            .map(|(seq, rec, at)| {
                let v: Value = serde_json::from_str(&rec)
                    .map_err(|_| Error::DatabaseDamaged(format!("the tombstone of {id} is unreadable")))?;
                Ok(Tombstone {
                    reason: v["reason"].as_str().unwrap_or_default().to_string(),
                    recorded_at: format_ms(at),
                    seq: seq as u64,
                    versions: v["versions"].as_array().cloned().unwrap_or_default(),
                })
            })
            .transpose()
    }

    fn links_of(&self, id: &str) -> Result<Vec<LinkView>> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT v.item_id, json_extract(v.record, '$.from'), json_extract(v.record, '$.to')
                 FROM versions v JOIN items i ON i.id = v.item_id
                 WHERE i.kind = 'link'
                   AND v.version = (SELECT max(version) FROM versions WHERE item_id = v.item_id)
                   AND json_extract(v.record, '$.active') = 1
                   AND (json_extract(v.record, '$.from') = ?1 OR json_extract(v.record, '$.to') = ?1)
                 ORDER BY v.seq",
            )
            .map_err(map_err)?;
        let pairs = st
            .query_map([id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .map_err(map_err)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(map_err)?;
        let mut out = Vec::new();
        for (link, from, to) in pairs {
            let other = if from == id { to } else { from };
            let o = self.current(&other)?;
            let title = o
                .record
                .as_ref()
                .and_then(|r| r.get("title").or_else(|| r.get("name")))
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string();
            let rec = o.record.as_ref();
            out.push(LinkView {
                link,
                other,
                other_kind: o.kind,
                other_title: title,
                other_media_type: rec
                    .and_then(|r| r.get("media_type"))
                    .and_then(|v| v.as_str())
                    .map(str::to_string),
                other_has_thumbnail: o.thumb_blob_id.is_some() && rec.is_some(),
            });
        }
        Ok(out)
    }

    /// Every version of an item with what changed, and its tombstone if redacted.
    pub fn history(&self, id: &str) -> Result<History> {
        let id = norm_id(id);
        let cur = self.current(&id)?;
        let mut st = self
            .conn
            .prepare(
                "SELECT v.version, v.seq, e.kind, e.recorded_at, v.record, v.record_sha256, v.content_sha256
                 FROM versions v JOIN entries e ON e.seq = v.seq WHERE v.item_id = ?1 ORDER BY v.version",
            )
            .map_err(map_err)?;
        let rows = st
            .query_map([&id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Vec<u8>>(5)?,
                    r.get::<_, Vec<u8>>(6)?,
                ))
            })
            .map_err(map_err)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(map_err)?;
        let mut versions = Vec::new();
        let mut prev: Option<Value> = None;
        for (version, seq, kind, at, record, rsha, csha) in rows {
            let record: Option<Value> = record.and_then(|r| serde_json::from_str(&r).ok());
            let changed = if record.is_some() {
                changed_fields(prev.as_ref(), record.as_ref())
            } else {
                Vec::new()
            };
            versions.push(VersionView {
                version: version as u64,
                seq: seq as u64,
                entry_kind: kind,
                recorded_at: format_ms(at),
                record: record.clone(),
                record_sha256: hex(&rsha),
                content_sha256: hex(&csha),
                changed,
            });
            prev = record;
        }
        Ok(History {
            id: id.clone(),
            kind: cur.kind,
            versions,
            redaction: self.tombstone(&id)?,
        })
    }

    /// The salts of an item's versions whose record hash is over their committed form
    /// (docs/FORMAT.md §5.6), by version; versions without any are not listed.
    pub fn version_salts(&self, id: &str) -> Result<BTreeMap<u64, withhold::Salts>> {
        let id = norm_id(id);
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT version, salts FROM versions WHERE item_id = ?1 AND salts IS NOT NULL",
            )
            .map_err(map_err)?;
        let rows = st
            .query_map([&id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
            .map_err(map_err)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(map_err)?;
        rows.into_iter()
            .map(|(v, text)| {
                let salts = serde_json::from_str(&text).map_err(|_| {
                    Error::DatabaseDamaged(format!("the salts of {id} are unreadable"))
                })?;
                Ok((v as u64, salts))
            })
            .collect()
    }

    /// Opens a file item's original bytes for reading (random access, authenticated).
    pub fn open_original(&self, id: &str) -> Result<BlobReader> {
        let id = norm_id(id);
        let cur = self.current(&id)?;
        if cur.kind != ItemKind::File {
            return Err(Error::Invalid(format!("{id} is not a file.")));
        }
        if self.tombstone(&id)?.is_some() {
            return Err(Error::Redacted(id));
        }
        let blob = cur
            .blob_id
            .ok_or_else(|| Error::DatabaseDamaged(format!("file {id} has no stored content")))?;
        self.open_blob(&blob)
    }

    /// A file item's sniffed media type (what serving it needs, without the rest of
    /// [`Vault::show`]).
    pub fn media_type(&self, id: &str) -> Result<String> {
        let id = norm_id(id);
        let cur = self.current(&id)?;
        if cur.kind != ItemKind::File {
            return Err(Error::Invalid(format!("{id} is not a file.")));
        }
        let rec = cur.record.ok_or(Error::Redacted(id))?;
        Ok(rec
            .get("media_type")
            .and_then(|m| m.as_str())
            .unwrap_or("application/octet-stream")
            .to_string())
    }

    /// Opens a stored blob by id.
    pub(crate) fn open_blob(&self, blob: &str) -> Result<BlobReader> {
        let (key, size) = self.blob_key(blob)?;
        BlobReader::open(&self.dir, blob, &key, size)
    }

    pub(crate) fn blob_key(&self, blob: &str) -> Result<(SecretKey, u64)> {
        let (key, size): (Option<Zeroizing<Vec<u8>>>, i64) = self
            .conn
            .query_row("SELECT key, size FROM blobs WHERE id = ?1", [blob], |r| {
                Ok((
                    r.get::<_, Option<Vec<u8>>>(0)?.map(Zeroizing::new),
                    r.get(1)?,
                ))
            })
            .optional()
            .map_err(map_err)?
            .ok_or_else(|| Error::DatabaseDamaged(format!("stored file {blob} has no record")))?;
        let key = key
            .and_then(|k| SecretKey::from_bytes(&k))
            .ok_or_else(|| Error::DatabaseDamaged(format!("stored file {blob} has no key")))?;
        Ok((key, size as u64))
    }

    /// The JPEG thumbnail of a photo, if it has one.
    pub fn thumbnail(&self, id: &str) -> Result<Option<Vec<u8>>> {
        let cur = self.current(&norm_id(id))?;
        let Some(t) = cur.thumb_blob_id else {
            return Ok(None);
        };
        // Redaction destroyed the thumbnail with the photo (its key is gone).
        if self.tombstone(&cur.id)?.is_some() {
            return Err(Error::Redacted(cur.id));
        }
        let mut out = Vec::new();
        self.open_blob(&t)?
            .read_to_end(&mut out)
            .map_err(|e| blob_read_error(&t, e))?;
        Ok(Some(out))
    }

    /// Writes a file item's original bytes to `out` (which must not exist), checking
    /// them against the recorded SHA-256 as they are written.
    pub fn extract(&self, id: &str, out: &Path) -> Result<Extracted> {
        let id = norm_id(id);
        let reader = self.open_original(&id)?;
        let cur = self.current(&id)?;
        let size = reader.size();
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(out)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::AlreadyExists => Error::Invalid(format!(
                    "{} already exists; choose a new name.",
                    out.display()
                )),
                _ => Error::io("create", out, e),
            })?;
        let result = reader.stream_to(&mut f).and_then(|digest| {
            if hex(&digest) != cur.content_sha256 {
                return Err(Error::BlobDamaged {
                    blob: cur.blob_id.clone().unwrap_or_default(),
                    detail: "its content does not match its recorded SHA-256".into(),
                });
            }
            f.sync_all().map_err(|e| Error::io("flush", out, e))?;
            Ok(Extracted {
                size,
                sha256: hex(&digest),
            })
        });
        if result.is_err() {
            drop(f);
            let _ = fs::remove_file(out);
        }
        result
    }

    /// Redacts an item: its content (every version's record, and for files the stored
    /// bytes and thumbnail) is destroyed; a tombstone keeps the content hashes, the
    /// time and the reason, and the redaction is a chain entry.
    pub fn redact(&mut self, id: &str, reason: &str) -> Result<Added> {
        let id = norm_id(id);
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Error::Invalid(
                "Give a reason for the redaction; it is kept on record.".into(),
            ));
        }
        self.current(&id)?;
        if self.tombstone(&id)?.is_some() {
            return Err(Error::Invalid(format!("{id} is already redacted.")));
        }
        self.take_authorization()?;
        let blob_ids: Vec<String> = {
            let mut st = self
                .conn
                .prepare("SELECT blob_id, thumb_blob_id FROM versions WHERE item_id = ?1")
                .map_err(map_err)?;
            let rows = st
                .query_map([&id], |r| {
                    Ok((
                        r.get::<_, Option<String>>(0)?,
                        r.get::<_, Option<String>>(1)?,
                    ))
                })
                .map_err(map_err)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(map_err)?;
            let mut ids: Vec<String> = rows
                .into_iter()
                .flat_map(|(a, b)| [a, b])
                .flatten()
                .collect();
            ids.sort();
            ids.dedup();
            ids
        };
        // A stored file that is not a plain file (a planted link) is refused before the
        // tombstone goes in, so nothing is changed.
        for b in &blob_ids {
            let p = blobs::path(&self.dir, b)?;
            fsutil::check_parents(&self.dir, &p)?;
            if let Ok(meta) = fs::symlink_metadata(&p) {
                fsutil::refuse(&p, &meta)?;
            }
        }
        let added = self.write(|w| w.redact(&id, reason, &blob_ids))?;
        for b in &blob_ids {
            blobs::destroy(&self.dir, b)?;
        }
        // Push the freed pages out of the write-ahead log too.
        let _ = self.conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);");
        Ok(added)
    }

    /// Every chain entry, in order.
    pub fn chain(&self) -> Result<Vec<Entry>> {
        let mut out = Vec::new();
        chain::for_each(&self.conn, |e| {
            out.push(e);
            Ok(())
        })?;
        Ok(out)
    }

    /// The newest signed checkpoint's text.
    pub fn latest_checkpoint(&self) -> Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT note FROM checkpoints ORDER BY size DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(map_err)
    }

    /// The Merkle tree over every entry hash of the chain, to make inclusion and
    /// consistency proofs (docs/FORMAT.md §7); 64 bytes an entry.
    pub fn merkle_tree(&self) -> Result<crate::merkle::Tree> {
        tree::whole(&self.conn)
    }

    /// Signs a checkpoint of the chain as it is now (its tree head and head entry, at
    /// this time), keeps it with the others and returns its text. A vault upgraded from
    /// format 1 holds only checkpoints of the old form until its next write.
    pub fn sign_checkpoint(&mut self) -> Result<String> {
        let head = chain::head(&self.conn)?
            .ok_or_else(|| Error::DatabaseDamaged("the chain is empty".into()))?;
        let frontier = tree::load(&self.conn, head.seq)?;
        let note = checkpoint::sign(
            &self.device,
            &self.vault_id,
            head.seq,
            &hex(&frontier.root()),
            &head.hash,
            (self.clock)(),
        )?;
        self.conn
            .execute(
                "INSERT OR REPLACE INTO checkpoints (size, note) VALUES (?1, ?2)",
                params![head.seq as i64, note],
            )
            .map_err(map_err)?;
        Ok(note)
    }

    /// Signs a checkpoint of the chain as it is now that leaves out the head entry's
    /// hash (for a bundle that carries only the exported entries, where entry `size`
    /// may be one it does not show). It is not kept: it is the bundle's.
    pub fn sign_checkpoint_without_head(&self) -> Result<String> {
        let head = chain::head(&self.conn)?
            .ok_or_else(|| Error::DatabaseDamaged("the chain is empty".into()))?;
        let frontier = tree::load(&self.conn, head.seq)?;
        checkpoint::sign(
            &self.device,
            &self.vault_id,
            head.seq,
            &hex(&frontier.root()),
            "",
            (self.clock)(),
        )
    }

    /// Signs `body` (lines ending in `\n`) as a C2SP signed note with the device key,
    /// under the vault's key name. A body that starts like a checkpoint (`cairn/vault/`)
    /// is refused, so nothing signed here can pass for one.
    pub fn sign_note(&self, body: &str) -> Result<String> {
        if body.starts_with("cairn/vault/")
            || !body.ends_with('\n')
            || body.contains("\n\n")
            || body.contains('\r')
        {
            return Err(Error::Invalid(
                "That text cannot be signed as a note.".into(),
            ));
        }
        Ok(crate::note::sign(
            &self.device,
            &checkpoint::origin(&self.vault_id),
            body,
        ))
    }

    /// Notes that the signed tree head of `size` entries left the laptop (`receipt`
    /// or `bundle`), so later bundles carrying only their own entries can prove they
    /// extend it. Not evidence: kept outside the chain.
    pub fn note_head_given(&mut self, size: u64, kind: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO heads_given (size, kind, at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (size) DO NOTHING",
                params![size as i64, kind, (self.clock)()],
            )
            .map_err(map_err)?;
        Ok(())
    }

    /// The tree sizes whose signed head left the laptop, smallest first.
    pub fn heads_given(&self) -> Result<Vec<u64>> {
        let mut st = self
            .conn
            .prepare("SELECT size FROM heads_given ORDER BY size")
            .map_err(map_err)?;
        let r = st
            .query_map([], |r| r.get::<_, i64>(0))
            .map_err(map_err)?
            .map(|r| r.map(|n| n.max(0) as u64))
            .collect::<rusqlite::Result<Vec<u64>>>()
            .map_err(map_err);
        r
    }

    /// The device key's public half.
    pub fn device_public_key(&self) -> ed25519_dalek::VerifyingKey {
        self.device.verifying_key()
    }

    /// The content of chain entry 1 (canonical JSON naming the vault id and the device
    /// public key; its SHA-256 is that entry's `content_sha256`).
    pub fn init_record(&self) -> Result<String> {
        self.conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'init_record'",
                [],
                |r| r.get(0),
            )
            .map_err(map_err)
    }
}

/// The kind of an existing item, read inside a write.
pub(crate) fn kind_in(w: &Writer<'_>, id: &str) -> Result<ItemKind> {
    Ok(current_row(w.conn, id)?.kind)
}

pub(crate) fn blob_read_error(blob: &str, e: std::io::Error) -> Error {
    match e
        .into_inner()
        .and_then(|inner| inner.downcast::<Error>().ok())
    {
        Some(inner) => *inner,
        None => Error::BlobDamaged {
            blob: blob.to_string(),
            detail: "it could not be read".into(),
        },
    }
}

/// The title and "when it happened" of a record, as the list shows them.
pub(crate) fn summary_of(v: &Value) -> (String, Option<String>) {
    // The same fields, in the same order, as item_index_derived (migrations) and
    // verify's DERIVED_INDEX_SQL: a message's title is its sender.
    let title = ["title", "name", "sender"]
        .iter()
        .find_map(|k| v.get(k).and_then(Value::as_str))
        .unwrap_or_default();
    let occurred = ["/occurred/start", "/exif/taken_at", "/sent_at"]
        .iter()
        .find_map(|p| v.pointer(p).and_then(Value::as_str))
        .map(String::from);
    (title.to_string(), occurred)
}

fn os_name(name: &OsStr) -> (String, Option<String>) {
    match name.to_str() {
        Some(s) => (s.to_string(), None),
        None => {
            #[cfg(unix)]
            let raw = {
                use std::os::unix::ffi::OsStrExt;
                Some(hex(name.as_bytes()))
            };
            #[cfg(not(unix))]
            let raw = None;
            (name.to_string_lossy().into_owned(), raw)
        }
    }
}

/// A file stored encrypted and described, not yet on record ([`Vault::stage_file`]).
/// Hand it to [`Vault::import_chat`] or [`Vault::discard`]; one merely dropped keeps
/// its encrypted bytes until the vault is next opened, when they are swept.
#[derive(Debug)]
#[must_use = "a staged file is imported or discarded, or its bytes wait for the next open"]
pub struct StagedFile {
    blob_id: String,
    key: SecretKey,
    stored: blobs::StoredBlob,
    thumb: Option<StoredThumb>,
    record: FileRecord,
    /// What it holds as far as location goes, when that was decided as it was added.
    location_free: Option<LocationStatus>,
}

impl StagedFile {
    /// SHA-256 of its bytes, in hex.
    pub fn sha256(&self) -> &str {
        &self.record.sha256
    }

    /// Its size in bytes.
    pub fn size(&self) -> u64 {
        self.record.size
    }

    /// Its media type, as sniffed from its bytes.
    pub fn media_type(&self) -> &str {
        &self.record.media_type
    }
}

/// A thumbnail written but not yet committed.
#[derive(Debug)]
struct StoredThumb {
    id: String,
    key: SecretKey,
    blob: blobs::StoredBlob,
    width: u32,
    height: u32,
}

/// The latest version row of an item.
#[derive(Debug, Clone)]
pub(crate) struct CurrentRow {
    pub id: String,
    pub kind: ItemKind,
    pub version: u64,
    pub seq: u64,
    pub record: Option<Value>,
    pub record_sha256: String,
    pub content_sha256: String,
    pub blob_id: Option<String>,
    pub thumb_blob_id: Option<String>,
    pub recorded_at: i64,
}

fn current_row(conn: &Connection, id: &str) -> Result<CurrentRow> {
    conn.query_row(
        "SELECT i.kind, v.version, v.seq, v.record, v.record_sha256, v.content_sha256, v.blob_id, v.thumb_blob_id, e.recorded_at
         FROM items i JOIN versions v ON v.item_id = i.id JOIN entries e ON e.seq = v.seq
         WHERE i.id = ?1 ORDER BY v.version DESC LIMIT 1",
        [id],
        |r| {
            Ok(CurrentRow {
                id: id.to_string(),
                kind: ItemKind::parse(&r.get::<_, String>(0)?).unwrap_or(ItemKind::Incident),
                version: r.get::<_, i64>(1)? as u64,
                seq: r.get::<_, i64>(2)? as u64,
                record: r.get::<_, Option<String>>(3)?.and_then(|s| serde_json::from_str(&s).ok()),
                record_sha256: hex(&r.get::<_, Vec<u8>>(4)?),
                content_sha256: hex(&r.get::<_, Vec<u8>>(5)?),
                blob_id: r.get(6)?,
                thumb_blob_id: r.get(7)?,
                recorded_at: r.get(8)?,
            })
        },
    )
    .optional()
    .map_err(map_err)?
    .ok_or_else(|| Error::NotFound(id.to_string()))
}

/// Appends changes inside one transaction (see [`Vault::write`]). Importers use it to
/// add many items atomically, one chain entry per item.
pub struct Writer<'a> {
    conn: &'a Connection,
    clock: &'a Clock,
    vault_id: &'a str,
    /// The newest entry, kept here so each append needs no query.
    head: Option<Entry>,
    /// The Merkle tree's right edge, one leaf an entry.
    tree: Frontier,
    /// Where this write's item ids come from.
    ids: Ids,
}

impl Writer<'_> {
    pub(crate) fn append(
        &mut self,
        kind: &str,
        item: &str,
        content: &[u8; 32],
        meta: Map<String, Value>,
    ) -> Result<Entry> {
        let e = chain::append(
            self.conn,
            self.head.as_ref(),
            (self.clock)(),
            kind,
            item,
            content,
            meta,
        )?;
        self.tree.push(leaf_hash(&chain::unhex32(&e.hash)?));
        self.head = Some(e.clone());
        Ok(e)
    }

    /// The content SHA-256 of file `id`'s current version (hex); a redacted or missing
    /// file, or another kind of item, is refused.
    pub(crate) fn current_content(&self, id: &str) -> Result<String> {
        let cur = current_row(self.conn, id)?;
        if cur.kind != ItemKind::File {
            return Err(Error::Invalid(format!("{id} is not a file.")));
        }
        if cur.record.is_none() {
            return Err(Error::Redacted(id.to_string()));
        }
        Ok(cur.content_sha256)
    }

    /// Runs one cached statement.
    pub(crate) fn exec(&self, sql: &str, p: impl rusqlite::Params) -> Result<usize> {
        self.conn
            .prepare_cached(sql)
            .and_then(|mut st| st.execute(p))
            .map_err(map_err)
    }

    /// Inserts a version row and its chain entry.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn put_version(
        &mut self,
        id: &str,
        kind: ItemKind,
        version: u64,
        record: &Record,
        content: Option<[u8; 32]>,
        blob: Option<&str>,
        thumb: Option<&str>,
    ) -> Result<Added> {
        self.put_version_meta(id, kind, version, record, content, blob, thumb, Map::new())
    }

    /// [`Writer::put_version`] with more fields for the entry's meta.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn put_version_meta(
        &mut self,
        id: &str,
        kind: ItemKind,
        version: u64,
        record: &Record,
        content: Option<[u8; 32]>,
        blob: Option<&str>,
        thumb: Option<&str>,
        extra: Map<String, Value>,
    ) -> Result<Added> {
        let record_text = record.text.as_str();
        // The hash is over the committed form when the record holds a field a bundle
        // may withhold (docs/FORMAT.md §5.6), so a bundle without it still proves the rest.
        let salts = withhold::new_salts(kind, &record.value)?;
        let record_sha = match &salts {
            Some(s) => sha256(to_canonical(&withhold::commit(&record.value, s)?.0)?.as_bytes()),
            None => sha256(record_text.as_bytes()),
        };
        let salts_text = salts
            .as_ref()
            .map(|s| serde_json::to_value(s).map_err(|e| Error::Invalid(e.to_string())))
            .transpose()?
            .map(|v| to_canonical(&v))
            .transpose()?;
        let mut meta = extra;
        meta.insert("version".into(), json!(version));
        // Kinds with withholdable fields say their record hash is over the committed
        // form, so a bundle can never pass one of their versions off as unverifiable.
        if !withhold::fields_of(kind).is_empty() {
            meta.insert(withhold::COMMITTED_META.into(), json!(true));
        }
        // For files the chain carries the SHA-256 of the original bytes, so anyone can
        // check an exhibit with sha256sum; the descriptive record is bound by its hash.
        let content_sha = match content {
            Some(c) => {
                meta.insert("record_sha256".into(), json!(hex(&record_sha)));
                c
            }
            None => record_sha,
        };
        let verb = match (kind, version) {
            (ItemKind::File, 1) => "add",
            (ItemKind::Link, 1) => "add",
            (ItemKind::Link, _) => "change",
            (_, 1) => "create",
            _ => "edit",
        };
        let entry = self.append(&format!("{}.{verb}", kind.as_str()), id, &content_sha, meta)?;
        if version == 1 {
            self.exec(
                "INSERT INTO items (id, kind, created_seq) VALUES (?1, ?2, ?3)",
                params![id, kind.as_str(), entry.seq as i64],
            )?;
        }
        self.exec(
            "INSERT INTO versions (item_id, version, seq, record, record_sha256, content_sha256, blob_id, thumb_blob_id, salts)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![id, version as i64, entry.seq as i64, record_text, record_sha.to_vec(), content_sha.to_vec(), blob, thumb, salts_text],
        )?;
        if kind != ItemKind::Link {
            self.index_version(id, kind, version, &entry, &record.value)?;
            let created_seq = if version == 1 {
                entry.seq
            } else {
                self.conn
                    .query_row("SELECT created_seq FROM items WHERE id = ?1", [id], |r| {
                        r.get::<_, i64>(0)
                    })
                    .map_err(map_err)? as u64
            };
            crate::search::index(
                self.conn,
                created_seq,
                id,
                kind.as_str(),
                &record.value,
                version > 1,
            )?;
        }
        Ok(Added {
            id: id.to_string(),
            version,
            seq: entry.seq,
            recorded_at: format_ms(entry.recorded_at),
            content_sha256: entry.content_sha256,
        })
    }

    /// Keeps `item_index` (the list's summary of each item's latest version) in step.
    fn index_version(
        &self,
        id: &str,
        kind: ItemKind,
        version: u64,
        entry: &Entry,
        record: &Value,
    ) -> Result<()> {
        let (title, occurred) = summary_of(record);
        if version == 1 {
            self.exec(
                "INSERT INTO item_index (created_seq, item_id, kind, recorded_at, version, updated_at, title, occurred)
                 VALUES (?1, ?2, ?3, ?4, 1, ?4, ?5, ?6)",
                params![entry.seq as i64, id, kind.as_str(), entry.recorded_at, title, occurred],
            )?;
        } else {
            self.exec(
                "UPDATE item_index SET version = ?2, updated_at = ?3, title = ?4, occurred = ?5 WHERE item_id = ?1",
                params![id, version as i64, entry.recorded_at, title, occurred],
            )?;
        }
        Ok(())
    }

    /// A new item id, unused in the vault (see [`crate::ids`]).
    pub(crate) fn fresh_id(&mut self, kind: ItemKind) -> Result<String> {
        self.ids.fresh(self.conn, kind)
    }

    /// Adds an incident.
    pub fn add_incident(&mut self, inc: Incident) -> Result<Added> {
        let inc = inc.normalised()?;
        let id = self.fresh_id(ItemKind::Incident)?;
        self.put_version(
            &id,
            ItemKind::Incident,
            1,
            &Record::of(&inc)?,
            None,
            None,
            None,
        )
    }

    /// Adds a person.
    pub fn add_person(&mut self, p: Person) -> Result<Added> {
        let p = p.normalised()?;
        let id = self.fresh_id(ItemKind::Person)?;
        self.put_version(&id, ItemKind::Person, 1, &Record::of(&p)?, None, None, None)
    }

    /// Links two existing items.
    pub fn link(&mut self, a: &str, b: &str) -> Result<Added> {
        let (a, b) = (norm_id(a), norm_id(b));
        if a == b {
            return Err(Error::Invalid("An item cannot be linked to itself.".into()));
        }
        for id in [&a, &b] {
            let row = current_row(self.conn, id)?;
            if row.kind == ItemKind::Link {
                return Err(Error::Invalid(
                    "Links connect items, not other links.".into(),
                ));
            }
        }
        let id = self.fresh_id(ItemKind::Link)?;
        let link = Link {
            from: a,
            to: b,
            active: true,
        };
        self.put_version(
            &id,
            ItemKind::Link,
            1,
            &Record::of(&link)?,
            None,
            None,
            None,
        )
    }

    /// Adds one message of an imported conversation.
    pub fn add_message(&mut self, m: &Message) -> Result<Added> {
        let id = self.fresh_id(ItemKind::Message)?;
        let added =
            self.put_version(&id, ItemKind::Message, 1, &Record::of(m)?, None, None, None)?;
        // Its place in its conversation (migration 5): the same expression as there.
        self.exec(
            "INSERT INTO message_index (created_seq, item_id, source, conversation, sort_at, export)
             VALUES (?1, ?2, ?3, ?4, coalesce(strftime('%Y-%m-%dT%H:%M:%S', ?5), ''), ?6)",
            params![added.seq as i64, id, m.source, m.conversation, m.sent_at, m.export],
        )?;
        Ok(added)
    }

    fn add_file_record(
        &mut self,
        rec: &FileRecord,
        blob: &str,
        thumb: Option<&str>,
        location_free: Option<&str>,
    ) -> Result<Added> {
        let id = self.fresh_id(ItemKind::File)?;
        let content = crate::chain::unhex32(&rec.sha256)?;
        let mut extra = Map::new();
        if let Some(c) = location_free {
            extra.insert(location::COPY_META.into(), json!(c));
        }
        self.put_version_meta(
            &id,
            ItemKind::File,
            1,
            &Record::of(rec)?,
            Some(content),
            Some(blob),
            thumb,
            extra,
        )
    }

    /// Puts a staged file on record: its blobs stored, its item and chain entry written.
    fn commit_staged(&mut self, f: &StagedFile) -> Result<Added> {
        self.finish_blob(&f.blob_id, &f.key, f.stored.size, &f.stored.sha256)?;
        if let Some(t) = &f.thumb {
            self.finish_blob(&t.id, &t.key, t.blob.size, &t.blob.sha256)?;
        }
        let copy = match &f.location_free {
            Some(LocationStatus::Copy { sha256 }) => Some(sha256.as_str()),
            _ => None,
        };
        let added = self.add_file_record(
            &f.record,
            &f.blob_id,
            f.thumb.as_ref().map(|t| t.id.as_str()),
            copy,
        )?;
        if let Some(status) = &f.location_free {
            location::cache(self.conn, &added.id, status)?;
        }
        Ok(added)
    }

    fn finish_blob(&self, id: &str, key: &SecretKey, size: u64, sha: &[u8; 32]) -> Result<()> {
        let n = self
            .conn
            .execute(
                "UPDATE blobs SET key = ?2, size = ?3, sha256 = ?4, state = 'stored' WHERE id = ?1 AND state = 'pending'",
                params![id, &key.expose()[..], size as i64, sha.to_vec()],
            )
            .map_err(map_err)?;
        if n != 1 {
            return Err(Error::Database(format!("blob {id} was not pending")));
        }
        Ok(())
    }

    /// Records a new version of an item of `kind` with `record` as its content.
    pub(crate) fn edit<T: Serialize>(
        &mut self,
        id: &str,
        kind: ItemKind,
        record: &T,
    ) -> Result<Added> {
        let id = norm_id(id);
        let cur = current_row(self.conn, &id)?;
        if cur.kind != kind {
            return Err(Error::Invalid(format!(
                "{id} is a {}, not a {}.",
                cur.kind.as_str(),
                kind.as_str()
            )));
        }
        if cur.record.is_none() {
            return Err(Error::Redacted(id));
        }
        let record = Record::of(record)?;
        if cur
            .record
            .as_ref()
            .map(to_canonical)
            .transpose()?
            .is_some_and(|t| t == record.text)
        {
            return Err(Error::Unchanged);
        }
        let content = (kind == ItemKind::File)
            .then(|| chain::unhex32(&cur.content_sha256))
            .transpose()?;
        self.put_version(
            &id,
            kind,
            cur.version + 1,
            &record,
            content,
            cur.blob_id.as_deref(),
            cur.thumb_blob_id.as_deref(),
        )
    }

    fn redact(&mut self, id: &str, reason: &str, blob_ids: &[String]) -> Result<Added> {
        let mut st = self
            .conn
            .prepare("SELECT version, content_sha256, record_sha256 FROM versions WHERE item_id = ?1 ORDER BY version")
            .map_err(map_err)?;
        let versions: Vec<Value> = st
            .query_map([id], |r| {
                Ok(json!({
                    "version": r.get::<_, i64>(0)?,
                    "content_sha256": hex(&r.get::<_, Vec<u8>>(1)?),
                    "record_sha256": hex(&r.get::<_, Vec<u8>>(2)?),
                }))
            })
            .map_err(map_err)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(map_err)?;
        let tomb = json!({"item": id, "reason": reason, "versions": versions});
        let text = to_canonical(&tomb)?;
        let mut meta = Map::new();
        meta.insert("versions".into(), json!(versions.len()));
        let entry = self.append("item.redact", id, &sha256(text.as_bytes()), meta)?;
        self.conn
            .execute(
                "INSERT INTO tombstones (item_id, seq, record) VALUES (?1, ?2, ?3)",
                params![id, entry.seq as i64, text],
            )
            .map_err(map_err)?;
        self.conn
            .execute(
                "UPDATE versions SET record = NULL, salts = NULL WHERE item_id = ?1",
                [id],
            )
            .map_err(map_err)?;
        self.conn
            .execute("UPDATE item_index SET title = '', occurred = NULL, redacted = 1 WHERE item_id = ?1", [id])
            .map_err(map_err)?;
        crate::search::forget(self.conn, id)?;
        self.conn
            .execute("DELETE FROM location_checks WHERE item_id = ?1", [id])
            .map_err(map_err)?;
        for b in blob_ids {
            self.conn
                .execute(
                    "UPDATE blobs SET key = NULL, state = 'destroyed' WHERE id = ?1",
                    [b],
                )
                .map_err(map_err)?;
        }
        Ok(Added {
            id: id.to_string(),
            version: versions.len() as u64,
            seq: entry.seq,
            recorded_at: format_ms(entry.recorded_at),
            content_sha256: entry.content_sha256,
        })
    }
}
