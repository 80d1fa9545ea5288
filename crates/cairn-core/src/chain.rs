//! The hash chain: one append-only entry per change.
//!
//! An entry's hash is SHA-256 over the canonical JSON (see [`crate::canonical`]) of
//! `{"content_sha256", "item", "kind", "meta", "prev", "recorded_at", "seq", "v"}`,
//! with hashes as lower-case hex and `recorded_at` in UTC milliseconds. The first
//! entry's `prev` is 64 zeros. docs/FORMAT.md specifies it with test vectors.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::canonical::to_canonical;
use crate::error::{Error, Result};
use crate::keys::hex;
use crate::store::map_err;

/// Format version written into every entry header.
pub const ENTRY_VERSION: u64 = 1;

/// One chain entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    /// Position in the chain, from 1.
    pub seq: u64,
    /// Hash of the previous entry (zeros for the first), hex.
    pub prev: String,
    /// When it was recorded: UTC milliseconds since 1970, from the system clock.
    pub recorded_at: i64,
    /// What happened, e.g. `incident.create`, `file.add`, `item.redact`.
    pub kind: String,
    /// The item (or vault) it concerns.
    pub item: String,
    /// SHA-256 of the content, hex: an original file's bytes, or an item record's canonical JSON.
    pub content_sha256: String,
    /// Non-content metadata (never evidence text).
    pub meta: Map<String, Value>,
    /// This entry's hash, hex.
    pub hash: String,
}

impl Entry {
    /// The header object that is hashed.
    pub fn header(&self) -> Value {
        json!({
            "v": ENTRY_VERSION,
            "seq": self.seq,
            "prev": self.prev,
            "recorded_at": self.recorded_at,
            "kind": self.kind,
            "item": self.item,
            "content_sha256": self.content_sha256,
            "meta": Value::Object(self.meta.clone()),
        })
    }

    /// Recomputes the hash from the header.
    pub fn compute_hash(&self) -> Result<String> {
        Ok(hex(&Sha256::digest(
            to_canonical(&self.header())?.as_bytes(),
        )))
    }
}

/// The hash a first entry points back to.
pub const GENESIS_PREV: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The newest entry, if any.
pub(crate) fn head(conn: &Connection) -> Result<Option<Entry>> {
    conn.query_row(
        &format!("{SELECT} ORDER BY seq DESC LIMIT 1"),
        [],
        row_to_entry,
    )
    .optional()
    .map_err(map_err)?
    .transpose()
}

const SELECT: &str =
    "SELECT seq, prev, recorded_at, kind, item, content_sha256, meta, hash FROM entries";

type RowEntry = Result<Entry>;

fn row_to_entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<RowEntry> {
    let seq: i64 = r.get(0)?;
    let prev: Vec<u8> = r.get(1)?;
    let csum: Vec<u8> = r.get(5)?;
    let meta: String = r.get(6)?;
    let hash: Vec<u8> = r.get(7)?;
    let meta = match serde_json::from_str::<Value>(&meta) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(Error::DatabaseDamaged(format!(
            "chain entry {seq} has unreadable metadata"
        ))),
    };
    Ok(meta.map(|meta| Entry {
        seq: seq as u64,
        prev: hex(&prev),
        recorded_at: r.get(2).unwrap_or_default(),
        kind: r.get(3).unwrap_or_default(),
        item: r.get(4).unwrap_or_default(),
        content_sha256: hex(&csum),
        meta,
        hash: hex(&hash),
    }))
}

/// Calls `f` on every entry in sequence order (streaming; the chain may be long).
pub(crate) fn for_each(conn: &Connection, mut f: impl FnMut(Entry) -> Result<()>) -> Result<()> {
    let mut st = conn
        .prepare(&format!("{SELECT} ORDER BY seq"))
        .map_err(map_err)?;
    let mut rows = st.query([]).map_err(map_err)?;
    while let Some(r) = rows.next().map_err(map_err)? {
        f(row_to_entry(r).map_err(map_err)??)?;
    }
    Ok(())
}

pub(crate) fn unhex32(s: &str) -> Result<[u8; 32]> {
    let mut out = [0u8; 32];
    if s.len() != 64 {
        return Err(Error::Invalid("A hash must be 64 hex digits.".into()));
    }
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16)
            .map_err(|_| Error::Invalid("A hash must be 64 hex digits.".into()))?;
    }
    Ok(out)
}

/// Appends an entry after `prev` (the current head) inside the caller's transaction.
/// A clock reading earlier than the previous entry's is kept as read and noted in
/// `meta.clock_went_back_ms`.
pub(crate) fn append(
    conn: &Connection,
    prev: Option<&Entry>,
    now_ms: i64,
    kind: &str,
    item: &str,
    content_sha256: &[u8; 32],
    mut meta: Map<String, Value>,
) -> Result<Entry> {
    let (seq, prev_hash) = match prev {
        Some(p) => (p.seq + 1, p.hash.clone()),
        None => (1, GENESIS_PREV.to_string()),
    };
    if let Some(p) = prev {
        if now_ms < p.recorded_at {
            meta.insert("clock_went_back_ms".into(), json!(p.recorded_at - now_ms));
        }
    }
    let mut e = Entry {
        seq,
        prev: prev_hash,
        recorded_at: now_ms,
        kind: kind.into(),
        item: item.into(),
        content_sha256: hex(content_sha256),
        meta,
        hash: String::new(),
    };
    e.hash = e.compute_hash()?;
    let meta_text = to_canonical(&Value::Object(e.meta.clone()))?;
    let (prev_bytes, hash_bytes) = (unhex32(&e.prev)?, unhex32(&e.hash)?);
    conn.prepare_cached(
        "INSERT INTO entries (seq, prev, recorded_at, kind, item, content_sha256, meta, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )
    .and_then(|mut st| {
        st.execute(params![
            seq as i64,
            prev_bytes.to_vec(),
            now_ms,
            kind,
            item,
            content_sha256.to_vec(),
            meta_text,
            hash_bytes.to_vec()
        ])
    })
    .map_err(map_err)?;
    Ok(e)
}
