//! Location-free copies of files (docs/FORMAT.md §5.7): what a bundle sends instead of
//! a photo or video that says where it was made, made the same way every time, so its
//! SHA-256 can be recorded in the chain and checked by anyone who receives it.

/// The entry kind that records a location-free copy of a file already in the vault
/// (made later than the file's own entry): item = the file, content = the copy's
/// SHA-256, meta `original_sha256` = the original's.
pub const COPY_ENTRY: &str = "file.location_free";

/// The meta field of a `file.add` entry that records the location-free copy made when
/// the file was added.
pub const COPY_META: &str = "location_free_sha256";

use std::collections::BTreeMap;

use rusqlite::params;
use serde_json::{json, Map, Value};

use crate::chain::unhex32;
use crate::error::{Error, Result};
use crate::keys::hex;
use crate::store::map_err;
use crate::vault::Vault;

/// A location-free copy the chain records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedCopy {
    /// The entry that recorded it.
    pub seq: u64,
    /// The copy's SHA-256, hex.
    pub sha256: String,
    /// The original's SHA-256, hex.
    pub original_sha256: String,
}

impl Vault {
    /// Every location-free copy the chain records, by file item, oldest first.
    pub fn location_copies(&self) -> Result<BTreeMap<String, Vec<RecordedCopy>>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT seq, item, kind, content_sha256, meta FROM entries
                 WHERE kind = ?1 OR (kind IN ('file.add', 'file.edit') AND instr(meta, ?2) > 0)
                 ORDER BY seq",
            )
            .map_err(map_err)?;
        let rows = st
            .query_map(params![COPY_ENTRY, COPY_META], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Vec<u8>>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })
            .map_err(map_err)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(map_err)?;
        let mut out: BTreeMap<String, Vec<RecordedCopy>> = BTreeMap::new();
        for (seq, item, kind, content, meta) in rows {
            let meta: Map<String, Value> = serde_json::from_str(&meta).unwrap_or_default();
            let text = |k: &str| meta.get(k).and_then(Value::as_str).map(str::to_string);
            let copy = if kind == COPY_ENTRY {
                text("original_sha256").map(|o| (hex(&content), o))
            } else {
                text(COPY_META).map(|c| (c, hex(&content)))
            };
            if let Some((sha256, original_sha256)) = copy {
                out.entry(item).or_default().push(RecordedCopy {
                    seq: seq as u64,
                    sha256,
                    original_sha256,
                });
            }
        }
        Ok(out)
    }

    /// Records location-free copies of files already in the vault, one
    /// [`COPY_ENTRY`] entry each, in one write: `(file item, original SHA-256, copy
    /// SHA-256)`. Returns the entries' sequence numbers, in order.
    pub fn record_location_copies(
        &mut self,
        copies: &[(String, String, String)],
    ) -> Result<Vec<u64>> {
        if copies.is_empty() {
            return Ok(Vec::new());
        }
        self.write(|w| {
            let mut out = Vec::new();
            for (item, original, copy) in copies {
                let cur = w.current_content(item)?;
                if cur != *original {
                    return Err(Error::Invalid(format!(
                        "{item} does not hold the file a copy was made of."
                    )));
                }
                let mut meta = Map::new();
                meta.insert("original_sha256".into(), json!(original));
                let e = w.append(COPY_ENTRY, item, &unhex32(copy)?, meta)?;
                out.push(e.seq);
            }
            Ok(out)
        })
    }
}
