//! Settings the app needs before the vault is unlocked, kept beside the vault (so a
//! vault on a USB stick carries its own) in `settings.json`. They hold no evidence.

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
    /// Lock when the window is minimised.
    pub lock_on_minimise: bool,
    /// What quick exit does once it has locked.
    pub quick_exit: QuickExit,
    /// Her own quick-exit shortcut besides Escape three times, as the app records it
    /// (`Control+Shift+KeyH`: modifiers, then a key code); none by default.
    pub quick_exit_shortcut: Option<String>,
    /// A neutral name and icon for the window in place of Cairn's; none by default.
    pub disguise: Option<Disguise>,
}

/// What quick exit shows once it has locked.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuickExit {
    /// An empty page that looks like an ordinary notes app.
    #[default]
    Blank,
    /// Closes the window (and the app).
    Close,
}

/// The neutral look the app can take on a shared laptop. It only delays someone who
/// looks closely: the vault folder and the program are still named Cairn.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disguise {
    /// "Notes", with a notepad icon.
    Notes,
    /// "Budget", with a ledger icon.
    Budget,
}

impl Disguise {
    /// The name shown as the window's title and in the app.
    pub fn name(self) -> &'static str {
        match self {
            Disguise::Notes => "Notes",
            Disguise::Budget => "Budget",
        }
    }
}

/// The longest shortcut text accepted.
const MAX_SHORTCUT: usize = 64;
/// Modifier names a shortcut may start with.
const MODIFIERS: [&str; 4] = ["Control", "Alt", "Shift", "Meta"];

/// Checks a recorded shortcut: one or more modifiers besides Shift, then one key code
/// (`KeyH`, `Digit5`, `F9`), joined by `+`, so that typing never sets it off; modifiers
/// in the order Control, Alt, Shift, Meta.
fn valid_shortcut(s: &str) -> bool {
    let parts: Vec<&str> = s.split('+').collect();
    let Some((key, mods)) = parts.split_last() else {
        return false;
    };
    s.len() <= MAX_SHORTCUT
        && mods.iter().any(|m| *m != "Shift")
        // Known modifiers, each once, in the order the app writes them (so a shortcut
        // saved is one the app can match).
        && mods
            .iter()
            .map(|m| MODIFIERS.iter().position(|x| x == m))
            .try_fold(None, |prev: Option<usize>, pos| match (prev, pos) {
                (_, None) => Err(()),
                (Some(p), Some(q)) if q <= p => Err(()),
                (_, Some(q)) => Ok(Some(q)),
            })
            .is_ok()
        && !key.is_empty()
        && !MODIFIERS.iter().any(|m| key.starts_with(m))
        && key.chars().all(|c| c.is_ascii_alphanumeric())
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            auto_lock_minutes: 5,
            lock_on_minimise: false,
            quick_exit: QuickExit::Blank,
            quick_exit_shortcut: None,
            disguise: None,
        }
    }
}

impl Settings {
    /// Reads the settings of the vault in `dir`; defaults when there are none or the
    /// file is unreadable (settings are never worth refusing to open over).
    pub fn load(dir: &Path) -> Settings {
        fsutil::read_small(&dir.join(SETTINGS_FILE), 64 * 1024)
            .ok()
            .flatten()
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
        if let Some(k) = &self.quick_exit_shortcut {
            if !valid_shortcut(k) {
                return Err(Error::Invalid(
                    "A quick-exit shortcut needs Ctrl, Alt or the Windows key, and one other key."
                        .into(),
                ));
            }
        }
        Ok(self)
    }

    /// True if going from `old` to these settings makes Cairn easier to read over her
    /// shoulder or keeps it open longer (a different disguise or quick exit, a longer
    /// auto-lock, no lock on minimise), which needs her passphrase typed again.
    pub fn weakens(&self, old: &Settings) -> bool {
        self.disguise != old.disguise
            || self.quick_exit != old.quick_exit
            || self.quick_exit_shortcut != old.quick_exit_shortcut
            || self.auto_lock_minutes > old.auto_lock_minutes
            || (old.lock_on_minimise && !self.lock_on_minimise)
    }

    /// Writes the settings atomically into the vault folder `dir`.
    pub fn save(&self, dir: &Path) -> Result<()> {
        let s = self.clone().validated()?;
        let bytes = serde_json::to_vec_pretty(&s)
            .map_err(|e| Error::Invalid(format!("settings could not be written: {e}")))?;
        fsutil::write_atomic(&dir.join(SETTINGS_FILE), &bytes)
    }
}

impl crate::Vault {
    /// Saves this vault's settings; a change that [`Settings::weakens`] them uses up an
    /// authorization (see [`crate::Vault::authorize`]).
    pub fn save_settings(&self, settings: &Settings) -> Result<()> {
        let settings = settings.clone().validated()?;
        if settings.weakens(&Settings::load(self.dir())) {
            self.take_authorization()?;
        }
        settings.save(self.dir())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortcuts_need_a_modifier_and_one_key() {
        for ok in [
            "Control+KeyH",
            "Control+Shift+KeyQ",
            "Alt+F9",
            "Meta+Digit5",
        ] {
            assert!(valid_shortcut(ok), "{ok}");
        }
        for bad in [
            "",
            "KeyH",
            "Shift+KeyH",
            "Control+",
            "Control+Control+KeyH",
            "Control+ShiftLeft",
            "Control+Key H",
            "Ctrl+KeyH",
            "Control+KeyH+KeyJ",
        ] {
            assert!(!valid_shortcut(bad), "{bad}");
        }
    }

    #[test]
    fn old_settings_files_read_with_defaults() {
        let s: Settings = serde_json::from_str(r#"{"auto_lock_minutes": 9}"#).unwrap();
        assert_eq!(s.auto_lock_minutes, 9);
        assert_eq!(s.quick_exit, QuickExit::Blank);
        assert_eq!(s.disguise, None);
        assert!(!s.lock_on_minimise);
    }
}
