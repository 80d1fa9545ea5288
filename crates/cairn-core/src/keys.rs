//! The `keys` file: keyslots that each wrap the vault's random master key.
//!
//! The file is one line of JSON followed by a line `sha256:<hex>` over that JSON, so
//! any damage is reported as damage rather than as a wrong passphrase. A slot holds
//! the KDF parameters, a salt, a nonce and the master key sealed with
//! XChaCha20-Poly1305 under the slot key; the AEAD's associated data is the canonical
//! JSON of the slot's kind, KDF parameters and salt, so none can be swapped. KDF
//! parameters are range-checked when the file is read, before any KDF runs.

use std::fs;
use std::path::Path;
use std::time::Instant;

use argon2::{Algorithm, Argon2, Params, Version};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::canonical::to_canonical;
use crate::error::{Error, Result};
use crate::fsutil;
use crate::recovery::RecoveryCode;
use crate::secret::{random_array, Passphrase, SecretKey};

/// Name of the keys file inside the vault folder.
pub const KEYS_FILE: &str = "keys";

/// Lowest Argon2id cost accepted for a real vault: 64 MiB and 3 passes.
pub const MIN_M_KIB: u32 = 64 * 1024;
/// Lowest pass count accepted for a real vault.
pub const MIN_T: u32 = 3;
/// Highest memory cost accepted on read (refused before running: a denial-of-service guard).
pub const MAX_M_KIB: u32 = 4 * 1024 * 1024;
/// Highest pass count accepted on read.
pub const MAX_T: u32 = 64;
/// Highest parallelism accepted on read.
pub const MAX_P: u32 = 16;
/// Memory cost used at creation is never raised above this (a laptop must still unlock it).
const CALIBRATE_MAX_M_KIB: u32 = 256 * 1024;
/// Unlock time the calibration aims for.
const CALIBRATE_TARGET_SECS: f64 = 1.0;
/// The insecure parameters of [`KdfCost::InsecureTestOnly`].
const TEST_M_KIB: u32 = 256;
const TEST_T: u32 = 1;

/// How expensive the passphrase KDF is made at creation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KdfCost {
    /// Calibrated to about one second on this machine, never below 64 MiB / 3 passes.
    Calibrated,
    /// 256 KiB / 1 pass. For automated tests only: anyone holding the `keys` file can
    /// guess passphrases quickly. Vaults made this way are reported by `verify`, and
    /// opening them requires the same explicit switch.
    InsecureTestOnly,
    /// The cost another vault's passphrase has (a decoy takes its vault's, so opening
    /// either takes as long). Below the floor only for a test vault's decoy.
    Same {
        /// Memory in KiB.
        m_kib: u32,
        /// Passes.
        t: u32,
    },
}

impl KdfCost {
    /// The cost of `summary`'s passphrase slot.
    pub fn same_as(summary: KdfSummary) -> KdfCost {
        KdfCost::Same {
            m_kib: summary.m_kib,
            t: summary.t,
        }
    }

    /// True for a cost below the production floor.
    pub fn is_insecure(self) -> bool {
        match self {
            KdfCost::Calibrated => false,
            KdfCost::InsecureTestOnly => true,
            KdfCost::Same { m_kib, t } => m_kib < MIN_M_KIB || t < MIN_T,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum SlotKind {
    Passphrase,
    Recovery,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "alg", deny_unknown_fields)]
enum Kdf {
    #[serde(rename = "argon2id")]
    Argon2id {
        version: u32,
        m_kib: u32,
        t: u32,
        p: u32,
    },
    #[serde(rename = "hkdf-sha256")]
    HkdfSha256,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Slot {
    kind: SlotKind,
    kdf: Kdf,
    salt: String,
    nonce: String,
    wrapped: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeysJson {
    format: String,
    version: u32,
    slots: Vec<Slot>,
}

/// The Argon2id cost of a vault's passphrase slot, as reported by `verify`.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct KdfSummary {
    /// Memory in KiB.
    pub m_kib: u32,
    /// Passes.
    pub t: u32,
    /// Lanes.
    pub p: u32,
    /// True when below the production floor (made with [`KdfCost::InsecureTestOnly`]).
    pub insecure: bool,
}

/// The parsed keys file.
#[derive(Debug, Clone)]
pub(crate) struct Keys {
    slots: Vec<Slot>,
}

fn b64d(s: &str, what: &str) -> Result<Vec<u8>> {
    B64.decode(s)
        .map_err(|_| Error::KeysDamaged(format!("the {what} is not valid base64")))
}

fn slot_aad(kind: SlotKind, kdf: &Kdf, salt: &str) -> Result<String> {
    let v = json!({"kind": kind, "kdf": kdf, "salt": salt});
    to_canonical(&v)
}

fn check_argon2(m_kib: u32, t: u32, p: u32, version: u32, allow_insecure: bool) -> Result<()> {
    let (min_m, min_t) = if allow_insecure {
        (8 * p.max(1), 1)
    } else {
        (MIN_M_KIB, MIN_T)
    };
    if version != 0x13 {
        return Err(Error::KdfOutOfRange(format!("Argon2 version {version}")));
    }
    if !(1..=MAX_P).contains(&p) {
        return Err(Error::KdfOutOfRange(format!("{p} lanes")));
    }
    if m_kib < min_m || m_kib > MAX_M_KIB {
        let hint = if m_kib < MIN_M_KIB && !allow_insecure {
            "; a vault made for automated tests needs CAIRN_TEST_INSECURE_KDF=1"
        } else {
            ""
        };
        return Err(Error::KdfOutOfRange(format!("{m_kib} KiB of memory{hint}")));
    }
    if t < min_t || t > MAX_T {
        return Err(Error::KdfOutOfRange(format!("{t} passes")));
    }
    Ok(())
}

fn argon2_key(pass: &Passphrase, salt: &[u8], m_kib: u32, t: u32, p: u32) -> Result<SecretKey> {
    let params =
        Params::new(m_kib, t, p, Some(32)).map_err(|e| Error::KdfOutOfRange(e.to_string()))?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let mut out = Zeroizing::new([0u8; 32]);
    argon
        .hash_password_into(&pass.kdf_bytes(), salt, &mut out[..])
        .map_err(|e| Error::KdfOutOfRange(e.to_string()))?;
    Ok(SecretKey::from_bytes(&out[..]).unwrap_or_else(|| unreachable!()))
}

/// Picks Argon2id parameters that take about a second here, never below the floor.
fn calibrate() -> Result<(u32, u32)> {
    let probe = Passphrase::new("calibration");
    let salt = [0u8; 16];
    let start = Instant::now();
    argon2_key(&probe, &salt, MIN_M_KIB, MIN_T, 1)?;
    let base = start.elapsed().as_secs_f64().max(1e-3);
    let factor = CALIBRATE_TARGET_SECS / base;
    if factor <= 1.0 {
        return Ok((MIN_M_KIB, MIN_T));
    }
    // Spend the budget on memory first (what makes guessing expensive on GPUs), then passes.
    let m = ((MIN_M_KIB as f64 * factor) as u32).clamp(MIN_M_KIB, CALIBRATE_MAX_M_KIB);
    let m = m / 1024 * 1024;
    let t = ((MIN_T as f64 * factor * MIN_M_KIB as f64 / m as f64).round() as u32).clamp(MIN_T, 20);
    Ok((m, t))
}

fn seal(slot_key: &SecretKey, master: &SecretKey, aad: &str) -> Result<(String, String)> {
    let nonce: [u8; 24] = random_array()?;
    let cipher = XChaCha20Poly1305::new(slot_key.expose().into());
    let wrapped = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: master.expose(),
                aad: aad.as_bytes(),
            },
        )
        .map_err(|_| Error::Invalid("Could not seal the master key.".into()))?;
    Ok((B64.encode(nonce), B64.encode(wrapped)))
}

fn open_slot(slot: &Slot, slot_key: &SecretKey) -> Option<SecretKey> {
    let aad = slot_aad(slot.kind, &slot.kdf, &slot.salt).ok()?;
    let nonce = B64.decode(&slot.nonce).ok()?;
    let wrapped = B64.decode(&slot.wrapped).ok()?;
    if nonce.len() != 24 {
        return None;
    }
    let cipher = XChaCha20Poly1305::new(slot_key.expose().into());
    let plain = Zeroizing::new(
        cipher
            .decrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &wrapped,
                    aad: aad.as_bytes(),
                },
            )
            .ok()?,
    );
    SecretKey::from_bytes(&plain)
}

impl Keys {
    /// Builds a keys file holding a passphrase slot and a recovery slot for `master`.
    pub(crate) fn create(
        master: &SecretKey,
        pass: &Passphrase,
        code: &RecoveryCode,
        cost: KdfCost,
    ) -> Result<Keys> {
        let slots = vec![
            Self::passphrase_slot(master, pass, cost)?,
            Self::recovery_slot(master, code)?,
        ];
        Ok(Keys { slots })
    }

    fn passphrase_slot(master: &SecretKey, pass: &Passphrase, cost: KdfCost) -> Result<Slot> {
        let (m_kib, t) = match cost {
            KdfCost::Calibrated => calibrate()?,
            KdfCost::InsecureTestOnly => (TEST_M_KIB, TEST_T),
            KdfCost::Same { m_kib, t } => (m_kib.min(MAX_M_KIB), t.clamp(1, MAX_T)),
        };
        let kdf = Kdf::Argon2id {
            version: 0x13,
            m_kib,
            t,
            p: 1,
        };
        let salt_bytes: [u8; 16] = random_array()?;
        let salt = B64.encode(salt_bytes);
        let key = argon2_key(pass, &salt_bytes, m_kib, t, 1)?;
        let (nonce, wrapped) = seal(&key, master, &slot_aad(SlotKind::Passphrase, &kdf, &salt)?)?;
        Ok(Slot {
            kind: SlotKind::Passphrase,
            kdf,
            salt,
            nonce,
            wrapped,
        })
    }

    fn recovery_slot(master: &SecretKey, code: &RecoveryCode) -> Result<Slot> {
        let salt_bytes: [u8; 32] = random_array()?;
        let salt = B64.encode(salt_bytes);
        let kdf = Kdf::HkdfSha256;
        let key = code.slot_key(&salt_bytes);
        let (nonce, wrapped) = seal(&key, master, &slot_aad(SlotKind::Recovery, &kdf, &salt)?)?;
        Ok(Slot {
            kind: SlotKind::Recovery,
            kdf,
            salt,
            nonce,
            wrapped,
        })
    }

    /// Replaces the passphrase slot (the data and the recovery slot are untouched).
    pub(crate) fn set_passphrase(
        &mut self,
        master: &SecretKey,
        pass: &Passphrase,
        cost: KdfCost,
    ) -> Result<()> {
        let slot = Self::passphrase_slot(master, pass, cost)?;
        self.slots.retain(|s| s.kind != SlotKind::Passphrase);
        self.slots.insert(0, slot);
        Ok(())
    }

    fn slot(&self, kind: SlotKind) -> Result<&Slot> {
        self.slots
            .iter()
            .find(|s| s.kind == kind)
            .ok_or_else(|| Error::KeysDamaged(format!("it has no {kind:?} slot").to_lowercase()))
    }

    /// Checks every slot's parameters without running any KDF.
    fn validate(&self, allow_insecure: bool) -> Result<()> {
        for s in &self.slots {
            match (&s.kind, &s.kdf) {
                (
                    SlotKind::Passphrase,
                    Kdf::Argon2id {
                        version,
                        m_kib,
                        t,
                        p,
                    },
                ) => {
                    check_argon2(*m_kib, *t, *p, *version, allow_insecure)?;
                    if b64d(&s.salt, "salt")?.len() < 16 {
                        return Err(Error::KeysDamaged("a salt is too short".into()));
                    }
                }
                (SlotKind::Recovery, Kdf::HkdfSha256) => {
                    if b64d(&s.salt, "salt")?.len() != 32 {
                        return Err(Error::KeysDamaged("a salt has the wrong length".into()));
                    }
                }
                _ => {
                    return Err(Error::KeysDamaged(
                        "a slot has the wrong kind of KDF".into(),
                    ))
                }
            }
        }
        Ok(())
    }

    /// Unwraps the master key with the passphrase.
    pub(crate) fn unlock_passphrase(
        &self,
        pass: &Passphrase,
        allow_insecure: bool,
    ) -> Result<SecretKey> {
        self.validate(allow_insecure)?;
        let slot = self.slot(SlotKind::Passphrase)?;
        let Kdf::Argon2id { m_kib, t, p, .. } = slot.kdf else {
            return Err(Error::KeysDamaged(
                "the passphrase slot has no Argon2id KDF".into(),
            ));
        };
        let key = argon2_key(pass, &b64d(&slot.salt, "salt")?, m_kib, t, p)?;
        open_slot(slot, &key).ok_or(Error::WrongPassphrase)
    }

    /// Unwraps the master key with the recovery code.
    pub(crate) fn unlock_recovery(
        &self,
        code: &RecoveryCode,
        allow_insecure: bool,
    ) -> Result<SecretKey> {
        self.validate(allow_insecure)?;
        let slot = self.slot(SlotKind::Recovery)?;
        let key = code.slot_key(&b64d(&slot.salt, "salt")?);
        open_slot(slot, &key).ok_or(Error::WrongRecoveryCode)
    }

    /// The passphrase slot's KDF cost.
    pub(crate) fn kdf_summary(&self) -> Option<KdfSummary> {
        self.slots.iter().find_map(|s| match s.kdf {
            Kdf::Argon2id { m_kib, t, p, .. } if s.kind == SlotKind::Passphrase => {
                Some(KdfSummary {
                    m_kib,
                    t,
                    p,
                    insecure: m_kib < MIN_M_KIB || t < MIN_T,
                })
            }
            _ => None,
        })
    }

    /// Reads and checks `dir/keys`.
    pub(crate) fn read(dir: &Path) -> Result<Keys> {
        let path = dir.join(KEYS_FILE);
        let bytes = fs::read(&path).map_err(|e| Error::io("read", &path, e))?;
        let text =
            std::str::from_utf8(&bytes).map_err(|_| Error::KeysDamaged("it is not text".into()))?;
        let body = text
            .strip_suffix('\n')
            .ok_or_else(|| Error::KeysDamaged("it is cut short".into()))?;
        let (json_line, sum_line) = body
            .rsplit_once('\n')
            .ok_or_else(|| Error::KeysDamaged("it has no checksum".into()))?;
        let expected = sum_line
            .strip_prefix("sha256:")
            .ok_or_else(|| Error::KeysDamaged("it has no checksum".into()))?;
        if hex(&Sha256::digest(json_line.as_bytes())) != expected {
            return Err(Error::KeysDamaged("its checksum does not match".into()));
        }
        let parsed: KeysJson = serde_json::from_str(json_line)
            .map_err(|_| Error::KeysDamaged("it cannot be read".into()))?;
        if parsed.format != "cairn-keys" || parsed.version != 1 {
            return Err(Error::KeysDamaged(
                "it is not a Cairn key file of version 1".into(),
            ));
        }
        Ok(Keys {
            slots: parsed.slots,
        })
    }

    /// Writes `dir/keys` atomically: temporary file, fsync, rename, fsync of the folder.
    pub(crate) fn write(&self, dir: &Path) -> Result<()> {
        let json_line = serde_json::to_string(&KeysJson {
            format: "cairn-keys".into(),
            version: 1,
            slots: self.slots.clone(),
        })
        .map_err(|e| Error::Invalid(format!("Could not encode the key file ({e}).")))?;
        let content = format!(
            "{json_line}\nsha256:{}\n",
            hex(&Sha256::digest(json_line.as_bytes()))
        );
        // A crash during an earlier write can leave `keys.tmp`; it holds nothing we need
        // (the vault lock is held), and must not block every later passphrase change.
        fsutil::write_atomic(&dir.join(KEYS_FILE), content.as_bytes())
    }
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    const H: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(H[(b >> 4) as usize] as char);
        s.push(H[(b & 15) as usize] as char);
    }
    s
}
