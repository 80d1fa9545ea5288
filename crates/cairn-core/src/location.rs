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
use std::io::{Read, Seek, SeekFrom};

pub use cairn_location::{Patch, Patched, Scan, Signs, TRACK_FOUND};
use rusqlite::{params, OptionalExtension};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::blobs::BlobReader;

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

/// What a stored file holds, as far as location goes.
#[derive(Debug, Clone)]
pub enum Located {
    /// Nothing that says where it was made: the original may go out.
    NoLocation,
    /// A location-free copy is the original with these patches (see [`Patched`]).
    Copy {
        /// The patches, in order.
        patches: Vec<Patch>,
        /// What they remove, in plain words.
        found: Vec<String>,
    },
    /// It holds location data Cairn cannot remove with certainty: why.
    CannotClean(String),
    /// A file only the raw scan can decide (not a format Cairn takes apart): scan its
    /// bytes with [`Scan`] as they are read, rather than reading it twice.
    ScanAsItPasses,
}

/// What Cairn knows of a file's location data (from `location_checks`, or decided now).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LocationStatus {
    /// Nothing that says where it was made.
    NoLocation,
    /// It says where; its location-free copy has this SHA-256.
    Copy {
        /// The copy's SHA-256, hex.
        sha256: String,
    },
    /// It says where, or may, and Cairn cannot remove it with certainty: why.
    CannotClean(String),
    /// Not decided yet: a file only a whole read decides, not yet read whole.
    Unknown,
}

/// Keeps what was decided for `item` under the current rules.
pub(crate) fn cache(conn: &rusqlite::Connection, item: &str, s: &LocationStatus) -> Result<()> {
    let (outcome, detail) = match s {
        LocationStatus::NoLocation => ("none", ""),
        LocationStatus::Copy { sha256 } => ("copy", sha256.as_str()),
        LocationStatus::CannotClean(why) => ("cannot", why.as_str()),
        LocationStatus::Unknown => return Ok(()),
    };
    conn.prepare_cached(
        "INSERT INTO location_checks (item_id, rules, outcome, detail) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (item_id) DO UPDATE SET rules = excluded.rules, outcome = excluded.outcome, detail = excluded.detail",
    )
    .and_then(|mut st| st.execute(params![item, cairn_location::RULES, outcome, detail]))
    .map_err(map_err)?;
    Ok(())
}

/// Inspects `r` (of `len` bytes), never panicking on what it holds: a parser that
/// fails on a crafted file means the file cannot be cleaned, not a crash.
pub(crate) fn inspect<R: Read + Seek>(r: &mut R, len: u64, whole: bool) -> Result<Located> {
    let mut head = [0u8; 16];
    r.seek(SeekFrom::Start(0))
        .map_err(|e| Error::Internal(e.to_string()))?;
    let n = r.read(&mut head).unwrap_or(0);
    let head = head.get(..n).unwrap_or(&[]);
    if cairn_location::raw_scan_only(head) && !whole {
        return Ok(Located::ScanAsItPasses);
    }
    let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        cairn_location::inspect(r, len)
    }));
    Ok(match out {
        Ok(Ok(cairn_location::Outcome::NoLocation)) => Located::NoLocation,
        Ok(Ok(cairn_location::Outcome::Patched { patches, found })) => {
            Located::Copy { patches, found }
        }
        Ok(Ok(cairn_location::Outcome::CannotClean(why))) => Located::CannotClean(why),
        Ok(Err(e)) => {
            return Err(Error::Internal(format!(
                "a stored file could not be read ({e})"
            )))
        }
        Err(_) => Located::CannotClean("Cairn could not read its metadata".into()),
    })
}

/// SHA-256 (hex) of `r` read through `patches`.
pub(crate) fn copy_sha256<R: Read + Seek>(r: R, patches: Vec<Patch>) -> Result<String> {
    let mut view = Patched::new(r, patches).map_err(|e| Error::Internal(e.to_string()))?;
    view.seek(SeekFrom::Start(0))
        .map_err(|e| Error::Internal(e.to_string()))?;
    let mut h = Sha256::new();
    std::io::copy(&mut view, &mut h).map_err(|e| Error::Internal(e.to_string()))?;
    Ok(hex(&h.finalize()))
}

impl Vault {
    /// What file `id`'s original holds. A file only the raw scan can decide is
    /// scanned now if `whole`, else reported as [`Located::ScanAsItPasses`].
    pub fn location_of(&self, id: &str, whole: bool) -> Result<Located> {
        let mut r = self.open_original(id)?;
        let len = r.size();
        inspect(&mut r, len, whole)
    }

    /// File `id`'s original read through `patches`: its location-free copy.
    pub fn open_patched(&self, id: &str, patches: Vec<Patch>) -> Result<Patched<BlobReader>> {
        let r = self.open_original(id)?;
        Patched::new(r, patches).map_err(|e| Error::Internal(e.to_string()))
    }

    /// SHA-256 (hex) of file `id`'s copy with `patches` applied.
    pub fn patched_sha256(&self, id: &str, patches: Vec<Patch>) -> Result<String> {
        copy_sha256(self.open_original(id)?, patches)
    }

    /// What is known of each of `ids`' location data under the current rules
    /// ([`LocationStatus::Unknown`] for a file not yet decided).
    pub fn location_status(&self, ids: &[String]) -> Result<BTreeMap<String, LocationStatus>> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT outcome, detail FROM location_checks WHERE item_id = ?1 AND rules = ?2",
            )
            .map_err(map_err)?;
        let mut out = BTreeMap::new();
        for id in ids {
            let row: Option<(String, String)> = st
                .query_row(params![id, cairn_location::RULES], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()
                .map_err(map_err)?;
            let s = match row {
                Some((o, _)) if o == "none" => LocationStatus::NoLocation,
                Some((o, d)) if o == "copy" => LocationStatus::Copy { sha256: d },
                Some((_, d)) => LocationStatus::CannotClean(d),
                None => LocationStatus::Unknown,
            };
            out.insert(id.clone(), s);
        }
        Ok(out)
    }

    /// Decides file `id`'s location data now (reading it whole if `whole`, else
    /// leaving a file only the raw scan decides [`LocationStatus::Unknown`]) and keeps
    /// the answer.
    pub fn check_location(&mut self, id: &str, whole: bool) -> Result<LocationStatus> {
        let status = match self.location_of(id, whole)? {
            Located::NoLocation => LocationStatus::NoLocation,
            Located::CannotClean(why) => LocationStatus::CannotClean(why),
            Located::ScanAsItPasses => return Ok(LocationStatus::Unknown),
            Located::Copy { patches, .. } => LocationStatus::Copy {
                sha256: self.patched_sha256(id, patches)?,
            },
        };
        cache(&self.conn, id, &status)?;
        Ok(status)
    }

    /// Keeps what a scan of file `id`'s bytes found (see [`Scan`]).
    pub fn note_location(&mut self, id: &str, status: &LocationStatus) -> Result<()> {
        cache(&self.conn, id, status)
    }

    /// The patches that make file `id`'s location-free copy (none if it needs none).
    pub fn location_patches(&self, id: &str) -> Result<Vec<Patch>> {
        Ok(match self.location_of(id, true)? {
            Located::Copy { patches, .. } => patches,
            _ => Vec::new(),
        })
    }

    /// For each original export among `ids` (a file item messages were imported from):
    /// the file items attached to its messages, and how many of its messages were
    /// redacted.
    pub fn export_contents(&self, ids: &[String]) -> Result<BTreeMap<String, (Vec<String>, u64)>> {
        let mut out = BTreeMap::new();
        let mut attached = self
            .conn
            .prepare_cached(
                "SELECT DISTINCT a.value FROM message_index m
                 JOIN versions v ON v.item_id = m.item_id AND v.version = 1,
                      json_each(v.record, '$.attachments') a
                 WHERE m.export = ?1 AND v.record IS NOT NULL",
            )
            .map_err(map_err)?;
        let mut redacted = self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM message_index m JOIN tombstones t ON t.item_id = m.item_id
                 WHERE m.export = ?1",
            )
            .map_err(map_err)?;
        let mut any = self
            .conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM message_index WHERE export = ?1)")
            .map_err(map_err)?;
        for id in ids {
            let is_export: bool = any.query_row([id], |r| r.get(0)).map_err(map_err)?;
            if !is_export {
                continue;
            }
            let files = attached
                .query_map([id], |r| r.get::<_, String>(0))
                .map_err(map_err)?
                .collect::<rusqlite::Result<Vec<String>>>()
                .map_err(map_err)?;
            let n: i64 = redacted.query_row([id], |r| r.get(0)).map_err(map_err)?;
            out.insert(id.clone(), (files, n.max(0) as u64));
        }
        Ok(out)
    }

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
