//! Checkpoints: the chain's size and head hash at a moment, signed with the vault's
//! Ed25519 device key, in the C2SP signed-note text form:
//!
//! ```text
//! cairn/vault/<vault id>
//! <size>
//! <base64 head hash>
//! time <RFC 3339 UTC>
//!
//! — cairn/vault/<vault id> <base64(key id ‖ signature)>
//! ```
//!
//! The third line carries the chain head's hash (not a Merkle root as in a
//! transparency log). A checkpoint kept outside the laptop lets anyone later check
//! that the history up to it was not rewritten.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::chain::unhex32;
use crate::clock::format_ms;
use crate::keys::hex;

/// A parsed, signature-checked checkpoint.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Checkpoint {
    /// `cairn/vault/<id>`.
    pub origin: String,
    /// Number of entries covered.
    pub size: u64,
    /// Hash of entry `size`, hex.
    pub head: String,
    /// When it was signed (RFC 3339 UTC).
    pub time: String,
}

/// The origin line for a vault.
pub fn origin(vault_id: &str) -> String {
    format!("cairn/vault/{vault_id}")
}

fn key_id(name: &str, public: &VerifyingKey) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n\x01");
    h.update(public.as_bytes());
    let d = h.finalize();
    [d[0], d[1], d[2], d[3]]
}

/// Signs a checkpoint and returns its text.
pub fn sign(key: &SigningKey, vault_id: &str, size: u64, head_hex: &str, time_ms: i64) -> String {
    let name = origin(vault_id);
    let head = unhex32(head_hex).unwrap_or([0; 32]);
    let body = format!(
        "{name}\n{size}\n{}\ntime {}\n",
        B64.encode(head),
        format_ms(time_ms)
    );
    let sig = key.sign(body.as_bytes());
    let mut blob = key_id(&name, &key.verifying_key()).to_vec();
    blob.extend_from_slice(&sig.to_bytes());
    format!("{body}\n\u{2014} {name} {}\n", B64.encode(blob))
}

/// Parses a checkpoint and checks its signature against `public`.
pub fn verify(note: &str, public: &VerifyingKey) -> Result<Checkpoint, String> {
    let (body, sigs) = note.split_once("\n\n").ok_or("it has no signature block")?;
    let body = format!("{body}\n");
    let mut lines = body.lines();
    let origin = lines.next().ok_or("it is empty")?.to_string();
    let size: u64 = lines
        .next()
        .and_then(|l| l.parse().ok())
        .ok_or("its size line is not a number")?;
    let head = lines
        .next()
        .and_then(|l| B64.decode(l).ok())
        .filter(|h| h.len() == 32)
        .ok_or("its head hash is not valid")?;
    let time = lines
        .next()
        .and_then(|l| l.strip_prefix("time "))
        .ok_or("it has no time line")?
        .to_string();
    let want_id = key_id(&origin, public);
    for line in sigs.lines() {
        let Some(rest) = line.strip_prefix("\u{2014} ") else {
            continue;
        };
        let Some((name, b64)) = rest.split_once(' ') else {
            continue;
        };
        if name != origin {
            continue;
        }
        let Ok(blob) = B64.decode(b64) else { continue };
        if blob.len() != 68 || blob[..4] != want_id {
            continue;
        }
        let sig = Signature::from_slice(&blob[4..]).map_err(|_| "its signature is malformed")?;
        return public
            .verify(body.as_bytes(), &sig)
            .map(|_| Checkpoint {
                origin,
                size,
                head: hex(&head),
                time,
            })
            .map_err(|_| "its signature does not match".to_string());
    }
    Err("it has no signature from this vault's device key".into())
}
