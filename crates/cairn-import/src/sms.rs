//! The XML backup that the Android app "SMS Backup & Restore" (SyncTech) writes,
//! parsed into messages.
//!
//! # The format
//!
//! One UTF-8 XML file holds every text message and MMS the phone had:
//!
//! ```xml
//! <?xml version='1.0' encoding='UTF-8' standalone='yes' ?>
//! <!--File Created By SMS Backup & Restore v10.x on 05/01/2024 12:00:00-->
//! <smses count="2" backup_set="…" backup_date="1704456000000" type="full">
//!   <sms address="+447700900123" date="1704455000000" type="1" body="Where are you?"
//!        readable_date="5 Jan 2024 11:43:20" contact_name="Alice" … />
//!   <mms date="1704455100000" msg_box="1" address="+447700900123" sub="null"
//!        contact_name="Alice" …>
//!     <parts>
//!       <part seq="-1" ct="application/smil" text="&lt;smil&gt;…" … />
//!       <part seq="0" ct="image/jpeg" name="IMG_1.jpg" data="/9j/4AAQ…" … />
//!       <part seq="1" ct="text/plain" text="Look at this" … />
//!     </parts>
//!     <addrs>
//!       <addr address="+447700900123" type="137" charset="106" />
//!       <addr address="+447700900999" type="151" charset="106" />
//!     </addrs>
//!   </mms>
//! </smses>
//! ```
//!
//! Every value is an attribute; the app copies the phone's message database as it is,
//! and writes the literal `null` for an empty column, which is read as absent (so a
//! text message whose whole text is the word "null" reads as empty: the file cannot
//! tell the two apart). Attributes this module does not use are checked to be
//! well-formed and otherwise ignored, since they vary by phone.
//!
//! # What each message becomes ([`Msg`])
//!
//! - **Direction.** `type` on `<sms>` and `msg_box` on `<mms>`: 1 is received;
//!   2 sent, 3 draft, 4 outbox, 5 failed and 6 queued are all read as written by her
//!   (the phone's owner), since only she can have drafted, queued or failed to send a
//!   message on her phone. Anything else is refused.
//! - **Conversation.** The contact's name (`contact_name`) when the phone knew one,
//!   else the phone number (`address`). `contact_name` is absent when it is missing,
//!   `null` or `(Unknown)`. For a group MMS, `address` lists the other participants'
//!   numbers separated by `~` and `contact_name` their names separated by `, `; the
//!   conversation is `contact_name` as written, or the numbers joined with `, ` when
//!   no name is known.
//! - **Sender.** For a received message, the sender's contact name when known, else
//!   the number: for an SMS the `address`, for an MMS the `<addr>` of type 137
//!   ("from"). In a group, a number is given its name only when `contact_name` has as
//!   many names as `address` has numbers (then they pair up in order); otherwise the
//!   number is kept. For a message she sent, the sender is the literal [`ME`]
//!   (`"Me"`): the backup does not name the phone's owner, and her own number is not
//!   reliably in it.
//! - **Recipients.** For an MMS, every `<addr>` of type 151 (to), 130 (cc) or 129
//!   (bcc), in file order, named as above (a received MMS lists her own number among
//!   them, as the phone recorded it). For an SMS she sent, the contact; for a received
//!   SMS, none (it went to her).
//! - **Text.** An SMS's `body`. For an MMS, the `text` of its `text/plain` parts,
//!   joined with `\n` in file order (a `text/plain` part whose `text` is `null` but
//!   that has `data` is kept as an attachment instead). `application/smil` parts are
//!   layout and are skipped.
//! - **Attachments.** Every other part with `data` (photos, video, audio, contact
//!   cards, documents): its name is the first of `name`, `fn` and `cl` that is not
//!   `null`, its media type `ct` as written, and its bytes
//!   [`Content::Base64`] — the byte range of the `data` value in the input, decoded by
//!   [`decode_base64`] when it is kept. Base64 has no XML escapes; when the value
//!   holds one anyway (`&`), it is decoded here and kept as [`Content::Bytes`]. A
//!   `text/…` part (a vCard) with no `data` but a `text` keeps that text as its bytes.
//!   The base64 of every attachment is checked while parsing, so a damaged one refuses
//!   the file here and not halfway through keeping it.
//! - **Kind.** [`MessageKind::Attachment`] when it has attachments. When a part has
//!   no `data` (the app's setting not to back up MMS media) and the message has no
//!   text, [`MessageKind::MediaOmitted`]. Otherwise [`MessageKind::Text`].
//! - **Subject.** An MMS's `sub` (an SMS's `subject`, which phones leave `null`),
//!   empty when `null`.
//! - **Line.** The 1-based line of the `<sms` or `<mms` start tag (lines end at
//!   `\n`, so `\r\n` counts once).
//! - **Source id.** Empty: the only ids in a backup (`_id`, `m_id`) are rows of the
//!   phone's database, renumbered when a backup is restored, so they name nothing.
//!
//! # Times
//!
//! `date` is the number of milliseconds since 1970-01-01 00:00 UTC (Java time) at
//! which her phone stored the message: when it arrived, for one she received, and
//! when she sent it, for hers. It is an instant, independent of any time zone, and
//! is kept as [`SentAt::Instant`] at offset UTC with its milliseconds; the vault or
//! the screen converts it to a local time. `readable_date` is the phone's own
//! rendering of that instant in the phone's time zone and language at backup time
//! (say `5 Jan 2024 11:43:20`): it carries no zone, its wording depends on the
//! locale, and it is not read. `date_sent` (the network's time stamp of sending,
//! often 0) is not read either.
//!
//! # Refusals
//!
//! The whole file is refused ([`SmsError`], naming the line or byte) when it is not
//! UTF-8, not XML, a call log, declares a DOCTYPE (entity-expansion attacks; no
//! entity other than XML's five is ever expanded), uses an unknown entity or a
//! character reference that stands for no character, lacks a message's date, type or
//! number, has a `count` that is not the number of messages in it, has damaged
//! base64, ends before `</smses>`, nests deeper than the format, holds an element or
//! text the app does not write, or has a value over [`MAX_TEXT_BYTES`] (any attribute
//! but `data`, and an MMS's joined text) or [`MAX_DATA_BYTES`] (`data`).
//!
//! Two leniencies, both for files the app really writes: its "back up emoji" setting
//! writes characters beyond U+FFFF as two character references to UTF-16 surrogates
//! (`&#55357;&#56898;` for 🙂), which strict XML parsers reject; a high surrogate
//! reference directly followed by a low one is read as the one character, and a lone
//! surrogate is refused. Character references to control characters (`&#1;`), which
//! XML 1.0 forbids, are kept, since SMS bodies can contain them. And a line break
//! written literally inside an attribute (the app writes `&#10;`) is kept as `\n`
//! (with `\r\n` and `\r` read as `\n`), not turned into a space as XML's attribute
//! normalisation would: a person's line break is kept as one.
//!
//! Parsing is linear in the file's size: a 200 MB backup takes seconds.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

use base64::engine::general_purpose::STANDARD;
use base64::{DecodeError, DecodeSliceError, Engine as _};
use quick_xml::errors::{Error as XmlError, SyntaxError};
use quick_xml::events::{BytesDecl, BytesStart, Event};
use quick_xml::Reader;
use time::OffsetDateTime;

use crate::model::{Attachment, Content, Export, MessageKind, Msg, SentAt};

/// The most bytes, as written in the file, that any attribute other than `data` may
/// have, and that an MMS's text parts may have together. A text message is at most a
/// few thousand characters; refusing more bounds the work a hostile file can cause.
pub const MAX_TEXT_BYTES: usize = 1 << 20;

/// The most bytes of base64, as written, that one part's `data` may have (about
/// 48 MiB decoded): far above any carrier's MMS limit.
pub const MAX_DATA_BYTES: usize = 64 << 20;

/// How deeply elements nest in a backup: `<smses>`, `<mms>`, `<parts>`, `<part>`.
/// An element below that is refused ([`SmsError::TooDeep`]).
pub const MAX_DEPTH: usize = 4;

/// The sender of every message she (the phone's owner) sent.
pub const ME: &str = "Me";

/// The MMS address type of the sender (`PduHeaders.FROM`).
const ADDR_FROM: u16 = 137;
/// The MMS address types of recipients: to, cc, bcc.
const ADDR_RECIPIENTS: [u16; 3] = [151, 130, 129];
/// What Android stores as the sender of an MMS she sent, in place of her number.
const SELF_TOKEN: &str = "insert-address-token";

/// A value a message must have ([`SmsError::MissingField`],
/// [`SmsError::InvalidField`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Field {
    /// `count` on `<smses>`.
    Count,
    /// `date` on `<sms>` or `<mms>`.
    Date,
    /// `type` on `<sms>`, `msg_box` on `<mms>`.
    Type,
    /// `address` on `<sms>`, `<mms>` or `<addr>`.
    Address,
    /// `type` on `<addr>`.
    AddressType,
    /// A received group MMS's `<addr>` of type 137 (from).
    Sender,
}

impl Field {
    /// A stable, machine-readable code for the field.
    pub fn code(&self) -> &'static str {
        match self {
            Field::Count => "count",
            Field::Date => "date",
            Field::Type => "type",
            Field::Address => "address",
            Field::AddressType => "address_type",
            Field::Sender => "sender",
        }
    }
}

impl fmt::Display for Field {
    /// A noun phrase for sentences ("has no …").
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Field::Count => "message count",
            Field::Date => "date",
            Field::Type => "message type (sent or received)",
            Field::Address => "phone number",
            Field::AddressType => "address type (from or to)",
            Field::Sender => "sender",
        })
    }
}

/// Why an SMS Backup & Restore file was refused. Nothing is imported when any of
/// these is returned. Each has a stable code ([`SmsError::code`]) and a `Display`
/// that is one plain sentence naming the line or byte; none quotes the messages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SmsError {
    /// The bytes are not UTF-8 text.
    #[error("The backup is not a text file SMS Backup & Restore wrote: it stops being readable text after {offset} bytes, so nothing was imported.")]
    NotUtf8 {
        /// 0-based offset of the first byte that is not UTF-8 (a byte-order mark
        /// counts), i.e. how many bytes before it were readable.
        offset: usize,
    },
    /// The file holds nothing but white space.
    #[error("The backup file is empty, so nothing was imported.")]
    Empty,
    /// The file is text but not XML.
    #[error("The file is not an SMS Backup & Restore backup because line {line} is not XML, so nothing was imported.")]
    NotXml {
        /// 1-based line where it stops being XML.
        line: u64,
    },
    /// The XML is broken (a mismatched end tag, a bad attribute, a stray `&` or `<`).
    #[error(
        "Line {line} of the backup is damaged and cannot be read as XML, so nothing was imported."
    )]
    Malformed {
        /// 1-based line of the damage.
        line: u64,
    },
    /// A `<!DOCTYPE`: the app never writes one, and its entities are how
    /// entity-expansion ("billion laughs") and external-entity attacks work.
    #[error("Line {line} of the backup declares a document type, which SMS Backup & Restore never writes and which can be used to attack the program reading it, so nothing was imported.")]
    DocType {
        /// 1-based line of the `<!DOCTYPE`.
        line: u64,
    },
    /// The XML declaration names an encoding other than UTF-8.
    #[error("Line {line} of the backup declares a text encoding other than UTF-8, which SMS Backup & Restore does not write, so nothing was imported.")]
    WrongEncoding {
        /// 1-based line of the declaration.
        line: u64,
    },
    /// An entity (`&name;`) other than XML's five (`&amp;` `&lt;` `&gt;` `&quot;`
    /// `&apos;`).
    #[error("Line {line} of the backup uses a named escape code that XML does not define, so nothing was imported.")]
    UnknownEntity {
        /// 1-based line of the entity.
        line: u64,
    },
    /// A character reference (`&#…;`) that is not a number, is beyond Unicode, or
    /// is half of a surrogate pair without its other half.
    #[error("Line {line} of the backup has a numbered character code that stands for no character, so nothing was imported.")]
    BadCharacterReference {
        /// 1-based line of the reference.
        line: u64,
    },
    /// The XML's top element is not `<smses>`.
    #[error("The file is XML but not an SMS Backup & Restore backup of messages (see line {line}), so nothing was imported.")]
    NotSmsBackup {
        /// 1-based line of the top element.
        line: u64,
    },
    /// The file is SMS Backup & Restore's call log (`<calls>`), a different file.
    #[error(
        "The file is a call log from SMS Backup & Restore, not messages, so nothing was imported."
    )]
    CallLog {
        /// 1-based line of `<calls>`.
        line: u64,
    },
    /// A message (or the backup) lacks a value it must have, or has `null`.
    #[error("Line {line} of the backup has no {field}, so nothing was imported.")]
    MissingField {
        /// 1-based line of the element that lacks it.
        line: u64,
        /// What is missing.
        field: Field,
    },
    /// A value cannot be read (a date that is not a number, a type that is not 1–6).
    #[error(
        "Line {line} of the backup has a {field} that cannot be read, so nothing was imported."
    )]
    InvalidField {
        /// 1-based line of the element.
        line: u64,
        /// What cannot be read.
        field: Field,
    },
    /// The backup is complete but holds no messages.
    #[error("The backup has no messages in it (its list starts on line {line}), so nothing was imported.")]
    NoMessages {
        /// 1-based line of `<smses>`.
        line: u64,
    },
    /// `count` on `<smses>` is not the number of messages in the file: it was cut
    /// short and mended, or changed.
    #[error("The backup says on line {line} that it holds {expected} messages but {found} are in it, which means it is incomplete or was changed, so nothing was imported.")]
    CountMismatch {
        /// 1-based line of `<smses>`.
        line: u64,
        /// What `count` says.
        expected: u64,
        /// How many `<sms>` and `<mms>` there are.
        found: u64,
    },
    /// An attachment's base64 is damaged.
    #[error(
        "The attachment data at byte {offset} of the backup is damaged, so nothing was imported."
    )]
    InvalidBase64 {
        /// 0-based byte offset in the file of the first byte that is wrong (for
        /// data written with XML escapes, of the start of the value).
        offset: usize,
    },
    /// The file ends before `</smses>`: it was cut short.
    #[error("The backup stops on line {line} before its end, as if it was cut short, so nothing was imported.")]
    Truncated {
        /// 1-based line of the file's last byte.
        line: u64,
    },
    /// An element is nested deeper than [`MAX_DEPTH`].
    #[error("Line {line} of the backup nests elements deeper than SMS Backup & Restore does, so nothing was imported.")]
    TooDeep {
        /// 1-based line of the element.
        line: u64,
    },
    /// An element, text or instruction where the app writes none (an unknown
    /// element, text between elements, a second top element).
    #[error("Line {line} of the backup has something SMS Backup & Restore does not write there, so nothing was imported.")]
    Unexpected {
        /// 1-based line where it is.
        line: u64,
    },
    /// A value over [`MAX_TEXT_BYTES`] or [`MAX_DATA_BYTES`].
    #[error("Line {line} of the backup holds a value far larger than SMS Backup & Restore writes, so nothing was imported.")]
    TooLarge {
        /// 1-based line where the value starts.
        line: u64,
    },
}

impl SmsError {
    /// A stable, machine-readable code for this error (shells map on it, never on
    /// text).
    pub fn code(&self) -> &'static str {
        match self {
            SmsError::NotUtf8 { .. } => "import_sms_not_utf8",
            SmsError::Empty => "import_sms_empty",
            SmsError::NotXml { .. } => "import_sms_not_xml",
            SmsError::Malformed { .. } => "import_sms_malformed",
            SmsError::DocType { .. } => "import_sms_doctype",
            SmsError::WrongEncoding { .. } => "import_sms_wrong_encoding",
            SmsError::UnknownEntity { .. } => "import_sms_unknown_entity",
            SmsError::BadCharacterReference { .. } => "import_sms_bad_character_reference",
            SmsError::NotSmsBackup { .. } => "import_sms_not_sms_backup",
            SmsError::CallLog { .. } => "import_sms_call_log",
            SmsError::MissingField { .. } => "import_sms_missing_field",
            SmsError::InvalidField { .. } => "import_sms_invalid_field",
            SmsError::NoMessages { .. } => "import_sms_no_messages",
            SmsError::CountMismatch { .. } => "import_sms_count_mismatch",
            SmsError::InvalidBase64 { .. } => "import_sms_invalid_base64",
            SmsError::Truncated { .. } => "import_sms_truncated",
            SmsError::TooDeep { .. } => "import_sms_too_deep",
            SmsError::Unexpected { .. } => "import_sms_unexpected",
            SmsError::TooLarge { .. } => "import_sms_too_large",
        }
    }
}

/// Parses an SMS Backup & Restore messages backup (the `sms-….xml` file).
///
/// `bytes` is the file as read: UTF-8, with or without a byte-order mark. Every
/// `<sms>` and `<mms>` becomes a [`Msg`], in file order, mapped as the module
/// documentation says; attachments are byte ranges of `bytes` for
/// [`decode_base64`]. The whole file is refused with an [`SmsError`] naming the line
/// (or byte) when anything in it is not what the app writes.
pub fn parse(bytes: &[u8]) -> Result<Export, SmsError> {
    let text = std::str::from_utf8(bytes).map_err(|e| SmsError::NotUtf8 {
        offset: e.valid_up_to(),
    })?;
    let (start, body) = match text.strip_prefix('\u{FEFF}') {
        Some(rest) => ('\u{FEFF}'.len_utf8(), rest),
        None => (0, text),
    };
    if body.bytes().all(is_xml_space) {
        return Err(SmsError::Empty);
    }
    let mut parser = Parser::new(bytes, start);
    let mut reader = Reader::from_str(body);
    loop {
        let at = start.saturating_add(to_usize(reader.buffer_position()));
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(e) => {
                let at = start.saturating_add(to_usize(reader.error_position()));
                return Err(parser.xml_error(&e, at));
            }
        };
        if parser.handle(event, at)? {
            break;
        }
    }
    parser.finish()
}

/// Decodes the base64 at `range` of `input` (an attachment's
/// [`Content::Base64`] from [`parse`]). White space inside it (spaces, tabs, line
/// breaks, as Android's encoder wraps lines) is skipped; padding is required and
/// only at the end. Refuses damaged base64 naming the byte offset in `input` of the
/// first byte that is wrong, or a range outside `input`.
pub fn decode_base64(input: &[u8], range: Range<usize>) -> Result<Vec<u8>, SmsError> {
    let start = range.start;
    let text = input.get(range).ok_or(SmsError::InvalidBase64 {
        offset: start.min(input.len()),
    })?;
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    decode_b64(text, &|i| start + i, &mut |bytes| {
        out.extend_from_slice(bytes)
    })?;
    Ok(out)
}

fn to_usize(position: u64) -> usize {
    usize::try_from(position).unwrap_or(usize::MAX)
}

/// XML's white space: space, tab, line feed, carriage return.
fn is_xml_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// The value, unless it is the app's `null` for an empty column (or empty).
fn present(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.is_empty() && v != "null")
}

/// A contact name the phone knew: not empty, `null` or `(Unknown)`.
fn known_name(name: &str) -> bool {
    !name.is_empty() && name != "null" && name != "(Unknown)"
}

/// 1-based line numbers of byte offsets, counted forward from the last asked
/// offset so a whole file costs one pass.
struct Lines<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: u64,
}

impl Lines<'_> {
    fn at(&mut self, offset: usize) -> u64 {
        let offset = offset.min(self.bytes.len());
        if offset < self.pos {
            // Only an error looks back; count again from the start.
            self.pos = 0;
            self.line = 1;
        }
        let seen = self.bytes.get(self.pos..offset).unwrap_or_default();
        self.line += seen.iter().filter(|&&b| b == b'\n').count() as u64;
        self.pos = offset;
        self.line
    }

    /// The line of the file's last byte.
    fn last(&mut self) -> u64 {
        self.at(self.bytes.len().saturating_sub(1))
    }
}

/// Where an element sits; decides which children it may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Elem {
    Root,
    Sms,
    Mms,
    Parts,
    Addrs,
    Part,
    Addr,
}

/// An `<mms>` being read: its own attributes, then its parts and addresses.
struct OpenMms {
    line: u64,
    sent_at: OffsetDateTime,
    outgoing: bool,
    address: String,
    contact: Option<String>,
    subject: String,
    text: String,
    text_parts: usize,
    attachments: Vec<usize>,
    omitted: bool,
    addrs: Vec<(u16, String)>,
}

/// A part's `data` value: a range of the input holding plain base64, or the
/// value with its XML escapes decoded.
enum Data {
    Range(Range<usize>),
    Unescaped(String, usize),
}

struct Parser<'a> {
    input: &'a [u8],
    /// Offset of the XML after a byte-order mark.
    start: usize,
    lines: Lines<'a>,
    export: Export,
    stack: Vec<Elem>,
    /// `<smses>`'s line and `count`, once read.
    root: Option<(u64, u64)>,
    root_closed: bool,
    /// Any markup (declaration, comment, element) has been read.
    seen_markup: bool,
    found: u64,
    mms: Option<OpenMms>,
}

impl<'a> Parser<'a> {
    fn new(input: &'a [u8], start: usize) -> Parser<'a> {
        Parser {
            input,
            start,
            lines: Lines {
                bytes: input,
                pos: 0,
                line: 1,
            },
            export: Export::default(),
            stack: Vec::new(),
            root: None,
            root_closed: false,
            seen_markup: false,
            found: 0,
            mms: None,
        }
    }

    /// The range of `input` that `s` (a slice of it) covers, if it is one.
    fn range_of(&self, s: &str) -> Option<Range<usize>> {
        let offset = (s.as_ptr() as usize).checked_sub(self.input.as_ptr() as usize)?;
        let end = offset.checked_add(s.len())?;
        (end <= self.input.len()).then_some(offset..end)
    }

    fn xml_error(&mut self, e: &XmlError, at: usize) -> SmsError {
        // quick-xml reports every construct the input ends inside as "unclosed",
        // except a `<!` that ends the input.
        if let XmlError::Syntax(s) = e {
            let cut = !matches!(s, SyntaxError::InvalidBangMarkup)
                || at.saturating_add("<!".len()) >= self.input.len();
            if cut {
                return SmsError::Truncated {
                    line: self.lines.last(),
                };
            }
        }
        let line = self.lines.at(at);
        if self.root.is_none() {
            SmsError::NotXml { line }
        } else {
            SmsError::Malformed { line }
        }
    }

    /// Text, CDATA or a reference between elements.
    fn stray(&mut self, at: usize) -> SmsError {
        let line = self.lines.at(at);
        if self.root.is_none() {
            SmsError::NotXml { line }
        } else {
            SmsError::Unexpected { line }
        }
    }

    /// Handles one event; true at the end of the input.
    fn handle(&mut self, event: Event<'_>, at: usize) -> Result<bool, SmsError> {
        match event {
            Event::Start(e) => self.open(&e, false)?,
            Event::Empty(e) => self.open(&e, true)?,
            Event::End(_) => self.close(at)?,
            Event::Text(t) => {
                if let Some(skip) = t.bytes().position(|b| !is_xml_space(b)) {
                    return Err(self.stray(at + skip));
                }
            }
            Event::CData(_) | Event::GeneralRef(_) => return Err(self.stray(at)),
            Event::Comment(_) => self.seen_markup = true,
            Event::Decl(d) => self.decl(&d, at)?,
            Event::PI(_) => {
                // `<?xml-stylesheet …?>` and the like, before the messages only.
                if self.root.is_some() {
                    return Err(SmsError::Unexpected {
                        line: self.lines.at(at),
                    });
                }
                self.seen_markup = true;
            }
            Event::DocType(_) => {
                return Err(SmsError::DocType {
                    line: self.lines.at(at),
                })
            }
            Event::Eof => return Ok(true),
        }
        Ok(false)
    }

    fn decl(&mut self, d: &BytesDecl<'_>, at: usize) -> Result<(), SmsError> {
        let line = self.lines.at(at);
        // The declaration may only open the file.
        if at != self.start {
            return Err(SmsError::Unexpected { line });
        }
        self.seen_markup = true;
        match d.encoding() {
            None => Ok(()),
            Some(Ok(enc))
                if enc.eq_ignore_ascii_case("utf-8") || enc.eq_ignore_ascii_case("utf8") =>
            {
                Ok(())
            }
            Some(Ok(_)) => Err(SmsError::WrongEncoding { line }),
            Some(Err(_)) => Err(SmsError::Malformed { line }),
        }
    }

    fn open(&mut self, e: &BytesStart<'_>, empty: bool) -> Result<(), SmsError> {
        let name = e.name().into_inner();
        // The name follows the `<` directly.
        let at = self.range_of(name).map_or(0, |r| r.start.saturating_sub(1));
        let line = self.lines.at(at);
        self.seen_markup = true;
        if self.stack.len() >= MAX_DEPTH {
            return Err(SmsError::TooDeep { line });
        }
        let elem = match (self.stack.last(), name) {
            (None, _) if self.root.is_some() => return Err(SmsError::Unexpected { line }),
            (None, "smses") => {
                self.start_root(e, line)?;
                Elem::Root
            }
            (None, "calls") => return Err(SmsError::CallLog { line }),
            (None, _) => return Err(SmsError::NotSmsBackup { line }),
            (Some(Elem::Root), "sms") => {
                self.sms(e, line)?;
                Elem::Sms
            }
            (Some(Elem::Root), "mms") => {
                self.start_mms(e, line)?;
                Elem::Mms
            }
            (Some(Elem::Mms), "parts") => {
                self.each_attr(e, line, |_, _, _, _| Ok(()))?;
                Elem::Parts
            }
            (Some(Elem::Mms), "addrs") => {
                self.each_attr(e, line, |_, _, _, _| Ok(()))?;
                Elem::Addrs
            }
            (Some(Elem::Parts), "part") => {
                self.part(e, line)?;
                Elem::Part
            }
            (Some(Elem::Addrs), "addr") => {
                self.addr(e, line)?;
                Elem::Addr
            }
            _ => return Err(SmsError::Unexpected { line }),
        };
        if empty {
            self.end(elem, line)
        } else {
            self.stack.push(elem);
            Ok(())
        }
    }

    fn close(&mut self, at: usize) -> Result<(), SmsError> {
        let line = self.lines.at(at);
        // quick-xml checks that end tags match their start tags.
        let elem = self.stack.pop().ok_or(SmsError::Malformed { line })?;
        self.end(elem, line)
    }

    fn end(&mut self, elem: Elem, line: u64) -> Result<(), SmsError> {
        match elem {
            Elem::Root => {
                self.root_closed = true;
                let (root_line, expected) = self.root.unwrap_or((line, 0));
                if self.found == 0 && expected == 0 {
                    return Err(SmsError::NoMessages { line: root_line });
                }
                if self.found != expected {
                    return Err(SmsError::CountMismatch {
                        line: root_line,
                        expected,
                        found: self.found,
                    });
                }
                Ok(())
            }
            Elem::Mms => self.finish_mms(line),
            Elem::Sms | Elem::Parts | Elem::Addrs | Elem::Part | Elem::Addr => Ok(()),
        }
    }

    fn finish(mut self) -> Result<Export, SmsError> {
        if self.root_closed {
            return Ok(self.export);
        }
        if self.seen_markup {
            Err(SmsError::Truncated {
                line: self.lines.last(),
            })
        } else {
            Err(SmsError::NotXml { line: 1 })
        }
    }

    /// Checks every attribute of `e` (well-formed, unique, within the size caps,
    /// escapes valid) and hands each to `f` as (name, raw value, value with escapes
    /// decoded, range of the raw value in the input).
    fn each_attr(
        &mut self,
        e: &BytesStart<'_>,
        line: u64,
        mut f: impl FnMut(&str, &str, Cow<'_, str>, Option<Range<usize>>) -> Result<(), SmsError>,
    ) -> Result<(), SmsError> {
        for attr in e.attributes() {
            let attr = attr.map_err(|_| SmsError::Malformed { line })?;
            let key = attr.key.into_inner();
            let raw: &str = &attr.value;
            let range = self.range_of(raw);
            let value_at = range.as_ref().map(|r| r.start);
            let cap = if key == "data" {
                MAX_DATA_BYTES
            } else {
                MAX_TEXT_BYTES
            };
            if raw.len() > cap {
                let line = value_at.map_or(line, |at| self.lines.at(at));
                return Err(SmsError::TooLarge { line });
            }
            let value = match unescape(raw) {
                Ok(value) => value,
                Err((index, problem)) => {
                    let line = value_at.map_or(line, |at| self.lines.at(at.saturating_add(index)));
                    return Err(match problem {
                        EscapeProblem::UnknownEntity => SmsError::UnknownEntity { line },
                        EscapeProblem::BadCharRef => SmsError::BadCharacterReference { line },
                        EscapeProblem::Malformed => SmsError::Malformed { line },
                    });
                }
            };
            f(key, raw, value, range)?;
        }
        Ok(())
    }

    fn start_root(&mut self, e: &BytesStart<'_>, line: u64) -> Result<(), SmsError> {
        let mut count = None;
        self.each_attr(e, line, |key, _, value, _| {
            if key == "count" {
                count = Some(value.into_owned());
            }
            Ok(())
        })?;
        let count = present(count).ok_or(SmsError::MissingField {
            line,
            field: Field::Count,
        })?;
        let count =
            digits(&count)
                .and_then(|c| c.parse::<u64>().ok())
                .ok_or(SmsError::InvalidField {
                    line,
                    field: Field::Count,
                })?;
        self.root = Some((line, count));
        Ok(())
    }

    fn sms(&mut self, e: &BytesStart<'_>, line: u64) -> Result<(), SmsError> {
        self.found += 1;
        let (mut address, mut date, mut kind, mut body, mut contact, mut subject) =
            (None, None, None, None, None, None);
        self.each_attr(e, line, |key, _, value, _| {
            let slot = match key {
                "address" => &mut address,
                "date" => &mut date,
                "type" => &mut kind,
                "body" => &mut body,
                "contact_name" => &mut contact,
                "subject" => &mut subject,
                _ => return Ok(()),
            };
            *slot = Some(value.into_owned());
            Ok(())
        })?;
        let address = present(address).ok_or(SmsError::MissingField {
            line,
            field: Field::Address,
        })?;
        let sent_at = read_date(date, line)?;
        let outgoing = read_box(kind, line)?;
        let who = contact.filter(|c| known_name(c)).unwrap_or(address);
        self.export.messages.push(Msg {
            line,
            source_id: String::new(),
            conversation: who.clone(),
            sender: if outgoing { ME.to_owned() } else { who.clone() },
            recipients: if outgoing { vec![who] } else { Vec::new() },
            sent_at: SentAt::Instant(sent_at),
            subject: present(subject).unwrap_or_default(),
            text: present(body).unwrap_or_default(),
            kind: MessageKind::Text,
            attachments: Vec::new(),
        });
        Ok(())
    }

    fn start_mms(&mut self, e: &BytesStart<'_>, line: u64) -> Result<(), SmsError> {
        self.found += 1;
        let (mut address, mut date, mut kind, mut contact, mut subject) =
            (None, None, None, None, None);
        self.each_attr(e, line, |key, _, value, _| {
            let slot = match key {
                "address" => &mut address,
                "date" => &mut date,
                "msg_box" => &mut kind,
                "contact_name" => &mut contact,
                "sub" => &mut subject,
                _ => return Ok(()),
            };
            *slot = Some(value.into_owned());
            Ok(())
        })?;
        let address = present(address)
            .filter(|a| a.split('~').any(|n| !n.is_empty()))
            .ok_or(SmsError::MissingField {
                line,
                field: Field::Address,
            })?;
        let sent_at = read_date(date, line)?;
        let outgoing = read_box(kind, line)?;
        self.mms = Some(OpenMms {
            line,
            sent_at,
            outgoing,
            address,
            contact: contact.filter(|c| known_name(c)),
            subject: present(subject).unwrap_or_default(),
            text: String::new(),
            text_parts: 0,
            attachments: Vec::new(),
            omitted: false,
            addrs: Vec::new(),
        });
        Ok(())
    }

    fn part(&mut self, e: &BytesStart<'_>, line: u64) -> Result<(), SmsError> {
        let (mut ct, mut text, mut name, mut file_name, mut location) =
            (None, None, None, None, None);
        let mut data: Option<Data> = None;
        self.each_attr(e, line, |key, raw, value, range| {
            let slot = match key {
                "ct" => &mut ct,
                "text" => &mut text,
                "name" => &mut name,
                "fn" => &mut file_name,
                "cl" => &mut location,
                "data" => {
                    if raw != "null" {
                        data = Some(match range {
                            Some(range) if !raw.contains('&') => Data::Range(range),
                            range => {
                                Data::Unescaped(value.into_owned(), range.map_or(0, |r| r.start))
                            }
                        });
                    }
                    return Ok(());
                }
                _ => return Ok(()),
            };
            *slot = Some(value.into_owned());
            Ok(())
        })?;
        let media_type = present(ct).unwrap_or_default();
        let base = media_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        if base == "application/smil" {
            return Ok(());
        }
        let text = text.filter(|t| t != "null");
        if base == "text/plain" {
            if let Some(text) = text {
                return self.push_text(&text, line);
            }
            if data.is_none() {
                return Ok(());
            }
        }
        let content = match data {
            Some(Data::Range(range)) => {
                let raw = self.input.get(range.clone()).unwrap_or_default();
                let start = range.start;
                decode_b64(raw, &|i| start + i, &mut |_| {})?;
                Content::Base64(range)
            }
            Some(Data::Unescaped(value, at)) => {
                let mut bytes = Vec::with_capacity(value.len() / 4 * 3);
                decode_b64(value.as_bytes(), &|_| at, &mut |b| {
                    bytes.extend_from_slice(b)
                })?;
                Content::Bytes(bytes)
            }
            None => match text {
                // A contact card or calendar entry kept as text.
                Some(text) if base.starts_with("text/") => Content::Bytes(text.into_bytes()),
                _ => {
                    if let Some(mms) = &mut self.mms {
                        mms.omitted = true;
                    }
                    return Ok(());
                }
            },
        };
        let name = [name, file_name, location]
            .into_iter()
            .find_map(present)
            .unwrap_or_default();
        let index = self.export.attachments.len();
        self.export.attachments.push(Attachment {
            name,
            media_type,
            content,
        });
        let mms = self.mms.as_mut().ok_or(SmsError::Malformed { line })?;
        mms.attachments.push(index);
        Ok(())
    }

    fn push_text(&mut self, text: &str, line: u64) -> Result<(), SmsError> {
        let mms = self.mms.as_mut().ok_or(SmsError::Malformed { line })?;
        if mms.text_parts > 0 {
            mms.text.push('\n');
        }
        mms.text.push_str(text);
        mms.text_parts += 1;
        if mms.text.len() > MAX_TEXT_BYTES {
            return Err(SmsError::TooLarge { line });
        }
        Ok(())
    }

    fn addr(&mut self, e: &BytesStart<'_>, line: u64) -> Result<(), SmsError> {
        let (mut address, mut kind) = (None, None);
        self.each_attr(e, line, |key, _, value, _| {
            match key {
                "address" => address = Some(value.into_owned()),
                "type" => kind = Some(value.into_owned()),
                _ => {}
            }
            Ok(())
        })?;
        let address = present(address).ok_or(SmsError::MissingField {
            line,
            field: Field::Address,
        })?;
        let kind = present(kind).ok_or(SmsError::MissingField {
            line,
            field: Field::AddressType,
        })?;
        let kind = digits(&kind)
            .and_then(|k| k.parse::<u16>().ok())
            .filter(|k| *k == ADDR_FROM || ADDR_RECIPIENTS.contains(k))
            .ok_or(SmsError::InvalidField {
                line,
                field: Field::AddressType,
            })?;
        let mms = self.mms.as_mut().ok_or(SmsError::Malformed { line })?;
        mms.addrs.push((kind, address));
        Ok(())
    }

    fn finish_mms(&mut self, end_line: u64) -> Result<(), SmsError> {
        let m = self
            .mms
            .take()
            .ok_or(SmsError::Malformed { line: end_line })?;
        let others: Vec<&str> = m.address.split('~').filter(|n| !n.is_empty()).collect();
        // Names pair with numbers only when there is one name per number.
        let mut names: HashMap<&str, &str> = HashMap::new();
        if let Some(contact) = &m.contact {
            if let [only] = others.as_slice() {
                names.insert(only, contact);
            } else {
                let split: Vec<&str> = contact.split(", ").collect();
                if split.len() == others.len() {
                    for (number, name) in others.iter().zip(split) {
                        if known_name(name) {
                            names.insert(number, name);
                        }
                    }
                }
            }
        }
        let display = |number: &str| names.get(number).copied().unwrap_or(number).to_owned();
        let conversation = m.contact.clone().unwrap_or_else(|| others.join(", "));
        let sender = if m.outgoing {
            ME.to_owned()
        } else {
            let from = m
                .addrs
                .iter()
                .find(|(kind, a)| *kind == ADDR_FROM && a != SELF_TOKEN)
                .map(|(_, a)| a.as_str());
            match (from, others.as_slice()) {
                (Some(from), _) => display(from),
                (None, [only]) => display(only),
                (None, _) => {
                    return Err(SmsError::MissingField {
                        line: m.line,
                        field: Field::Sender,
                    })
                }
            }
        };
        let recipients = m
            .addrs
            .iter()
            .filter(|(kind, a)| ADDR_RECIPIENTS.contains(kind) && a != SELF_TOKEN)
            .map(|(_, a)| display(a))
            .collect();
        let kind = if !m.attachments.is_empty() {
            MessageKind::Attachment
        } else if m.omitted && m.text.is_empty() {
            MessageKind::MediaOmitted
        } else {
            MessageKind::Text
        };
        self.export.messages.push(Msg {
            line: m.line,
            source_id: String::new(),
            conversation,
            sender,
            recipients,
            sent_at: SentAt::Instant(m.sent_at),
            subject: m.subject,
            text: m.text,
            kind,
            attachments: m.attachments,
        });
        Ok(())
    }
}

/// `s` when it is ASCII digits only (Rust's `parse` would also take a `+`).
fn digits(s: &str) -> Option<&str> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then_some(s)
}

/// `date`: milliseconds since the Unix epoch, as an instant in UTC.
fn read_date(date: Option<String>, line: u64) -> Result<OffsetDateTime, SmsError> {
    let date = present(date).ok_or(SmsError::MissingField {
        line,
        field: Field::Date,
    })?;
    let invalid = SmsError::InvalidField {
        line,
        field: Field::Date,
    };
    let magnitude = date.strip_prefix('-').unwrap_or(&date);
    digits(magnitude).ok_or(invalid.clone())?;
    let ms: i64 = date.parse().map_err(|_| invalid.clone())?;
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).map_err(|_| invalid)
}

/// `type` / `msg_box`: true for one she sent (2–6), false for one she received (1).
fn read_box(kind: Option<String>, line: u64) -> Result<bool, SmsError> {
    let kind = present(kind).ok_or(SmsError::MissingField {
        line,
        field: Field::Type,
    })?;
    match digits(&kind).and_then(|k| k.parse::<u8>().ok()) {
        Some(1) => Ok(false),
        Some(2..=6) => Ok(true),
        _ => Err(SmsError::InvalidField {
            line,
            field: Field::Type,
        }),
    }
}

/// What is wrong with an attribute value's escapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EscapeProblem {
    /// `&name;` with a name XML does not define.
    UnknownEntity,
    /// `&#…;` that is not a character.
    BadCharRef,
    /// A `&` that starts no reference, or a `<`.
    Malformed,
}

/// A decoded character reference.
enum CharRef {
    Char(char),
    /// The first half of a UTF-16 surrogate pair, as the app writes emoji.
    High(u32),
    Low(u32),
}

/// Decodes an attribute value's escapes: XML's five entities, decimal and hex
/// character references (surrogate pairs joined), and literal `\r\n` or `\r` as
/// `\n`. Borrows when there is nothing to decode. An error gives the index in `raw`
/// of the `&` or `<` at fault.
fn unescape(raw: &str) -> Result<Cow<'_, str>, (usize, EscapeProblem)> {
    let bytes = raw.as_bytes();
    let special = |b: &u8| matches!(b, b'&' | b'<' | b'\r');
    let Some(first) = bytes.iter().position(special) else {
        return Ok(Cow::Borrowed(raw));
    };
    let mut out = String::with_capacity(raw.len());
    // A high surrogate waiting for its low half, and where it was.
    let mut high: Option<(u32, usize)> = None;
    let mut copied = 0;
    let mut at = first;
    loop {
        if at > copied {
            if let Some((_, h)) = high {
                return Err((h, EscapeProblem::BadCharRef));
            }
            out.push_str(
                raw.get(copied..at)
                    .ok_or((copied, EscapeProblem::Malformed))?,
            );
        }
        let Some(&b) = bytes.get(at) else {
            break;
        };
        if let (Some((_, h)), false) = (high, b == b'&') {
            return Err((h, EscapeProblem::BadCharRef));
        }
        match b {
            b'<' => return Err((at, EscapeProblem::Malformed)),
            b'\r' => {
                out.push('\n');
                at += if bytes.get(at + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
            }
            _ => {
                let (r, end) = reference(bytes, at)?;
                match (r, high.take()) {
                    (CharRef::Char(c), None) => out.push(c),
                    (CharRef::High(v), None) => high = Some((v, at)),
                    (CharRef::Low(low), Some((h, h_at))) => {
                        let c = 0x1_0000 + ((h - 0xD800) << 10) + (low - 0xDC00);
                        out.push(char::from_u32(c).ok_or((h_at, EscapeProblem::BadCharRef))?);
                    }
                    (_, Some((_, h_at))) => return Err((h_at, EscapeProblem::BadCharRef)),
                    (CharRef::Low(_), None) => return Err((at, EscapeProblem::BadCharRef)),
                }
                at = end;
            }
        }
        copied = at;
        at = bytes
            .get(copied..)
            .and_then(|rest| rest.iter().position(special))
            .map_or(bytes.len(), |p| copied + p);
    }
    if let Some((_, h)) = high {
        return Err((h, EscapeProblem::BadCharRef));
    }
    Ok(Cow::Owned(out))
}

/// Reads the reference whose `&` is at `at`: what it stands for and the index after
/// its `;`. Each byte is looked at once, so a value full of `&` costs linear time.
fn reference(bytes: &[u8], at: usize) -> Result<(CharRef, usize), (usize, EscapeProblem)> {
    let rest = bytes.get(at + 1..).unwrap_or_default();
    if rest.first() == Some(&b'#') {
        let bad = (at, EscapeProblem::BadCharRef);
        let (radix, skip) = if rest.get(1) == Some(&b'x') {
            (16, 2)
        } else {
            (10, 1)
        };
        let mut value: u32 = 0;
        let mut n = 0;
        for &d in rest.get(skip..).unwrap_or_default() {
            let Some(v) = char::from(d).to_digit(radix) else {
                break;
            };
            // Saturate past Unicode so a long run of digits cannot overflow.
            value = value.saturating_mul(radix).saturating_add(v).min(0x11_0000);
            n += 1;
        }
        if n == 0 || rest.get(skip + n) != Some(&b';') {
            return Err(bad);
        }
        let end = at + 1 + skip + n + 1;
        let r = match value {
            0xD800..=0xDBFF => CharRef::High(value),
            0xDC00..=0xDFFF => CharRef::Low(value),
            v => CharRef::Char(char::from_u32(v).ok_or(bad)?),
        };
        return Ok((r, end));
    }
    let n = rest
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':'))
        .count();
    if n == 0 || rest.get(n) != Some(&b';') {
        return Err((at, EscapeProblem::Malformed));
    }
    let c = match rest.get(..n).unwrap_or_default() {
        b"amp" => '&',
        b"lt" => '<',
        b"gt" => '>',
        b"quot" => '"',
        b"apos" => '\'',
        _ => return Err((at, EscapeProblem::UnknownEntity)),
    };
    Ok((CharRef::Char(c), at + 1 + n + 1))
}

/// Base64 is decoded in pieces of this many characters (a multiple of 4), so
/// checking a 64 MiB attachment needs no 48 MiB buffer.
const CHUNK: usize = 4096;

/// Decodes base64 `text`, skipping XML white space, handing the bytes to `sink` a
/// piece at a time. `offset_of` turns an index in `text` into the byte offset an
/// error names.
fn decode_b64(
    text: &[u8],
    offset_of: &dyn Fn(usize) -> usize,
    sink: &mut dyn FnMut(&[u8]),
) -> Result<(), SmsError> {
    let mut chunk = [0u8; CHUNK];
    let mut index = [0usize; CHUNK];
    let mut out = [0u8; CHUNK];
    let mut n = 0;
    for (i, &b) in text.iter().enumerate() {
        if is_xml_space(b) {
            continue;
        }
        if n == CHUNK {
            // More follows, so this piece may not end in padding.
            flush(&chunk, &index, false, offset_of, &mut out, sink)?;
            n = 0;
        }
        if let (Some(c), Some(x)) = (chunk.get_mut(n), index.get_mut(n)) {
            *c = b;
            *x = i;
        }
        n += 1;
    }
    flush(
        chunk.get(..n).unwrap_or_default(),
        index.get(..n).unwrap_or_default(),
        true,
        offset_of,
        &mut out,
        sink,
    )
}

fn flush(
    chunk: &[u8],
    index: &[usize],
    last: bool,
    offset_of: &dyn Fn(usize) -> usize,
    out: &mut [u8],
    sink: &mut dyn FnMut(&[u8]),
) -> Result<(), SmsError> {
    let at = |i: usize| SmsError::InvalidBase64 {
        offset: offset_of(index.get(i).or(index.last()).copied().unwrap_or(0)),
    };
    if !last {
        if let Some(p) = chunk.iter().position(|&b| b == b'=') {
            return Err(at(p));
        }
    }
    match STANDARD.decode_slice(chunk, out) {
        Ok(len) => {
            sink(out.get(..len).unwrap_or_default());
            Ok(())
        }
        Err(DecodeSliceError::DecodeError(
            DecodeError::InvalidByte(i, _) | DecodeError::InvalidLastSymbol(i, _),
        )) => Err(at(i)),
        // A length or padding problem shows at the end.
        Err(_) => Err(at(chunk.len().saturating_sub(1))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn un(raw: &str) -> Result<String, (usize, EscapeProblem)> {
        unescape(raw).map(Cow::into_owned)
    }

    #[test]
    fn escapes_decode() {
        assert!(matches!(unescape("plain 🙂 text"), Ok(Cow::Borrowed(_))));
        assert_eq!(
            un("a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;").unwrap(),
            "a & b <c> \"d\" 'e'"
        );
        assert_eq!(un("x&#10;y&#13;&#10;z&#x9;").unwrap(), "x\ny\r\nz\t");
        assert_eq!(un("&#x1F642;&#128578;").unwrap(), "🙂🙂");
        // The app's emoji: UTF-16 surrogates as two references.
        assert_eq!(un("ok &#55357;&#56898;!").unwrap(), "ok 🙂!");
        assert_eq!(un("&#xD83D;&#xDE42;").unwrap(), "🙂");
        // Literal line breaks are end-of-line normalised, not turned into spaces.
        assert_eq!(un("a\r\nb\rc\nd\te").unwrap(), "a\nb\nc\nd\te");
        assert_eq!(un("&#0;&#1;").unwrap(), "\0\u{1}");
        assert_eq!(un("&#000065;").unwrap(), "A");
    }

    #[test]
    fn bad_escapes_name_their_index() {
        use EscapeProblem::*;
        assert_eq!(un("ab &nbsp; c"), Err((3, UnknownEntity)));
        assert_eq!(un("ab &xxe;"), Err((3, UnknownEntity)));
        assert_eq!(un("a & b"), Err((2, Malformed)));
        assert_eq!(un("a &amp b"), Err((2, Malformed)));
        assert_eq!(un("a < b"), Err((2, Malformed)));
        assert_eq!(un("&#;"), Err((0, BadCharRef)));
        assert_eq!(un("&#x;"), Err((0, BadCharRef)));
        assert_eq!(un("&#X41;"), Err((0, BadCharRef)));
        assert_eq!(un("&#65"), Err((0, BadCharRef)));
        assert_eq!(un("&#x110000;"), Err((0, BadCharRef)));
        assert_eq!(un(&format!("&#{};", "9".repeat(100))), Err((0, BadCharRef)));
        // Lone or misordered surrogates.
        assert_eq!(un("a&#55357;"), Err((1, BadCharRef)));
        assert_eq!(un("a&#55357;b&#56898;"), Err((1, BadCharRef)));
        assert_eq!(un("a&#56898;"), Err((1, BadCharRef)));
        assert_eq!(un("&#55357;&#55357;&#56898;"), Err((0, BadCharRef)));
        assert_eq!(un("&#55357;&amp;"), Err((0, BadCharRef)));
        assert_eq!(un("&#55357;\r"), Err((0, BadCharRef)));
    }

    #[test]
    fn many_ampersands_cost_linear_time() {
        let raw = "&".repeat(1 << 20);
        assert_eq!(un(&raw), Err((0, EscapeProblem::Malformed)));
        let raw = "&amp;".repeat(200_000);
        assert_eq!(un(&raw).unwrap().len(), 200_000);
    }

    fn b64(text: &str) -> Result<Vec<u8>, SmsError> {
        decode_base64(text.as_bytes(), 0..text.len())
    }

    #[test]
    fn base64_decodes_across_pieces_and_white_space() {
        let bytes: Vec<u8> = (0..20_000u32).map(|i| (i * 7 % 256) as u8).collect();
        for n in [0, 1, 2, 3, 3071, 3072, 3073, 6144, 20_000] {
            let slice = bytes.get(..n).unwrap();
            let text = STANDARD.encode(slice);
            assert_eq!(b64(&text).unwrap(), slice, "{n}");
            // Wrapped at 76 like Android's encoder, with CRLF and spaces too.
            let wrapped: Vec<String> = text
                .as_bytes()
                .chunks(76)
                .map(|c| String::from_utf8(c.to_vec()).unwrap())
                .collect();
            assert_eq!(b64(&wrapped.join("\n")).unwrap(), slice, "{n}");
            assert_eq!(
                b64(&format!(" {} \r\n", wrapped.join("\r\n "))).unwrap(),
                slice
            );
        }
    }

    #[test]
    fn bad_base64_names_the_byte() {
        assert_eq!(b64("QUJD*EVG"), Err(SmsError::InvalidBase64 { offset: 4 }));
        assert_eq!(
            b64("QU\nJD\n*EVG"),
            Err(SmsError::InvalidBase64 { offset: 6 })
        );
        // Length and padding problems name the last character.
        assert_eq!(b64("QUJDR"), Err(SmsError::InvalidBase64 { offset: 4 }));
        assert_eq!(b64("QQ=="), Ok(b"A".to_vec()));
        assert!(b64("QQ").is_err());
        assert!(b64("QQ==QUJD").is_err());
        // Padding at the end of a full piece with more after it.
        let mut text = "A".repeat(CHUNK - 2);
        text.push_str("==");
        assert_eq!(b64(&text).unwrap().len(), (CHUNK - 4) / 4 * 3 + 1);
        text.push_str("QUJD");
        assert_eq!(
            b64(&text),
            Err(SmsError::InvalidBase64 { offset: CHUNK - 2 })
        );
        // Offsets count from the start of the input, not the range.
        let input = b"xxxxQUJD*EVG";
        assert_eq!(
            decode_base64(input, 4..input.len()),
            Err(SmsError::InvalidBase64 { offset: 8 })
        );
        assert_eq!(
            decode_base64(input, 4..100),
            Err(SmsError::InvalidBase64 { offset: 4 })
        );
        assert_eq!(decode_base64(b"", 0..0), Ok(Vec::new()));
    }

    #[test]
    fn every_sentence_is_one_plain_sentence_with_its_numbers() {
        let all = [
            (SmsError::NotUtf8 { offset: 17 }, "17"),
            (SmsError::Empty, "empty"),
            (SmsError::NotXml { line: 2 }, "line 2 "),
            (SmsError::Malformed { line: 3 }, "Line 3 "),
            (SmsError::DocType { line: 4 }, "Line 4 "),
            (SmsError::WrongEncoding { line: 5 }, "Line 5 "),
            (SmsError::UnknownEntity { line: 6 }, "Line 6 "),
            (SmsError::BadCharacterReference { line: 7 }, "Line 7 "),
            (SmsError::NotSmsBackup { line: 8 }, "line 8"),
            (SmsError::CallLog { line: 1 }, "call log"),
            (
                SmsError::MissingField {
                    line: 9,
                    field: Field::Date,
                },
                "Line 9 of the backup has no date",
            ),
            (
                SmsError::InvalidField {
                    line: 10,
                    field: Field::Type,
                },
                "message type (sent or received)",
            ),
            (SmsError::NoMessages { line: 11 }, "line 11"),
            (
                SmsError::CountMismatch {
                    line: 12,
                    expected: 40,
                    found: 39,
                },
                "40 messages but 39",
            ),
            (SmsError::InvalidBase64 { offset: 13 }, "byte 13 "),
            (SmsError::Truncated { line: 14 }, "line 14 "),
            (SmsError::TooDeep { line: 15 }, "Line 15 "),
            (SmsError::Unexpected { line: 16 }, "Line 16 "),
            (SmsError::TooLarge { line: 17 }, "Line 17 "),
        ];
        let mut codes = Vec::new();
        for (e, needle) in &all {
            let s = e.to_string();
            assert!(s.ends_with(", so nothing was imported."), "{s}");
            assert!(s.starts_with(char::is_uppercase), "{s}");
            assert!(s.contains(needle), "{s} lacks {needle}");
            assert!(!s.trim_end_matches('.').contains(". "), "{s}");
            assert!(e.code().starts_with("import_sms_"));
            codes.push(e.code());
        }
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len(), "{codes:?}");
    }

    #[test]
    fn field_codes_are_distinct() {
        let mut codes = [
            Field::Count,
            Field::Date,
            Field::Type,
            Field::Address,
            Field::AddressType,
            Field::Sender,
        ]
        .map(|f| f.code());
        codes.sort_unstable();
        assert!(codes.windows(2).all(|w| w[0] != w[1]));
    }

    #[test]
    fn lines_count_forward_and_back() {
        let mut lines = Lines {
            bytes: b"a\nb\r\nc\n\nd",
            pos: 0,
            line: 1,
        };
        assert_eq!(lines.at(0), 1);
        assert_eq!(lines.at(2), 2);
        assert_eq!(lines.at(5), 3);
        assert_eq!(lines.at(1), 1);
        assert_eq!(lines.at(100), 5);
        assert_eq!(lines.last(), 5);
    }
}
