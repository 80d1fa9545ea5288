//! The timeline: every item's current state in one pass, with what the desktop app
//! filters on (categories, tags, linked people, media type), and a plain text search.
//!
//! Search here is a scan of the current records inside the encrypted database; it is
//! meant for thousands of items and is replaced by a full-text index when messages
//! arrive in their hundreds of thousands.

use std::collections::HashMap;

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::clock::format_ms;
use crate::error::{Error, Result};
use crate::items::{sort_key, Category, ItemKind, Role};
use crate::store::map_err;
use crate::vault::Vault;

/// One row of the timeline.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct TimelineItem {
    /// Item id.
    pub id: String,
    /// Kind (never `link`).
    pub kind: ItemKind,
    /// Title, name or file name (empty once redacted).
    pub title: String,
    /// When it happened (incidents) or was taken (photos), as recorded.
    pub occurred: Option<String>,
    /// End of the time range, if one was given.
    pub occurred_end: Option<String>,
    /// She marked the time as approximate.
    pub approximate: bool,
    /// The day used for grouping: `occurred` if known, else the recorded day (UTC),
    /// as `YYYY-MM-DD`.
    pub day: String,
    /// A sortable UTC form of when it happened, or of when it was recorded.
    pub sort_key: String,
    /// When it was first recorded (RFC 3339 UTC).
    pub recorded_at: String,
    /// When its latest version was recorded.
    pub updated_at: String,
    /// Latest version number.
    pub version: u64,
    /// True once redacted.
    pub redacted: bool,
    /// When it was redacted.
    pub redacted_at: Option<String>,
    /// Incident categories.
    pub categories: Vec<Category>,
    /// Incident tags.
    pub tags: Vec<String>,
    /// Where (incidents).
    pub location: String,
    /// A person's role.
    pub role: Option<Role>,
    /// A file's media type.
    pub media_type: Option<String>,
    /// A file has a stored thumbnail.
    pub has_thumbnail: bool,
    /// Ids of the items linked to this one.
    pub linked: Vec<String>,
    /// A message's text on one line, cut at 140 characters (empty for other kinds).
    pub excerpt: String,
}

/// Characters of a message's text the timeline shows.
const EXCERPT_CHARS: usize = 140;

/// `text` on one line, cut at [`EXCERPT_CHARS`] characters with an ellipsis.
fn excerpt(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= EXCERPT_CHARS {
        return one_line;
    }
    let mut cut: String = one_line.chars().take(EXCERPT_CHARS - 1).collect();
    cut.push('…');
    cut
}

/// The fields of a record (of any kind) the timeline reads, parsed in one pass; a
/// field a kind does not have, or one that does not parse, stays empty.
#[derive(Default, Deserialize)]
#[serde(default)]
struct RowFields {
    occurred: Option<OccurredFields>,
    categories: Vec<Category>,
    tags: Vec<String>,
    location: String,
    role: Option<Role>,
    media_type: Option<String>,
    thumbnail: Option<IgnoredAny>,
    text: String,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct OccurredFields {
    end: Option<String>,
    approximate: bool,
}

/// The newest items of the timeline, for a first paint before the whole list arrives.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct TimelineHead {
    /// How many items the whole timeline has.
    pub total: u32,
    /// The newest `limit` items (as the timeline orders them: by day, then when it
    /// happened, then when recorded, newest first), given in recording order like
    /// [`Vault::timeline`].
    pub items: Vec<TimelineItem>,
}

/// The day used for grouping and the sort key, from when it happened (or, failing
/// that, when it was recorded).
fn day_and_key(occurred: Option<&str>, recorded_at: &str) -> (String, String) {
    match occurred {
        // A date keeps its own day; a time keeps the day she wrote (its offset).
        Some(o) => (o.get(..10).unwrap_or(o).to_string(), sort_key(o)),
        None => (
            recorded_at.get(..10).unwrap_or_default().to_string(),
            recorded_at.to_string(),
        ),
    }
}

/// What the timeline orders by: day, then when it happened, then when recorded, then
/// recording position; newest first is the reverse of this.
type OrderKey = (String, String, String, usize);

impl Vault {
    /// The newest `limit` items and the total: what the timeline's first screen needs.
    /// Orders by the summary index alone (no record is read), then builds rows only for
    /// the chosen items.
    pub fn timeline_head(&self, limit: usize) -> Result<TimelineHead> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT item_id, occurred, recorded_at FROM item_index ORDER BY created_seq",
            )
            .map_err(map_err)?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })
            .map_err(map_err)?;
        let mut keys: Vec<(OrderKey, String)> = Vec::new();
        for (i, row) in rows.enumerate() {
            let (id, occurred, rec_at) = row.map_err(map_err)?;
            let recorded_at = format_ms(rec_at);
            let (day, key) = day_and_key(occurred.as_deref(), &recorded_at);
            keys.push(((day, key, recorded_at, i), id));
        }
        let total = keys.len().min(u32::MAX as usize) as u32;
        if keys.len() > limit {
            keys.select_nth_unstable_by(limit, |a, b| b.0.cmp(&a.0));
            keys.truncate(limit);
        }
        let ids: Vec<&str> = keys.iter().map(|(_, id)| id.as_str()).collect();
        let chosen = serde_json::to_string(&ids).map_err(|e| Error::Invalid(e.to_string()))?;
        Ok(TimelineHead {
            total,
            items: self.timeline_rows(Some(&chosen))?,
        })
    }

    /// Every item except links, with what the timeline shows and filters on, in the
    /// order they were recorded.
    pub fn timeline(&self) -> Result<Vec<TimelineItem>> {
        self.timeline_rows(None)
    }

    /// The timeline's rows; only those whose ids are in the JSON array `only`, if given.
    fn timeline_rows(&self, only: Option<&str>) -> Result<Vec<TimelineItem>> {
        let links = self.active_links()?;
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT ii.item_id, ii.kind, ii.version, ii.title, ii.occurred, ii.recorded_at,
                        ii.updated_at, ii.redacted, v.record, te.recorded_at
                 FROM item_index ii
                 JOIN versions v ON v.item_id = ii.item_id AND v.version = ii.version
                 LEFT JOIN tombstones t ON t.item_id = ii.item_id
                 LEFT JOIN entries te ON te.seq = t.seq
                 WHERE ?1 IS NULL OR ii.item_id IN (SELECT value FROM json_each(?1))
                 ORDER BY ii.created_seq",
            )
            .map_err(map_err)?;
        let rows = st
            .query_map([only], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, i64>(5)?,
                    r.get::<_, i64>(6)?,
                    r.get::<_, bool>(7)?,
                    r.get::<_, Option<String>>(8)?,
                    r.get::<_, Option<i64>>(9)?,
                ))
            })
            .map_err(map_err)?;
        let mut out = Vec::new();
        for row in rows {
            let (id, kind, version, title, occurred, rec_at, upd_at, redacted, record, red_at) =
                row.map_err(map_err)?;
            let kind = ItemKind::parse(&kind).unwrap_or(ItemKind::Incident);
            let rec: RowFields = record
                .as_deref()
                .and_then(|s| serde_json::from_str(s).ok())
                .unwrap_or_default();
            let recorded_at = format_ms(rec_at);
            let (day, key) = day_and_key(occurred.as_deref(), &recorded_at);
            let occ = rec.occurred.unwrap_or_default();
            out.push(TimelineItem {
                linked: links.get(&id).cloned().unwrap_or_default(),
                id,
                kind,
                title,
                occurred,
                occurred_end: occ.end,
                approximate: occ.approximate,
                day,
                sort_key: key,
                recorded_at,
                updated_at: format_ms(upd_at),
                version: version as u64,
                redacted,
                redacted_at: red_at.map(format_ms),
                categories: rec.categories,
                tags: rec.tags,
                location: rec.location,
                role: rec.role,
                media_type: rec.media_type,
                has_thumbnail: rec.thumbnail.is_some(),
                excerpt: if kind == ItemKind::Message {
                    excerpt(&rec.text)
                } else {
                    String::new()
                },
            });
        }
        Ok(out)
    }

    /// Active links, as item id → ids of the items at the other ends.
    fn active_links(&self) -> Result<HashMap<String, Vec<String>>> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT json_extract(v.record, '$.from'), json_extract(v.record, '$.to')
                 FROM items i JOIN versions v ON v.item_id = i.id
                 WHERE i.kind = 'link'
                   AND v.version = (SELECT max(version) FROM versions WHERE item_id = i.id)
                   AND json_extract(v.record, '$.active') = 1
                 ORDER BY v.seq",
            )
            .map_err(map_err)?;
        let pairs = st
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(map_err)?;
        let mut out: HashMap<String, Vec<String>> = HashMap::new();
        for p in pairs {
            let (a, b) = p.map_err(map_err)?;
            out.entry(a.clone()).or_default().push(b.clone());
            out.entry(b).or_default().push(a);
        }
        Ok(out)
    }

    /// Ids of the items whose current record contains every word of `query`, ignoring
    /// case, in the order they were recorded. Redacted items never match.
    pub fn search(&self, query: &str) -> Result<Vec<String>> {
        let words: Vec<String> = query
            .split_whitespace()
            .map(str::to_lowercase)
            .filter(|w| !w.is_empty())
            .collect();
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT ii.item_id, v.record FROM item_index ii
                 JOIN versions v ON v.item_id = ii.item_id AND v.version = ii.version
                 WHERE v.record IS NOT NULL ORDER BY ii.created_seq",
            )
            .map_err(map_err)?;
        let rows = st
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(map_err)?;
        let mut out = Vec::new();
        for row in rows {
            let (id, record) = row.map_err(map_err)?;
            // Search what she wrote, not JSON escapes or field names.
            let Ok(v) = serde_json::from_str::<Value>(&record) else {
                continue;
            };
            let mut hay = String::new();
            collect_text(&v, &mut hay);
            let hay = hay.to_lowercase();
            if words.iter().all(|w| hay.contains(w.as_str())) {
                out.push(id);
            }
        }
        Ok(out)
    }
}

fn collect_text(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => {
            out.push_str(s);
            out.push('\n');
        }
        Value::Array(a) => a.iter().for_each(|x| collect_text(x, out)),
        Value::Object(o) => o
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "sha256" | "name_bytes_hex" | "thumbnail"))
            .for_each(|(_, x)| collect_text(x, out)),
        _ => {}
    }
}

#[cfg(test)]
mod excerpt_tests {
    use super::excerpt;

    #[test]
    fn one_line_and_cut_at_140_characters() {
        assert_eq!(excerpt("Answer me.\n  I know"), "Answer me. I know");
        let long = "ä".repeat(200);
        let e = excerpt(&long);
        assert_eq!(e.chars().count(), 140);
        assert!(e.ends_with('…'));
        assert_eq!(excerpt(&"b".repeat(140)), "b".repeat(140));
    }
}
