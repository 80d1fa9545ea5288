//! Telegram Desktop's JSON export (`result.json`), parsed into messages.
//!
//! # The format
//!
//! Telegram Desktop exports in "Machine-readable JSON" two ways, and both write a
//! `result.json` (media go in folders beside it):
//!
//! - **One chat** ("Export chat history"): the file is the chat,
//!   `{"name": "Alice", "type": "personal_chat", "id": 123, "messages": [ … ]}`.
//! - **Everything** ("Export Telegram data"): `{"about": …, "personal_information":
//!   …, "chats": {"about": …, "list": [chat, …]}, "left_chats": {"about": …, "list":
//!   [chat, …]}, …}`. Every chat of `chats.list`, then every chat of
//!   `left_chats.list`, is read, each its own conversation; the rest (contacts,
//!   sessions, …) is not messages and is skipped.
//!
//! A chat's `type` is one of `personal_chat`, `bot_chat`, `private_group`,
//! `private_supergroup`, `public_supergroup`, `private_channel`, `public_channel`,
//! `saved_messages` or `replies`; it only names a chat with no name (below).
//!
//! # How a message is read
//!
//! - [`Msg::conversation`] is the chat's `name`. A deleted account's chat has a null
//!   name and reads as [`DELETED_ACCOUNT`]; Saved Messages and Replies, which have no
//!   name, read as `Saved Messages` and `Replies`.
//! - [`Msg::sender`] is `from` (for a service message, `actor`); null — a deleted
//!   account — reads as [`DELETED_ACCOUNT`], and a message with neither field has an
//!   empty sender.
//! - [`Msg::source_id`] is the message's `id` in decimal. Telegram numbers messages
//!   per chat, so an id names a message only together with its conversation (and a
//!   supergroup upgraded from a group can repeat ids of the old group's messages).
//! - [`Msg::line`] is the line of `result.json` on which the message's `{` is.
//! - [`Msg::text`] is the `text` field: a string, or an array of strings and
//!   formatting objects (`{"type": "bold", "text": "…"}`), joined with every
//!   character kept. A `text_link` (words that link somewhere) is written as its
//!   words, a space and its target in brackets — `here (https://example.org)` — so
//!   the target is not lost; every other formatting object gives just its `text`
//!   (a mention's user id, a code block's language are dropped). `text_entities`
//!   says the same again and is not read.
//! - A forwarded message's text starts `Forwarded from Bob:` and a line end
//!   (`forwarded_from` null reads as [`DELETED_ACCOUNT`]); a reply's text ends with a
//!   line end and `(In reply to message 41)` (`… in another chat)` when Telegram says
//!   the message replied to is elsewhere), so the message replied to can be found by
//!   its [`Msg::source_id`]. Either stands alone when the message has no text.
//! - A message with no text that is a sticker, a location, a venue, a shared contact,
//!   a poll or a game gets a short description as its text: `Sticker 🙂`,
//!   `Location: 51.5, -0.12`, `Live location: …`, `Location: Café, High St (51.5,
//!   -0.12)`, `Contact: Bob Smith, +44 7700 900123`, `Poll: Question?` with a line
//!   `- answer: N votes` for each answer, `Game: title`.
//! - `photo` and `file` (not `thumbnail`) are attachments: [`Content::File`] with the
//!   path as written (relative to the export's folder), named by the path's last
//!   part, with media type `image/jpeg` for a photo (Telegram Desktop saves photos
//!   as JPEG) and `mime_type` for a file (empty when absent, as for stickers). When
//!   the file was not exported Telegram writes a sentence in brackets instead of a
//!   path (`(File not included. Change data exporting settings to download.)`,
//!   `(File exceeds maximum size. …)`, `(File unavailable, please try again later)`):
//!   a value starting `(File ` or `(Photo ` is no file.
//! - [`Msg::kind`]: a `service` message is [`MessageKind::System`] (any photo it
//!   carries, a new group photo, is still attached); otherwise
//!   [`MessageKind::Attachment`] when it has an attachment, else
//!   [`MessageKind::MediaOmitted`] when a photo or file was left out, else
//!   [`MessageKind::Text`].
//! - A service message's text is a short sentence built from its `action` and
//!   fields: `Alice created group «Friends» with Bob, Carol`, `Alice added Bob`,
//!   `Alice pinned message 40`, `Alice took a screenshot`, and for a call `Phone
//!   call, 3 minutes 5 seconds, missed` (duration and how it ended, when given —
//!   calls are evidence of contact). An action this parser has no sentence for is
//!   written as the actor, a colon and the action's name with spaces
//!   (`Alice: edit chat theme`). Telegram's own `text` of a service message, when not
//!   empty, follows on a new line.
//! - `edited` (when a message was last edited), reactions, `via_bot`, `author` (a
//!   channel post's signature), `saved_from` and the rest are not read.
//!
//! # Times
//!
//! Every message has `date`, `YYYY-MM-DDTHH:MM:SS` with no time zone: Telegram
//! Desktop writes the time in the time zone of the computer that exported, at the
//! moment of the message (so summer and winter times differ by the daylight-saving
//! shift), not where either person was. Exports since early 2021 also give
//! `date_unixtime`, the moment itself as seconds since 1970 UTC.
//!
//! - With `date_unixtime` (a string of digits, or a number), [`Msg::sent_at`] is
//!   [`SentAt::Instant`] at that moment, in UTC. `date` must still be there and be a
//!   real date, and is checked against it: the two must differ by an offset some time
//!   zone has (from 12 hours behind UTC to 14 ahead), or the export is refused
//!   ([`TelegramError::DatesDisagree`]).
//! - Without it (older exports), [`Msg::sent_at`] is [`SentAt::Local`]: `date` as
//!   written, the exporting computer's wall-clock time, which cannot be turned into a
//!   moment without knowing that computer's time zone at the time.
//!
//! # What is refused
//!
//! The whole file is refused, with a [`TelegramError`] naming the line (and, for
//! damaged JSON, the character on it), when it is not UTF-8, is not JSON or is cut
//! off, is JSON but not a Telegram chat export, has no messages, nests deeper than
//! [`MAX_DEPTH`], has a string longer than [`MAX_STRING_BYTES`] or a message text
//! longer than [`MAX_MESSAGE_BYTES`], has a message without an id, type or date, with
//! a date that does not exist or a type this parser does not know, or names an
//! attachment path outside the export's folder (absolute, with a `..` part, a
//! backslash or a drive letter).
//!
//! One leniency: Telegram Desktop writes a control character in a string (say
//! U+000C, which people paste in unknowingly) as `\x0C`, which JSON does not allow.
//! Such an escape (`\x` and two hex digits from `00` to `1F`, upper case, as
//! Telegram writes them) is read as the character Telegram meant; the file is
//! otherwise strict JSON. A duplicated key is refused, except the two `text` keys
//! Telegram writes for data sent to a bot (`send_webview_data`).
//!
//! The file is read in one pass for nesting and string lengths, then parsed with
//! `serde_json`; each message is a slice of the input, parsed on its own. Time and
//! memory grow linearly with the file.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::error::Category;
use serde_json::value::RawValue;
use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time};

use crate::model::{Attachment, Content, Export, MessageKind, Msg, SentAt};

/// The most bytes one JSON string may take in the file, as written (escapes
/// included). Telegram caps a message at 4,096 characters and names far shorter, so
/// a longer string was not written by Telegram; refusing it bounds what a hostile
/// file can cost.
pub const MAX_STRING_BYTES: usize = 1 << 20;

/// The most bytes one message's text may have once read (its parts joined, a
/// forward's and a reply's words added).
pub const MAX_MESSAGE_BYTES: usize = 1 << 20;

/// The deepest nesting of arrays and objects allowed, the same as `serde_json`'s
/// own limit. Telegram's exports nest about eight deep.
pub const MAX_DEPTH: usize = 128;

/// How a deleted account is named: a chat, sender or forward whose name Telegram
/// writes as null. Telegram shows deleted accounts the same way.
pub const DELETED_ACCOUNT: &str = "Deleted Account";

/// The media type of a `photo`: Telegram Desktop saves photos as JPEG.
pub const PHOTO_MEDIA_TYPE: &str = "image/jpeg";

/// Why a Telegram export was refused. Nothing is imported when any of these is
/// returned. Messages never quote the export: at most a line, a character position or
/// a byte count, since the export is evidence and error text ends up in logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TelegramError {
    /// The bytes are not UTF-8 text.
    #[error("The Telegram export is not a text file Telegram Desktop wrote: it stops being readable text after {offset} bytes, so nothing was imported.")]
    NotUtf8 {
        /// 0-based offset of the first byte that is not UTF-8, in the file as given
        /// (a byte-order mark counts), i.e. how many bytes before it were readable.
        offset: usize,
    },
    /// The file is empty or holds only spaces and line ends.
    #[error("The Telegram export is empty, so nothing was imported.")]
    EmptyFile,
    /// The file is not JSON at all (it does not start with `{`), or is JSON but not a
    /// Telegram chat export: a top-level array, no `messages` and no `chats.list`, or
    /// fields of the wrong kind at the top.
    #[error("The file is not the result.json that Telegram Desktop writes when it exports chats in machine-readable JSON, so nothing was imported.")]
    NotAnExport,
    /// The export is well formed but every chat in it has no messages.
    #[error("The Telegram export has no messages in it, so nothing was imported.")]
    Empty,
    /// The JSON is broken at this point.
    #[error("The Telegram export is damaged at line {line}, character {column}, so nothing was imported.")]
    NotJson {
        /// 1-based line.
        line: u64,
        /// 1-based character on the line (characters, not bytes).
        column: u64,
    },
    /// The JSON stops before it is complete: the file was cut off.
    #[error("The Telegram export stops partway through, at line {line}, character {column}, as if the file were cut off, so nothing was imported.")]
    Truncated {
        /// 1-based line where the file ends.
        line: u64,
        /// 1-based character on the line (characters, not bytes).
        column: u64,
    },
    /// Arrays and objects nest deeper than [`MAX_DEPTH`].
    #[error("Line {line} of the Telegram export nests data far deeper than Telegram does, so nothing was imported.")]
    TooDeep {
        /// 1-based line where the limit was passed.
        line: u64,
    },
    /// A string is longer than [`MAX_STRING_BYTES`].
    #[error("Line {line} of the Telegram export holds a piece of text far longer than Telegram allows, so nothing was imported.")]
    StringTooLong {
        /// 1-based line where the string starts.
        line: u64,
    },
    /// A chat in `chats.list` or `left_chats.list` is not an object with a
    /// `messages` array, or its name is not text.
    #[error("The chat on line {line} of the Telegram export is not written the way Telegram writes chats, so nothing was imported.")]
    MalformedChat {
        /// 1-based line of the chat's `{`.
        line: u64,
    },
    /// A message is not an object, has a field of the wrong kind (a number for a
    /// text, …), repeats a field, or names an attachment with no file name.
    #[error("The message on line {line} of the Telegram export is not written the way Telegram writes messages, so nothing was imported.")]
    MalformedMessage {
        /// 1-based line of the message's `{`.
        line: u64,
    },
    /// A message lacks its id, type or date.
    #[error("The message on line {line} of the Telegram export has no {field}, so nothing was imported.")]
    MissingField {
        /// 1-based line of the message's `{`.
        line: u64,
        /// Which field is missing.
        field: MessageField,
    },
    /// A message of type `unsupported`: the exporting Telegram Desktop did not know
    /// what it was and wrote only its id, so it cannot be kept with its time.
    #[error("The message on line {line} of the Telegram export is one Telegram Desktop could not export, so nothing was imported.")]
    UnsupportedMessage {
        /// 1-based line of the message's `{`.
        line: u64,
    },
    /// A message's type is not `message`, `service` or `unsupported`.
    #[error("The message on line {line} of the Telegram export is of a kind Cairn does not know, so nothing was imported.")]
    UnknownMessageType {
        /// 1-based line of the message's `{`.
        line: u64,
    },
    /// A message's `date` is not `YYYY-MM-DDTHH:MM:SS`, or its `date_unixtime` is not
    /// a whole number of seconds.
    #[error("The message on line {line} of the Telegram export has a date that is not written the way Telegram writes dates, so nothing was imported.")]
    UnreadableDate {
        /// 1-based line of the message's `{`.
        line: u64,
    },
    /// A message's date or time cannot exist (30 February, 25:00, a Unix time past
    /// the year 9999).
    #[error("The message on line {line} of the Telegram export has a date that does not exist, so nothing was imported.")]
    NoSuchDate {
        /// 1-based line of the message's `{`.
        line: u64,
    },
    /// A message's `date` and `date_unixtime` are further apart than any time zone
    /// is from UTC, so one of them was changed.
    #[error("The message on line {line} of the Telegram export gives two times for when it was sent that cannot both be right, so nothing was imported.")]
    DatesDisagree {
        /// 1-based line of the message's `{`.
        line: u64,
    },
    /// A message's text, once read, is longer than [`MAX_MESSAGE_BYTES`].
    #[error("The message on line {line} of the Telegram export is far longer than Telegram allows, so nothing was imported.")]
    MessageTooLong {
        /// 1-based line of the message's `{`.
        line: u64,
    },
    /// A message's `photo` or `file` is an absolute path, has a `..` part, a
    /// backslash or a drive letter: Telegram writes paths inside the export folder.
    #[error("The message on line {line} of the Telegram export names a file outside the export folder, so nothing was imported.")]
    FileOutsideExport {
        /// 1-based line of the message's `{`.
        line: u64,
    },
}

impl TelegramError {
    /// A stable, machine-readable code for this error (shells map on it, never on
    /// text).
    pub fn code(&self) -> &'static str {
        match self {
            TelegramError::NotUtf8 { .. } => "import_telegram_not_utf8",
            TelegramError::EmptyFile => "import_telegram_empty_file",
            TelegramError::NotAnExport => "import_telegram_not_an_export",
            TelegramError::Empty => "import_telegram_empty",
            TelegramError::NotJson { .. } => "import_telegram_not_json",
            TelegramError::Truncated { .. } => "import_telegram_truncated",
            TelegramError::TooDeep { .. } => "import_telegram_too_deep",
            TelegramError::StringTooLong { .. } => "import_telegram_string_too_long",
            TelegramError::MalformedChat { .. } => "import_telegram_malformed_chat",
            TelegramError::MalformedMessage { .. } => "import_telegram_malformed_message",
            TelegramError::MissingField { .. } => "import_telegram_missing_field",
            TelegramError::UnsupportedMessage { .. } => "import_telegram_unsupported_message",
            TelegramError::UnknownMessageType { .. } => "import_telegram_unknown_message_type",
            TelegramError::UnreadableDate { .. } => "import_telegram_unreadable_date",
            TelegramError::NoSuchDate { .. } => "import_telegram_no_such_date",
            TelegramError::DatesDisagree { .. } => "import_telegram_dates_disagree",
            TelegramError::MessageTooLong { .. } => "import_telegram_message_too_long",
            TelegramError::FileOutsideExport { .. } => "import_telegram_file_outside_export",
        }
    }

    /// The 1-based line the error names, when it names one.
    pub fn line(&self) -> Option<u64> {
        match *self {
            TelegramError::NotUtf8 { .. }
            | TelegramError::EmptyFile
            | TelegramError::NotAnExport
            | TelegramError::Empty => None,
            TelegramError::NotJson { line, .. }
            | TelegramError::Truncated { line, .. }
            | TelegramError::TooDeep { line }
            | TelegramError::StringTooLong { line }
            | TelegramError::MalformedChat { line }
            | TelegramError::MalformedMessage { line }
            | TelegramError::MissingField { line, .. }
            | TelegramError::UnsupportedMessage { line }
            | TelegramError::UnknownMessageType { line }
            | TelegramError::UnreadableDate { line }
            | TelegramError::NoSuchDate { line }
            | TelegramError::DatesDisagree { line }
            | TelegramError::MessageTooLong { line }
            | TelegramError::FileOutsideExport { line } => Some(line),
        }
    }
}

/// A field every message must have ([`TelegramError::MissingField`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MessageField {
    /// `id`.
    Id,
    /// `type`.
    Type,
    /// `date`.
    Date,
}

impl MessageField {
    /// A stable, machine-readable name: the JSON field's name.
    pub fn code(&self) -> &'static str {
        match self {
            MessageField::Id => "id",
            MessageField::Type => "type",
            MessageField::Date => "date",
        }
    }
}

impl fmt::Display for MessageField {
    /// A noun phrase that completes "The message … has no …".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MessageField::Id => "message number",
            MessageField::Type => "message type",
            MessageField::Date => "date",
        })
    }
}

/// Parses a Telegram Desktop JSON export (`result.json`, one chat or everything).
///
/// `bytes` is the file as read: UTF-8, with or without a byte-order mark, any line
/// ends. Returns every message of every chat, in the file's order (the chats of
/// `chats.list`, then those of `left_chats.list`), or refuses the whole file; see the
/// [module documentation](self) for how messages and times are read and what is
/// refused.
pub fn parse(bytes: &[u8]) -> Result<Export, TelegramError> {
    let text = std::str::from_utf8(bytes).map_err(|e| TelegramError::NotUtf8 {
        offset: e.valid_up_to(),
    })?;
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let start = text.trim_start_matches(is_json_space);
    match start.bytes().next() {
        None => return Err(TelegramError::EmptyFile),
        Some(b'{') => {}
        Some(_) => return Err(TelegramError::NotAnExport),
    }
    let escapes = prescan(text)?;
    let doc: Cow<'_, str> = if escapes.is_empty() {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(rewrite_escapes(text, &escapes).ok_or(TelegramError::NotAnExport)?)
    };
    let doc: &str = &doc;
    let positions = Positions {
        original: text,
        doc,
        escapes: &escapes,
    };
    let Obj(top) = serde_json::from_str::<Obj<Top<'_>>>(doc).map_err(|e| positions.error(e))?;

    let mut reader = Reader {
        doc,
        lines: Lines {
            bytes: doc.as_bytes(),
            pos: 0,
            line: 1,
        },
        export: Export::default(),
    };
    match (top.messages, top.chats, top.left_chats) {
        (Some(messages), None, None) => {
            // The file is the chat.
            let name = conversation_name(top.name, &top.kind);
            reader.chat(&name, &messages)?;
        }
        (None, chats, left) if chats.is_some() || left.is_some() => {
            for Obj(section) in [chats, left].into_iter().flatten() {
                let list = section.list.ok_or(TelegramError::NotAnExport)?;
                for raw in list {
                    let line = reader.lines.line_at(reader.offset_of(raw.get()));
                    let Obj(chat) = serde_json::from_str::<Obj<Chat<'_>>>(raw.get())
                        .map_err(|_| TelegramError::MalformedChat { line })?;
                    let messages = chat.messages.ok_or(TelegramError::MalformedChat { line })?;
                    let name = conversation_name(chat.name, &chat.kind);
                    reader.chat(&name, &messages)?;
                }
            }
        }
        _ => return Err(TelegramError::NotAnExport),
    }
    if reader.export.messages.is_empty() {
        return Err(TelegramError::Empty);
    }
    Ok(reader.export)
}

/// JSON's whitespace (a byte-order mark is not).
fn is_json_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// Reads the file once for what `serde_json` does not bound or allow: nesting deeper
/// than [`MAX_DEPTH`] (its skipping of unread values has no limit), strings longer
/// than [`MAX_STRING_BYTES`], and Telegram's `\xHH` escapes, whose offsets it returns
/// (each at its backslash, ascending). Bytes the scan misreads in broken JSON do not
/// matter: the parse that follows refuses the file.
fn prescan(text: &str) -> Result<Vec<usize>, TelegramError> {
    let bytes = text.as_bytes();
    let mut escapes = Vec::new();
    let mut line: u64 = 1;
    let mut depth = 0usize;
    let mut i = 0usize;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => {
                let start = i;
                let start_line = line;
                i += 1;
                loop {
                    match bytes.get(i) {
                        None => break,
                        Some(b'"') => {
                            i += 1;
                            break;
                        }
                        Some(b'\\') => {
                            match bytes.get(i + 1) {
                                Some(b'\n') => line += 1,
                                Some(b'x')
                                    if is_telegram_hex(bytes.get(i + 2), bytes.get(i + 3)) =>
                                {
                                    escapes.push(i)
                                }
                                _ => {}
                            }
                            i += 2;
                        }
                        Some(b'\n') => {
                            line += 1;
                            i += 1;
                        }
                        Some(_) => i += 1,
                    }
                }
                // The two quotes are not the string's.
                if i.saturating_sub(start) > MAX_STRING_BYTES + 2 {
                    return Err(TelegramError::StringTooLong { line: start_line });
                }
            }
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(TelegramError::TooDeep { line });
                }
                i += 1;
            }
            b']' | b'}' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b'\n' => {
                line += 1;
                i += 1;
            }
            _ => i += 1,
        }
    }
    Ok(escapes)
}

/// The two digits after `\x` as Telegram Desktop writes a control character:
/// `0` or `1`, then an upper-case hex digit.
fn is_telegram_hex(high: Option<&u8>, low: Option<&u8>) -> bool {
    matches!(high, Some(b'0' | b'1')) && matches!(low, Some(b'0'..=b'9' | b'A'..=b'F'))
}

/// `text` with each `\xHH` at `escapes` written `\u00HH`, which JSON allows. No line
/// end is added or removed, so line numbers stay those of the file.
fn rewrite_escapes(text: &str, escapes: &[usize]) -> Option<String> {
    let mut out = String::with_capacity(text.len() + 2 * escapes.len());
    let mut from = 0;
    for &at in escapes {
        out.push_str(text.get(from..at)?);
        out.push_str("\\u00");
        out.push_str(text.get(at + 2..at + 4)?);
        from = at + 4;
    }
    out.push_str(text.get(from..)?);
    Some(out)
}

/// Turns `serde_json`'s positions (in the parsed text, bytes) into the file's
/// (line, character).
struct Positions<'a> {
    original: &'a str,
    doc: &'a str,
    escapes: &'a [usize],
}

impl Positions<'_> {
    fn error(&self, e: serde_json::Error) -> TelegramError {
        match e.classify() {
            // Valid JSON of the wrong shape: a field of the wrong kind, a repeated key.
            Category::Data => TelegramError::NotAnExport,
            Category::Eof => {
                let (line, column) = self.position(e.line(), e.column());
                TelegramError::Truncated { line, column }
            }
            Category::Syntax | Category::Io => {
                let (line, column) = self.position(e.line(), e.column());
                TelegramError::NotJson { line, column }
            }
        }
    }

    /// `serde_json` gives a 1-based line and the bytes read on it, through the one it
    /// stopped at; the file's character column counts characters of the original.
    fn position(&self, line: usize, column: usize) -> (u64, u64) {
        let doc = self.doc.as_bytes();
        let line_start = match line.checked_sub(2) {
            None => 0,
            Some(n) => doc
                .iter()
                .enumerate()
                .filter(|&(_, &b)| b == b'\n')
                .nth(n)
                .map_or(doc.len(), |(i, _)| i + 1),
        };
        let in_doc = line_start.saturating_add(column).min(doc.len());
        // Each rewritten escape before this point added two bytes.
        let shift = self
            .escapes
            .iter()
            .enumerate()
            .take_while(|&(k, &at)| at + 2 * k < in_doc)
            .count();
        let original = self.original.as_bytes();
        let at = in_doc.saturating_sub(2 * shift).min(original.len());
        let before = original.get(..at).unwrap_or(original);
        let start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        let chars = before
            .get(start..)
            .unwrap_or(&[])
            .iter()
            .filter(|&&b| b & 0xC0 != 0x80)
            .count();
        (to_u64(line.max(1)), to_u64(chars.max(1)))
    }
}

fn to_u64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// Counts lines forward through the parsed text, so finding every message's line is
/// one pass (it restarts only when asked for an earlier offset, which happens at
/// most once, when `left_chats` comes before `chats` in the file).
struct Lines<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: u64,
}

impl Lines<'_> {
    fn line_at(&mut self, offset: usize) -> u64 {
        let offset = offset.min(self.bytes.len());
        if offset < self.pos {
            self.pos = 0;
            self.line = 1;
        }
        let newlines = self
            .bytes
            .get(self.pos..offset)
            .unwrap_or(&[])
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.line += to_u64(newlines);
        self.pos = offset;
        self.line
    }
}

/// The export being built, chat by chat.
struct Reader<'a> {
    doc: &'a str,
    lines: Lines<'a>,
    export: Export,
}

impl Reader<'_> {
    /// Where `part` (a slice of the parsed text) starts in it.
    fn offset_of(&self, part: &str) -> usize {
        (part.as_ptr() as usize).wrapping_sub(self.doc.as_ptr() as usize)
    }

    fn chat(&mut self, conversation: &str, messages: &[&RawValue]) -> Result<(), TelegramError> {
        for raw in messages {
            let line = self.lines.line_at(self.offset_of(raw.get()));
            let m = serde_json::from_str::<RawMessage>(raw.get())
                .map_err(|_| TelegramError::MalformedMessage { line })?;
            self.message(conversation, m, line)?;
        }
        Ok(())
    }

    fn message(
        &mut self,
        conversation: &str,
        mut m: RawMessage,
        line: u64,
    ) -> Result<(), TelegramError> {
        let missing = |field| move || TelegramError::MissingField { line, field };
        let id = m.id.ok_or_else(missing(MessageField::Id))?;
        let service = match m.kind.as_deref().ok_or_else(missing(MessageField::Type))? {
            "message" => false,
            "service" => true,
            "unsupported" => return Err(TelegramError::UnsupportedMessage { line }),
            _ => return Err(TelegramError::UnknownMessageType { line }),
        };
        let date = m.date.as_deref().ok_or_else(missing(MessageField::Date))?;
        let sent_at = sent_at(date, m.date_unixtime.take(), line)?;

        let who = if service { &m.actor } else { &m.from };
        let sender = name_of(who).to_owned();

        let webview = service && m.action.as_deref() == Some("send_webview_data");
        let own_text = match (m.texts.len(), webview) {
            (0 | 1, _) => m.texts.pop().unwrap_or_default(),
            (2, true) => m.texts.pop().unwrap_or_default(),
            _ => return Err(TelegramError::MalformedMessage { line }),
        };
        let text = if service {
            let mut text = service_text(&m, &sender);
            if !own_text.is_empty() {
                text.push('\n');
                text.push_str(&own_text);
            }
            text
        } else {
            message_text(&m, own_text)
        };
        if text.len() > MAX_MESSAGE_BYTES {
            return Err(TelegramError::MessageTooLong { line });
        }

        let mut attachments = Vec::new();
        let mut omitted = false;
        let files = [
            (m.photo.take(), PHOTO_MEDIA_TYPE.to_owned()),
            (m.file.take(), m.mime_type.take().unwrap_or_default()),
        ];
        for (path, media_type) in files {
            let Some(path) = path else { continue };
            if path.starts_with("(File ") || path.starts_with("(Photo ") {
                omitted = true;
                continue;
            }
            if leaves_folder(&path) {
                return Err(TelegramError::FileOutsideExport { line });
            }
            let name = path.rsplit('/').next().unwrap_or_default();
            if name.is_empty() || name == "." {
                return Err(TelegramError::MalformedMessage { line });
            }
            self.export.attachments.push(Attachment {
                name: name.to_owned(),
                media_type,
                content: Content::File(path),
            });
            attachments.push(self.export.attachments.len() - 1);
        }
        let kind = if service {
            MessageKind::System
        } else if !attachments.is_empty() {
            MessageKind::Attachment
        } else if omitted {
            MessageKind::MediaOmitted
        } else {
            MessageKind::Text
        };
        self.export.messages.push(Msg {
            line,
            source_id: id.to_string(),
            conversation: conversation.to_owned(),
            sender,
            recipients: Vec::new(),
            sent_at,
            subject: String::new(),
            text,
            kind,
            attachments,
        });
        Ok(())
    }
}

/// The conversation's name: the chat's `name`, or for a chat without one, what
/// Telegram shows.
fn conversation_name(name: Field<String>, kind: &Field<String>) -> String {
    match name {
        Field::Value(name) => name,
        Field::Absent | Field::Null => match kind {
            Field::Value(k) if k == "saved_messages" => "Saved Messages".to_owned(),
            Field::Value(k) if k == "replies" => "Replies".to_owned(),
            _ => DELETED_ACCOUNT.to_owned(),
        },
    }
}

/// A person's name as a field gives it: null is a deleted account, absence no name.
fn name_of(field: &Field<String>) -> &str {
    match field {
        Field::Value(name) => name,
        Field::Null => DELETED_ACCOUNT,
        Field::Absent => "",
    }
}

/// True when `path` could name something outside the export's folder: the one rule
/// every importer applies ([`crate::zipped::name_is_safe`]: absolute, a `..` part, a
/// backslash, a drive letter or a NUL).
fn leaves_folder(path: &str) -> bool {
    !crate::zipped::name_is_safe(path)
}

/// When a message was sent (see the module documentation, "Times").
fn sent_at(date: &str, unix: Option<UnixTime>, line: u64) -> Result<SentAt, TelegramError> {
    let local = parse_date(date).map_err(|p| match p {
        DateProblem::Unreadable => TelegramError::UnreadableDate { line },
        DateProblem::NoSuch => TelegramError::NoSuchDate { line },
    })?;
    match unix {
        None => Ok(SentAt::Local(local)),
        Some(UnixTime::Unreadable) => Err(TelegramError::UnreadableDate { line }),
        Some(UnixTime::Seconds(seconds)) => {
            let at = OffsetDateTime::from_unix_timestamp(seconds)
                .map_err(|_| TelegramError::NoSuchDate { line })?;
            let offset = local.assume_utc() - at;
            if offset < Duration::hours(-12) || offset > Duration::hours(14) {
                return Err(TelegramError::DatesDisagree { line });
            }
            Ok(SentAt::Instant(at))
        }
    }
}

enum DateProblem {
    Unreadable,
    NoSuch,
}

/// `YYYY-MM-DDTHH:MM:SS`, exactly.
fn parse_date(s: &str) -> Result<PrimitiveDateTime, DateProblem> {
    let b = s.as_bytes();
    let shaped = b.len() == 19
        && b.get(4) == Some(&b'-')
        && b.get(7) == Some(&b'-')
        && b.get(10) == Some(&b'T')
        && b.get(13) == Some(&b':')
        && b.get(16) == Some(&b':');
    let number = |at: usize, len: usize| -> Option<u16> {
        s.get(at..at + len)?.bytes().try_fold(0u16, |v, d| {
            d.is_ascii_digit().then(|| v * 10 + u16::from(d - b'0'))
        })
    };
    let (true, Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(se)) = (
        shaped,
        number(0, 4),
        number(5, 2),
        number(8, 2),
        number(11, 2),
        number(14, 2),
        number(17, 2),
    ) else {
        return Err(DateProblem::Unreadable);
    };
    let small = |v: u16| u8::try_from(v).map_err(|_| DateProblem::NoSuch);
    let month = Month::try_from(small(mo)?).map_err(|_| DateProblem::NoSuch)?;
    let date = Date::from_calendar_date(i32::from(y), month, small(d)?)
        .map_err(|_| DateProblem::NoSuch)?;
    let time =
        Time::from_hms(small(h)?, small(mi)?, small(se)?).map_err(|_| DateProblem::NoSuch)?;
    Ok(PrimitiveDateTime::new(date, time))
}

/// A message's text: its own, or a description of what it shares, with the forward
/// and reply marks.
fn message_text(m: &RawMessage, own: String) -> String {
    let body = if own.is_empty() { describe(m) } else { own };
    let mut text = String::new();
    match &m.forwarded_from {
        Field::Absent => text = body,
        forwarded => {
            text.push_str("Forwarded from ");
            text.push_str(name_of(forwarded));
            text.push(':');
            if !body.is_empty() {
                text.push('\n');
                text.push_str(&body);
            }
        }
    }
    if let Some(id) = m.reply_to_message_id {
        if !text.is_empty() {
            text.push('\n');
        }
        let elsewhere = if m.reply_to_peer {
            " in another chat"
        } else {
            ""
        };
        text.push_str(&format!("(In reply to message {id}{elsewhere})"));
    }
    text
}

/// What a message with no text shares, in words; empty for anything else.
fn describe(m: &RawMessage) -> String {
    if m.media_type.as_deref() == Some("sticker") || m.sticker_emoji.is_some() {
        return match m.sticker_emoji.as_deref() {
            Some(emoji) if !emoji.is_empty() => format!("Sticker {emoji}"),
            _ => "Sticker".to_owned(),
        };
    }
    let coordinates = match &m.location {
        Field::Value(Obj(l)) => Some(format!("{}, {}", l.latitude, l.longitude)),
        _ => None,
    };
    let place: Vec<&str> = [m.place_name.as_deref(), m.address.as_deref()]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect();
    if !matches!(m.location, Field::Absent) || !place.is_empty() {
        let label = if m.live_period.is_some() {
            "Live location"
        } else {
            "Location"
        };
        return match (place.is_empty(), coordinates) {
            (true, Some(c)) => format!("{label}: {c}"),
            (true, None) => label.to_owned(),
            (false, Some(c)) => format!("{label}: {} ({c})", place.join(", ")),
            (false, None) => format!("{label}: {}", place.join(", ")),
        };
    }
    if let Some(Obj(c)) = &m.contact {
        let name = format!("{} {}", c.first_name, c.last_name);
        let mut parts: Vec<&str> = Vec::new();
        if !name.trim().is_empty() {
            parts.push(name.trim());
        }
        if !c.phone_number.is_empty() {
            parts.push(&c.phone_number);
        }
        return if parts.is_empty() {
            "Contact".to_owned()
        } else {
            format!("Contact: {}", parts.join(", "))
        };
    }
    if let Some(Obj(p)) = &m.poll {
        let mut text = format!("Poll: {}", p.question);
        for Obj(a) in &p.answers {
            let votes = if a.voters == 1 { "vote" } else { "votes" };
            text.push_str(&format!("\n- {}: {} {votes}", a.text, a.voters));
        }
        return text;
    }
    if let Some(title) = &m.game_title {
        return format!("Game: {title}");
    }
    String::new()
}

/// A service message's sentence (see the module documentation).
fn service_text(m: &RawMessage, sender: &str) -> String {
    let who = if sender.is_empty() { "Someone" } else { sender };
    let title = m.title.as_deref().unwrap_or_default();
    let members = m
        .members
        .as_deref()
        .unwrap_or_default()
        .iter()
        .map(|n| n.as_deref().unwrap_or(DELETED_ACCOUNT))
        .collect::<Vec<_>>();
    let listed = members.join(", ");
    let Some(action) = m.action.as_deref() else {
        return match &m.information_text {
            Some(info) => info.clone(),
            None => "Service message".to_owned(),
        };
    };
    match action {
        "create_group" if members.is_empty() => format!("{who} created group «{title}»"),
        "create_group" => format!("{who} created group «{title}» with {listed}"),
        "edit_group_title" => format!("{who} changed the group name to «{title}»"),
        "edit_group_photo" => format!("{who} changed the group photo"),
        "delete_group_photo" => format!("{who} removed the group photo"),
        "invite_members" => format!("{who} added {listed}"),
        "remove_members" if members == [who] => format!("{who} left the group"),
        "remove_members" => format!("{who} removed {listed}"),
        "join_group_by_link" => match &m.inviter {
            Field::Absent => format!("{who} joined the group with an invite link"),
            inviter => format!(
                "{who} joined the group with an invite link from {}",
                name_of(inviter)
            ),
        },
        "join_group_by_request" => format!("{who} joined the group after asking to"),
        "create_channel" => format!("{who} created channel «{title}»"),
        "migrate_to_supergroup" => format!("{who} turned the group into a supergroup"),
        "migrate_from_group" => format!("{who} turned group «{title}» into this supergroup"),
        "pin_message" => match m.message_id {
            Some(id) => format!("{who} pinned message {id}"),
            None => format!("{who} pinned a message"),
        },
        "clear_history" => format!("{who} cleared the chat history"),
        "phone_call" => {
            let mut parts = vec!["Phone call".to_owned()];
            if let Some(s) = m.duration_seconds.filter(|&s| s > 0) {
                parts.push(duration_words(s));
            }
            if let Some(reason) = m.discard_reason.as_deref() {
                parts.push(
                    match reason {
                        "missed" => "missed",
                        "busy" => "busy",
                        "hangup" => "hung up",
                        "disconnect" => "disconnected",
                        other => other,
                    }
                    .to_owned(),
                );
            }
            parts.join(", ")
        }
        "group_call" => match m.duration.filter(|&s| s > 0) {
            Some(s) => format!("{who} started a voice chat, {}", duration_words(s)),
            None => format!("{who} started a voice chat"),
        },
        "invite_to_group_call" => format!("{who} invited {listed} to the voice chat"),
        "take_screenshot" => format!("{who} took a screenshot"),
        "joined_telegram" => format!("{who} joined Telegram"),
        "set_messages_ttl" => match m.period {
            Some(0) | None => format!("{who} turned off deleting messages automatically"),
            Some(p) => format!(
                "{who} set messages to be deleted automatically after {}",
                duration_words(p)
            ),
        },
        "send_webview_data" => match m.texts.first() {
            Some(data) => format!("Data sent to a bot: {data}"),
            None => "Data sent to a bot".to_owned(),
        },
        other => {
            let words = other.replace('_', " ");
            if sender.is_empty() {
                words
            } else {
                format!("{sender}: {words}")
            }
        }
    }
}

/// `45 seconds`, `3 minutes`, `1 hour 2 minutes 5 seconds`.
fn duration_words(seconds: u64) -> String {
    let unit = |n: u64, one: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {one}s")
        }
    };
    let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    let mut parts = Vec::new();
    if h > 0 {
        parts.push(unit(h, "hour"));
    }
    if m > 0 {
        parts.push(unit(m, "minute"));
    }
    if s > 0 || parts.is_empty() {
        parts.push(unit(s, "second"));
    }
    parts.join(" ")
}

// ---------------------------------------------------------------------------------
// What is read from the JSON. Objects are read only from JSON objects (`Obj`, or a
// visitor with only `visit_map`): serde would otherwise read a struct from an array
// of its fields' values.

/// A `T` read only from a JSON object.
struct Obj<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ObjVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjVisitor<T> {
            type Value = Obj<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Obj<T>, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map)).map(Obj)
            }
        }
        d.deserialize_map(ObjVisitor(PhantomData))
    }
}

/// A field that may be absent, null or a value (names: null is a deleted account).
#[derive(Default)]
enum Field<T> {
    #[default]
    Absent,
    Null,
    Value(T),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(d)? {
            None => Field::Null,
            Some(v) => Field::Value(v),
        })
    }
}

/// The top of `result.json`: a chat (one-chat export) or the sections of a full one.
#[derive(Deserialize)]
struct Top<'a> {
    #[serde(default)]
    name: Field<String>,
    #[serde(rename = "type", default)]
    kind: Field<String>,
    #[serde(borrow)]
    messages: Option<Vec<&'a RawValue>>,
    #[serde(borrow)]
    chats: Option<Obj<Section<'a>>>,
    #[serde(borrow)]
    left_chats: Option<Obj<Section<'a>>>,
}

/// `chats` or `left_chats` of a full export.
#[derive(Deserialize)]
struct Section<'a> {
    #[serde(borrow)]
    list: Option<Vec<&'a RawValue>>,
}

/// A chat of a full export's list.
#[derive(Deserialize)]
struct Chat<'a> {
    #[serde(default)]
    name: Field<String>,
    #[serde(rename = "type", default)]
    kind: Field<String>,
    #[serde(borrow)]
    messages: Option<Vec<&'a RawValue>>,
}

#[derive(Deserialize)]
struct Location {
    latitude: f64,
    longitude: f64,
}

#[derive(Deserialize)]
struct Contact {
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    phone_number: String,
}

#[derive(Deserialize)]
struct Poll {
    #[serde(default)]
    question: String,
    #[serde(default)]
    answers: Vec<Obj<Answer>>,
}

#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    text: String,
    #[serde(default)]
    voters: u64,
}

/// A formatting object of a `text` array.
#[derive(Deserialize)]
struct Entity {
    #[serde(rename = "type", default)]
    kind: String,
    text: String,
    #[serde(default)]
    href: Option<String>,
}

/// `date_unixtime`: digits in a string (as Telegram writes it) or a number.
enum UnixTime {
    Seconds(i64),
    Unreadable,
}

impl<'de> Deserialize<'de> for UnixTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct UnixVisitor;
        impl Visitor<'_> for UnixVisitor {
            type Value = UnixTime;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("seconds since 1970")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<UnixTime, E> {
                let digits =
                    !v.is_empty() && v.len() <= 18 && v.bytes().all(|b| b.is_ascii_digit());
                Ok(match v.parse::<i64>() {
                    Ok(s) if digits => UnixTime::Seconds(s),
                    _ => UnixTime::Unreadable,
                })
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<UnixTime, E> {
                Ok(i64::try_from(v).map_or(UnixTime::Unreadable, UnixTime::Seconds))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<UnixTime, E> {
                Ok(UnixTime::Seconds(v))
            }
        }
        d.deserialize_any(UnixVisitor)
    }
}

/// A `text` field, read: a string as it is, or an array's parts joined (see the module
/// documentation).
struct Text(String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a text or an array of text parts")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Text, E> {
                Ok(Text(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Text, A::Error> {
                let mut text = String::new();
                while let Some(Part(part)) = seq.next_element::<Part>()? {
                    text.push_str(&part);
                }
                Ok(Text(text))
            }
        }
        d.deserialize_any(TextVisitor)
    }
}

/// One part of a `text` array, as it reads.
struct Part(String);

impl<'de> Deserialize<'de> for Part {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct PartVisitor;
        impl<'de> Visitor<'de> for PartVisitor {
            type Value = Part;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a text or a formatted text")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Part, E> {
                Ok(Part(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Part, E> {
                Ok(Part(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Part, A::Error> {
                let e = Entity::deserialize(MapAccessDeserializer::new(map))?;
                Ok(Part(match e.href {
                    Some(href) if e.kind == "text_link" => format!("{} ({href})", e.text),
                    _ => e.text,
                }))
            }
        }
        d.deserialize_any(PartVisitor)
    }
}

/// A message object's fields that are read.
#[derive(Default)]
struct RawMessage {
    id: Option<i64>,
    kind: Option<String>,
    date: Option<String>,
    date_unixtime: Option<UnixTime>,
    from: Field<String>,
    actor: Field<String>,
    forwarded_from: Field<String>,
    reply_to_message_id: Option<i64>,
    reply_to_peer: bool,
    /// Every `text` (two only for `send_webview_data`).
    texts: Vec<String>,
    photo: Option<String>,
    file: Option<String>,
    mime_type: Option<String>,
    media_type: Option<String>,
    sticker_emoji: Option<String>,
    duration_seconds: Option<u64>,
    action: Option<String>,
    title: Option<String>,
    members: Option<Vec<Option<String>>>,
    discard_reason: Option<String>,
    message_id: Option<i64>,
    inviter: Field<String>,
    information_text: Option<String>,
    duration: Option<u64>,
    period: Option<u64>,
    location: Field<Obj<Location>>,
    live_period: Option<u64>,
    place_name: Option<String>,
    address: Option<String>,
    contact: Option<Obj<Contact>>,
    poll: Option<Obj<Poll>>,
    game_title: Option<String>,
}

/// A message's keys that are read; the rest are skipped.
#[derive(Clone, Copy)]
enum Key {
    Id,
    Type,
    Date,
    DateUnixtime,
    From,
    Actor,
    ForwardedFrom,
    ReplyToMessageId,
    ReplyToPeerId,
    Text,
    Photo,
    File,
    MimeType,
    MediaType,
    StickerEmoji,
    DurationSeconds,
    Action,
    Title,
    Members,
    DiscardReason,
    MessageId,
    Inviter,
    InformationText,
    Duration,
    Period,
    LocationInformation,
    LiveLocationPeriodSeconds,
    PlaceName,
    Address,
    ContactInformation,
    Poll,
    GameTitle,
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
                Ok(match v {
                    "id" => Key::Id,
                    "type" => Key::Type,
                    "date" => Key::Date,
                    "date_unixtime" => Key::DateUnixtime,
                    "from" => Key::From,
                    "actor" => Key::Actor,
                    "forwarded_from" => Key::ForwardedFrom,
                    "reply_to_message_id" => Key::ReplyToMessageId,
                    "reply_to_peer_id" => Key::ReplyToPeerId,
                    "text" => Key::Text,
                    "photo" => Key::Photo,
                    "file" => Key::File,
                    "mime_type" => Key::MimeType,
                    "media_type" => Key::MediaType,
                    "sticker_emoji" => Key::StickerEmoji,
                    "duration_seconds" => Key::DurationSeconds,
                    "action" => Key::Action,
                    "title" => Key::Title,
                    "members" => Key::Members,
                    "discard_reason" => Key::DiscardReason,
                    "message_id" => Key::MessageId,
                    "inviter" => Key::Inviter,
                    "information_text" => Key::InformationText,
                    "duration" => Key::Duration,
                    "period" => Key::Period,
                    "location_information" => Key::LocationInformation,
                    "live_location_period_seconds" => Key::LiveLocationPeriodSeconds,
                    "place_name" => Key::PlaceName,
                    "address" => Key::Address,
                    "contact_information" => Key::ContactInformation,
                    "poll" => Key::Poll,
                    "game_title" => Key::GameTitle,
                    _ => Key::Other,
                })
            }
        }
        d.deserialize_identifier(KeyVisitor)
    }
}

impl<'de> Deserialize<'de> for RawMessage {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct MessageVisitor;
        impl<'de> Visitor<'de> for MessageVisitor {
            type Value = RawMessage;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a message object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawMessage, A::Error> {
                let mut m = RawMessage::default();
                let mut seen = 0u64;
                while let Some(key) = map.next_key::<Key>()? {
                    if !matches!(key, Key::Other | Key::Text) {
                        let bit = 1u64 << (key as u32);
                        if seen & bit != 0 {
                            return Err(de::Error::custom("repeated field"));
                        }
                        seen |= bit;
                    }
                    match key {
                        Key::Id => m.id = map.next_value()?,
                        Key::Type => m.kind = map.next_value()?,
                        Key::Date => m.date = map.next_value()?,
                        Key::DateUnixtime => m.date_unixtime = map.next_value()?,
                        Key::From => m.from = map.next_value()?,
                        Key::Actor => m.actor = map.next_value()?,
                        Key::ForwardedFrom => m.forwarded_from = map.next_value()?,
                        Key::ReplyToMessageId => m.reply_to_message_id = map.next_value()?,
                        Key::ReplyToPeerId => {
                            map.next_value::<IgnoredAny>()?;
                            m.reply_to_peer = true;
                        }
                        Key::Text => {
                            if m.texts.len() >= 2 {
                                return Err(de::Error::custom("repeated field"));
                            }
                            let Text(text) = map.next_value()?;
                            m.texts.push(text);
                        }
                        Key::Photo => m.photo = map.next_value()?,
                        Key::File => m.file = map.next_value()?,
                        Key::MimeType => m.mime_type = map.next_value()?,
                        Key::MediaType => m.media_type = map.next_value()?,
                        Key::StickerEmoji => m.sticker_emoji = map.next_value()?,
                        Key::DurationSeconds => m.duration_seconds = map.next_value()?,
                        Key::Action => m.action = map.next_value()?,
                        Key::Title => m.title = map.next_value()?,
                        Key::Members => m.members = map.next_value()?,
                        Key::DiscardReason => m.discard_reason = map.next_value()?,
                        Key::MessageId => m.message_id = map.next_value()?,
                        Key::Inviter => m.inviter = map.next_value()?,
                        Key::InformationText => m.information_text = map.next_value()?,
                        Key::Duration => m.duration = map.next_value()?,
                        Key::Period => m.period = map.next_value()?,
                        Key::LocationInformation => m.location = map.next_value()?,
                        Key::LiveLocationPeriodSeconds => m.live_period = map.next_value()?,
                        Key::PlaceName => m.place_name = map.next_value()?,
                        Key::Address => m.address = map.next_value()?,
                        Key::ContactInformation => m.contact = map.next_value()?,
                        Key::Poll => m.poll = map.next_value()?,
                        Key::GameTitle => m.game_title = map.next_value()?,
                        Key::Other => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(m)
            }
        }
        d.deserialize_map(MessageVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sentence_is_one_plain_sentence_with_its_numbers() {
        let all = [
            (TelegramError::NotUtf8 { offset: 17 }, "17"),
            (TelegramError::EmptyFile, ""),
            (TelegramError::NotAnExport, "result.json"),
            (TelegramError::Empty, ""),
            (
                TelegramError::NotJson { line: 4, column: 9 },
                "line 4, character 9",
            ),
            (
                TelegramError::Truncated { line: 5, column: 2 },
                "line 5, character 2",
            ),
            (TelegramError::TooDeep { line: 6 }, "Line 6 "),
            (TelegramError::StringTooLong { line: 7 }, "Line 7 "),
            (TelegramError::MalformedChat { line: 8 }, "line 8 "),
            (TelegramError::MalformedMessage { line: 9 }, "line 9 "),
            (
                TelegramError::MissingField {
                    line: 10,
                    field: MessageField::Date,
                },
                "has no date",
            ),
            (TelegramError::UnsupportedMessage { line: 11 }, "line 11 "),
            (TelegramError::UnknownMessageType { line: 12 }, "line 12 "),
            (TelegramError::UnreadableDate { line: 13 }, "line 13 "),
            (TelegramError::NoSuchDate { line: 14 }, "line 14 "),
            (TelegramError::DatesDisagree { line: 15 }, "line 15 "),
            (TelegramError::MessageTooLong { line: 16 }, "line 16 "),
            (
                TelegramError::FileOutsideExport { line: 17 },
                "outside the export folder",
            ),
        ];
        let mut codes = Vec::new();
        for (e, needle) in &all {
            let s = e.to_string();
            assert!(s.starts_with(char::is_uppercase), "{s}");
            assert!(s.ends_with("so nothing was imported."), "{s}");
            assert!(s.contains(needle), "{s} lacks {needle}");
            assert!(!s.trim_end_matches('.').contains(". "), "{s}");
            assert!(e.code().starts_with("import_telegram_"), "{}", e.code());
            codes.push(e.code());
        }
        let n = codes.len();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), n, "{codes:?}");
    }

    #[test]
    fn durations_read_as_words() {
        assert_eq!(duration_words(0), "0 seconds");
        assert_eq!(duration_words(1), "1 second");
        assert_eq!(duration_words(45), "45 seconds");
        assert_eq!(duration_words(180), "3 minutes");
        assert_eq!(duration_words(185), "3 minutes 5 seconds");
        assert_eq!(duration_words(3725), "1 hour 2 minutes 5 seconds");
    }

    #[test]
    fn paths_that_leave_the_folder() {
        for p in [
            "/etc/passwd",
            "../x",
            "photos/../../x",
            "a/..",
            "C:\\x",
            "c:/x",
            "photos\\x.jpg",
            "//server/share",
            "1:x.jpg",
            "a\0b.jpg",
            "",
        ] {
            assert!(leaves_folder(p), "{p}");
        }
        for p in [
            "photos/photo_1@05-01-2024_11-43-20.jpg",
            "files/..hidden",
            "files/a..b",
            "./files/x",
            "chats/chat_01/voice_messages/audio_1.ogg",
        ] {
            assert!(!leaves_folder(p), "{p}");
        }
    }

    #[test]
    fn telegram_hex_escapes_are_rewritten_and_nothing_else() {
        let text = r#"{"a": "x\x0Cy\\x0C\x1F\x20\x0c"}"#;
        let escapes = prescan(text).unwrap();
        assert_eq!(escapes.len(), 2);
        assert_eq!(
            rewrite_escapes(text, &escapes).unwrap(),
            r#"{"a": "x\u000Cy\\x0C\u001F\x20\x0c"}"#
        );
    }

    #[test]
    fn dates_are_exactly_the_iso_form() {
        assert!(parse_date("2024-01-05T11:43:20").is_ok());
        assert!(matches!(
            parse_date("2024-02-30T11:43:20"),
            Err(DateProblem::NoSuch)
        ));
        assert!(matches!(
            parse_date("2024-01-05T24:00:00"),
            Err(DateProblem::NoSuch)
        ));
        for s in [
            "2024-01-05 11:43:20",
            "2024-01-05T11:43:20Z",
            "2024-1-05T11:43:20",
            "",
            "２０２４-01-05T11:43:20",
            "+024-01-05T11:43:20",
        ] {
            assert!(matches!(parse_date(s), Err(DateProblem::Unreadable)), "{s}");
        }
    }
}
