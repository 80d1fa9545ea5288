//! Writes chats the way Telegram Desktop's JSON export (`result.json`) does, one chat
//! or a full export, indented as Telegram indents or minified, so tests, fuzz targets
//! and benchmarks can make exports and check they read back. Not for use outside
//! tests: it trusts its input (a path is written as given, a single-chat layout
//! writes only the first chat).

use std::fmt::Write as _;

use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// What Telegram writes instead of a path for a file the export left out.
pub const NOT_INCLUDED: &str = "(File not included. Change data exporting settings to download.)";

/// A chat to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenChat {
    /// Its name; `None` writes null (a deleted account), or for `saved_messages`
    /// leaves the name out, as Telegram does.
    pub name: Option<String>,
    /// Its `type`: `personal_chat`, `private_group`, `saved_messages`, …
    pub kind: String,
    /// Its `id`.
    pub id: i64,
    /// In a full export, written in `left_chats` rather than `chats`.
    pub left: bool,
    /// Its messages.
    pub messages: Vec<GenMessage>,
}

/// A message to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenMessage {
    /// Its `id`.
    pub id: i64,
    /// `Some(action)` writes a `service` message with this `action` (its sender as
    /// `actor`); `None` an ordinary `message`.
    pub action: Option<String>,
    /// When it was sent, to the second.
    pub sent_at: OffsetDateTime,
    /// `from` (or `actor`); `None` writes null, a deleted account.
    pub from: Option<String>,
    /// `forwarded_from`, when forwarded.
    pub forwarded_from: Option<String>,
    /// `reply_to_message_id`, when a reply.
    pub reply_to: Option<i64>,
    /// The text's parts; none writes `""`, one plain part a string, more an array.
    pub text: Vec<GenPart>,
    /// What it carries.
    pub media: GenMedia,
    /// More fields, each a name and the JSON written as its value (`"185"`,
    /// `"\"missed\""`), after the sender's and before the text.
    pub fields: Vec<(String, String)>,
}

/// A part of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GenPart {
    /// Plain text (a string in the array).
    Plain(String),
    /// A formatting object: its `type` (`bold`, `text_link`, …), `text` and, for a
    /// `text_link`, `href`.
    Entity {
        /// `type`.
        kind: String,
        /// `text`.
        text: String,
        /// `href`, written when `Some`.
        href: Option<String>,
    },
}

/// What a message carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GenMedia {
    /// Nothing.
    None,
    /// A `photo` at this path (with `width` and `height`).
    Photo(String),
    /// A `file` at this path, with `media_type` and `mime_type` when given (and a
    /// `thumbnail`, which is not an attachment).
    File {
        /// `file`.
        path: String,
        /// `mime_type`.
        mime_type: Option<String>,
        /// `media_type` (`voice_message`, `video_file`, …).
        media_type: Option<String>,
    },
    /// A photo the export left out ([`NOT_INCLUDED`]).
    PhotoOmitted,
    /// A voice message the export left out ([`NOT_INCLUDED`]).
    FileOmitted,
}

/// How the file is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// A full export ("Export Telegram data", `chats.list` and `left_chats.list`)
    /// rather than one chat ("Export chat history").
    pub full: bool,
    /// Newer exports: `date_unixtime` beside `date`.
    pub unixtime: bool,
    /// Indented as Telegram Desktop indents (one space a level, a line per field);
    /// otherwise minified on one line.
    pub pretty: bool,
    /// `\r\n` line ends (when pretty).
    pub crlf: bool,
    /// The exporting computer's UTC offset, in which `date` is written.
    pub offset: UtcOffset,
}

impl Layout {
    /// A newer single-chat export, indented, exported at UTC.
    pub fn new() -> Layout {
        Layout {
            full: false,
            unixtime: true,
            pretty: true,
            crlf: false,
            offset: UtcOffset::UTC,
        }
    }
}

impl Default for Layout {
    fn default() -> Layout {
        Layout::new()
    }
}

/// What `date` says for a message sent at `at`, exported at `offset`.
pub fn local_date(at: OffsetDateTime, offset: UtcOffset) -> PrimitiveDateTime {
    let local = at.to_offset(offset);
    PrimitiveDateTime::new(local.date(), local.time())
}

/// Renders `chats` as `result.json` in `layout`.
pub fn write(chats: &[GenChat], layout: Layout) -> String {
    write_with_lines(chats, layout).0
}

/// Renders `chats` as `result.json` in `layout`, with the 1-based line each message's
/// `{` is on, in the order written (a full export's `chats`, then `left_chats`).
pub fn write_with_lines(chats: &[GenChat], layout: Layout) -> (String, Vec<u64>) {
    let tree = if layout.full {
        let section = |left: bool, about: &str| {
            J::Obj(vec![
                ("about".into(), J::Str(about.into())),
                (
                    "list".into(),
                    J::Arr(
                        chats
                            .iter()
                            .filter(|c| c.left == left)
                            .map(|c| chat(c, layout))
                            .collect(),
                    ),
                ),
            ])
        };
        let mut top = vec![
            (
                "about".into(),
                J::Str("Here is the data you requested. \"messages\": [] is not a chat.".into()),
            ),
            (
                "personal_information".into(),
                J::Obj(vec![
                    ("user_id".into(), J::Raw("1234567".into())),
                    ("first_name".into(), J::Str("Me".into())),
                    ("phone_number".into(), J::Str("+44 7700 900000".into())),
                ]),
            ),
            (
                "chats".into(),
                section(false, "This page lists all chats from this export."),
            ),
        ];
        if chats.iter().any(|c| c.left) {
            top.push((
                "left_chats".into(),
                section(
                    true,
                    "This page lists all supergroups and channels you've left.",
                ),
            ));
        }
        top.push((
            "contacts".into(),
            J::Obj(vec![
                ("about".into(), J::Str("Contacts".into())),
                ("list".into(), J::Arr(Vec::new())),
            ]),
        ));
        J::Obj(top)
    } else {
        match chats.first() {
            Some(c) => chat(c, layout),
            None => J::Obj(Vec::new()),
        }
    };
    let mut p = Printer {
        out: String::new(),
        pretty: layout.pretty,
        newline: if layout.crlf { "\r\n" } else { "\n" },
        line: 1,
        marks: Vec::new(),
    };
    p.value(&tree, 0);
    if layout.pretty {
        p.newline();
    }
    (p.out, p.marks)
}

fn chat(c: &GenChat, layout: Layout) -> J {
    let mut fields = Vec::new();
    match (&c.name, c.kind.as_str()) {
        (None, "saved_messages") => {}
        (None, _) => fields.push(("name".into(), J::Null)),
        (Some(name), _) => fields.push(("name".into(), J::Str(name.clone()))),
    }
    fields.push(("type".into(), J::Str(c.kind.clone())));
    fields.push(("id".into(), J::Raw(c.id.to_string())));
    fields.push((
        "messages".into(),
        J::Arr(
            c.messages
                .iter()
                .map(|m| J::Mark(Box::new(message(m, c.id, layout))))
                .collect(),
        ),
    ));
    J::Obj(fields)
}

fn message(m: &GenMessage, chat_id: i64, layout: Layout) -> J {
    let local = local_date(m.sent_at, layout.offset);
    let mut f: Vec<(String, J)> = vec![
        ("id".into(), J::Raw(m.id.to_string())),
        (
            "type".into(),
            J::Str(
                if m.action.is_some() {
                    "service"
                } else {
                    "message"
                }
                .into(),
            ),
        ),
        (
            "date".into(),
            J::Str(format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
                local.year(),
                u8::from(local.month()),
                local.day(),
                local.hour(),
                local.minute(),
                local.second()
            )),
        ),
    ];
    if layout.unixtime {
        f.push((
            "date_unixtime".into(),
            J::Str(m.sent_at.unix_timestamp().to_string()),
        ));
    }
    let who = match &m.from {
        Some(name) => J::Str(name.clone()),
        None => J::Null,
    };
    let who_id = J::Str(format!("user{}", chat_id.unsigned_abs()));
    if let Some(action) = &m.action {
        f.push(("actor".into(), who));
        f.push(("actor_id".into(), who_id));
        f.push(("action".into(), J::Str(action.clone())));
    } else {
        f.push(("from".into(), who));
        f.push(("from_id".into(), who_id));
        if let Some(fwd) = &m.forwarded_from {
            f.push(("forwarded_from".into(), J::Str(fwd.clone())));
        }
        if let Some(reply) = m.reply_to {
            f.push(("reply_to_message_id".into(), J::Raw(reply.to_string())));
        }
    }
    let size = |f: &mut Vec<(String, J)>| {
        f.push(("width".into(), J::Raw("1280".into())));
        f.push(("height".into(), J::Raw("960".into())));
    };
    match &m.media {
        GenMedia::None => {}
        GenMedia::Photo(path) => {
            f.push(("photo".into(), J::Str(path.clone())));
            size(&mut f);
        }
        GenMedia::PhotoOmitted => {
            f.push(("photo".into(), J::Str(NOT_INCLUDED.into())));
            size(&mut f);
        }
        GenMedia::File {
            path,
            mime_type,
            media_type,
        } => {
            f.push(("file".into(), J::Str(path.clone())));
            f.push(("thumbnail".into(), J::Str(format!("{path}_thumb.jpg"))));
            if let Some(t) = media_type {
                f.push(("media_type".into(), J::Str(t.clone())));
            }
            if let Some(t) = mime_type {
                f.push(("mime_type".into(), J::Str(t.clone())));
            }
        }
        GenMedia::FileOmitted => {
            f.push(("file".into(), J::Str(NOT_INCLUDED.into())));
            f.push(("media_type".into(), J::Str("voice_message".into())));
            f.push(("mime_type".into(), J::Str("audio/ogg".into())));
            f.push(("duration_seconds".into(), J::Raw("3".into())));
        }
    }
    for (name, raw) in &m.fields {
        f.push((name.clone(), J::Raw(raw.clone())));
    }
    let entity = |kind: &str, text: &str, href: &Option<String>| {
        let mut e = vec![
            ("type".into(), J::Str(kind.into())),
            ("text".into(), J::Str(text.into())),
        ];
        if let Some(h) = href {
            e.push(("href".into(), J::Str(h.clone())));
        }
        J::Obj(e)
    };
    let text = match m.text.as_slice() {
        [] => J::Str(String::new()),
        [GenPart::Plain(t)] => J::Str(t.clone()),
        parts => J::Arr(
            parts
                .iter()
                .map(|p| match p {
                    GenPart::Plain(t) => J::Str(t.clone()),
                    GenPart::Entity { kind, text, href } => entity(kind, text, href),
                })
                .collect(),
        ),
    };
    f.push(("text".into(), text));
    f.push((
        "text_entities".into(),
        J::Arr(
            m.text
                .iter()
                .map(|p| match p {
                    GenPart::Plain(t) => entity("plain", t, &None),
                    GenPart::Entity { kind, text, href } => entity(kind, text, href),
                })
                .collect(),
        ),
    ));
    J::Obj(f)
}

/// A JSON value to print.
enum J {
    Obj(Vec<(String, J)>),
    Arr(Vec<J>),
    Str(String),
    /// Written as it is (numbers, or JSON given by the caller).
    Raw(String),
    Null,
    /// A message: its line is recorded as it is printed.
    Mark(Box<J>),
}

struct Printer {
    out: String,
    pretty: bool,
    newline: &'static str,
    line: u64,
    marks: Vec<u64>,
}

impl Printer {
    fn newline(&mut self) {
        self.out.push_str(self.newline);
        self.line += 1;
    }

    /// Before an item at `indent`, as Telegram does: a line end and a space a level.
    fn item_start(&mut self, indent: usize) {
        if self.pretty {
            self.newline();
            self.out.extend(std::iter::repeat_n(' ', indent));
        }
    }

    fn value(&mut self, v: &J, indent: usize) {
        match v {
            J::Obj(fields) => {
                self.out.push('{');
                for (i, (key, value)) in fields.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.item_start(indent + 1);
                    string(&mut self.out, key);
                    self.out.push_str(if self.pretty { ": " } else { ":" });
                    self.value(value, indent + 1);
                }
                self.item_start(indent);
                self.out.push('}');
            }
            J::Arr(items) => {
                self.out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.item_start(indent + 1);
                    self.value(item, indent + 1);
                }
                self.item_start(indent);
                self.out.push(']');
            }
            J::Str(s) => string(&mut self.out, s),
            J::Raw(s) => self.out.push_str(s),
            J::Null => self.out.push_str("null"),
            J::Mark(inner) => {
                self.marks.push(self.line);
                self.value(inner, indent);
            }
        }
    }
}

/// A string as Telegram Desktop escapes it: `\n`, `\r`, `\t`, `\"`, `\\`, other
/// control characters as `\xHH` (not JSON, but what it writes), U+2028 and U+2029 as
/// `\u2028` and `\u2029`, everything else as it is.
fn string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\x{:02X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn hello() -> GenChat {
        GenChat {
            name: Some("Alice".into()),
            kind: "personal_chat".into(),
            id: 42,
            left: false,
            messages: vec![GenMessage {
                id: 7,
                action: None,
                sent_at: datetime!(2024-01-05 11:43:20 UTC),
                from: Some("Alice".into()),
                forwarded_from: None,
                reply_to: None,
                text: vec![GenPart::Plain("hi\n\"x\"\u{C}".into())],
                media: GenMedia::None,
                fields: Vec::new(),
            }],
        }
    }

    #[test]
    fn writes_what_telegram_writes() {
        let layout = Layout {
            offset: UtcOffset::from_hms(1, 0, 0).unwrap(),
            ..Layout::new()
        };
        let (json, lines) = write_with_lines(&[hello()], layout);
        assert_eq!(
            json,
            "{\n \"name\": \"Alice\",\n \"type\": \"personal_chat\",\n \"id\": 42,\n \"messages\": [\n  {\n   \"id\": 7,\n   \"type\": \"message\",\n   \"date\": \"2024-01-05T12:43:20\",\n   \"date_unixtime\": \"1704455000\",\n   \"from\": \"Alice\",\n   \"from_id\": \"user42\",\n   \"text\": \"hi\\n\\\"x\\\"\\x0C\",\n   \"text_entities\": [\n    {\n     \"type\": \"plain\",\n     \"text\": \"hi\\n\\\"x\\\"\\x0C\"\n    }\n   ]\n  }\n ]\n}\n"
        );
        assert_eq!(lines, vec![6]);
    }

    #[test]
    fn minified_is_one_line() {
        let layout = Layout {
            pretty: false,
            unixtime: false,
            ..Layout::new()
        };
        let (json, lines) = write_with_lines(&[hello()], layout);
        assert!(!json.contains('\n'));
        assert!(json.starts_with("{\"name\":\"Alice\",\"type\":\"personal_chat\""));
        assert!(!json.contains("date_unixtime"));
        assert_eq!(lines, vec![1]);
    }
}
