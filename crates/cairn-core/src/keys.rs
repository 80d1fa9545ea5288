//! The `keys` file: keyslots that each wrap the vault's random master key.
//!
//! The file is one line of JSON followed by a line `sha256:<hex>` over that JSON, so
//! any damage is reported as damage rather than as a wrong passphrase. A slot holds
//! the KDF parameters, a salt, a nonce and the master key sealed with
//! XChaCha20-Poly1305 under the slot key; the AEAD's associated data is the canonical
//! JSON of the slot's kind, KDF parameters and salt, so none can be swapped. KDF
//! parameters are range-checked when the file is read, before any KDF runs.

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
/// Highest memory cost accepted on read (refused before running: a denial-of-service
/// guard): 1 GiB, four times what calibration ever picks.
pub const MAX_M_KIB: u32 = 1024 * 1024;
/// Highest memory all the passphrase slots tried at one unlock may ask for together (a
/// vault and its decoys are tried at once): decoys past it are not tried.
pub const MAX_TOTAL_M_KIB: u32 = 1024 * 1024;
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

/// What a refused test vault is told (the switch's name only where it exists).
#[cfg(feature = "test-switches")]
const TEST_VAULT_HINT: &str = "; a vault made for automated tests needs CAIRN_TEST_INSECURE_KDF=1";
#[cfg(not(feature = "test-switches"))]
const TEST_VAULT_HINT: &str = "; it was made for automated tests, which this build cannot open";

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
    /// Version 1 recovery slots: a key derived from the code alone.
    #[serde(rename = "hkdf-sha256")]
    HkdfSha256,
    /// Version 2 recovery slots: sealed to the X25519 public key derived from the code
    /// and the salt, from a fresh ephemeral key, so a rotated master key can be sealed
    /// to the same code without knowing it.
    #[serde(rename = "x25519-hkdf-sha256")]
    X25519 { public: String, ephemeral: String },
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
    /// Only in `keys.next`, while a rotation is under way: the previous master key
    /// sealed under the next one, so that opening with the new secret can finish it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    previous: Option<Sealed>,
    /// Only in `keys.next` of a rotation that makes a new recovery code: the next master
    /// key sealed under the previous one, so that the old secrets can undo it (the new
    /// code is shown only once the rotation is done, so one cut short was never seen).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    next: Option<Sealed>,
    /// With `next`: the new code was shown to her before the rotation began.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    code_shown: bool,
    /// Version 3: the keyed tag over the slots.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tag: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Sealed {
    nonce: String,
    wrapped: String,
}

/// Name of the keys file a rotation writes before it re-keys the database; renamed
/// over [`KEYS_FILE`] when the re-key has committed.
pub const NEXT_KEYS_FILE: &str = "keys.next";

/// Associated data of the previous master key in `keys.next`.
const PREVIOUS_AAD: &str = "cairn/v2/rotation-previous";
/// Associated data of the next master key in `keys.next` (a rotation making a new code).
const NEXT_AAD: &str = "cairn/v2/rotation-next";

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
    previous: Option<Sealed>,
    next: Option<Sealed>,
    code_shown: bool,
    /// Keyed tag over the slots (see [`slots_tag`]); `None` in files written before it.
    tag: Option<String>,
}

/// What a slots tag says of a keys file, once its master key is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TagCheck {
    /// The slots are the ones Cairn tagged under this master key.
    Good,
    /// The file has no tag (written before tags, or stripped).
    Missing,
    /// The slots were changed by someone without the master key.
    Bad,
}

/// The keyed tag over `slots`: HKDF-SHA256 from the master key, with the SHA-256 of the
/// slots' JSON in its info (HKDF-Expand is HMAC, so this is a MAC). Only the master key
/// makes it, so after every unlock Cairn can tell whether anyone else changed a slot
/// (the recovery slot, or the passphrase slot's parameters when the code opens it).
fn slots_tag(slots: &[Slot], master: &SecretKey) -> Result<String> {
    let json = serde_json::to_string(slots)
        .map_err(|e| Error::Invalid(format!("Could not encode the key file ({e}).")))?;
    let label = format!("keys-slots-tag/{}", hex(&Sha256::digest(json.as_bytes())));
    Ok(hex(master.derive(&label).expose()))
}

/// What a rotation does to the recovery slot.
pub(crate) enum RecoveryChange<'a> {
    /// Seal the new master key to the same code (a version-1 slot cannot be, and the
    /// rotation then makes a new code).
    Keep,
    /// Seal it to this code (the one just typed, or a new one).
    To(&'a RecoveryCode),
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
            TEST_VAULT_HINT
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
    open_sealed(&slot.nonce, &slot.wrapped, slot_key, &aad)
}

fn recovery_wrap_key(shared: &[u8; 32], ephemeral: &[u8; 32], public: &[u8; 32]) -> SecretKey {
    let mut salt = [0u8; 64];
    salt[..32].copy_from_slice(ephemeral);
    salt[32..].copy_from_slice(public);
    let hk = hkdf::Hkdf::<Sha256>::new(Some(&salt), shared);
    let mut out = Zeroizing::new([0u8; 32]);
    if hk.expand(b"cairn/v2/recovery-wrap", &mut out[..]).is_err() {
        unreachable!("HKDF output length is fixed and valid");
    }
    SecretKey::from_bytes(&out[..]).unwrap_or_else(|| unreachable!())
}

/// Opens a key sealed by [`seal`] (`nonce` and `wrapped` in base64).
fn open_sealed(nonce: &str, wrapped: &str, key: &SecretKey, aad: &str) -> Option<SecretKey> {
    let nonce = B64.decode(nonce).ok()?;
    let wrapped = B64.decode(wrapped).ok()?;
    if nonce.len() != 24 {
        return None;
    }
    let cipher = XChaCha20Poly1305::new(key.expose().into());
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
        let tag = Some(slots_tag(&slots, master)?);
        Ok(Keys {
            slots,
            previous: None,
            next: None,
            code_shown: false,
            tag,
        })
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
        let public = x25519_dalek::PublicKey::from(&code.x25519_secret(&salt_bytes));
        Self::sealed_to(master, public.to_bytes(), B64.encode(salt_bytes))
    }

    /// A version-2 recovery slot holding `master`, sealed to the code's public key.
    fn sealed_to(master: &SecretKey, public: [u8; 32], salt: String) -> Result<Slot> {
        let eph = x25519_dalek::StaticSecret::from(*Zeroizing::new(random_array::<32>()?));
        let eph_public = x25519_dalek::PublicKey::from(&eph).to_bytes();
        let shared = eph.diffie_hellman(&x25519_dalek::PublicKey::from(public));
        let key = recovery_wrap_key(shared.as_bytes(), &eph_public, &public);
        let kdf = Kdf::X25519 {
            public: B64.encode(public),
            ephemeral: B64.encode(eph_public),
        };
        let (nonce, wrapped) = seal(&key, master, &slot_aad(SlotKind::Recovery, &kdf, &salt)?)?;
        Ok(Slot {
            kind: SlotKind::Recovery,
            kdf,
            salt,
            nonce,
            wrapped,
        })
    }

    /// A keys file for the new master key `next`: a passphrase slot for `pass`, and a
    /// recovery slot as `recovery` says. `Some(code)` when a new code had to be made
    /// (asked for, or the old slot is version 1 and the code is not known).
    pub(crate) fn rotated(
        &self,
        next: &SecretKey,
        previous: &SecretKey,
        pass: &Passphrase,
        cost: KdfCost,
        recovery: RecoveryChange<'_>,
        trusted: &dyn Fn(&[u8; 32]) -> bool,
    ) -> Result<(Keys, Option<RecoveryCode>)> {
        let mut made = None;
        let new_code = matches!(recovery, RecoveryChange::To(_));
        let recovery_slot = match (recovery, &self.slot(SlotKind::Recovery)?.kdf) {
            (RecoveryChange::To(code), _) => Self::recovery_slot(next, code)?,
            (RecoveryChange::Keep, Kdf::X25519 { public, .. }) => {
                let public: [u8; 32] = b64d(public, "recovery key")?.try_into().map_err(|_| {
                    Error::KeysDamaged("the recovery key has the wrong length".into())
                })?;
                // Only a key Cairn made for this vault: the keys file's checksum is not
                // keyed, so a slot someone planted there must never be carried forward.
                if !trusted(&public) {
                    return Err(Error::KeysDamaged(
                        "its recovery slot is not one Cairn made for this vault (someone may have edited it); make a new recovery code".into(),
                    ));
                }
                let salt = self.slot(SlotKind::Recovery)?.salt.clone();
                Self::sealed_to(next, public, salt)?
            }
            (RecoveryChange::Keep, _) => {
                let code = RecoveryCode::generate()?;
                let slot = Self::recovery_slot(next, &code)?;
                made = Some(code);
                slot
            }
        };
        let slots = vec![Self::passphrase_slot(next, pass, cost)?, recovery_slot];
        let (nonce, wrapped) = seal(&next.derive("rotation-previous"), previous, PREVIOUS_AAD)?;
        let next_sealed = if new_code || made.is_some() {
            let (nonce, wrapped) = seal(&previous.derive("rotation-next"), next, NEXT_AAD)?;
            Some(Sealed { nonce, wrapped })
        } else {
            None
        };
        let tag = Some(slots_tag(&slots, next)?);
        Ok((
            Keys {
                slots,
                previous: Some(Sealed { nonce, wrapped }),
                next: next_sealed,
                code_shown: new_code,
                tag,
            },
            made,
        ))
    }

    /// The previous master key a pending rotation carries, opened with the next one.
    pub(crate) fn previous(&self, next: &SecretKey) -> Option<SecretKey> {
        let p = self.previous.as_ref()?;
        open_sealed(
            &p.nonce,
            &p.wrapped,
            &next.derive("rotation-previous"),
            PREVIOUS_AAD,
        )
    }

    /// The next master key a pending rotation that makes a new code carries, opened
    /// with the previous one.
    pub(crate) fn next_from(&self, previous: &SecretKey) -> Option<SecretKey> {
        let p = self.next.as_ref()?;
        open_sealed(
            &p.nonce,
            &p.wrapped,
            &previous.derive("rotation-next"),
            NEXT_AAD,
        )
    }

    /// True for a pending rotation that makes a new recovery code: cut short, it is
    /// undone (the code was never shown), whichever secret opens it.
    pub(crate) fn makes_new_code(&self) -> bool {
        self.next.is_some()
    }

    /// This keys file without the pending rotation's sealed keys (what is written as
    /// `keys` once the rotation is done).
    pub(crate) fn settled(mut self) -> Keys {
        self.previous = None;
        self.next = None;
        self.code_shown = false;
        self
    }

    /// True for a pending rotation whose new code she was shown before it began.
    pub(crate) fn code_was_shown(&self) -> bool {
        self.code_shown
    }

    /// The recovery slot's public key (a version-2 slot), if it has one.
    pub(crate) fn recovery_public(&self) -> Option<[u8; 32]> {
        self.slots.iter().find_map(|s| match (&s.kind, &s.kdf) {
            (SlotKind::Recovery, Kdf::X25519 { public, .. }) => {
                B64.decode(public).ok()?.try_into().ok()
            }
            _ => None,
        })
    }

    /// True if the two files hold the same slots (a rotation's `keys.next` already
    /// written as `keys`).
    pub(crate) fn same_slots(&self, other: &Keys) -> bool {
        let a = serde_json::to_string(&self.slots).ok();
        a.is_some() && a == serde_json::to_string(&other.slots).ok()
    }

    /// True if the recovery slot is version 1 (sealed under a key from the code alone).
    pub(crate) fn recovery_is_v1(&self) -> bool {
        self.slots
            .iter()
            .any(|s| s.kind == SlotKind::Recovery && s.kdf == Kdf::HkdfSha256)
    }

    /// Replaces a version-1 recovery slot with a version-2 one for the same code (after
    /// it opened the vault), so later rotations can keep the code.
    pub(crate) fn upgrade_recovery(
        &mut self,
        master: &SecretKey,
        code: &RecoveryCode,
    ) -> Result<()> {
        let slot = Self::recovery_slot(master, code)?;
        self.slots.retain(|s| s.kind != SlotKind::Recovery);
        self.slots.push(slot);
        self.tag = Some(slots_tag(&self.slots, master)?);
        Ok(())
    }

    /// Whether the slots carry the tag `master` makes (see [`slots_tag`]).
    pub(crate) fn check_tag(&self, master: &SecretKey) -> Result<TagCheck> {
        let Some(tag) = &self.tag else {
            return Ok(TagCheck::Missing);
        };
        let want = slots_tag(&self.slots, master)?;
        // Compared in constant time: the right tag must not leak a byte at a time.
        let same = tag.len() == want.len()
            && tag
                .bytes()
                .zip(want.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        Ok(if same { TagCheck::Good } else { TagCheck::Bad })
    }

    /// Tags the slots under `master` (a file written before tags, once it opened).
    pub(crate) fn add_tag(&mut self, master: &SecretKey) -> Result<()> {
        self.tag = Some(slots_tag(&self.slots, master)?);
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
                (SlotKind::Recovery, Kdf::X25519 { public, ephemeral }) => {
                    if b64d(&s.salt, "salt")?.len() != 32
                        || b64d(public, "recovery key")?.len() != 32
                        || b64d(ephemeral, "recovery key")?.len() != 32
                    {
                        return Err(Error::KeysDamaged(
                            "the recovery slot has a field of the wrong length".into(),
                        ));
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
        let salt = b64d(&slot.salt, "salt")?;
        let key = match &slot.kdf {
            Kdf::X25519 { public, ephemeral } => {
                let secret = code.x25519_secret(&salt);
                let mine = x25519_dalek::PublicKey::from(&secret).to_bytes();
                let public: [u8; 32] = b64d(public, "recovery key")?.try_into().map_err(|_| {
                    Error::KeysDamaged("the recovery key has the wrong length".into())
                })?;
                if mine != public {
                    return Err(Error::WrongRecoveryCode);
                }
                let ephemeral: [u8; 32] =
                    b64d(ephemeral, "recovery key")?.try_into().map_err(|_| {
                        Error::KeysDamaged("the recovery key has the wrong length".into())
                    })?;
                let shared = secret.diffie_hellman(&x25519_dalek::PublicKey::from(ephemeral));
                recovery_wrap_key(shared.as_bytes(), &ephemeral, &public)
            }
            _ => code.slot_key(&salt),
        };
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
        Self::read_file(&dir.join(KEYS_FILE))
    }

    /// Reads and checks the keys file at `path`.
    pub(crate) fn read_file(path: &Path) -> Result<Keys> {
        // A key file is a few hundred bytes: a huge one is not read into memory.
        let bytes = fsutil::read_small(path, 64 * 1024)?.ok_or_else(|| {
            Error::io(
                "read",
                path,
                std::io::Error::from(std::io::ErrorKind::NotFound),
            )
        })?;
        if bytes.len() >= 64 * 1024 {
            return Err(Error::KeysDamaged("it is far too large".into()));
        }
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
        if parsed.format != "cairn-keys" || !(1..=3).contains(&parsed.version) {
            return Err(Error::KeysDamaged(
                "it is not a Cairn key file of version 1, 2 or 3".into(),
            ));
        }
        Ok(Keys {
            slots: parsed.slots,
            previous: parsed.previous,
            next: parsed.next,
            code_shown: parsed.code_shown,
            tag: parsed.tag,
        })
    }

    /// Writes `dir/keys` atomically: temporary file, fsync, rename, fsync of the folder.
    /// `keys.seen` names the old file and the new while it is written, then the new
    /// alone, so a crash never makes Cairn's own change look like someone else's.
    pub(crate) fn write(&self, dir: &Path) -> Result<()> {
        let content = self.encode()?;
        let new = fingerprint(&content);
        let mut both = vec![new.clone()];
        if let Some(old) = fsutil::read_small(&dir.join(KEYS_FILE), 64 * 1024)
            .ok()
            .flatten()
        {
            both.push(fingerprint(&old));
        }
        // Best effort: the record only decides how a wrong secret is reported.
        let _ = write_seen(dir, &both);
        fsutil::write_atomic(&dir.join(KEYS_FILE), &content)?;
        let _ = write_seen(dir, &[new]);
        Ok(())
    }

    /// Writes the keys file at `path` atomically (see [`Keys::write`]).
    pub(crate) fn write_file(&self, path: &Path) -> Result<()> {
        // A crash during an earlier write can leave `keys.tmp`; it holds nothing we need
        // (the vault lock is held), and must not block every later passphrase change.
        fsutil::write_atomic(path, &self.encode()?)
    }

    /// The file's bytes: its JSON line and the checksum line.
    fn encode(&self) -> Result<Vec<u8>> {
        // Version 2 once a slot is one version 1 cannot read; 3 once it has a tag (a
        // reader before tags refuses it, as it would any file it does not know).
        let version = match (self.recovery_is_v1(), &self.tag) {
            (_, Some(_)) => 3,
            (true, None) => 1,
            (false, None) => 2,
        };
        let json_line = serde_json::to_string(&KeysJson {
            format: "cairn-keys".into(),
            version,
            slots: self.slots.clone(),
            previous: self.previous.clone(),
            next: self.next.clone(),
            code_shown: self.code_shown,
            tag: self.tag.clone(),
        })
        .map_err(|e| Error::Invalid(format!("Could not encode the key file ({e}).")))?;
        Ok(format!(
            "{json_line}\nsha256:{}\n",
            hex(&Sha256::digest(json_line.as_bytes()))
        )
        .into_bytes())
    }
}

/// The file beside `keys` naming the key file Cairn last wrote or opened the vault
/// with (its SHA-256), so that a wrong secret tried on a key file someone changed since
/// is reported as damage, not counted as an attempt. It is plaintext like `keys`, and
/// holds nothing secret: someone who rewrites both files gets his change counted as
/// attempts, which he could add to the `attempts` file anyway.
pub const SEEN_FILE: &str = "keys.seen";

/// `sha256:<hex>` of a key file's bytes.
fn fingerprint(bytes: &[u8]) -> String {
    format!("sha256:{}", hex(&Sha256::digest(bytes)))
}

fn write_seen(dir: &Path, fps: &[String]) -> Result<()> {
    let text: String = fps.iter().map(|f| format!("{f}\n")).collect();
    fsutil::write_atomic(&dir.join(SEEN_FILE), text.as_bytes())
}

/// Whether `dir/keys` is what `keys.seen` names: `None` when there is no record (a
/// vault from before it, or restored from a backup), `Some(false)` when the key file
/// changed since, not by Cairn.
pub(crate) fn seen_matches(dir: &Path) -> Option<bool> {
    let seen = fsutil::read_small(&dir.join(SEEN_FILE), 4096)
        .ok()
        .flatten()?;
    // A stray byte must not make the record count as none.
    let seen = String::from_utf8_lossy(&seen);
    let keys = fsutil::read_small(&dir.join(KEYS_FILE), 64 * 1024)
        .ok()
        .flatten()?;
    let fp = fingerprint(&keys);
    Some(seen.lines().any(|l| l == fp))
}

/// Drops the record in `dir` (a backup's key file was just replaced by the vault's:
/// a record a copy opened once made there no longer applies).
pub(crate) fn forget_seen(dir: &Path) -> Result<()> {
    let p = dir.join(SEEN_FILE);
    match std::fs::remove_file(&p) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io("remove", &p, e)),
        _ => Ok(()),
    }
}

/// Records `dir/keys` as the key file the vault was just opened with (only when the
/// record says otherwise, so an opening leaves no new trace).
pub(crate) fn mark_seen(dir: &Path) {
    if seen_matches(dir) == Some(true) {
        return;
    }
    if let Some(keys) = fsutil::read_small(&dir.join(KEYS_FILE), 64 * 1024)
        .ok()
        .flatten()
    {
        let _ = write_seen(dir, &[fingerprint(&keys)]);
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
