//! Email, parsed into messages: one `.eml` file, or an `.mbox` mailbox of many.
//!
//! # The formats
//!
//! - **`.eml`**: one message as it travelled (RFC 5322 headers, a blank line, the
//!   body, MIME parts inside). What "Save as" or "Download message" gives in most
//!   mail programs. Its first line must be a header (`Name: value`); anything else
//!   (a PDF, a photo, a letter typed into a text file) is refused as
//!   [`EmailError::NotAnEmail`].
//! - **`.mbox`**: many messages in one file (Thunderbird's folders, Google
//!   Takeout, Apple Mail's export, Unix mail spools). Each message starts with a
//!   separator line `From <sender> <date>` (the sender is one word; the date is
//!   `asctime`'s `Mon Jan  1 10:00:00 2024`, some tools put a `+0000` zone before
//!   the year). A file starting with `From ` is read as a mailbox (unless the line
//!   is the obsolete header spelling `From : …`).
//!
//! ## How a mailbox is split
//!
//! A separator is a line that starts with `From ` (capital F, a space) at the start
//! of the file or right after a blank line, as both variants write them (mboxo and
//! mboxrd); the blank line before a separator is the mailbox's, not the message's,
//! and so is one blank line at the very end of the file. Nothing else about the
//! separator is checked: a body line starting `From ` after a blank line that a
//! careless program left unescaped starts a new "message", which then has no
//! headers and is refused, naming its line — a mailbox is never silently merged
//! or split.
//!
//! Body lines that start with `From ` are written escaped as `>From `. This parser
//! undoes the **mboxrd** escaping: one `>` is removed from every line that is one or
//! more `>` followed by `From ` (so `>>From ` reads `>From `). An mboxo writer
//! escapes `From ` the same way but leaves `>From ` alone, so in a mboxo file a
//! line the person typed as `>From ` also loses its `>`; the two variants cannot be
//! told apart from the file. Lines are counted as the file has them, `\n` or `\r\n`
//! ends alike.
//!
//! # How a message is read
//!
//! MIME is parsed by [`mail_parser`] (Stalwart Labs); on top of it:
//!
//! - [`Msg::sender`] is the `From` header as `Name <address>`, or just the address
//!   when it has no name (several addresses are joined with `, `); empty when there
//!   is no `From`. Names are decoded (RFC 2047 encoded words) and trimmed.
//! - [`Msg::recipients`] is every address of every `To` header, then of every `Cc`
//!   header, in the same form (groups are flattened into their members). `Bcc` is
//!   not read.
//! - [`Msg::subject`] is the decoded `Subject` (encoded words undone), empty when
//!   there is none.
//! - [`Msg::conversation`] is the thread (see below); [`NO_SUBJECT`] when its
//!   subject is empty.
//! - [`Msg::source_id`] is the `Message-ID` without its angle brackets, empty when
//!   there is none.
//! - [`Msg::text`] is the text of the body: every `text/plain` part that is the
//!   message's text (in a `multipart/alternative`, the plain version). When a
//!   message has only HTML, its text is taken out of the HTML here (not by
//!   mail-parser, which lets `<script type=…>` through): tags, comments,
//!   declarations and the contents of `<script>`, `<style>`, `<template>`,
//!   `<title>` and `<xml>` (Outlook's) are dropped — an element of these left open
//!   drops the rest, as a browser would show nothing of it —, entities (`&amp;`,
//!   `&#233;`) decoded, runs of spaces folded (not inside `<pre>`), table cells
//!   separated by a space, and `<br>`, `<p>`, `<div>`, list items, table rows and
//!   headings end lines. `<noscript>` is kept: mail programs run no scripts, so
//!   they show it. Raw HTML is never kept as text. Several text parts are joined with a blank line between.
//!   Line ends become `\n` (email travels with `\r\n`, which is not part of what
//!   anyone wrote) and the line ends at the very end of the text are removed; every
//!   other character, trailing spaces included, is kept. `format=flowed` is not
//!   undone.
//! - [`Msg::attachments`] are every other part: files, inline images, calendar
//!   invitations, a text file sent as an attachment, each as [`Content::Bytes`]
//!   with the transfer encoding (base64, quoted-printable) undone and no charset
//!   conversion, so the bytes are the file that was sent. The name is the
//!   `Content-Disposition` `filename`, else the `Content-Type` `name` (RFC 2231 and
//!   encoded words decoded), as the sender gave it; when there is none it is
//!   `attachment-N` (N counting the message's attachments from 1) with an
//!   extension for its media type (`attachment-2.pdf`). The media type is the
//!   `Content-Type`'s `type/subtype`, lower case, empty when not declared.
//! - A forwarded message attached whole (`message/rfc822`) is one attachment of its
//!   bytes as they are in the email (not split into its own parts), named by its
//!   `filename` or else `<its subject>.eml` (characters that would make a path
//!   replaced by `_`), or `message-N.eml` when it has no subject.
//! - [`Msg::kind`] is [`MessageKind::Attachment`] when the message has attachments,
//!   [`MessageKind::Text`] otherwise.
//! - [`Msg::line`] is 1 for an `.eml` and the separator line for a mailbox's
//!   message.
//!
//! When a header appears more than once, the last one counts (mail-parser's rule),
//! except `To` and `Cc`, which are all read.
//!
//! ## Character sets
//!
//! Text is decoded by the charset the part declares (`ISO-8859-1`, `Windows-1252`,
//! `KOI8-R`, `Shift_JIS`, `GB18030`, UTF-7, UTF-16 … — mail-parser with
//! encoding_rs); bytes that are not valid in it become U+FFFD, and an unknown or
//! missing charset is read as UTF-8 the same way. Raw 8-bit bytes in headers (which
//! RFC 6532 allows as UTF-8, and old mailers wrote in their local charset) are read
//! as UTF-8, invalid sequences as U+FFFD. None of this refuses a message: a badly
//! labelled email is still evidence. Its attachments are bytes and are never
//! decoded.
//!
//! ## Threads
//!
//! Messages are grouped by `References` and `In-Reply-To`: a message, the
//! `Message-ID`s it names and the messages with those ids are one thread, even
//! through an id whose message is not in the import (two replies to a message that
//! was deleted are still one thread). A thread's root is its message that names no
//! other message of the import (the earliest sent when several do; the earliest
//! sent of all when none does), and every message of the thread has as its
//! conversation the root's subject cleaned by [`thread_subject`]: leading `Re:`,
//! `Fwd:`, `FW:`, `AW:`, `WG:`, `Sv:` and the like removed, however many and in any
//! case, with their counters (`Re[2]:`). A message no other message links to is its
//! own thread, with its own cleaned subject; so replies whose headers were lost
//! still join a thread of the same subject by name.
//!
//! # Times
//!
//! [`Msg::sent_at`] is the `Date` header, read by this module (RFC 5322 and its
//! obsolete forms: day names optional, one- or two-digit days, two- or three-digit
//! years as 19xx/20xx, seconds optional, comments ignored), as
//! [`SentAt::Instant`] with exactly the offset the header writes: `+0530` stays
//! `+05:30`, `-0000` and `+0000` are UTC, and `UT`, `UTC`, `GMT`, `Z`, `EST`/`EDT`,
//! `CST`/`CDT`, `MST`/`MDT`, `PST`/`PDT` have their RFC 5322 offsets. A date with
//! no zone, or with a zone name this module does not know (`CET`, `BST`, military
//! letters — RFC 5322 says their meaning cannot be trusted), is the wall-clock time
//! as written, [`SentAt::Local`]: guessing a zone would misstate the moment.
//!
//! When there is no `Date` header, or it cannot be read (no such day, a time like
//! 25:00 or a 60th second, an offset past ±23:59, a shape that is not a date), a
//! mailbox message takes
//! the date of its separator line as UTC (most tools write it in UTC; its own zone
//! is used when it gives one, as Google Takeout's `+0000` does). A message with no
//! date anywhere is refused, [`EmailError::NoDate`]: a message without a time
//! cannot be placed in a timeline.
//!
//! # What is refused
//!
//! The whole file, naming the line, when: it is empty; its first line (or a
//! mailbox message's first line) is not a header; a message has neither `From` nor
//! `Date`, or cannot be parsed; a message has no date; a message is larger than
//! [`MAX_MESSAGE_BYTES`]; a message has more than [`MAX_PARTS`] MIME parts or nests
//! them deeper than [`MAX_DEPTH`] (MIME bombs); a header line is longer than
//! [`MAX_HEADER_LINE_BYTES`]; a multipart boundary is longer than
//! [`MAX_BOUNDARY_BYTES`]. The structure is measured before mail-parser builds
//! anything, by walking the message with mail-parser's own stream functions in the
//! order its parser calls them, so a hostile message costs time in proportion to
//! its size and nothing more. mail-parser runs under `catch_unwind`: should it
//! panic (its debug assertions and overflow checks, in debug builds), the message
//! is [`EmailError::Unreadable`].
//!
//! ## Cut short
//!
//! A mailbox whose last message was cut short (a copy that stopped, a disk that
//! filled) is read as far as it goes, since the separator lines cannot say how long
//! a message was meant to be: a header block that stops is the headers there are;
//! a multipart that is never closed ends where the file does; a text part cut short
//! is the text there is (mail-parser files it as an attachment; with no other text
//! it is read as the text here); an attachment cut short is the bytes its encoding
//! gives as far as it goes (base64 decoded up to the cut, never the encoded text).
//! Only a message that then has no sender and no date, or no date, is refused.

use std::borrow::Cow;
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

use mail_parser::decoders::charsets::map::charset_decoder;
use mail_parser::parsers::MessageStream;
use mail_parser::{
    Addr, Address, ContentType, Encoding, Header, HeaderName, HeaderValue, Message, MessageParser,
    MessagePart, MimeHeaders, PartType,
};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use crate::model::{Attachment, Content, Export, MessageKind, Msg, SentAt};

/// The largest message read, in bytes (64 MiB): more than any mail service sends
/// (Gmail and Outlook stop at 25–35 MB with attachments encoded). A mailbox may be
/// any size; each message in it is held to this.
pub const MAX_MESSAGE_BYTES: usize = 64 << 20;

/// The most MIME parts (the message itself, every multipart and every leaf,
/// forwarded messages' parts included) one message may have. Real email has a few,
/// a digest a few hundred; tens of thousands are a MIME bomb.
pub const MAX_PARTS: usize = 10_000;

/// The deepest MIME nesting (multiparts and forwarded messages inside each other)
/// one message may have; Postfix refuses deeper by default too.
pub const MAX_DEPTH: usize = 100;

/// The longest header line, in bytes, line end excluded (1 MiB). RFC 5322 allows
/// 998; some mailers do not fold long recipient lists, but nothing writes a header
/// line of a megabyte.
pub const MAX_HEADER_LINE_BYTES: usize = 1 << 20;

/// The longest multipart boundary, in bytes. RFC 2046 allows 70; mail-parser
/// compares the boundary at every `--` of the body, so a boundary of megabytes
/// would make a small message take hours.
pub const MAX_BOUNDARY_BYTES: usize = 200;

/// The conversation of a thread whose subject is empty.
pub const NO_SUBJECT: &str = "(no subject)";

/// Why an email import refused a file. Nothing is imported when any of these is
/// returned. Each has a stable [`code`](EmailError::code) and a `Display` that is
/// one plain sentence naming where it went wrong, never quoting the email.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EmailError {
    /// The file is empty, or holds only blank lines and spaces.
    #[error("The email file is empty, so nothing was imported.")]
    Empty,
    /// The first line is not an email header (the file is something else), or a
    /// message has neither a sender nor a date.
    #[error("Line {line} of the file is not the start of an email, so nothing was imported.")]
    NotAnEmail {
        /// 1-based line where the email should have started (for a mailbox, its
        /// separator line).
        line: u64,
    },
    /// mail-parser could not read the message at all.
    #[error(
        "The email that starts on line {line} of the file cannot be read, so nothing was imported."
    )]
    Unreadable {
        /// 1-based line where the message starts.
        line: u64,
    },
    /// The message has no `Date` that can be read, and no mailbox separator date.
    #[error("The email that starts on line {line} of the file has no date that can be read, so nothing was imported.")]
    NoDate {
        /// 1-based line where the message starts.
        line: u64,
    },
    /// The message is larger than [`MAX_MESSAGE_BYTES`].
    #[error("The email that starts on line {line} of the file is larger than the 64 MB an email can be, so nothing was imported.")]
    TooLarge {
        /// 1-based line where the message starts.
        line: u64,
    },
    /// The message has more than [`MAX_PARTS`] parts.
    #[error("The email that starts on line {line} of the file is made of more than 10,000 parts, which no real email is, so nothing was imported.")]
    TooManyParts {
        /// 1-based line where the message starts.
        line: u64,
    },
    /// The message nests parts deeper than [`MAX_DEPTH`].
    #[error("The email that starts on line {line} of the file has parts inside parts more than 100 deep, which no real email has, so nothing was imported.")]
    NestedTooDeep {
        /// 1-based line where the message starts.
        line: u64,
    },
    /// A multipart boundary is longer than [`MAX_BOUNDARY_BYTES`].
    #[error("The email that starts on line {line} of the file separates its parts in a way no mail program does, so nothing was imported.")]
    BoundaryTooLong {
        /// 1-based line where the message starts.
        line: u64,
    },
    /// A header line is longer than [`MAX_HEADER_LINE_BYTES`].
    #[error("Line {line} of the file is a header far longer than any email has, so nothing was imported.")]
    HeaderTooLong {
        /// 1-based line of the header line (for a header inside a forwarded message
        /// that was itself encoded, the line where the outer message starts).
        line: u64,
    },
}

impl EmailError {
    /// A stable, machine-readable code for this error (shells map on it, never on
    /// text).
    pub fn code(&self) -> &'static str {
        match self {
            EmailError::Empty => "import_email_empty",
            EmailError::NotAnEmail { .. } => "import_email_not_an_email",
            EmailError::Unreadable { .. } => "import_email_unreadable",
            EmailError::NoDate { .. } => "import_email_no_date",
            EmailError::TooLarge { .. } => "import_email_too_large",
            EmailError::TooManyParts { .. } => "import_email_too_many_parts",
            EmailError::NestedTooDeep { .. } => "import_email_nested_too_deep",
            EmailError::BoundaryTooLong { .. } => "import_email_boundary_too_long",
            EmailError::HeaderTooLong { .. } => "import_email_header_too_long",
        }
    }
}

/// Parses an `.eml` file or an `.mbox` mailbox (a file starting with `From `).
///
/// `bytes` is the file as read (a UTF-8 byte-order mark is skipped). Every message
/// is returned, in the file's order, with its attachments; or the whole file is
/// refused with the line where it went wrong (see the [module docs](self) for the
/// mapping, the time rules and the limits).
pub fn parse(bytes: &[u8]) -> Result<Export, EmailError> {
    let input = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if input.iter().all(u8::is_ascii_whitespace) {
        return Err(EmailError::Empty);
    }
    let mut reader = Reader::default();
    let first = input.split(|&b| b == b'\n').next().unwrap_or_default();
    // `From : …` (obsolete spacing) is a header, not a separator.
    if input.starts_with(b"From ") && !is_header_line(strip_eol(first)) {
        for piece in split_mbox(input) {
            reader.read(piece)?;
        }
    } else {
        reader.read(Piece {
            line: 1,
            separator: None,
            bytes: input,
        })?;
    }
    Ok(reader.finish())
}

/// A subject with its reply and forward markers removed: the thread's name.
///
/// Leading `Re`, `Fw`, `Fwd` (English), `AW`, `WG` (German), `Sv`, `Vs`
/// (Scandinavian), `Antw`, `Doorst` (Dutch), `Tr` (French), `RV`, `Enc`, `Res`
/// (Spanish, Portuguese), `Rif` (Italian), `Odp`, `PD` (Polish), `YNT` (Turkish)
/// and `回复`, `转发`, `回覆`, `轉寄` (Chinese) are removed, in any case, any number
/// of times, each with an optional counter (`Re[2]`, `Re(3)`) and spaces before
/// its colon (`:` or `：`). Surrounding spaces are trimmed.
///
/// ```
/// use cairn_import::email::thread_subject;
/// assert_eq!(thread_subject("RE: Fwd: re[2]: AW:Plans"), "Plans");
/// assert_eq!(thread_subject("Re: "), "");
/// assert_eq!(thread_subject("Regarding: the car"), "Regarding: the car");
/// ```
pub fn thread_subject(subject: &str) -> &str {
    const PREFIXES: [&str; 18] = [
        "re", "fw", "fwd", "aw", "wg", "sv", "vs", "antw", "doorst", "tr", "rv", "enc", "res",
        "rif", "odp", "pd", "ynt", "ilt",
    ];
    const CJK: [&str; 4] = ["回复", "转发", "回覆", "轉寄"];
    let mut s = subject.trim();
    loop {
        let word_end = s.find(|c: char| !c.is_alphabetic()).unwrap_or(s.len());
        let (word, mut rest) = s.split_at_checked(word_end).unwrap_or((s, ""));
        let known = PREFIXES.iter().any(|p| p.eq_ignore_ascii_case(word)) || CJK.contains(&word);
        if word.is_empty() || !known {
            break;
        }
        for (open, close) in [('[', ']'), ('(', ')')] {
            if let Some(inner) = rest.trim_start_matches([' ', '\t']).strip_prefix(open) {
                if let Some((digits, after)) = inner.split_once(close) {
                    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                        rest = after;
                    }
                }
            }
        }
        let rest = rest.trim_start_matches([' ', '\t']);
        match rest.strip_prefix([':', '：']) {
            Some(after) => s = after.trim_start(),
            None => break,
        }
    }
    s.trim_end()
}

// ---------------------------------------------------------------------------------
// Splitting a mailbox

/// One message's bytes and where it is in the file.
#[derive(Debug, Clone, Copy)]
struct Piece<'a> {
    /// 1-based line where it starts (its separator, or 1 for an `.eml`).
    line: u64,
    /// The mailbox separator line (line end removed), for a mailbox's message.
    separator: Option<&'a [u8]>,
    /// The message, separator and the mailbox's blank line excluded, still escaped.
    bytes: &'a [u8],
}

/// A line without its `\n` or `\r\n`.
fn strip_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Splits a mailbox at its separators (see the module docs), in one pass.
fn split_mbox(input: &[u8]) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    // (line, separator, where its message starts)
    let mut open: Option<(u64, &[u8], usize)> = None;
    let mut previous_blank = true;
    let mut pos = 0usize;
    let mut line = 0u64;
    for raw in input.split_inclusive(|&b| b == b'\n') {
        line += 1;
        let content = strip_eol(raw);
        if previous_blank && content.starts_with(b"From ") {
            if let Some((l, separator, start)) = open.take() {
                pieces.push(Piece {
                    line: l,
                    separator: Some(separator),
                    bytes: without_final_blank_line(input.get(start..pos).unwrap_or_default()),
                });
            }
            open = Some((line, content, pos + raw.len()));
        }
        previous_blank = content.is_empty();
        pos += raw.len();
    }
    if let Some((l, separator, start)) = open {
        pieces.push(Piece {
            line: l,
            separator: Some(separator),
            bytes: without_final_blank_line(input.get(start..).unwrap_or_default()),
        });
    }
    pieces
}

/// Removes the mailbox's blank line at the end of a message, if there is one.
fn without_final_blank_line(bytes: &[u8]) -> &[u8] {
    let Some(without) = bytes.strip_suffix(b"\n") else {
        return bytes;
    };
    let without = without.strip_suffix(b"\r").unwrap_or(without);
    if without.is_empty() || without.ends_with(b"\n") {
        without
    } else {
        bytes
    }
}

/// Whether a line is mboxrd-escaped: one or more `>` and then `From `.
fn is_escaped_from(line: &[u8]) -> bool {
    let quotes = line.iter().take_while(|&&b| b == b'>').count();
    quotes > 0 && line.get(quotes..).is_some_and(|l| l.starts_with(b"From "))
}

/// Undoes mboxrd's `>From ` escaping (one `>` off each escaped line).
fn unescape(bytes: &[u8]) -> Cow<'_, [u8]> {
    let lines = || bytes.split_inclusive(|&b| b == b'\n');
    if !lines().any(is_escaped_from) {
        return Cow::Borrowed(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len());
    for line in lines() {
        let keep = if is_escaped_from(line) {
            line.get(1..).unwrap_or_default()
        } else {
            line
        };
        out.extend_from_slice(keep);
    }
    Cow::Owned(out)
}

/// Whether a line is shaped like a header's first line: a field name of printable
/// ASCII other than `:`, optional spaces, then `:`.
fn is_header_line(line: &[u8]) -> bool {
    let name = line
        .iter()
        .take_while(|&&b| b.is_ascii_graphic() && b != b':')
        .count();
    let rest = line.get(name..).unwrap_or_default();
    let rest = rest.trim_ascii_start();
    name > 0 && rest.starts_with(b":")
}

// ---------------------------------------------------------------------------------
// Reading messages

/// What threading needs of a message.
#[derive(Debug)]
struct ThreadInfo {
    /// Its `Message-ID`, empty when none.
    id: String,
    /// The ids it names in `References` and `In-Reply-To`.
    refs: Vec<String>,
    /// Its subject, cleaned.
    base: String,
    /// When it was sent, for choosing a root (UTC seconds; wall-clock times as if
    /// UTC).
    when: i64,
}

/// One message read, before it joins the export.
struct Parsed {
    msg: Msg,
    attachments: Vec<Attachment>,
    thread: ThreadInfo,
}

#[derive(Default)]
struct Reader {
    export: Export,
    threads: Vec<ThreadInfo>,
}

impl Reader {
    fn read(&mut self, piece: Piece<'_>) -> Result<(), EmailError> {
        let line = piece.line;
        if piece.bytes.len() > MAX_MESSAGE_BYTES {
            return Err(EmailError::TooLarge { line });
        }
        // The message's own first line, for naming header lines.
        let first_line = if piece.separator.is_some() {
            line + 1
        } else {
            line
        };
        let raw = match piece.separator {
            Some(_) => unescape(piece.bytes),
            None => Cow::Borrowed(piece.bytes),
        };
        let first = raw.split(|&b| b == b'\n').next().unwrap_or_default();
        if !is_header_line(strip_eol(first)) {
            return Err(EmailError::NotAnEmail { line });
        }
        // mail-parser is not ours and has debug assertions and arithmetic that can
        // overflow on hostile input in debug builds; a panic in it must refuse the
        // message, not take the program down.
        let parsed = catch_unwind(AssertUnwindSafe(|| {
            read_message(&raw, line, first_line, piece.separator)
        }))
        .unwrap_or(Err(EmailError::Unreadable { line }))?;
        let base = self.export.attachments.len();
        let mut msg = parsed.msg;
        msg.attachments = (base..base + parsed.attachments.len()).collect();
        self.export.attachments.extend(parsed.attachments);
        self.export.messages.push(msg);
        self.threads.push(parsed.thread);
        Ok(())
    }

    fn finish(mut self) -> Export {
        let conversations = threads(&self.threads);
        for (m, c) in self.export.messages.iter_mut().zip(conversations) {
            m.conversation = c;
        }
        self.export
    }
}

fn read_message(
    raw: &[u8],
    line: u64,
    first_line: u64,
    separator: Option<&[u8]>,
) -> Result<Parsed, EmailError> {
    let mut parts = 0usize;
    let top = Where {
        line,
        first_line: Some(first_line),
    };
    measure(raw, ENCODED_NESTING, 0, &mut parts, top)?;
    let message = MessageParser::default()
        .parse(raw)
        .ok_or(EmailError::Unreadable { line })?;
    let parsed = extract(&message, raw, line, separator);
    dismantle(message);
    parsed
}

/// Drops a message one nesting level at a time, so a deep chain of forwarded
/// messages cannot exhaust the stack in drop glue.
fn dismantle(message: Message<'_>) {
    let mut stack = vec![message];
    while let Some(mut m) = stack.pop() {
        for part in &mut m.parts {
            if let PartType::Message(inner) = std::mem::take(&mut part.body) {
                stack.push(inner);
            }
        }
    }
}

/// The last header of this name, as mail-parser reads one.
fn last<'a, 'x>(headers: &'a [Header<'x>], name: &HeaderName<'_>) -> Option<&'a Header<'x>> {
    headers.iter().rev().find(|h| h.name == *name)
}

fn extract(
    message: &Message<'_>,
    raw: &[u8],
    line: u64,
    separator: Option<&[u8]>,
) -> Result<Parsed, EmailError> {
    let headers: &[Header<'_>] = message.parts.first().map_or(&[], |p| p.headers.as_slice());
    let from = last(headers, &HeaderName::From);
    let date = last(headers, &HeaderName::Date);
    if from.is_none() && date.is_none() {
        return Err(EmailError::NotAnEmail { line });
    }

    let sender = from
        .map(|h| addresses(&h.value).join(", "))
        .unwrap_or_default();
    let mut recipients = Vec::new();
    for name in [HeaderName::To, HeaderName::Cc] {
        for h in headers.iter().filter(|h| h.name == name) {
            recipients.extend(addresses(&h.value));
        }
    }
    let subject = last(headers, &HeaderName::Subject)
        .and_then(|h| h.value.as_text())
        .unwrap_or_default()
        .to_owned();
    let source_id = last(headers, &HeaderName::MessageId)
        .and_then(|h| h.value.as_text())
        .unwrap_or_default()
        .to_owned();
    let mut refs = Vec::new();
    for name in [HeaderName::References, HeaderName::InReplyTo] {
        if let Some(list) = last(headers, &name).and_then(|h| h.value.as_text_list()) {
            refs.extend(list.iter().map(|r| r.to_string()));
        }
    }

    let from_date = date
        .and_then(|h| raw.get(h.offset_start as usize..h.offset_end as usize))
        .and_then(parse_date_header);
    let sent_at = match from_date {
        Some(at) => at,
        None => separator
            .and_then(separator_date)
            .map(SentAt::Instant)
            .ok_or(EmailError::NoDate { line })?,
    };
    let when = match sent_at {
        SentAt::Instant(t) => t.unix_timestamp(),
        SentAt::Local(t) => t.assume_utc().unix_timestamp(),
    };

    let mut text = body_text(message, raw);
    // A text part cut short (the last message of a truncated mailbox) is one
    // mail-parser files as an attachment; with no other text, it is the text.
    let mut cut_text = None;
    if text.is_empty() {
        cut_text = message
            .attachments
            .iter()
            .copied()
            .find(|&id| message.parts.get(id as usize).is_some_and(is_damaged_text));
        if let Some(id) = cut_text {
            text = part_texts(message, raw, &[id]).join("");
            if text.is_empty() {
                cut_text = None;
            }
        }
    }
    let attachments = attachments(message, raw, cut_text);
    let kind = if attachments.is_empty() {
        MessageKind::Text
    } else {
        MessageKind::Attachment
    };
    let base = thread_subject(&subject).to_owned();
    Ok(Parsed {
        msg: Msg {
            line,
            source_id: source_id.clone(),
            conversation: String::new(),
            sender,
            recipients,
            sent_at,
            subject,
            text,
            kind,
            attachments: Vec::new(),
        },
        attachments,
        thread: ThreadInfo {
            id: source_id,
            refs,
            base,
            when,
        },
    })
}

/// Every address of an address header, as `Name <address>` or `address`.
fn addresses(value: &HeaderValue<'_>) -> Vec<String> {
    match value {
        HeaderValue::Address(a) => address_list(a),
        // mail-parser keeps a header it could not read as addresses as text.
        HeaderValue::Text(t) if !t.trim().is_empty() => vec![t.trim().to_owned()],
        _ => Vec::new(),
    }
}

fn address_list(a: &Address<'_>) -> Vec<String> {
    a.iter().filter_map(format_address).collect()
}

fn format_address(a: &Addr<'_>) -> Option<String> {
    let name = a.name().map(str::trim).unwrap_or_default();
    let address = a.address().map(str::trim).unwrap_or_default();
    match (name.is_empty(), address.is_empty()) {
        (false, false) => Some(format!("{name} <{address}>")),
        (true, false) => Some(address.to_owned()),
        (false, true) => Some(name.to_owned()),
        (true, true) => None,
    }
}

/// The message's text (see the module docs).
fn body_text(message: &Message<'_>, raw: &[u8]) -> String {
    let mut texts = part_texts(message, raw, &message.text_body);
    if texts.is_empty() {
        texts = part_texts(message, raw, &message.html_body);
    }
    texts.join("\n\n")
}

/// The non-empty texts of these text and HTML parts.
fn part_texts(message: &Message<'_>, raw: &[u8], ids: &[u32]) -> Vec<String> {
    ids.iter()
        .filter_map(|&id| {
            let part = message.parts.get(id as usize)?;
            // A damaged HTML part comes as `Text`; its type still says HTML.
            let html = part.is_content_type("text", "html");
            match &part.body {
                PartType::Text(t) if !html => Some(normalize_text(&part_text(raw, part, t))),
                PartType::Text(h) | PartType::Html(h) => {
                    Some(html_to_text(&part_text(raw, part, h)))
                }
                _ => None,
            }
        })
        .filter(|t| !t.is_empty())
        .collect()
}

/// Whether a part is text that mail-parser found damaged (cut short, or its
/// encoding broken) and that is not a file: no name, not marked as an attachment.
fn is_damaged_text(part: &MessagePart<'_>) -> bool {
    let text_type = part.content_type().is_none_or(|ct| {
        ct.ctype() == "text" && matches!(ct.subtype(), Some("plain" | "html") | None)
    });
    let attached = part
        .content_disposition()
        .is_some_and(ContentType::is_attachment);
    part.is_encoding_problem
        && text_type
        && !attached
        && part.attachment_name().is_none()
        && matches!(part.body, PartType::Text(_) | PartType::Html(_))
}

/// `\r\n` to `\n`, and the line ends at the end removed.
fn normalize_text(t: &str) -> String {
    let t = if t.contains("\r\n") {
        Cow::Owned(t.replace("\r\n", "\n"))
    } else {
        Cow::Borrowed(t)
    };
    t.trim_end_matches('\n').to_owned()
}

/// Every part that is not the text (nor `text_part`, read as the text), as an
/// attachment.
fn attachments(message: &Message<'_>, raw: &[u8], text_part: Option<u32>) -> Vec<Attachment> {
    let mut out = Vec::new();
    for &id in message
        .attachments
        .iter()
        .filter(|&&id| Some(id) != text_part)
    {
        let Some(part) = message.parts.get(id as usize) else {
            continue;
        };
        let n = out.len() + 1;
        let content_type = part.content_type();
        let media_type = match (content_type, &part.body) {
            (Some(ct), _) => media_type(ct),
            (None, PartType::Message(_)) => "message/rfc822".to_owned(),
            (None, _) => String::new(),
        };
        // mail-parser's own bytes, except where it may be wrong: text (which it
        // converted from its charset), forwarded messages (which it parsed) and
        // quoted-printable (see `part_text`).
        let bytes = match &part.body {
            PartType::Multipart(_) => continue,
            PartType::Binary(b) | PartType::InlineBinary(b)
                if declared_encoding(part) != Encoding::QuotedPrintable =>
            {
                b.to_vec()
            }
            _ => transfer_decoded(raw, part),
        };
        let given = part.attachment_name().unwrap_or_default();
        let name = if !given.trim().is_empty() {
            given.to_owned()
        } else if let PartType::Message(inner) = &part.body {
            let subject = inner
                .parts
                .first()
                .and_then(|p| last(&p.headers, &HeaderName::Subject))
                .and_then(|h| h.value.as_text())
                .map(safe_file_stem)
                .unwrap_or_default();
            if subject.is_empty() {
                format!("message-{n}.eml")
            } else {
                format!("{subject}.eml")
            }
        } else {
            match extension(&media_type) {
                Some(ext) => format!("attachment-{n}.{ext}"),
                None => format!("attachment-{n}"),
            }
        };
        out.push(Attachment {
            name,
            media_type,
            content: Content::Bytes(bytes),
        });
    }
    out
}

fn media_type(ct: &ContentType<'_>) -> String {
    match ct.subtype() {
        Some(sub) => format!("{}/{}", ct.ctype(), sub),
        None => ct.ctype().to_owned(),
    }
}

/// The transfer encoding a part declares. mail-parser forgets it (and gives the
/// encoded text) when a part was cut short or damaged, so it is read again here.
fn declared_encoding(part: &MessagePart<'_>) -> Encoding {
    match part.content_transfer_encoding().map(str::trim) {
        Some(e) if e.eq_ignore_ascii_case("base64") => Encoding::Base64,
        Some(e) if e.eq_ignore_ascii_case("quoted-printable") => Encoding::QuotedPrintable,
        _ => Encoding::None,
    }
}

/// A part's bytes with only its transfer encoding undone (no charset conversion),
/// from where the part is in the message; the bytes as they are in the file when
/// they do not decode.
fn transfer_decoded(raw: &[u8], part: &MessagePart<'_>) -> Vec<u8> {
    let Some(body) = raw.get(part.offset_body as usize..part.offset_end as usize) else {
        return part.contents().to_vec();
    };
    let mut stream = MessageStream::new(body);
    let (end, bytes) = match declared_encoding(part) {
        Encoding::Base64 => stream.decode_base64_mime(b""),
        Encoding::QuotedPrintable => stream.decode_quoted_printable_mime(b""),
        Encoding::None => return body.to_vec(),
    };
    if end == usize::MAX {
        body.to_vec()
    } else {
        bytes.into_owned()
    }
}

/// A text part's text. When mail-parser could not undo its transfer encoding (the
/// part was cut short), and always for quoted-printable (mail-parser 0.11 drops the
/// last characters of a part that ends with a soft line break), the encoding is
/// undone here and the charset applied.
fn part_text(raw: &[u8], part: &MessagePart<'_>, text: &str) -> String {
    let redo = match declared_encoding(part) {
        Encoding::QuotedPrintable => true,
        Encoding::Base64 => part.is_encoding_problem,
        Encoding::None => false,
    };
    if !redo {
        return text.to_owned();
    }
    let bytes = transfer_decoded(raw, part);
    let decoder = part
        .content_type()
        .and_then(|ct| ct.attribute("charset"))
        .and_then(|c| charset_decoder(c.as_bytes()));
    match decoder {
        Some(decode) => decode(&bytes),
        None => String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// A subject made safe as a file name: no path separators or control characters,
/// at most 100 characters.
fn safe_file_stem(subject: &str) -> String {
    subject
        .trim()
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .take(100)
        .collect::<String>()
        .trim_matches(['.', ' '])
        .to_owned()
}

/// The usual file extension for a media type, for attachments with no name.
fn extension(media_type: &str) -> Option<&'static str> {
    Some(match media_type {
        "application/pdf" => "pdf",
        "application/zip" => "zip",
        "application/msword" => "doc",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "docx",
        "application/vnd.ms-excel" => "xls",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => "xlsx",
        "application/octet-stream" => "bin",
        "application/json" => "json",
        "image/jpeg" | "image/jpg" | "image/pjpeg" => "jpg",
        "image/png" => "png",
        "image/gif" => "gif",
        "image/webp" => "webp",
        "image/heic" => "heic",
        "image/heif" => "heif",
        "image/bmp" => "bmp",
        "image/tiff" => "tiff",
        "image/svg+xml" => "svg",
        "audio/mpeg" => "mp3",
        "audio/mp4" | "audio/m4a" | "audio/x-m4a" => "m4a",
        "audio/ogg" => "ogg",
        "audio/wav" | "audio/x-wav" => "wav",
        "audio/amr" => "amr",
        "video/mp4" => "mp4",
        "video/quicktime" => "mov",
        "video/3gpp" => "3gp",
        "text/plain" => "txt",
        "text/html" => "html",
        "text/calendar" => "ics",
        "text/vcard" | "text/x-vcard" => "vcf",
        "text/csv" => "csv",
        "message/rfc822" => "eml",
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------
// Measuring a message's structure before mail-parser builds it

/// How many times mail-parser decodes an encoded forwarded message and parses what
/// is inside (its `MAX_NESTED_ENCODED`).
const ENCODED_NESTING: usize = 3;

/// Where a message being measured is, for naming it in errors.
#[derive(Debug, Clone, Copy)]
struct Where {
    line: u64,
    /// The file line of the measured bytes' first line; `None` inside a decoded
    /// forwarded message, which has no lines in the file.
    first_line: Option<u64>,
}

/// What a part is, as far as structure goes (mail-parser's `MimeType`, reduced).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Digest,
    Multipart,
    Message,
    Other,
}

/// mail-parser's `mime_type`: whether the part is a multipart, and its kind.
fn kind_of(ct: Option<&ContentType<'_>>, parent: Kind) -> (bool, Kind) {
    match ct {
        Some(ct) => match ct.ctype() {
            "multipart" => match ct.subtype() {
                Some("digest") => (true, Kind::Digest),
                _ => (true, Kind::Multipart),
            },
            "message" if matches!(ct.subtype(), Some("rfc822" | "global")) => {
                (false, Kind::Message)
            }
            _ => (false, Kind::Other),
        },
        None if parent == Kind::Digest => (false, Kind::Message),
        None => (false, Kind::Other),
    }
}

/// Walks `raw` exactly as mail-parser 0.11's `MessageParser::parse` will (the same
/// stream primitives, in the same order), counting parts into `parts` and measuring
/// nesting, and checking header line lengths; building nothing. mail-parser has no
/// limits of its own, and a chain of forwarded messages thousands deep would
/// overflow the stack when its result is copied or dropped.
fn measure(
    raw: &[u8],
    encoded_left: usize,
    depth: usize,
    parts: &mut usize,
    at: Where,
) -> Result<(), EmailError> {
    let line = at.line;
    let parser = MessageParser::default();
    let mut stream = MessageStream::new(raw);
    // (kind, boundary, entered a forwarded message)
    let mut stack: Vec<(Kind, Option<Vec<u8>>, bool)> = Vec::new();
    let mut kind = Kind::Message;
    let mut boundary: Option<Vec<u8>> = None;
    let mut headers: Vec<Header<'_>> = Vec::new();
    'outer: loop {
        headers.clear();
        let block_start = stream.offset();
        let ended = stream.parse_headers(&parser, &mut headers);
        check_header_lines(raw.get(block_start..stream.offset()), raw, block_start, at)?;
        if !ended {
            break;
        }
        *parts += 1;
        if *parts > MAX_PARTS {
            return Err(EmailError::TooManyParts { line });
        }
        let ct = last(&headers, &HeaderName::ContentType).and_then(|h| h.value.as_content_type());
        let (is_multipart, mut part_kind) = kind_of(ct, kind);
        if is_multipart {
            if let Some(b) = ct.and_then(|c| c.attribute("boundary")) {
                if b.len() > MAX_BOUNDARY_BYTES {
                    return Err(EmailError::BoundaryTooLong { line });
                }
                if stream.seek_next_part(b.as_bytes()) {
                    stack.push((kind, boundary.take(), false));
                    if depth + stack.len() > MAX_DEPTH {
                        return Err(EmailError::NestedTooDeep { line });
                    }
                    kind = part_kind;
                    boundary = Some(b.as_bytes().to_vec());
                    stream.skip_crlf();
                    continue;
                }
                part_kind = Kind::Other;
            }
        }
        let encoding = match last(&headers, &HeaderName::ContentTransferEncoding).map(|h| &h.value)
        {
            Some(HeaderValue::Text(e)) if e.eq_ignore_ascii_case("base64") => Encoding::Base64,
            Some(HeaderValue::Text(e)) if e.eq_ignore_ascii_case("quoted-printable") => {
                Encoding::QuotedPrintable
            }
            _ => Encoding::None,
        };
        if part_kind == Kind::Message && encoding == Encoding::None {
            let inherited = boundary.take();
            stack.push((kind, None, true));
            if depth + stack.len() > MAX_DEPTH {
                return Err(EmailError::NestedTooDeep { line });
            }
            kind = Kind::Message;
            boundary = inherited;
            continue;
        }
        let b: &[u8] = boundary.as_deref().unwrap_or_default();
        let (end, bytes) = match encoding {
            Encoding::Base64 => stream.decode_base64_mime(b),
            Encoding::QuotedPrintable => stream.decode_quoted_printable_mime(b),
            Encoding::None => stream.mime_part(b),
        };
        if end == usize::MAX {
            let (_, found) = stream.seek_part_end(boundary.as_deref());
            if !found {
                boundary = None;
            }
        } else if part_kind == Kind::Message && encoded_left > 0 {
            let inner = Where {
                line,
                first_line: None,
            };
            measure(
                &bytes,
                encoded_left - 1,
                depth + stack.len() + 1,
                parts,
                inner,
            )?;
        }
        if boundary.is_some() {
            loop {
                if kind == Kind::Message {
                    match stack.pop() {
                        Some((k, _, true)) => {
                            kind = k;
                        }
                        _ => break 'outer,
                    }
                }
                if stream.is_multipart_end() {
                    if let Some((k, b, _)) = stack.pop() {
                        kind = k;
                        boundary = b;
                        if let Some(b) = boundary.as_deref() {
                            if stream.seek_next_part_offset(b).is_some() {
                                continue;
                            }
                        }
                    }
                    break 'outer;
                }
                break;
            }
        } else if stream.offset() >= raw.len() {
            break;
        }
    }
    Ok(())
}

/// Refuses a header block with a line longer than [`MAX_HEADER_LINE_BYTES`].
fn check_header_lines(
    block: Option<&[u8]>,
    raw: &[u8],
    block_start: usize,
    at: Where,
) -> Result<(), EmailError> {
    let Some(block) = block else {
        return Ok(());
    };
    let mut offset = block_start;
    for l in block.split_inclusive(|&b| b == b'\n') {
        if strip_eol(l).len() > MAX_HEADER_LINE_BYTES {
            let line = match at.first_line {
                Some(first) => {
                    let before = raw.get(..offset).unwrap_or_default();
                    first + before.iter().filter(|&&b| b == b'\n').count() as u64
                }
                None => at.line,
            };
            return Err(EmailError::HeaderTooLong { line });
        }
        offset += l.len();
    }
    Ok(())
}

// ---------------------------------------------------------------------------------
// Threads

/// Each message's conversation (see the module docs), by union-find over messages
/// and the ids they name; linear in the number of ids.
fn threads(infos: &[ThreadInfo]) -> Vec<String> {
    let n = infos.len();
    // Nodes 0..n are the messages; ids named get nodes after them.
    let mut parent: Vec<usize> = (0..n).collect();
    let mut node_of: HashMap<&str, usize> = HashMap::new();
    let mut message_of: HashMap<&str, usize> = HashMap::new();
    for (i, t) in infos.iter().enumerate() {
        if !t.id.is_empty() {
            message_of.entry(t.id.as_str()).or_insert(i);
        }
    }
    for (i, t) in infos.iter().enumerate() {
        let named = std::iter::once(&t.id).chain(&t.refs);
        for id in named.filter(|id| !id.is_empty()) {
            let node = *node_of.entry(id.as_str()).or_insert_with(|| {
                parent.push(parent.len());
                parent.len() - 1
            });
            union(&mut parent, i, node);
        }
    }
    // Each thread's root: a message naming no other message of the import, the
    // earliest sent (then the earliest in the file); else the earliest of all.
    let mut best: HashMap<usize, (bool, i64, usize)> = HashMap::new();
    for (i, t) in infos.iter().enumerate() {
        let names_another = t
            .refs
            .iter()
            .any(|r| message_of.get(r.as_str()).is_some_and(|&j| j != i));
        let key = (names_another, t.when, i);
        let thread = find_root(&mut parent, i);
        best.entry(thread)
            .and_modify(|b| {
                if key < *b {
                    *b = key;
                }
            })
            .or_insert(key);
    }
    (0..n)
        .map(|i| {
            let thread = find_root(&mut parent, i);
            let root = best.get(&thread).map_or(i, |&(_, _, r)| r);
            let base = infos.get(root).map(|t| t.base.as_str()).unwrap_or_default();
            if base.is_empty() {
                NO_SUBJECT.to_owned()
            } else {
                base.to_owned()
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------
// Dates

/// The representative of `x`'s set, halving paths on the way.
fn find_root(parent: &mut [usize], mut x: usize) -> usize {
    loop {
        let Some(&p) = parent.get(x) else {
            return x;
        };
        if p == x {
            return x;
        }
        let grand = parent.get(p).copied().unwrap_or(p);
        if let Some(slot) = parent.get_mut(x) {
            *slot = grand;
        }
        x = grand;
    }
}

fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (find_root(parent, a), find_root(parent, b));
    if ra != rb {
        if let Some(slot) = parent.get_mut(rb) {
            *slot = ra;
        }
    }
}

/// A date's zone, as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Zone {
    /// A numeric offset or a zone name with a known offset.
    Known(UtcOffset),
    /// No zone, or a name whose offset is not known.
    Unknown,
}

/// A `Date` header's value (raw bytes after the colon) as a time, if it reads as
/// one.
fn parse_date_header(value: &[u8]) -> Option<SentAt> {
    let value = std::str::from_utf8(value).ok()?;
    let words = date_words(value)?;
    let (at, zone) = date_from_words(&words)?;
    Some(match zone {
        Zone::Known(offset) => SentAt::Instant(at.assume_offset(offset)),
        Zone::Unknown => SentAt::Local(at),
    })
}

/// A mailbox separator line's date (`From sender Mon Jan  1 10:00:00 2024`), UTC
/// unless the line gives an offset.
fn separator_date(separator: &[u8]) -> Option<OffsetDateTime> {
    let line = std::str::from_utf8(separator).ok()?;
    let words = date_words(line.strip_prefix("From ")?)?;
    // The sender is one word, but some tools write none or quote a name with
    // spaces: try the date from each of the first few words.
    (0..words.len().min(4)).find_map(|skip| {
        let (at, zone) = date_from_words(words.get(skip..)?)?;
        Some(match zone {
            Zone::Known(offset) => at.assume_offset(offset),
            Zone::Unknown => at.assume_utc(),
        })
    })
}

/// The words of a date: comments (nested, with `\` escapes) removed, split at
/// spaces, line ends and commas. `None` for text far longer than any date.
fn date_words(value: &str) -> Option<Vec<&str>> {
    if value.len() > 1000 {
        return None;
    }
    let mut words = Vec::new();
    let mut depth = 0usize;
    let mut escaped = false;
    let mut start: Option<usize> = None;
    for (i, c) in value.char_indices() {
        if depth > 0 {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            continue;
        }
        let separates = c.is_whitespace() || c == ',' || c == '(';
        if separates {
            if let Some(s) = start.take() {
                words.push(value.get(s..i)?);
            }
            if c == '(' {
                depth = 1;
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        words.push(value.get(s..)?);
    }
    Some(words)
}

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// A month name (three letters or the full English name, any case).
fn month(word: &str) -> Option<Month> {
    let short = word.get(..3)?;
    let i = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(short))?;
    const FULL: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let full = FULL.get(i)?;
    let fits = word.len() == 3
        || word.eq_ignore_ascii_case(full)
        || word.eq_ignore_ascii_case(&format!("{short}."));
    if !fits {
        return None;
    }
    Month::try_from(u8::try_from(i + 1).ok()?).ok()
}

fn is_day_name(word: &str) -> bool {
    word.len() >= 3
        && word.chars().all(|c| c.is_ascii_alphabetic())
        && word
            .get(..3)
            .is_some_and(|d| DAYS.iter().any(|day| day.eq_ignore_ascii_case(d)))
}

/// A number of 1 to `max` ASCII digits.
fn number(word: &str, max: usize) -> Option<u32> {
    if word.is_empty() || word.len() > max || !word.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    word.parse().ok()
}

/// A year as written: four digits as they are; two digits 19xx from 50, 20xx
/// below; three digits 1900 + (RFC 5322 section 4.3).
fn year(word: &str) -> Option<i32> {
    let y = i32::try_from(number(word, 4)?).ok()?;
    Some(match word.len() {
        1 | 2 if y < 50 => 2000 + y,
        1 | 2 => 1900 + y,
        3 => 1900 + y,
        _ => y,
    })
}

/// `hh:mm` or `hh:mm:ss`.
fn time_of_day(word: &str) -> Option<Time> {
    let mut it = word.split(':');
    let h = number(it.next()?, 2)?;
    let m = number(it.next()?, 2)?;
    let s = match it.next() {
        Some(s) => number(s, 2)?,
        None => 0,
    };
    if it.next().is_some() {
        return None;
    }
    Time::from_hms(
        u8::try_from(h).ok()?,
        u8::try_from(m).ok()?,
        u8::try_from(s).ok()?,
    )
    .ok()
}

/// A zone word: `+hhmm`/`-hhmm` (hours to 23, minutes to 59), or a name.
fn zone(word: &str) -> Option<Zone> {
    if let Some(digits) = word.strip_prefix(['+', '-']) {
        if digits.len() != 4 {
            return None;
        }
        let v = number(digits, 4)?;
        let (h, m) = (v / 100, v % 100);
        if h > 23 || m > 59 {
            return None;
        }
        let (h, m) = (i8::try_from(h).ok()?, i8::try_from(m).ok()?);
        let sign = if word.starts_with('-') { -1 } else { 1 };
        return UtcOffset::from_hms(sign * h, sign * m, 0)
            .ok()
            .map(Zone::Known);
    }
    if !word.chars().all(|c| c.is_ascii_alphabetic()) || word.is_empty() {
        return None;
    }
    let hours: i8 = match word.to_ascii_uppercase().as_str() {
        "UT" | "UTC" | "GMT" | "Z" => 0,
        "EST" => -5,
        "EDT" => -4,
        "CST" => -6,
        "CDT" => -5,
        "MST" => -7,
        "MDT" => -6,
        "PST" => -8,
        "PDT" => -7,
        _ => return Some(Zone::Unknown),
    };
    UtcOffset::from_hms(hours, 0, 0).ok().map(Zone::Known)
}

/// A date from its words, in RFC 5322's order (`[Mon] 1 Jan 2024 10:00[:00]
/// [zone]`) or asctime's (`[Mon] Jan 1 10:00:00 [zone] 2024 [zone]`). Nothing may
/// follow but one zone.
fn date_from_words(words: &[&str]) -> Option<(PrimitiveDateTime, Zone)> {
    let words = match words.first() {
        Some(w) if is_day_name(w) => words.get(1..)?,
        _ => words,
    };
    let (day, mon, yr, time, rest): (&str, &str, &str, &str, &[&str]) = match words {
        [d, m, y, t, rest @ ..] if number(d, 2).is_some() => (d, m, y, t, rest),
        [m, d, t, y, rest @ ..] if month(m).is_some() && number(y, 4).is_some() => {
            (d, m, y, t, rest)
        }
        // asctime with the zone before the year (Google Takeout).
        [m, d, t, z, y] if month(m).is_some() && zone(z).is_some() => {
            return date_parts(d, m, y, t, Some(*z));
        }
        _ => return None,
    };
    match rest {
        [] => date_parts(day, mon, yr, time, None),
        [z] => date_parts(day, mon, yr, time, Some(*z)),
        _ => None,
    }
}

fn date_parts(
    day: &str,
    mon: &str,
    yr: &str,
    time: &str,
    zone_word: Option<&str>,
) -> Option<(PrimitiveDateTime, Zone)> {
    let day = u8::try_from(number(day, 2)?).ok()?;
    let date = Date::from_calendar_date(year(yr)?, month(mon)?, day).ok()?;
    let time = time_of_day(time)?;
    let zone = match zone_word {
        Some(z) => zone(z)?,
        None => Zone::Unknown,
    };
    Some((PrimitiveDateTime::new(date, time), zone))
}

// ---------------------------------------------------------------------------------
// HTML to text

/// Elements whose contents are not text a person reads: dropped with their tags.
const HIDDEN: [&[u8]; 5] = [b"script", b"style", b"template", b"title", b"xml"];

/// Elements that start and end a line.
const BLOCKS: [&[u8]; 27] = [
    b"p",
    b"div",
    b"li",
    b"tr",
    b"h1",
    b"h2",
    b"h3",
    b"h4",
    b"h5",
    b"h6",
    b"blockquote",
    b"pre",
    b"table",
    b"ul",
    b"ol",
    b"dl",
    b"dt",
    b"dd",
    b"hr",
    b"section",
    b"article",
    b"header",
    b"footer",
    b"address",
    b"center",
    b"body",
    b"form",
];

/// The text of an HTML body: what a person would read, one line per block (see
/// the module docs). Linear in the input.
fn html_to_text(html: &str) -> String {
    let b = html.as_bytes();
    let mut out = HtmlText::default();
    let mut i = 0usize;
    let mut pre = 0usize;
    while let Some(&c) = b.get(i) {
        match c {
            b'<' => {
                let next = b.get(i + 1).copied();
                if b.get(i..i + 4) == Some(b"<!--") {
                    i = find(b, i + 4, b"-->").map_or(b.len(), |j| j + 3);
                    continue;
                }
                if matches!(next, Some(b'!' | b'?')) {
                    i = find(b, i + 2, b">").map_or(b.len(), |j| j + 1);
                    continue;
                }
                let close = next == Some(b'/');
                let name_start = if close { i + 2 } else { i + 1 };
                if !b.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
                    out.text("<", pre > 0);
                    i += 1;
                    continue;
                }
                let name_len = b
                    .get(name_start..)
                    .unwrap_or_default()
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == b'-' || **c == b':')
                    .count();
                let name = b.get(name_start..name_start + name_len).unwrap_or_default();
                i = tag_end(b, name_start + name_len);
                let is = |n: &[u8]| name.eq_ignore_ascii_case(n);
                if !close && HIDDEN.iter().any(|h| is(h)) {
                    i = after_closing_tag(b, i, name);
                    continue;
                }
                if is(b"br") {
                    out.newline();
                } else if BLOCKS.iter().any(|n| is(n)) {
                    out.block();
                    if is(b"pre") {
                        pre = if close {
                            pre.saturating_sub(1)
                        } else {
                            pre + 1
                        };
                    }
                } else if is(b"td") || is(b"th") {
                    out.space();
                }
            }
            b'&' => {
                let (decoded, len) = entity(b, i);
                match decoded {
                    Some(s) => out.text(&s, pre > 0),
                    None => out.text("&", pre > 0),
                }
                i += len;
            }
            b' ' | b'\t' | b'\r' | b'\n' | b'\x0C' if pre == 0 => {
                out.space();
                i += 1;
            }
            _ => {
                let run = b
                    .get(i..)
                    .unwrap_or_default()
                    .iter()
                    .take_while(|&&c| {
                        c != b'<'
                            && c != b'&'
                            && (pre > 0 || !matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b'\x0C'))
                    })
                    .count();
                // Every stop is ASCII, so the run ends on a character boundary.
                let piece = html.get(i..i + run).unwrap_or_default();
                if pre > 0 {
                    out.text(&piece.replace("\r\n", "\n"), true);
                } else {
                    out.text(piece, false);
                }
                i += run.max(1);
            }
        }
    }
    out.finish()
}

/// Text being built from HTML, folding spaces and limiting blank lines.
#[derive(Default)]
struct HtmlText {
    out: String,
    space: bool,
}

impl HtmlText {
    fn text(&mut self, s: &str, verbatim: bool) {
        if s.is_empty() {
            return;
        }
        if self.space && !verbatim && !self.out.is_empty() && !self.out.ends_with('\n') {
            self.out.push(' ');
        }
        self.space = false;
        self.out.push_str(s);
    }

    fn space(&mut self) {
        self.space = true;
    }

    fn trim_spaces(&mut self) {
        let kept = self.out.trim_end_matches([' ', '\t']).len();
        self.out.truncate(kept);
        self.space = false;
    }

    fn newline(&mut self) {
        self.trim_spaces();
        if !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    fn block(&mut self) {
        self.trim_spaces();
        if !self.out.is_empty() && !self.out.ends_with('\n') {
            self.out.push('\n');
        }
    }

    fn finish(self) -> String {
        self.out.trim_matches(['\n', ' ', '\t']).to_owned()
    }
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// Where a tag ends (just past its `>`), skipping quoted attribute values.
fn tag_end(b: &[u8], mut i: usize) -> usize {
    let mut quote: Option<u8> = None;
    while let Some(&c) = b.get(i) {
        i += 1;
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(c),
            (None, b'>') => return i,
            _ => {}
        }
    }
    b.len()
}

/// Just past `</name …>` (any case) from `i`, or the end when it is not closed.
fn after_closing_tag(b: &[u8], mut i: usize, name: &[u8]) -> usize {
    while let Some(at) = find(b, i, b"</") {
        let start = at + 2;
        let candidate = b.get(start..start + name.len()).unwrap_or_default();
        let after = b.get(start + name.len()).copied();
        if candidate.eq_ignore_ascii_case(name)
            && after.is_none_or(|c| c == b'>' || c == b'/' || c.is_ascii_whitespace())
        {
            return tag_end(b, start + name.len());
        }
        i = start;
    }
    b.len()
}

/// An entity at `i` (`&amp;`, `&#233;`, `&#xE9;`): its text and length, or `None`
/// and 1 when it is not one.
fn entity(b: &[u8], i: usize) -> (Option<String>, usize) {
    let body_len = b
        .get(i + 1..)
        .unwrap_or_default()
        .iter()
        .take(32)
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'#')
        .count();
    if b.get(i + 1 + body_len) != Some(&b';') || body_len == 0 {
        return (None, 1);
    }
    let body = b.get(i + 1..i + 1 + body_len).unwrap_or_default();
    let len = body_len + 2;
    if let Some(num) = body.strip_prefix(b"#") {
        let (digits, radix) = match num.strip_prefix(b"x").or_else(|| num.strip_prefix(b"X")) {
            Some(hex) => (hex, 16),
            None => (num, 10),
        };
        let value = std::str::from_utf8(digits)
            .ok()
            .and_then(|d| u32::from_str_radix(d, radix).ok());
        return match value {
            Some(v) => {
                let c = char::from_u32(v)
                    .filter(|&c| c != '\0')
                    .unwrap_or('\u{FFFD}');
                (Some(c.to_string()), len)
            }
            None => (None, 1),
        };
    }
    let token = b.get(i..i + len).unwrap_or_default();
    let mut decoded = String::new();
    // mail-parser's table of HTML's named entities; it writes the token back when
    // it does not know it. The token is ASCII, so its UTF-8 check holds.
    mail_parser::decoders::html::add_html_token(&mut decoded, token, false);
    if decoded.as_bytes() == token {
        (None, 1)
    } else {
        (Some(decoded), len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{datetime, offset};

    fn date(s: &str) -> Option<SentAt> {
        parse_date_header(s.as_bytes())
    }

    #[test]
    fn dates_in_every_shape() {
        let at = |s| match date(s) {
            Some(SentAt::Instant(t)) => (t.unix_timestamp(), t.offset()),
            other => panic!("{s}: {other:?}"),
        };
        let t = datetime!(2024-01-01 10:00:00 +05:30);
        assert_eq!(
            at(" Mon, 1 Jan 2024 10:00:00 +0530\r\n"),
            (t.unix_timestamp(), offset!(+05:30))
        );
        assert_eq!(
            at("01 Jan 2024 10:00 +0530"),
            (t.unix_timestamp(), offset!(+05:30))
        );
        assert_eq!(
            at("Mon,1 Jan 24 10:00:00 +0530 (IST)"),
            (t.unix_timestamp(), offset!(+05:30))
        );
        assert_eq!(at("Mon, 1 Jan 2024 04:30:00 -0000").1, offset!(UTC));
        assert_eq!(at("Mon, 1 Jan 2024 04:30:00 GMT").0, t.unix_timestamp());
        assert_eq!(at("Mon, 1 Jan 2024 00:30:00 EDT").1, offset!(-4));
        assert_eq!(at("Sun, 31 Dec 1999 23:59:59\r\n -0800").1, offset!(-8));
        assert_eq!(
            at("1 Jan 99 10:00 +0000").0,
            datetime!(1999-01-01 10:00 UTC).unix_timestamp()
        );
        assert_eq!(at("Mon Jan  1 10:00:00 2024 +0100").1, offset!(+1));
        assert_eq!(
            at("(c) Mon, (x (y)) 1 Jan 2024 10:00:00 +0100").1,
            offset!(+1)
        );
        assert_eq!(at("1 January 2024 10:00:00 +0100").1, offset!(+1));
    }

    #[test]
    fn dates_without_a_known_zone_are_wall_clock_times() {
        let local = Some(SentAt::Local(datetime!(2024-01-01 10:00:00)));
        assert_eq!(date("Mon, 1 Jan 2024 10:00:00"), local);
        assert_eq!(date("Mon, 1 Jan 2024 10:00:00 CET"), local);
        assert_eq!(date("Mon, 1 Jan 2024 10:00:00 A"), local);
        assert_eq!(date("Mon Jan 1 10:00:00 2024"), local);
    }

    #[test]
    fn dates_that_cannot_be_read() {
        for s in [
            "",
            "yesterday",
            "Mon, 30 Feb 2024 10:00:00 +0000",
            "Mon, 1 Jan 2024 25:00:00 +0000",
            "Mon, 1 Jan 2024 10:60:00 +0000",
            "Mon, 1 Jan 2024 10:00:00 +2500",
            "Mon, 1 Jan 2024 10:00:00 +0160",
            "Mon, 1 Jan 2024 10:00:00 +100",
            "Mon, 1 Foo 2024 10:00:00 +0000",
            "Mon, 1 Jan 2024 10:00:00 +0000 extra",
            "Mon, 1 Jan 2024 10:00:00:00 +0000",
            "Mon, 1 Jan 20245 10:00:00 +0000",
            "Mon, 1 Jan 2024 10:00:60 +0000",
        ] {
            assert_eq!(date(s), None, "{s:?}");
        }
        assert_eq!(parse_date_header(b"Mon, 1 Jan 2024 \xff 10:00 +0000"), None);
    }

    #[test]
    fn separator_dates() {
        let t = |s: &str| separator_date(s.as_bytes()).map(|t| (t.unix_timestamp(), t.offset()));
        let utc = datetime!(2024-01-01 10:00:00 UTC).unix_timestamp();
        assert_eq!(
            t("From alice@example.org Mon Jan  1 10:00:00 2024"),
            Some((utc, offset!(UTC)))
        );
        assert_eq!(
            t("From - Mon Jan 01 10:00:00 2024"),
            Some((utc, offset!(UTC)))
        );
        assert_eq!(
            t("From 1234@xxx Mon Jan 01 10:00:00 +0000 2024"),
            Some((utc, offset!(UTC)))
        );
        assert_eq!(
            t("From MAILER-DAEMON Mon Jan  1 10:00:00 2024 +0100").map(|x| x.1),
            Some(offset!(+1))
        );
        assert_eq!(t("From alice"), None);
        assert_eq!(t("From alice Mon Jan 32 10:00:00 2024"), None);
    }

    #[test]
    fn thread_subjects() {
        for (s, want) in [
            ("Re: Plans", "Plans"),
            ("RE: RE: Plans", "Plans"),
            ("Fwd: Re: FW: Plans", "Plans"),
            ("AW: WG: Sv: Plans ", "Plans"),
            ("Re[2]: Plans", "Plans"),
            ("Re (3): Plans", "Plans"),
            ("re :Plans", "Plans"),
            ("回复：你好", "你好"),
            ("Plans", "Plans"),
            ("Re", "Re"),
            ("Re: Re:", ""),
            ("Reply: Plans", "Reply: Plans"),
            ("[list] Re: Plans", "[list] Re: Plans"),
            ("Re[x]: Plans", "Re[x]: Plans"),
            ("", ""),
        ] {
            assert_eq!(thread_subject(s), want, "{s:?}");
        }
    }

    #[test]
    fn html_becomes_text() {
        let t = html_to_text(
            "<html><head><title>T</title><style type=\"text/css\">p{color:red}</style>\
             <script type=\"text/javascript\">alert('x<y')</script></head>\
             <body><!-- hidden <b>comment</b> --><p>Hello&nbsp;<b>you</b> &amp; &#233;&#x41;</p>\
             <div>line<br>two</div><SCRIPT>bad()</SCRIPT ><p a='>'>3 &lt; 4 &bogus; a < b</p>\
             <pre>  keep\n   this</pre><table><tr><td>a</td><td>b</td></tr></table></body></html>",
        );
        assert_eq!(
            t,
            "Hello\u{a0}you & éA\nline\ntwo\n3 < 4 &bogus; a < b\n  keep\n   this\na b"
        );
        assert_eq!(html_to_text("<script>never closed"), "");
        assert_eq!(html_to_text("a <!-- never closed"), "a");
        assert_eq!(html_to_text("<p>x</p><p></p><p></p><p>y</p>"), "x\ny");
        assert_eq!(html_to_text("x<br><br><br><br>y"), "x\n\ny");
        assert_eq!(
            html_to_text("&#0;&#xD800;&#99999999999;"),
            "\u{FFFD}\u{FFFD}&#99999999999;"
        );
        assert_eq!(
            html_to_text("<a href=\"x\">caf\u{e9}</a>   \u{1F642}"),
            "caf\u{e9} \u{1F642}"
        );
    }

    #[test]
    fn mailbox_pieces() {
        let mbox = b"From a Mon Jan  1 10:00:00 2024\nX: 1\n\nbody\nFrom not a separator\n\nFrom b Mon Jan  1 10:00:00 2024\r\nX: 2\r\n\r\n>From x\r\n\r\n";
        let p = split_mbox(mbox);
        assert_eq!(p.len(), 2);
        assert_eq!((p[0].line, p[1].line), (1, 7));
        assert_eq!(p[0].bytes, b"X: 1\n\nbody\nFrom not a separator\n");
        assert_eq!(p[1].bytes, b"X: 2\r\n\r\n>From x\r\n");
        assert_eq!(&*unescape(p[1].bytes), b"X: 2\r\n\r\nFrom x\r\n");
        assert_eq!(
            &*unescape(b">>From x\n>From\n>>From y"),
            b">From x\n>From\n>From y"
        );
        assert!(matches!(unescape(b"a\nFrom b\n"), Cow::Borrowed(_)));
        assert_eq!(without_final_blank_line(b"a\n"), b"a\n");
        assert_eq!(without_final_blank_line(b"\n"), b"");
        assert_eq!(without_final_blank_line(b""), b"");
    }

    #[test]
    fn header_lines() {
        assert!(is_header_line(b"From: a"));
        assert!(is_header_line(b"X-Weird_Name.1 : a"));
        assert!(!is_header_line(b"%PDF-1.7"));
        assert!(!is_header_line(b": a"));
        assert!(!is_header_line(b"Dear Sir: hello"));
        assert!(!is_header_line(b""));
    }

    #[test]
    fn every_sentence_is_one_plain_sentence_with_its_line() {
        let all = [
            EmailError::Empty,
            EmailError::NotAnEmail { line: 4 },
            EmailError::Unreadable { line: 4 },
            EmailError::NoDate { line: 4 },
            EmailError::TooLarge { line: 4 },
            EmailError::TooManyParts { line: 4 },
            EmailError::NestedTooDeep { line: 4 },
            EmailError::BoundaryTooLong { line: 4 },
            EmailError::HeaderTooLong { line: 4 },
        ];
        let mut codes = Vec::new();
        for e in &all {
            let s = e.to_string();
            assert!(s.ends_with(", so nothing was imported."), "{s}");
            assert!(s.starts_with(char::is_uppercase), "{s}");
            assert!(!s.trim_end_matches('.').contains(". "), "{s}");
            if *e != EmailError::Empty {
                assert!(s.contains("line 4 ") || s.contains("Line 4 "), "{s}");
            }
            assert!(e.code().starts_with("import_email_"));
            codes.push(e.code());
        }
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
    }
}
