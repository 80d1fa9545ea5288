//! C2SP signed notes (<https://c2sp.org/signed-note>): a text body, a blank line, and
//! signature lines `— <key name> <base64(key id ‖ signature)>`. Key id = the first four
//! bytes of SHA-256(key name ‖ `\n` ‖ 0x01 ‖ Ed25519 public key). Checkpoints and
//! bundle notes are both signed notes under the vault's key name `cairn/vault/<id>`.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

/// The largest note Cairn reads (a bundle note is a few hundred bytes).
pub const MAX_NOTE: usize = 64 << 10;

/// The key id C2SP gives an Ed25519 key under `name`.
pub fn key_id(name: &str, public: &VerifyingKey) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n\x01");
    h.update(public.as_bytes());
    let d = h.finalize();
    [d[0], d[1], d[2], d[3]]
}

/// Signs `body` (every line ending in `\n`, no blank line) under `name`.
pub fn sign(key: &SigningKey, name: &str, body: &str) -> String {
    let sig = key.sign(body.as_bytes());
    let mut blob = key_id(name, &key.verifying_key()).to_vec();
    blob.extend_from_slice(&sig.to_bytes());
    format!("{body}\n\u{2014} {name} {}\n", B64.encode(blob))
}

/// Checks a note's signature by `public` under `name` and returns its body (ending
/// in `\n`). Other signature lines (other keys, witnesses) are ignored.
pub fn verify(note: &str, name: &str, public: &VerifyingKey) -> Result<String, String> {
    if note.len() > MAX_NOTE {
        return Err("it is far longer than a Cairn note".into());
    }
    let (body, sigs) = note.split_once("\n\n").ok_or("it has no signature block")?;
    if body.is_empty() || body.contains('\r') {
        return Err("its text is not a signed note".into());
    }
    let body = format!("{body}\n");
    let want = key_id(name, public);
    for line in sigs.lines() {
        let Some(rest) = line.strip_prefix("\u{2014} ") else {
            continue;
        };
        let Some((who, b64)) = rest.split_once(' ') else {
            continue;
        };
        if who != name {
            continue;
        }
        let Ok(blob) = B64.decode(b64.trim_end()) else {
            continue;
        };
        if blob.len() != 68 || blob[..4] != want {
            continue;
        }
        let sig = Signature::from_slice(&blob[4..]).map_err(|_| "its signature is malformed")?;
        // Strict: canonical encodings only, and no weak (small-order) key.
        if public.is_weak() {
            return Err("its key is not a valid signing key".into());
        }
        return public
            .verify_strict(body.as_bytes(), &sig)
            .map(|_| body)
            .map_err(|_| "its signature does not match".to_string());
    }
    Err("it has no signature from this vault's device key".into())
}
