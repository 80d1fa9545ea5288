//! Item ids: a kind prefix, a dash and ten characters of lower-case Crockford base-32,
//! which spell a 50-bit number (`inc-vxws2km2sn`).
//!
//! The ids one write makes of a kind are a run: the first is a random number, each
//! next one the number after it. Ids made together therefore sit together in every
//! index keyed by id, so an import of 100,000 messages adds to the same few pages of
//! each index instead of a random page per message per index (a fifth of an import's
//! time). Runs of different writes start at unrelated random places, and nothing in an
//! id is a time. Two ids of one run do show how many items of their kind were made
//! between them (docs/FORMAT.md §5.2).
//!
//! A run starts only where the vault has no id, and it knows the first id above its
//! start that is taken, so it never reaches an id in use: one query per run, not one
//! per id. Reaching that id (or the end of the number space) starts a new run.

use rusqlite::Connection;

use crate::error::Result;
use crate::items::ItemKind;
use crate::secret::random_array;
use crate::store::map_err;

/// The digits, Crockford's base-32 in lower case (no i, l, o, u).
const DIGITS: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
/// Characters after the dash.
const LEN: usize = 10;
/// How many numbers ten characters can spell.
const SPACE: u64 = 1 << (5 * LEN);

/// Where one write's new ids come from.
#[derive(Debug, Default)]
pub(crate) struct Ids {
    runs: Vec<(ItemKind, Run)>,
}

/// Numbers `next..end` are free ids of one kind.
#[derive(Debug, Clone, Copy)]
struct Run {
    next: u64,
    end: u64,
}

impl Ids {
    /// A new id for an item of `kind`, unused in the vault `conn` opens (which sees
    /// this write's own items, so the write's earlier runs are avoided too).
    pub fn fresh(&mut self, conn: &Connection, kind: ItemKind) -> Result<String> {
        let at = match self.runs.iter().position(|(k, _)| *k == kind) {
            Some(at) => at,
            None => {
                self.runs.push((kind, Run { next: 0, end: 0 }));
                self.runs.len() - 1
            }
        };
        let run = &mut self.runs[at].1;
        while run.next >= run.end {
            *run = start_run(conn, kind)?;
        }
        let n = run.next;
        run.next += 1;
        Ok(spell(kind, n))
    }
}

/// A run from a random number up to the first id of `kind` above it that is taken.
/// It is empty when that number is itself taken.
fn start_run(conn: &Connection, kind: ItemKind) -> Result<Run> {
    let next = u64::from_le_bytes(random_array()?) % SPACE;
    let mut st = conn
        .prepare_cached("SELECT id FROM items WHERE id >= ?1 ORDER BY id")
        .map_err(map_err)?;
    let mut rows = st.query([spell(kind, next)]).map_err(map_err)?;
    let prefix = prefix(kind);
    while let Some(row) = rows.next().map_err(map_err)? {
        let id: String = row.get(0).map_err(map_err)?;
        if !id.starts_with(&prefix) {
            // Another kind's ids sort after all of this kind's: nothing is in the way.
            break;
        }
        // An id that is not ten digits can never be one of the run's: look past it.
        if let Some(taken) = read(kind, &id) {
            return Ok(Run { next, end: taken });
        }
    }
    Ok(Run { next, end: SPACE })
}

fn prefix(kind: ItemKind) -> String {
    format!("{}-", kind.prefix())
}

/// `kind`'s prefix, a dash and `n` in ten base-32 digits, most significant first
/// (so byte order is number order).
fn spell(kind: ItemKind, n: u64) -> String {
    let digits: String = (0..LEN)
        .rev()
        .map(|i| DIGITS[((n >> (5 * i)) & 31) as usize] as char)
        .collect();
    format!("{}{digits}", prefix(kind))
}

/// The number an id of `kind` spells.
fn read(kind: ItemKind, id: &str) -> Option<u64> {
    let digits = id.strip_prefix(&prefix(kind))?;
    if digits.len() != LEN {
        return None;
    }
    digits.bytes().try_fold(0u64, |n, b| {
        let d = DIGITS.iter().position(|&x| x == b)?;
        Some(n << 5 | d as u64)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vault_with(ids: &[&str]) -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE items (id TEXT PRIMARY KEY)")
            .unwrap();
        for id in ids {
            conn.execute("INSERT INTO items (id) VALUES (?1)", [id])
                .unwrap();
        }
        conn
    }

    #[test]
    fn a_run_counts_up_in_byte_order() {
        let conn = vault_with(&[]);
        let mut ids = Ids::default();
        let made: Vec<String> = (0..100)
            .map(|_| ids.fresh(&conn, ItemKind::Message))
            .collect::<Result<_>>()
            .unwrap();
        assert!(made
            .iter()
            .all(|id| id.len() == 14 && id.starts_with("msg-")));
        // In order, except where a run reaches the end of the space and starts again.
        let ordered = made.windows(2).filter(|w| w[0] < w[1]).count();
        assert!(ordered >= 98, "{made:?}");
        let other = ids.fresh(&conn, ItemKind::File).unwrap();
        assert!(other.starts_with("fil-"));
    }

    #[test]
    fn a_run_stops_short_of_a_taken_id() {
        // Every id of the kind but the last two numbers is taken: only those are left.
        let conn = vault_with(&["inc-zzzzzzzzzx", "per-0000000000"]);
        let mut run = Run {
            next: SPACE - 4,
            end: read(ItemKind::Incident, "inc-zzzzzzzzzx").unwrap(),
        };
        assert_eq!(run.end, SPACE - 3);
        let mut ids = Ids::default();
        ids.runs.push((ItemKind::Incident, run));
        assert_eq!(
            ids.fresh(&conn, ItemKind::Incident).unwrap(),
            "inc-zzzzzzzzzw"
        );
        let next = ids.fresh(&conn, ItemKind::Incident).unwrap();
        assert_ne!(next, "inc-zzzzzzzzzx");
        run = ids.runs[0].1;
        assert!(run.next <= run.end);
        // A run that starts just below a taken id ends at it.
        let run = start_run(&conn, ItemKind::Incident).unwrap();
        assert!(run.end == SPACE || run.end == SPACE - 3);
    }

    #[test]
    fn ids_cairn_never_spells_are_looked_past() {
        let conn = vault_with(&["inc-", "inc-~", "inc-zzzzzzzzzz", "inc-zzzzzzzzzzz"]);
        let run = start_run(&conn, ItemKind::Incident).unwrap();
        assert_eq!(run.end, SPACE - 1);
    }

    #[test]
    fn spells_and_reads_fifty_bits_in_crockford_digits() {
        assert_eq!(spell(ItemKind::File, 0), "fil-0000000000");
        assert_eq!(spell(ItemKind::File, SPACE - 1), "fil-zzzzzzzzzz");
        assert_eq!(spell(ItemKind::Person, 32 + 31), "per-000000001z");
        assert_eq!(read(ItemKind::Person, "per-000000001z"), Some(63));
        assert_eq!(read(ItemKind::Person, "inc-000000001z"), None);
        assert_eq!(read(ItemKind::Person, "per-00000000u1"), None);
        assert_eq!(read(ItemKind::Person, "per-001"), None);
    }
}
