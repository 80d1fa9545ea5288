//! Item ids: a kind prefix, a dash and ten characters of lower-case Crockford base-32,
//! which spell a 50-bit number (`inc-vxws2km2sn`).
//!
//! The ids one write makes are a run: the first is a random number, each next one the
//! number after it. Ids made together therefore sit together in every index keyed by
//! id, so an import of 100,000 messages adds to the same few pages of each index
//! instead of a random page per message per index (an eighth of an import's time).
//! Runs of different writes start at unrelated random places, and nothing in an id is
//! a time or a count. Every id is still checked against the vault before it is used:
//! a clash, or the end of the number space, starts a new run somewhere else.

use crate::error::Result;
use crate::items::ItemKind;
use crate::secret::random_array;

/// The digits, Crockford's base-32 in lower case (no i, l, o, u).
const DIGITS: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
/// Characters after the dash.
const LEN: usize = 10;
/// How many numbers ten characters can spell.
const SPACE: u64 = 1 << (5 * LEN);

/// The numbers of one write's ids.
#[derive(Debug, Default)]
pub(crate) struct IdRun {
    next: Option<u64>,
}

impl IdRun {
    /// The next id to try for an item of `kind`.
    pub fn candidate(&mut self, kind: ItemKind) -> Result<String> {
        let n = match self.next {
            Some(n) if n < SPACE => n,
            _ => random_number()?,
        };
        self.next = Some(n + 1);
        Ok(spell(kind, n))
    }

    /// The last candidate was taken: the next one starts a new run.
    pub fn clashed(&mut self) {
        self.next = None;
    }
}

fn random_number() -> Result<u64> {
    Ok(u64::from_le_bytes(random_array()?) % SPACE)
}

/// `kind`'s prefix, a dash and `n` in ten base-32 digits, most significant first.
fn spell(kind: ItemKind, n: u64) -> String {
    let digits: String = (0..LEN)
        .rev()
        .map(|i| DIGITS[((n >> (5 * i)) & 31) as usize] as char)
        .collect();
    format!("{}-{digits}", kind.prefix())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_counts_up_and_sorts_in_order() {
        let mut run = IdRun::default();
        let ids: Vec<String> = (0..100)
            .map(|_| run.candidate(ItemKind::Message))
            .collect::<Result<_>>()
            .unwrap();
        assert!(ids
            .iter()
            .all(|id| id.len() == 14 && id.starts_with("msg-")));
        // Byte order is number order (the digits are in ASCII order), except where a
        // run reaches the end of the space and starts again.
        let ordered = ids.windows(2).filter(|w| w[0] < w[1]).count();
        assert!(ordered >= 98, "{ids:?}");
    }

    #[test]
    fn a_clash_starts_somewhere_else() {
        let mut run = IdRun::default();
        let a = run.candidate(ItemKind::Incident).unwrap();
        run.clashed();
        let b = run.candidate(ItemKind::Incident).unwrap();
        let c = run.candidate(ItemKind::Incident).unwrap();
        // Two random 50-bit numbers are next to each other once in 2^49 tries.
        assert_ne!(&a[..12], &b[..12]);
        assert_eq!(&b[..12], &c[..12]);
    }

    #[test]
    fn spells_fifty_bits_in_crockford_digits() {
        assert_eq!(spell(ItemKind::File, 0), "fil-0000000000");
        assert_eq!(spell(ItemKind::File, SPACE - 1), "fil-zzzzzzzzzz");
        assert_eq!(spell(ItemKind::Person, 32 + 31), "per-000000001z");
    }
}
