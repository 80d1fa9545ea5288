//! How strong a passphrase is, in words she can act on (zxcvbn's estimate), and how
//! long to wait after failed unlocks.

use std::time::Duration;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::secret::Passphrase;
use crate::vault::MIN_PASSPHRASE_CHARS;

/// A passphrase strength estimate.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Strength {
    /// 0 (very weak) to 4 (strong).
    pub score: u8,
    /// True when the passphrase may be used (long enough; zxcvbn score 3 or more: too many guesses for an offline attack on the slow KDF).
    pub acceptable: bool,
    /// One plain sentence on what to do, empty when it is strong.
    pub advice: String,
}

/// Estimates a passphrase's strength. `hints` are words an attacker would try first
/// (her name, the app's name).
pub fn strength(passphrase: &str, hints: &[&str]) -> Strength {
    let chars = passphrase.chars().count();
    if chars == 0 {
        return Strength {
            score: 0,
            acceptable: false,
            advice: "Choose a passphrase: several words that mean something only to you.".into(),
        };
    }
    let mut user = vec!["cairn", "vault", "evidence", "password", "passphrase"];
    user.extend_from_slice(hints);
    // zxcvbn counts a space as a random symbol, so "word word" looks strong; score
    // the words run together too and keep the lower estimate.
    let joined: zeroize::Zeroizing<String> =
        zeroize::Zeroizing::new(passphrase.split_whitespace().collect());
    let score = [passphrase, joined.as_str()]
        .iter()
        .filter(|p| !p.is_empty())
        .map(|p| u8::from(zxcvbn::zxcvbn(p, &user).score()))
        .min()
        .unwrap_or(0);
    let long_enough = chars >= MIN_PASSPHRASE_CHARS;
    let advice = if !long_enough {
        format!("Use at least {MIN_PASSPHRASE_CHARS} characters; four or more words are best.")
    } else if score < 3 {
        "This would be easy to guess; add more words that don't belong together.".into()
    } else if score < 4 {
        "Good. Another word or two would make it stronger.".into()
    } else {
        String::new()
    };
    Strength {
        score,
        acceptable: long_enough && score >= 3,
        advice,
    }
}

/// Refuses a new passphrase that [`strength`] does not accept.
pub fn require_strong(pass: &Passphrase) -> Result<()> {
    if strength(pass.expose(), &[]).acceptable {
        Ok(())
    } else {
        Err(Error::WeakPassphrase)
    }
}

/// How long to wait before the next unlock attempt after `failures` wrong ones in a
/// row: none for the first three, then 2 s doubling to at most 5 minutes.
pub fn retry_delay(failures: u32) -> Duration {
    if failures < 3 {
        return Duration::ZERO;
    }
    let secs = 2u64.saturating_pow(failures - 2).min(300);
    Duration::from_secs(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_and_strong() {
        assert!(!strength("password1", &[]).acceptable);
        assert!(!strength("abc", &[]).acceptable);
        let s = strength("velvet harbour trombone quietly", &[]);
        assert!(s.acceptable && s.score >= 3, "{s:?}");
    }

    #[test]
    fn delay_grows_and_caps() {
        assert_eq!(retry_delay(2), Duration::ZERO);
        assert_eq!(retry_delay(3), Duration::from_secs(2));
        assert_eq!(retry_delay(4), Duration::from_secs(4));
        assert_eq!(retry_delay(40), Duration::from_secs(300));
    }
}
