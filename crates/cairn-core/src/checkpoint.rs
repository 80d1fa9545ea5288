//! Checkpoints: the chain's size and its RFC 6962 Merkle tree head at a moment,
//! signed with the vault's Ed25519 device key, in the C2SP `tlog-checkpoint` form
//! (a signed note, see [`crate::note`]):
//!
//! ```text
//! cairn/vault/<vault id>
//! <size>
//! <base64 Merkle root of the entry hashes>
//! cairn-head <base64 hash of entry <size>>
//! time <RFC 3339 UTC>
//!
//! — cairn/vault/<vault id> <base64(key id ‖ signature)>
//! ```
//!
//! Checkpoints written before format 2 had no `cairn-head` line and carried the head
//! entry's hash on the third line instead of a root; they still verify, and say so
//! ([`Checkpoint::root`] is `None`). A checkpoint kept outside the laptop lets anyone
//! later check that the history up to it was not rewritten.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ed25519_dalek::{SigningKey, VerifyingKey};
use serde::Serialize;

use crate::chain::unhex32;
use crate::clock::format_ms;
use crate::keys::hex;
use crate::note;

/// A parsed, signature-checked checkpoint.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Checkpoint {
    /// `cairn/vault/<id>`.
    pub origin: String,
    /// Number of entries covered.
    pub size: u64,
    /// The Merkle tree head over entries 1..=size, hex; `None` for a checkpoint
    /// written before format 2 (which signed only the head entry's hash).
    pub root: Option<String>,
    /// Hash of entry `size`, hex; empty when the checkpoint leaves it out
    /// (`cairn-head -`, in a bundle that carries only the exported entries).
    pub head: String,
    /// When it was signed (RFC 3339 UTC).
    pub time: String,
}

/// The origin line (and signing key name) for a vault.
pub fn origin(vault_id: &str) -> String {
    format!("cairn/vault/{vault_id}")
}

/// Signs a checkpoint of `size` entries whose Merkle root is `root_hex` and whose last
/// entry's hash is `head_hex` (empty: left out, as `cairn-head -`), and returns its
/// text. A hash that is not 64 hex digits is refused (it would be signed as zeros).
pub fn sign(
    key: &SigningKey,
    vault_id: &str,
    size: u64,
    root_hex: &str,
    head_hex: &str,
    time_ms: i64,
) -> crate::Result<String> {
    let bad = || crate::Error::DatabaseDamaged("a chain hash is not a SHA-256 hash".into());
    let name = origin(vault_id);
    let root = unhex32(root_hex).map_err(|_| bad())?;
    let head = if head_hex.is_empty() {
        "-".to_string()
    } else {
        B64.encode(unhex32(head_hex).map_err(|_| bad())?)
    };
    let body = format!(
        "{name}\n{size}\n{}\ncairn-head {head}\ntime {}\n",
        B64.encode(root),
        format_ms(time_ms)
    );
    Ok(note::sign(key, &name, &body))
}

fn hash_line(l: Option<&str>, what: &str) -> Result<String, String> {
    l.and_then(|l| B64.decode(l).ok())
        .filter(|h| h.len() == 32)
        .map(|h| hex(&h))
        .ok_or_else(|| format!("its {what} is not a SHA-256 hash"))
}

/// Parses a checkpoint and checks its signature against `public`. The origin must be
/// a vault's (`cairn/vault/…`) and is the signing key's name.
pub fn verify(text: &str, public: &VerifyingKey) -> Result<Checkpoint, String> {
    let origin = text.lines().next().unwrap_or_default().to_string();
    if !origin.starts_with("cairn/vault/") {
        return Err("it is not a Cairn checkpoint".into());
    }
    let body = note::verify(text, &origin, public)?;
    let mut lines = body.lines().skip(1);
    let size: u64 = lines
        .next()
        .filter(|l| !(l.starts_with('+') || l.len() > 1 && l.starts_with('0')))
        .and_then(|l| l.parse().ok())
        .ok_or("its size line is not a number")?;
    let third = lines.next();
    let rest: Vec<&str> = lines.collect();
    let time = rest
        .iter()
        .find_map(|l| l.strip_prefix("time "))
        .ok_or("it has no time line")?
        .to_string();
    let head_ext = rest.iter().find_map(|l| l.strip_prefix("cairn-head "));
    let (root, head) = match head_ext {
        Some("-") => (Some(hash_line(third, "tree head")?), String::new()),
        Some(h) => (
            Some(hash_line(third, "tree head")?),
            hash_line(Some(h), "head entry")?,
        ),
        None => (None, hash_line(third, "head entry")?),
    };
    Ok(Checkpoint {
        origin,
        size,
        root,
        head,
        time,
    })
}
