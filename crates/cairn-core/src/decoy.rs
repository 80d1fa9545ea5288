//! The decoy: a second, ordinary vault that another passphrase opens.
//!
//! If someone makes her unlock Cairn, she can type the decoy passphrase instead of her
//! own: Cairn opens a separate vault holding only what she chose to put there, and the
//! unlock screen looks and behaves the same either way. The decoy lives in the folder
//! [`DECOY_DIR`] inside the vault folder; it is a vault like any other, with its own
//! keys and chain (and a recovery code nobody is shown: it holds nothing that matters).
//!
//! Opening tries the passphrase on both vaults at once, on two threads, and the decoy's
//! passphrase costs what the real one does (the same Argon2id memory and passes), so a
//! decoy opens about as fast as the real vault and a wrong passphrase takes about as
//! long with a decoy as without — on a computer with two cores or more; two runs at once
//! share memory bandwidth, so it can be somewhat slower. A wrong passphrase is noted in
//! the real vault's record of failed unlocks. Opening the decoy tells of the failed
//! unlocks since it was last opened, as the real vault would; what it has told is kept
//! in its own encrypted database, so opening it leaves no trace beside the real vault,
//! and the delay after wrong passphrases keeps growing (the real vault records every
//! one when it is next opened). The decoy names the same vault id as the real one.
//!
//! What it cannot do: hide that a second vault exists from someone who looks at the
//! folder (the `alt` folder, its own keys file) or knows Cairn well; its chain starts
//! the day it was made and its device key (in receipts and bundles) is its own; and
//! the delay after wrong passphrases does not end when it opens, as it does when the
//! real vault opens. It gives no cryptographic deniability, and Cairn never wipes
//! anything by itself.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::keys::KEYS_FILE;
use crate::{KdfCost, OpenOptions, Passphrase, Vault};

/// The decoy's folder inside the vault folder.
pub const DECOY_DIR: &str = "alt";

/// How deep decoys inside decoys are opened: someone who makes a decoy while inside
/// the decoy gets one that works too.
const MAX_DEPTH: usize = 2;

/// The decoy folder of the vault in `vault_dir`.
pub(crate) fn dir_of(vault_dir: &Path) -> PathBuf {
    vault_dir.join(DECOY_DIR)
}

/// The decoys that opening the vault in `vault_dir` tries besides it, outermost first.
pub(crate) fn chain_of(vault_dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut d = dir_of(vault_dir);
    // Only a real folder: a link planted as `alt` is never opened (and opening the
    // vault itself refuses it, see fsutil::check_vault_shape).
    let real = |d: &Path| fs::symlink_metadata(d).is_ok_and(|m| m.is_dir());
    while out.len() < MAX_DEPTH && real(&d) && Vault::exists(&d) {
        out.push(d.clone());
        d = dir_of(&d);
    }
    out
}

impl Vault {
    /// True if this vault has a decoy.
    pub fn has_decoy(&self) -> bool {
        Vault::exists(&dir_of(self.dir()))
    }

    /// Makes a decoy that `pass` opens: a new, empty vault. The passphrase must be
    /// strong enough and not this vault's own.
    pub fn set_decoy(&self, pass: &Passphrase, cost: KdfCost, opts: OpenOptions) -> Result<()> {
        if self.has_decoy() {
            return Err(Error::Invalid(
                "A decoy passphrase is already set; remove it first to choose another.".into(),
            ));
        }
        crate::require_strong(pass)?;
        crate::fsutil::check_vault_shape(self.dir())?;
        match self.check_passphrase(pass, opts) {
            Ok(()) => {
                return Err(Error::Invalid(
                    "That is this vault's own passphrase; a decoy needs a different one.".into(),
                ))
            }
            Err(Error::WrongPassphrase) => {}
            Err(e) => return Err(e),
        }
        self.take_authorization()?;
        let dir = dir_of(self.dir());
        // Left by a crash while making or removing one: without a keys file it is no
        // vault, and nothing in it can be read.
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(|e| Error::io("remove", &dir, e))?;
        }
        // The decoy's passphrase costs what this vault's does, so it opens as fast.
        let cost = self.kdf().map_or(cost, KdfCost::same_as);
        // It names the same vault as this one: a different id on its Integrity screen
        // or in its receipts would give it away to whoever has seen this vault's.
        let (decoy, _code) = Vault::init_with_id(&dir, pass, cost, Some(self.vault_id()))?;
        drop(decoy);
        Ok(())
    }

    /// Removes the decoy and everything in it. Its keys file goes first, so a crash
    /// part-way leaves nothing that opens.
    pub fn remove_decoy(&self) -> Result<()> {
        // `alt` planted as a link to a folder elsewhere is refused, never emptied.
        crate::fsutil::check_vault_shape(self.dir())?;
        let dir = dir_of(self.dir());
        if !dir.exists() {
            return Ok(());
        }
        self.take_authorization()?;
        // Not while another window or command has it open.
        let _held = crate::vault::open_lock(&dir)?;
        let keys = dir.join(KEYS_FILE);
        if keys.exists() {
            fs::remove_file(&keys).map_err(|e| Error::io("remove", &keys, e))?;
        }
        fs::remove_dir_all(&dir).map_err(|e| Error::io("remove", &dir, e))
    }
}
