//! Settings the app needs before the vault is unlocked, kept beside the vault (so a
//! vault on a USB stick carries its own) in `settings.json`. They hold no evidence.

use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fsutil;

/// File name inside the vault folder.
pub const SETTINGS_FILE: &str = "settings.json";

/// App settings.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Lock after this many minutes without use (1–240).
    pub auto_lock_minutes: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            auto_lock_minutes: 5,
        }
    }
}

impl Settings {
    /// Reads the settings of the vault in `dir`; defaults when there are none or the
    /// file is unreadable (settings are never worth refusing to open over).
    pub fn load(dir: &Path) -> Settings {
        fs::read(dir.join(SETTINGS_FILE))
            .ok()
            .and_then(|b| serde_json::from_slice::<Settings>(&b).ok())
            .and_then(|s| s.validated().ok())
            .unwrap_or_default()
    }

    /// Checks the values are in range.
    pub fn validated(self) -> Result<Settings> {
        if !(1..=240).contains(&self.auto_lock_minutes) {
            return Err(Error::Invalid(
                "Auto-lock must be between 1 and 240 minutes.".into(),
            ));
        }
        Ok(self)
    }

    /// Writes the settings atomically into the vault folder `dir`.
    pub fn save(&self, dir: &Path) -> Result<()> {
        let s = self.clone().validated()?;
        let bytes = serde_json::to_vec_pretty(&s)
            .map_err(|e| Error::Invalid(format!("settings could not be written: {e}")))?;
        fsutil::write_atomic(&dir.join(SETTINGS_FILE), &bytes)
    }
}
