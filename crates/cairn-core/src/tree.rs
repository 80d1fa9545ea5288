//! The vault's Merkle tree over its chain (table `merkle`, schema 7): its right edge
//! is kept in step with the chain in every write, so the checkpoint signed after each
//! write can carry the tree head without reading the chain.

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{Error, Result};
use crate::merkle::{leaf_hash, Frontier, Hash, Tree};
use crate::store::map_err;

/// The stored frontier; rebuilt from the chain when it is missing or does not cover
/// exactly `size` entries.
pub(crate) fn load(conn: &Connection, size: u64) -> Result<Frontier> {
    let row: Option<(i64, Vec<u8>)> = conn
        .query_row("SELECT size, frontier FROM merkle WHERE id = 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()
        .map_err(map_err)?;
    if let Some(f) = row.and_then(|(s, b)| Frontier::from_bytes(s as u64, &b)) {
        if f.size() == size {
            return Ok(f);
        }
    }
    let mut f = Frontier::new();
    for_each_leaf(conn, |l| f.push(l))?;
    if f.size() != size {
        return Err(Error::DatabaseDamaged(format!(
            "the chain has {} entries where {size} were expected",
            f.size()
        )));
    }
    Ok(f)
}

/// Stores the frontier (inside the caller's transaction).
pub(crate) fn store(conn: &Connection, f: &Frontier) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO merkle (id, size, frontier) VALUES (1, ?1, ?2)
         ON CONFLICT (id) DO UPDATE SET size = excluded.size, frontier = excluded.frontier",
    )
    .and_then(|mut st| st.execute(params![f.size() as i64, f.to_bytes()]))
    .map_err(map_err)?;
    Ok(())
}

/// Calls `f` with the leaf hash of every entry, in order.
pub(crate) fn for_each_leaf(conn: &Connection, mut f: impl FnMut(Hash)) -> Result<()> {
    let mut st = conn
        .prepare("SELECT hash FROM entries ORDER BY seq")
        .map_err(map_err)?;
    let mut rows = st.query([]).map_err(map_err)?;
    while let Some(r) = rows.next().map_err(map_err)? {
        let h: Vec<u8> = r.get(0).map_err(map_err)?;
        f(leaf_hash(&h));
    }
    Ok(())
}

/// The whole tree, to make proofs (64 bytes an entry).
pub(crate) fn whole(conn: &Connection) -> Result<Tree> {
    let mut leaves = Vec::new();
    for_each_leaf(conn, |l| leaves.push(l))?;
    Ok(Tree::new(leaves))
}

/// Migration 7's step: the frontier of the chain as it is.
pub(crate) fn rebuild(conn: &Connection) -> rusqlite::Result<()> {
    let mut f = Frontier::new();
    {
        let mut st = conn.prepare("SELECT hash FROM entries ORDER BY seq")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let h: Vec<u8> = r.get(0)?;
            f.push(leaf_hash(&h));
        }
    }
    conn.execute(
        "INSERT INTO merkle (id, size, frontier) VALUES (1, ?1, ?2)",
        params![f.size() as i64, f.to_bytes()],
    )?;
    Ok(())
}
