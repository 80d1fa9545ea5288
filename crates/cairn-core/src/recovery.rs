//! Recovery codes: 120 random bits written as six groups of five characters from
//! Crockford's base-32 alphabet (no I, L, O or U). The fifth character of each group
//! checks the other four, so a typo is caught and pointed at before any key is tried.

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::secret::{fill_random, SecretKey};

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const GROUPS: usize = 6;
const DATA_PER_GROUP: usize = 4;
const EXAMPLE: &str = "7KQ3M-X2PZA-...";

/// A recovery code, wiped from memory when dropped.
pub struct RecoveryCode {
    /// The 24 data characters (without check characters or dashes).
    data: Zeroizing<String>,
}

impl std::fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryCode(..)")
    }
}

fn check_char(group: usize, data: &[u8]) -> u8 {
    let mut h = Sha256::new();
    h.update(b"cairn-recovery-v1");
    h.update([group as u8]);
    h.update(data);
    ALPHABET[(h.finalize()[0] & 31) as usize]
}

impl RecoveryCode {
    /// A new random code.
    pub(crate) fn generate() -> Result<Self> {
        let mut raw = Zeroizing::new([0u8; GROUPS * DATA_PER_GROUP]);
        fill_random(&mut raw[..])?;
        // 256 is a multiple of 32, so masking keeps every symbol equally likely.
        let data: String = raw
            .iter()
            .map(|b| ALPHABET[(b & 31) as usize] as char)
            .collect();
        Ok(RecoveryCode {
            data: Zeroizing::new(data),
        })
    }

    /// Parses what the user typed: case, spaces and dashes do not matter, and the
    /// look-alikes O→0, I/L→1 are accepted.
    pub fn parse(input: &str) -> Result<Self> {
        let mut norm = Zeroizing::new(String::new());
        for c in input.chars() {
            let c = c.to_ascii_uppercase();
            let c = match c {
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            };
            if c == '-' || c.is_whitespace() {
                continue;
            }
            norm.push(c);
        }
        let format_err = || Error::RecoveryCodeFormat {
            groups: GROUPS,
            example: EXAMPLE,
        };
        if norm.len() != GROUPS * (DATA_PER_GROUP + 1)
            || !norm.bytes().all(|b| ALPHABET.contains(&b))
        {
            return Err(format_err());
        }
        let mut data = Zeroizing::new(String::new());
        for (g, group) in norm.as_bytes().chunks(DATA_PER_GROUP + 1).enumerate() {
            let (d, check) = group.split_at(DATA_PER_GROUP);
            if check_char(g, d) != check[0] {
                return Err(Error::RecoveryCodeTypo { group: g + 1 });
            }
            data.push_str(std::str::from_utf8(d).map_err(|_| format_err())?);
        }
        Ok(RecoveryCode { data })
    }

    /// The code as it is shown and written down: `XXXXX-XXXXX-…`.
    pub fn display(&self) -> Zeroizing<String> {
        let mut out = Zeroizing::new(String::new());
        for (g, d) in self.data.as_bytes().chunks(DATA_PER_GROUP).enumerate() {
            if g > 0 {
                out.push('-');
            }
            out.push_str(std::str::from_utf8(d).unwrap_or_default());
            out.push(check_char(g, d) as char);
        }
        out
    }

    /// The key-encryption key for the recovery slot. The code carries 120 random bits,
    /// so a fast KDF (HKDF-SHA256 with the slot's salt) is enough.
    pub(crate) fn slot_key(&self, salt: &[u8]) -> SecretKey {
        let hk = hkdf::Hkdf::<Sha256>::new(Some(salt), self.data.as_bytes());
        let mut out = Zeroizing::new([0u8; 32]);
        if hk.expand(b"cairn/v1/recovery-slot", &mut out[..]).is_err() {
            unreachable!("HKDF output length is fixed and valid");
        }
        SecretKey::from_bytes(&out[..]).unwrap_or_else(|| unreachable!())
    }
}

impl RecoveryCode {
    /// The X25519 secret of a version-2 recovery slot: HKDF-SHA256 of the code with the
    /// slot's salt. Its public half is in the keys file, so a new master key can be
    /// sealed to the code without knowing it.
    pub(crate) fn x25519_secret(&self, salt: &[u8]) -> x25519_dalek::StaticSecret {
        let hk = hkdf::Hkdf::<Sha256>::new(Some(salt), self.data.as_bytes());
        let mut out = Zeroizing::new([0u8; 32]);
        if hk
            .expand(b"cairn/v2/recovery-x25519", &mut out[..])
            .is_err()
        {
            unreachable!("HKDF output length is fixed and valid");
        }
        x25519_dalek::StaticSecret::from(*out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_typos() {
        let code = RecoveryCode::generate().unwrap();
        let shown = code.display();
        assert_eq!(shown.len(), 6 * 5 + 5);
        let back = RecoveryCode::parse(&shown.to_lowercase().replace('-', " ")).unwrap();
        assert_eq!(*back.data, *code.data);
        // Every other character in group 3's first place: the check character catches
        // all but about 1 in 32 (those then fail as a wrong code when unlocking).
        let chars: Vec<char> = shown.chars().collect();
        let i = 12; // group 3 is characters 12..17
        let mut caught = 0;
        for &c in ALPHABET.iter().filter(|&&c| c as char != chars[i]) {
            let mut typo = chars.clone();
            typo[i] = c as char;
            match RecoveryCode::parse(&typo.into_iter().collect::<String>()) {
                Err(Error::RecoveryCodeTypo { group }) => {
                    assert_eq!(group, 3);
                    caught += 1;
                }
                Ok(other) => assert_ne!(*other.data, *code.data),
                Err(e) => panic!("unexpected {e}"),
            }
        }
        assert!(caught >= 25, "only {caught} of 31 typos caught");
        assert!(matches!(
            RecoveryCode::parse("ABC"),
            Err(Error::RecoveryCodeFormat { .. })
        ));
    }
}
