//! Conversations: the imported messages grouped as the export grouped them (one chat,
//! one SMS thread, one email thread), read a page at a time in the order they were
//! sent, from the `message_index` table (migration 5).

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::items::Message;
use crate::store::map_err;
use crate::vault::Vault;

/// The most messages one page holds.
pub const MAX_PAGE: usize = 500;

/// Which conversation: its source and its name there.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ConversationKey {
    /// `whatsapp`, `sms`, `email` or `telegram`.
    pub source: String,
    /// The conversation's name in that source.
    pub name: String,
}

/// One conversation, as the list of conversations shows it.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conversation {
    /// Which one.
    pub key: ConversationKey,
    /// How many messages it holds (removed ones included).
    pub messages: u32,
    /// When its first message was sent (`sent_at` as the index orders it: an instant
    /// in UTC, a wall-clock time as written).
    pub first_at: String,
    /// When its last message was sent.
    pub last_at: String,
}

/// Where a page of a conversation starts.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Anchor {
    /// The first messages.
    Start,
    /// The last messages.
    End,
    /// Around the first message sent on or after this day (`YYYY-MM-DD`).
    Date {
        /// The day.
        day: String,
    },
    /// Around this message (a search hit opened in its conversation).
    Item {
        /// The message's item id.
        id: String,
    },
    /// The messages just before this place (a [`Place`] from a page).
    Before {
        /// Where.
        place: Place,
    },
    /// The messages just after this place.
    After {
        /// Where.
        place: Place,
    },
}

/// A message's place in its conversation: when it was sent, then the order recorded.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    /// `sent_at` as the index orders it.
    pub at: String,
    /// The chain entry that recorded the message.
    pub seq: u64,
}

/// A file attached to a message.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachedFile {
    /// The file item.
    pub id: String,
    /// Its file name (empty once removed).
    pub name: String,
    /// Its media type (empty once removed).
    pub media_type: String,
    /// True when a thumbnail can be shown.
    pub thumbnail: bool,
    /// True when the file was removed (redacted).
    pub redacted: bool,
}

/// One message on a page.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConversationMessage {
    /// The message's item id.
    pub id: String,
    /// Its place, to ask for the page before or after it.
    pub place: Place,
    /// What it says; `None` once removed (then `removed_reason` says why).
    pub message: Option<Message>,
    /// Why it was removed, when it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removed_reason: Option<String>,
    /// Its attached files.
    pub files: Vec<AttachedFile>,
}

/// A page of one conversation, oldest first.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConversationPage {
    /// The messages, in the order they were sent.
    pub messages: Vec<ConversationMessage>,
    /// True when earlier messages exist.
    pub more_before: bool,
    /// True when later messages exist.
    pub more_after: bool,
    /// The message asked for (an `item` anchor), or the first one on the asked-for
    /// day (a `date` anchor): the view scrolls to it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub focus: Option<String>,
}

/// One row read from the index: the item, its place, its record, why it was removed.
type Row = (String, Place, Option<String>, Option<String>);

const PAGE_AFTER: &str = "
    SELECT mi.item_id, mi.sort_at, mi.created_seq, v.record, json_extract(t.record, '$.reason')
    FROM message_index mi
    JOIN versions v ON v.item_id = mi.item_id AND v.version = 1
    LEFT JOIN tombstones t ON t.item_id = mi.item_id
    WHERE mi.source = ?1 AND mi.conversation = ?2 AND (mi.sort_at, mi.created_seq) > (?3, ?4)
    ORDER BY mi.sort_at, mi.created_seq LIMIT ?5";

const PAGE_BEFORE: &str = "
    SELECT mi.item_id, mi.sort_at, mi.created_seq, v.record, json_extract(t.record, '$.reason')
    FROM message_index mi
    JOIN versions v ON v.item_id = mi.item_id AND v.version = 1
    LEFT JOIN tombstones t ON t.item_id = mi.item_id
    WHERE mi.source = ?1 AND mi.conversation = ?2 AND (mi.sort_at, mi.created_seq) < (?3, ?4)
    ORDER BY mi.sort_at DESC, mi.created_seq DESC LIMIT ?5";

/// Later than every `sort_at` (they start with a digit).
const AFTER_ALL: &str = "~";

impl Vault {
    /// Every conversation imported, the most recent first.
    pub fn conversations(&self) -> Result<Vec<Conversation>> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT source, conversation, count(*), min(sort_at), max(sort_at)
                 FROM message_index GROUP BY source, conversation
                 ORDER BY max(sort_at) DESC, source, conversation",
            )
            .map_err(map_err)?;
        let rows = st
            .query_map([], |r| {
                Ok(Conversation {
                    key: ConversationKey {
                        source: r.get(0)?,
                        name: r.get(1)?,
                    },
                    messages: r.get::<_, i64>(2)?.clamp(0, u32::MAX as i64) as u32,
                    first_at: r.get(3)?,
                    last_at: r.get(4)?,
                })
            })
            .map_err(map_err)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(map_err)
    }

    /// A page of at most `limit` messages (up to [`MAX_PAGE`]) of one conversation,
    /// from `anchor`, oldest first. Around an item or a day, half the page comes
    /// before it.
    pub fn conversation_page(
        &self,
        key: &ConversationKey,
        anchor: &Anchor,
        limit: usize,
    ) -> Result<ConversationPage> {
        let limit = limit.clamp(1, MAX_PAGE);
        let start = Place {
            at: String::new(),
            seq: 0,
        };
        let end = Place {
            at: AFTER_ALL.into(),
            seq: u64::MAX >> 1,
        };
        let (before, after, focus_item) = match anchor {
            Anchor::Start => (None, Some((start, limit)), None),
            Anchor::End => (Some((end, limit)), None, None),
            Anchor::Before { place } => (Some((place.clone(), limit)), None, None),
            Anchor::After { place } => (None, Some((place.clone(), limit)), None),
            Anchor::Date { day } => {
                let day = day_of(day)?;
                // Just before the day's first message: every sort_at of that day is
                // longer than the bare date, so it sorts after it.
                let at = Place { at: day, seq: 0 };
                (
                    Some((at.clone(), limit / 2)),
                    Some((at, limit - limit / 2)),
                    None,
                )
            }
            Anchor::Item { id } => {
                let place = self.place_of(key, id)?;
                // The item itself comes first among those after it.
                let just_before = Place {
                    at: place.at.clone(),
                    seq: place.seq.saturating_sub(1),
                };
                (
                    Some((place, limit / 2)),
                    Some((just_before, limit - limit / 2)),
                    Some(id.clone()),
                )
            }
        };
        let mut messages = Vec::new();
        let mut more_before = false;
        let mut more_after = false;
        if let Some((place, n)) = &before {
            let mut rows = self.page_rows(PAGE_BEFORE, key, place, *n)?;
            more_before = rows.len() > *n;
            rows.truncate(*n);
            rows.reverse();
            messages.extend(rows);
        }
        let first_after = messages.len();
        if let Some((place, n)) = &after {
            let mut rows = self.page_rows(PAGE_AFTER, key, place, *n)?;
            more_after = rows.len() > *n;
            rows.truncate(*n);
            messages.extend(rows);
        }
        // A page that reads only one way knows the other from where it started.
        if before.is_none() {
            more_before = !matches!(anchor, Anchor::Start) && self.any_before(key, &messages)?;
        }
        if after.is_none() {
            more_after = !matches!(anchor, Anchor::End) && self.any_after(key, &messages)?;
        }
        let focus = focus_item.or_else(|| match anchor {
            Anchor::Date { .. } => messages.get(first_after).map(|(id, ..)| id.clone()),
            _ => None,
        });
        let messages = messages
            .into_iter()
            .map(|row| self.page_message(row))
            .collect::<Result<Vec<_>>>()?;
        Ok(ConversationPage {
            messages,
            more_before,
            more_after,
            focus,
        })
    }

    fn place_of(&self, key: &ConversationKey, id: &str) -> Result<Place> {
        self.conn
            .query_row(
                "SELECT sort_at, created_seq FROM message_index
                 WHERE item_id = ?1 AND source = ?2 AND conversation = ?3",
                params![id, key.source, key.name],
                |r| {
                    Ok(Place {
                        at: r.get(0)?,
                        seq: r.get::<_, i64>(1)? as u64,
                    })
                },
            )
            .optional()
            .map_err(map_err)?
            .ok_or_else(|| Error::NotFound(id.to_string()))
    }

    fn page_rows(
        &self,
        sql: &str,
        key: &ConversationKey,
        place: &Place,
        n: usize,
    ) -> Result<Vec<Row>> {
        if n == 0 {
            return Ok(Vec::new());
        }
        let mut st = self.conn.prepare_cached(sql).map_err(map_err)?;
        let rows = st
            .query_map(
                params![
                    key.source,
                    key.name,
                    place.at,
                    place.seq.min(i64::MAX as u64) as i64,
                    (n + 1) as i64
                ],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        Place {
                            at: r.get(1)?,
                            seq: r.get::<_, i64>(2)? as u64,
                        },
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, Option<String>>(4)?,
                    ))
                },
            )
            .map_err(map_err)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(map_err)
    }

    fn any_before(&self, key: &ConversationKey, rows: &[Row]) -> Result<bool> {
        match rows.first() {
            Some((_, place, ..)) => Ok(!self.page_rows(PAGE_BEFORE, key, place, 1)?.is_empty()),
            None => Ok(false),
        }
    }

    fn any_after(&self, key: &ConversationKey, rows: &[Row]) -> Result<bool> {
        match rows.last() {
            Some((_, place, ..)) => Ok(!self.page_rows(PAGE_AFTER, key, place, 1)?.is_empty()),
            None => Ok(false),
        }
    }

    fn page_message(&self, (id, place, record, reason): Row) -> Result<ConversationMessage> {
        let message: Option<Message> = match record {
            Some(text) => Some(serde_json::from_str(&text).map_err(|e| {
                Error::DatabaseDamaged(format!("message {id} cannot be read: {e}"))
            })?),
            None => None,
        };
        let files = match &message {
            Some(m) => m
                .attachments
                .iter()
                .map(|f| self.attached_file(f))
                .collect::<Result<Vec<_>>>()?,
            None => Vec::new(),
        };
        Ok(ConversationMessage {
            id,
            place,
            removed_reason: if message.is_none() {
                Some(reason.unwrap_or_default())
            } else {
                None
            },
            message,
            files,
        })
    }

    fn attached_file(&self, id: &str) -> Result<AttachedFile> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT ii.title, coalesce(json_extract(v.record, '$.media_type'), ''),
                        v.thumb_blob_id IS NOT NULL AND v.record IS NOT NULL, ii.redacted
                 FROM item_index ii
                 JOIN versions v ON v.item_id = ii.item_id AND v.version = ii.version
                 WHERE ii.item_id = ?1",
            )
            .map_err(map_err)?;
        st.query_row([id], |r| {
            Ok(AttachedFile {
                id: id.to_string(),
                name: r.get(0)?,
                media_type: r.get(1)?,
                thumbnail: r.get(2)?,
                redacted: r.get(3)?,
            })
        })
        .optional()
        .map_err(map_err)?
        .ok_or_else(|| Error::NotFound(id.to_string()))
    }
}

/// A day as `YYYY-MM-DD`, refusing anything else.
fn day_of(day: &str) -> Result<String> {
    let day = day.trim();
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(day, &format)
        .map_err(|_| Error::Invalid(format!("\"{day}\" is not a day; write it as 2024-03-01.")))?;
    Ok(day.to_string())
}
