//! Secret key material. Keys only ever live inside these zeroizing newtypes; their
//! `Debug` never prints the bytes.

use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// A 256-bit secret key, wiped from memory when dropped.
#[derive(Clone)]
pub struct SecretKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

impl SecretKey {
    /// A fresh random key from the operating system's generator.
    pub(crate) fn random() -> Result<Self> {
        let mut k = Zeroizing::new([0u8; 32]);
        fill_random(&mut k[..])?;
        Ok(SecretKey(k))
    }

    /// Takes ownership of key bytes (the caller's copy should itself be zeroizing).
    pub(crate) fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let mut k = Zeroizing::new([0u8; 32]);
        if bytes.len() != 32 {
            return None;
        }
        k.copy_from_slice(bytes);
        Some(SecretKey(k))
    }

    /// The raw bytes, for handing to a cipher.
    pub(crate) fn expose(&self) -> &[u8; 32] {
        &self.0
    }

    /// Derives a sub-key for one purpose with HKDF-SHA256 (`info` = "cairn/v1/" + label).
    pub(crate) fn derive(&self, label: &str) -> SecretKey {
        let hk = Hkdf::<Sha256>::new(None, &self.0[..]);
        let mut out = Zeroizing::new([0u8; 32]);
        let info = format!("cairn/v1/{label}");
        // 32 bytes is far below HKDF-SHA256's 8160-byte limit, so this cannot fail.
        if hk.expand(info.as_bytes(), &mut out[..]).is_err() {
            unreachable!("HKDF output length is fixed and valid");
        }
        SecretKey(out)
    }
}

/// A passphrase the user typed, wiped from memory when dropped.
pub struct Passphrase(Zeroizing<String>);

impl Passphrase {
    /// Wraps a passphrase.
    pub fn new(s: impl Into<String>) -> Self {
        Passphrase(Zeroizing::new(s.into()))
    }
    /// The passphrase text, exactly as given.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The bytes the KDF sees: UTF-8 in Unicode normalisation form C, so "é" typed as
    /// one character or as "e" plus an accent (as some keyboards and systems produce)
    /// unlocks the same vault.
    pub(crate) fn kdf_bytes(&self) -> Zeroizing<Vec<u8>> {
        use unicode_normalization::UnicodeNormalization;
        let mut out = Zeroizing::new(Vec::with_capacity(self.0.len()));
        let mut buf = [0u8; 4];
        for c in self.0.nfc() {
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
        out
    }
}

impl std::fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Passphrase(..)")
    }
}

/// Fills `buf` from the operating system's random generator.
pub(crate) fn fill_random(buf: &mut [u8]) -> Result<()> {
    getrandom::fill(buf)
        .map_err(|e| Error::Invalid(format!("The system random generator failed ({e}).")))
}

/// `N` random bytes.
pub(crate) fn random_array<const N: usize>() -> Result<[u8; N]> {
    let mut b = [0u8; N];
    fill_random(&mut b)?;
    Ok(b)
}
