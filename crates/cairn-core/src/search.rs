//! Full-text search over the current version of every item (incidents, messages,
//! people, files by name and description, reports), with SQLite FTS5 inside the
//! encrypted database.
//!
//! The words of a record are its string values, except those that are identifiers
//! or hashes (a SHA-256 in hex would only match itself). One function makes them
//! ([`words_of`]), for the index kept as versions are written and for filling it when
//! a vault is upgraded.

use rusqlite::{params, Connection};
use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::store::map_err;

/// Keys whose string values are not words: hashes and ids (which would only match
/// themselves), and a message's source, kind and time (every message has them, so
/// they would only crowd its words and snippets; a conversation is found by name).
const NOT_WORDS: &[&str] = &[
    "sent_at",
    "source",
    "kind",
    "sha256",
    "original_sha256",
    "record_sha256",
    "bundle_sha256",
    "evidence_sha256",
    "name_bytes_hex",
    "media_type",
    "export",
    "item",
    "from",
    "to",
    "source_id",
];

/// Top-level fields whose contents are not words: a file's thumbnail details and a
/// message's attachment references (the files are items with their own words).
const NOT_WORDS_UNDER: &[&str] = &["thumbnail", "attachments"];

/// The words of a record: its string values in document order (canonical JSON sorts
/// keys), one per line, leaving out [`NOT_WORDS`] and everything under
/// [`NOT_WORDS_UNDER`]. Computed here rather than in SQL (`json_tree`), which took a
/// quarter of the time of indexing a message.
pub(crate) fn words_of(record: &Value) -> String {
    fn walk(v: &Value, key: Option<&str>, out: &mut String) {
        match v {
            Value::String(s) if key.is_none_or(|k| !NOT_WORDS.contains(&k)) => {
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(s);
            }
            Value::Array(items) => items.iter().for_each(|i| walk(i, None, out)),
            Value::Object(fields) => fields.iter().for_each(|(k, f)| walk(f, Some(k), out)),
            _ => {}
        }
    }
    let mut out = String::new();
    match record {
        Value::Object(fields) => {
            for (k, f) in fields {
                if f.is_string() || !NOT_WORDS_UNDER.contains(&k.as_str()) {
                    walk(f, Some(k), &mut out);
                }
            }
        }
        other => walk(other, None, &mut out),
    }
    out
}

/// Puts item `id`'s current record into the index (replacing what it had). The FTS
/// row's rowid is the item's `created_seq`, which never changes, so replacing and
/// forgetting are lookups rather than scans.
pub(crate) fn index(
    conn: &Connection,
    created_seq: u64,
    id: &str,
    kind: &str,
    record: &Value,
    replace: bool,
) -> Result<()> {
    if replace {
        conn.prepare_cached("DELETE FROM search WHERE rowid = ?1")
            .and_then(|mut st| st.execute([created_seq as i64]))
            .map_err(map_err)?;
    }
    conn.prepare_cached("INSERT INTO search (rowid, item_id, kind, body) VALUES (?1, ?2, ?3, ?4)")
        .and_then(|mut st| st.execute(params![created_seq as i64, id, kind, words_of(record)]))
        .map_err(map_err)?;
    Ok(())
}

/// Takes item `id` out of the index (it was redacted).
pub(crate) fn forget(conn: &Connection, id: &str) -> Result<()> {
    conn.execute(
        "DELETE FROM search WHERE rowid = (SELECT created_seq FROM items WHERE id = ?1)",
        [id],
    )
    .map_err(map_err)?;
    Ok(())
}

/// Fills the index from every item's current version (when a vault is upgraded to
/// schema 4, and again at schema 6, whose words are fewer).
pub(crate) fn rebuild(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM search", [])?;
    let mut current = conn.prepare(
        "SELECT i.created_seq, i.id, i.kind, v.record
         FROM items i
         JOIN versions v ON v.item_id = i.id
              AND v.version = (SELECT max(version) FROM versions WHERE item_id = i.id)
         WHERE i.kind != 'link' AND v.record IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM tombstones t WHERE t.item_id = i.id)",
    )?;
    let mut insert =
        conn.prepare("INSERT INTO search (rowid, item_id, kind, body) VALUES (?1, ?2, ?3, ?4)")?;
    let mut rows = current.query([])?;
    while let Some(row) = rows.next()? {
        let text: String = row.get(3)?;
        // A record that is not JSON has no words; verify reports it.
        let record: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        insert.execute(params![
            row.get::<_, i64>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            words_of(&record)
        ])?;
    }
    Ok(())
}

/// One item that matched.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hit {
    /// The item.
    pub id: String,
    /// Its kind (`incident`, `message`, …).
    pub kind: String,
    /// Its title in lists (a message's is its sender).
    pub title: String,
    /// When it happened or was sent, if known.
    pub occurred: Option<String>,
    /// A few words around the match; each matched word is between
    /// [`HIT_START`] and [`HIT_END`].
    pub snippet: String,
}

/// Marks the start of a matched word in [`Hit::snippet`] (U+0002, never typed).
pub const HIT_START: char = '\u{2}';
/// Marks the end of a matched word in [`Hit::snippet`] (U+0003).
pub const HIT_END: char = '\u{3}';

/// When more items match than this, only the newest this many are ranked: scoring
/// every match of a word in half of 100,000 messages takes a tenth of a second, and a
/// search that broad is narrowed by another word, not read to the end.
pub const RANKED_MATCHES: usize = 2000;

/// The fewest bytes (UTF-8) of a last word's final part that are also looked for as
/// the start of longer words: "thr" already finds "threatened", but "t" would expand
/// to half the index. Bytes, not letters, so one Chinese or Japanese character (three
/// bytes, and the tokenizer keeps a run of them as one word) still finds its words.
const PREFIX_MIN_BYTES: usize = 3;

/// Turns what she typed into an FTS5 query: every word must appear, the last one also
/// as the start of a longer word ("threat" finds "threatened", as she types), and
/// nothing she types is FTS5 syntax (a quote, a colon or `NEAR` is just text). A word
/// the tokenizer splits ("mum's") must appear as its parts, in order. `None` when
/// there is nothing to look for.
pub(crate) fn fts_query(typed: &str) -> Option<String> {
    // Control characters split too: FTS5 reads its query as C text, so a NUL would end it.
    let words: Vec<&str> = typed
        .split(|c: char| c.is_whitespace() || c.is_control() || c == '"')
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .collect();
    let last = words.len().checked_sub(1)?;
    let terms: Vec<String> = words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            // The letters (and their accents) after the word's last separator: what a
            // prefix would extend.
            let tail: usize = w
                .chars()
                .rev()
                .skip_while(|c| !c.is_alphanumeric())
                .take_while(|c| c.is_alphanumeric() || is_mark(*c))
                .map(char::len_utf8)
                .sum();
            if i == last && tail >= PREFIX_MIN_BYTES {
                format!("\"{w}\"*")
            } else {
                format!("\"{w}\"")
            }
        })
        .collect();
    Some(terms.join(" "))
}

/// A combining accent (typed decomposed: `e` then U+0301), part of its letter.
fn is_mark(c: char) -> bool {
    matches!(c, '\u{300}'..='\u{36F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

/// What a search found.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Found {
    /// The best matches, best first.
    pub hits: Vec<Hit>,
    /// True when more than [`RANKED_MATCHES`] items matched, so only the most recently
    /// recorded [`RANKED_MATCHES`] were ranked: say so, and suggest another word.
    pub newest_only: bool,
}

/// The best `limit` matches for `typed`, best first (among the newest
/// [`RANKED_MATCHES`] when there are more).
pub(crate) fn search(conn: &Connection, typed: &str, limit: usize) -> Result<Found> {
    if typed.chars().count() > 1000 {
        return Err(Error::Invalid(
            "That search is too long; use a few words.".into(),
        ));
    }
    let Some(q) = fts_query(typed) else {
        return Ok(Found {
            hits: Vec::new(),
            newest_only: false,
        });
    };
    // The newest matches come first in the index's own order, so finding where the
    // newest RANKED_MATCHES end reads no more than that many.
    // The RANKED_MATCHES-th newest match, and one past it if there is one (then some
    // were left out), in one pass.
    let edge: Vec<i64> = conn
        .prepare_cached(
            "SELECT rowid FROM search WHERE search MATCH ?1 ORDER BY rowid DESC LIMIT 2 OFFSET ?2",
        )
        .and_then(|mut st| {
            st.query_map(params![q, (RANKED_MATCHES - 1) as i64], |r| r.get(0))?
                .collect()
        })
        .map_err(map_err)?;
    let cut = edge.first().copied();
    let newest_only = edge.len() > 1;
    let from = cut.unwrap_or(i64::MIN);
    let mut st = conn
        .prepare_cached(
            "SELECT s.item_id, s.kind, coalesce(ix.title, ''), ix.occurred,
                    snippet(search, 2, char(2), char(3), '…', 12)
             FROM search s JOIN item_index ix ON ix.item_id = s.item_id
             WHERE search MATCH ?1 AND s.rowid >= ?3
             ORDER BY rank
             LIMIT ?2",
        )
        .map_err(map_err)?;
    let rows = st
        .query_map(params![q, limit as i64, from], |r| {
            Ok(Hit {
                id: r.get(0)?,
                kind: r.get(1)?,
                title: r.get(2)?,
                occurred: r.get(3)?,
                snippet: r.get(4)?,
            })
        })
        .map_err(map_err)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(map_err)?;
    Ok(Found {
        hits: rows,
        newest_only,
    })
}

#[cfg(test)]
mod tests {
    use super::{fts_query, words_of};
    use serde_json::json;

    #[test]
    fn words_are_string_values_but_not_hashes_ids_or_thumbnails() {
        let file = json!({
            "description": "bruise, left arm",
            "exif": {"camera": "Pixel 7", "taken_at": "2024-03-01T21:14:00", "width": 4000},
            "media_type": "image/jpeg",
            "name": "IMG_0412.jpg",
            "sha256": "ab12",
            "tags": ["arm", "police"],
            "thumbnail": {"media_type": "image/webp", "note": "made by Cairn"},
        });
        assert_eq!(
            words_of(&file),
            "bruise, left arm\nPixel 7\n2024-03-01T21:14:00\nIMG_0412.jpg\narm\npolice"
        );
        let message = json!({
            "attachments": [{"item": "fil-0000000001", "name": "voice.opus"}],
            "conversation": "Sam", "export": "fil-0000000002", "line": 4,
            "sender": "Sam", "text": "answer your phone",
        });
        assert_eq!(words_of(&message), "Sam\nSam\nanswer your phone");
        let link = json!({"from": "inc-1", "to": "per-2", "active": true});
        assert_eq!(words_of(&link), "");
    }

    #[test]
    fn typed_text_is_never_fts_syntax() {
        assert_eq!(fts_query("threat"), Some("\"threat\"*".into()));
        assert_eq!(
            fts_query("  where ARE you? "),
            Some("\"where\" \"ARE\" \"you?\"*".into())
        );
        assert_eq!(
            fts_query("\"NEAR(a b)\" body:x OR -y"),
            Some("\"NEAR(a\" \"b)\" \"body:x\" \"OR\" \"-y\"".into())
        );
        // Too short to extend: "wh" and the "s" of "mum's" match whole words only.
        assert_eq!(fts_query("wh"), Some("\"wh\"".into()));
        assert_eq!(fts_query("mum's"), Some("\"mum's\"".into()));
        assert_eq!(fts_query("mum's hou"), Some("\"mum's\" \"hou\"*".into()));
        // One CJK character is three bytes: a prefix. A NUL never reaches FTS5.
        assert_eq!(fts_query("暴力"), Some("\"暴力\"*".into()));
        assert_eq!(fts_query("ab\0cde"), Some("\"ab\" \"cde\"*".into()));
        assert_eq!(fts_query("cafe\u{301}"), Some("\"cafe\u{301}\"*".into()));
        assert_eq!(fts_query("  \" - * "), None);
        assert_eq!(fts_query(""), None);
    }
}
