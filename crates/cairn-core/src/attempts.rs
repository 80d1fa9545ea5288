//! Failed unlocks, so she learns that someone tried to open Cairn.
//!
//! While the vault is locked nothing can be written inside it, so each wrong
//! passphrase or recovery code adds one line to the file `attempts` in the vault
//! folder: when (UTC milliseconds) and with what. It holds nothing else. At the next
//! unlock the lines go into the chain as one `vault.unlock_failed` entry (how many,
//! first and last, in its meta) and the file is removed; the shells tell her.
//!
//! The same lines set the delay before the next try ([`crate::retry_delay`] of their
//! count, from the last one), so closing and reopening the app does not reset it.
//!
//! Whoever has the laptop can delete the file, and so hide the attempts and end the
//! delay: this tells her what happened when nobody covered it up, and slows someone
//! guessing through Cairn's own screens, no more. Against a copy of the folder only
//! the passphrase's strength and Argon2id's cost stand.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use crate::clock::format_ms;

/// The file of failed unlocks in the vault folder.
pub const ATTEMPTS_FILE: &str = "attempts";

/// The chain entry kind that records failed unlocks.
pub const ATTEMPTS_ENTRY: &str = "vault.unlock_failed";

/// Lines kept at most: a script trying passphrases for ever must not fill the disk.
const MAX_LINES: usize = 10_000;

/// Failed unlocks since the vault was last opened.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailedAttempts {
    /// How many (counted up to 10,000).
    pub count: u64,
    /// The first (RFC 3339).
    pub first: String,
    /// The last (RFC 3339).
    pub last: String,
}

/// Adds a failed unlock with `how` (`passphrase` or `recovery_code`) at `now_ms`. Best
/// effort: a read-only stick or a full disk must not turn a wrong passphrase into
/// another error. A full file keeps its size: the newest line gives way to this one,
/// so the count and the delay stay as they were, from now.
pub(crate) fn record(dir: &Path, how: &str, now_ms: i64) {
    let path = dir.join(ATTEMPTS_FILE);
    let text = read_text(dir);
    if text.lines().count() >= MAX_LINES {
        let mut lines: Vec<&str> = text.lines().collect();
        lines.pop();
        let line = format!("{now_ms} {how}");
        lines.push(&line);
        let _ = crate::fsutil::write_atomic(&path, (lines.join("\n") + "\n").as_bytes());
        return;
    }
    append(dir, &format!("{now_ms} {how}"));
}

/// The word of the reset lines that decoy openings wrote before version 0.2 (they
/// ended the delay, which let someone alternate wrong guesses with the decoy without
/// ever waiting). Lines with it are skipped: the delay counts every try.
const RESET: &str = "reset";

/// Appends a line; never through a link, into a pipe or a device (a planted one gets
/// nothing, as a read-only stick would).
fn append(dir: &Path, line: &str) {
    if let Ok(mut f) = crate::fsutil::open_append(&dir.join(ATTEMPTS_FILE)) {
        let _ = writeln!(f, "{line}").and_then(|_| f.sync_all());
    }
}

/// The file's text: read without following a link or waiting on a pipe, and no more
/// than 10,000 lines can fill; anything else counts as no record.
fn read_text(dir: &Path) -> String {
    crate::fsutil::read_small(&dir.join(ATTEMPTS_FILE), 1 << 20)
        .ok()
        .flatten()
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default()
}

/// The file's lines as (time, what), oldest first; lines that are not ours are
/// skipped.
fn lines(dir: &Path) -> Vec<(i64, String)> {
    let text = read_text(dir);
    let mut at: Vec<(i64, String)> = text
        .lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            let t = w.next()?.parse().ok()?;
            Some((t, w.next().unwrap_or("passphrase").to_string()))
        })
        .collect();
    at.sort_unstable();
    at
}

/// What a secret tried on a key file changed since Cairn last opened the vault is
/// noted as: she is told of it, but it adds nothing to the delay (her right
/// passphrase fails on such a file too).
pub(crate) const ON_CHANGED_KEYS: &str = "on_changed_keys";

/// The recorded attempts' times that set the delay, oldest first (reset lines and
/// tries on a changed key file left out).
pub(crate) fn read(dir: &Path) -> Vec<i64> {
    lines(dir)
        .into_iter()
        .filter(|(_, what)| what != RESET && what != ON_CHANGED_KEYS)
        .map(|(t, _)| t)
        .collect()
}

/// Every recorded try's time, oldest first (reset lines left out): what she is told.
pub(crate) fn read_all(dir: &Path) -> Vec<i64> {
    lines(dir)
        .into_iter()
        .filter(|(_, what)| what != RESET)
        .map(|(t, _)| t)
        .collect()
}

/// How long until the next try is allowed at `now_ms`: the delay the tries recorded
/// earn, from the newest (a decoy opening does not end it). Times "in the future" (recorded while a clock was
/// ahead, or the clock was set back since) are rewritten as now, so the wait ends one
/// delay from now: turning the clock back neither ends it nor makes it last for ever.
pub(crate) fn wait(dir: &Path, now_ms: i64) -> Duration {
    let times = read(dir);
    let Some(&last) = times.last() else {
        return Duration::ZERO;
    };
    if last > now_ms {
        let text: String = lines(dir)
            .into_iter()
            .map(|(t, what)| format!("{} {what}\n", t.min(now_ms)))
            .collect();
        let _ = crate::fsutil::write_atomic(&dir.join(ATTEMPTS_FILE), text.as_bytes());
    }
    let count = u32::try_from(times.len()).unwrap_or(u32::MAX);
    let since = u64::try_from(now_ms.saturating_sub(last.min(now_ms))).unwrap_or(0);
    crate::retry_delay(count).saturating_sub(Duration::from_millis(since))
}

/// The summary of `times` (oldest first), if there are any.
pub(crate) fn summary(times: &[i64]) -> Option<FailedAttempts> {
    Some(FailedAttempts {
        count: times.len() as u64,
        first: format_ms(*times.first()?),
        last: format_ms(*times.last()?),
    })
}

/// Removes the file once its lines are in the chain.
pub(crate) fn clear(dir: &Path) {
    let _ = fs::remove_file(dir.join(ATTEMPTS_FILE));
}
