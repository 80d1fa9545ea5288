//! Typed errors. Each has a stable machine code ([`Error::code`]) and a `Display`
//! that is one plain sentence for the person using Cairn. Messages never carry
//! evidence content: at most an item id, a blob id, a page number or a path the
//! user typed.

use std::io;
use std::path::{Path, PathBuf};

/// Everything that can go wrong in the vault core.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The passphrase did not unlock the vault.
    #[error("That passphrase is not right.")]
    WrongPassphrase,
    /// The recovery code did not unlock the vault.
    #[error("That recovery code is not right.")]
    WrongRecoveryCode,
    /// Too many wrong passphrases or recovery codes in a row: nothing is tried until
    /// the delay has passed (see [`crate::attempts`]).
    #[error("Please wait {} before trying again.", wait_words(*.wait_ms))]
    TooSoon {
        /// Milliseconds left to wait.
        wait_ms: u64,
    },
    /// A group of the recovery code fails its check character.
    #[error(
        "Group {group} of the recovery code has a typo; check it against what you wrote down."
    )]
    RecoveryCodeTypo {
        /// 1-based group number.
        group: usize,
    },
    /// The recovery code has the wrong shape.
    #[error("A recovery code is {groups} groups of 5 letters and digits, like {example}.")]
    RecoveryCodeFormat {
        /// Expected group count.
        groups: usize,
        /// A made-up example of the shape.
        example: &'static str,
    },
    /// No vault in the chosen folder.
    #[error("There is no Cairn vault in {}.", .0.display())]
    NoVault(PathBuf),
    /// `init` on a folder that already holds a vault or other files.
    #[error("{} already holds a Cairn vault or other files; choose an empty folder.", .0.display())]
    FolderNotEmpty(PathBuf),
    /// The `keys` file failed its checksum or does not parse.
    #[error("The vault's key file is damaged ({0}); restore it from a backup or use a copy of the vault.")]
    KeysDamaged(String),
    /// Key-derivation parameters outside the accepted range; refused before running the KDF.
    #[error("The key file asks for unlock settings outside the safe range ({0}), so it was refused without trying them.")]
    KdfOutOfRange(String),
    /// SQLCipher could not decrypt or found a damaged page.
    #[error("The vault database is damaged: {0}.")]
    DatabaseDamaged(String),
    /// An encrypted file failed to decrypt or authenticate.
    #[error("Stored file {blob} is damaged: {detail}.")]
    BlobDamaged {
        /// Blob id.
        blob: String,
        /// What failed.
        detail: String,
    },
    /// An encrypted file the database refers to is not on disk.
    #[error("Stored file {0} is missing from the vault folder.")]
    BlobMissing(String),
    /// No item with that id.
    #[error("There is no item with id {0}.")]
    NotFound(String),
    /// The item was redacted; its content no longer exists.
    #[error("Item {0} was redacted; its content no longer exists.")]
    Redacted(String),
    /// Input the user gave is not acceptable; the message says why.
    #[error("{0}")]
    Invalid(String),
    /// A backup or restore was refused or failed its check; the message says why and
    /// what to do. Whatever the backup folder held before is still there.
    #[error("{0}")]
    BackupRefused(String),
    /// Something in a vault or backup folder is not a plain file or folder (a link, a
    /// named pipe, a device, a file hard-linked elsewhere): it was refused unopened.
    #[error("{} is {what}, not a plain file Cairn wrote, so nothing was changed; someone may have put it there, so keep that folder as it is and use a new one.", .path.display())]
    UnsafeFile {
        /// Where it is.
        path: PathBuf,
        /// What it is, as a noun phrase ("a link").
        what: &'static str,
    },
    /// A backup holds entries this vault lacks: the vault folder was most likely put
    /// back to an older copy. The message names both.
    #[error("{0}")]
    RolledBack(String),
    /// A change that needs her passphrase typed again (see
    /// [`crate::Vault::authorize`]).
    #[error("Type your passphrase again to do this.")]
    PassphraseNeeded,
    /// Another process holds the vault.
    #[error("The vault is open in another Cairn window or command; close that first.")]
    Busy,
    /// The vault was written by a newer Cairn.
    #[error("This vault was made by a newer version of Cairn (format {found}); this version reads up to {supported}.")]
    NewerFormat {
        /// Schema version on disk.
        found: i64,
        /// Highest schema this build knows.
        supported: i64,
    },
    /// The disk is full; nothing was committed.
    #[error("The disk is full, so nothing was saved; free some space and try again.")]
    DiskFull,
    /// Any other I/O failure.
    #[error("Could not {action} {}: {}.", .path.display(), io_reason(.source))]
    Io {
        /// What we were doing, as a verb phrase ("read", "write to").
        action: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// The database file could not be read or written (an I/O failure beneath SQLite).
    #[error("The vault database could not be read or written ({0}); check that the disk is connected and not read-only.")]
    DatabaseIo(String),
    /// An unexpected database error (a bug or an environment problem).
    #[error("The vault database reported an error ({0}).")]
    Database(String),
    /// The operation was cancelled by the user; nothing was committed.
    #[error("Cancelled; nothing was saved.")]
    Cancelled,
    /// A new passphrase too easy to guess (see [`crate::strength`]).
    #[error("That passphrase would be easy to guess; choose a longer one.")]
    WeakPassphrase,
    /// An edit that changes nothing (no version is recorded).
    #[error("Nothing changed, so no new version was recorded.")]
    Unchanged,
    /// The passphrase or age key given does not open a sealed bundle.
    #[error("That passphrase or key does not open this bundle.")]
    WrongBundleKey,
    /// A file that is not a Cairn bundle, or one too damaged to read at all.
    #[error("This is not a readable Cairn bundle: {0}.")]
    BundleUnreadable(String),
    /// Cairn itself failed at something that does not depend on what she gave it (a
    /// record that would not encode, say): never her fault, and nothing was changed.
    #[error("Cairn could not finish this ({0}); nothing was changed.")]
    Internal(String),
    /// An importer refused a file (a malformed chat export, say); `code` is the
    /// importer's own stable code and the message names the line or byte offset.
    #[error("{message}")]
    ImportRefused {
        /// Stable code from the importer, e.g. `import_malformed`.
        code: &'static str,
        /// One sentence for the person importing.
        message: String,
    },
}

/// "1 second", "40 seconds", "3 minutes": rounded up, so she never tries too early.
fn wait_words(ms: u64) -> String {
    let secs = ms.div_ceil(1000).max(1);
    if secs < 120 {
        let unit = if secs == 1 { "second" } else { "seconds" };
        format!("{secs} {unit}")
    } else {
        format!("{} minutes", secs.div_ceil(60))
    }
}

fn io_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "it does not exist".into(),
        io::ErrorKind::PermissionDenied => "permission was denied".into(),
        io::ErrorKind::ReadOnlyFilesystem => "the disk is read-only".into(),
        io::ErrorKind::StorageFull => "the disk is full".into(),
        io::ErrorKind::IsADirectory => "it is a folder".into(),
        _ => {
            let s = e.to_string();
            // std appends " (os error N)"; the sentence reads better without it.
            match s.find(" (os error") {
                Some(i) => s[..i].to_lowercase(),
                None => s.to_lowercase(),
            }
        }
    }
}

impl Error {
    /// A stable, machine-readable code for this error (shells map on it, never on text).
    pub fn code(&self) -> &'static str {
        match self {
            Error::WrongPassphrase => "wrong_passphrase",
            Error::WrongRecoveryCode => "wrong_recovery_code",
            Error::TooSoon { .. } => "too_soon",
            Error::RecoveryCodeTypo { .. } => "recovery_code_typo",
            Error::RecoveryCodeFormat { .. } => "recovery_code_format",
            Error::NoVault(_) => "no_vault",
            Error::FolderNotEmpty(_) => "folder_not_empty",
            Error::KeysDamaged(_) => "keys_damaged",
            Error::KdfOutOfRange(_) => "kdf_out_of_range",
            Error::DatabaseDamaged(_) => "database_damaged",
            Error::BlobDamaged { .. } => "blob_damaged",
            Error::BlobMissing(_) => "blob_missing",
            Error::NotFound(_) => "not_found",
            Error::Redacted(_) => "redacted",
            Error::Invalid(_) => "invalid_input",
            Error::Busy => "vault_busy",
            Error::NewerFormat { .. } => "newer_format",
            Error::DiskFull => "disk_full",
            Error::BackupRefused(_) => "backup_refused",
            Error::UnsafeFile { .. } => "unsafe_file",
            Error::PassphraseNeeded => "passphrase_needed",
            Error::RolledBack(_) => "rolled_back",
            Error::Io { .. } => "io",
            Error::DatabaseIo(_) => "database_io",
            Error::Database(_) => "database",
            Error::Cancelled => "cancelled",
            Error::Unchanged => "unchanged",
            Error::WeakPassphrase => "weak_passphrase",
            Error::WrongBundleKey => "wrong_bundle_key",
            Error::BundleUnreadable(_) => "bundle_unreadable",
            Error::Internal(_) => "internal",
            Error::ImportRefused { code, .. } => code,
        }
    }

    /// True for the errors that mean "the secret you gave is not right".
    pub fn is_wrong_secret(&self) -> bool {
        matches!(
            self,
            Error::WrongPassphrase
                | Error::WrongBundleKey
                | Error::WrongRecoveryCode
                | Error::RecoveryCodeTypo { .. }
                | Error::RecoveryCodeFormat { .. }
        )
    }

    /// Wraps an I/O error with what we were doing and where; a full disk gets its own variant.
    pub fn io(action: &'static str, path: &Path, source: io::Error) -> Error {
        if source.kind() == io::ErrorKind::StorageFull {
            return Error::DiskFull;
        }
        Error::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Result with the core [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
