//! Writes `.eml` files and `.mbox` mailboxes from generated messages, the way mail
//! programs do, for round-trip tests, fuzzing and benchmarks of
//! [`crate::email::parse`]. Not for use outside tests: it trusts its input (an
//! address is written as given; a text must not contain the boundary
//! [`BOUNDARY`]).
//!
//! Headers are ASCII: names and subjects that are not plain words are RFC 2047
//! encoded words (UTF-8, base64), attachment names RFC 2231 (`filename*=utf-8''…`)
//! or encoded words inside quotes, alternately. A message with attachments is
//! `multipart/mixed` with the text first. A mailbox is mboxrd: each message after
//! a `From <address> <asctime in UTC>` line, lines starting with `>`s and `From `
//! given one more `>`, a blank line after each.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use time::{OffsetDateTime, UtcOffset};

/// The multipart boundary every written message uses.
pub const BOUNDARY: &str = "=_cairn_boundary_7f3a";

/// A person on a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenAddress {
    /// Display name, maybe empty; written trimmed.
    pub name: String,
    /// The address, `local@domain`, written as given.
    pub address: String,
}

impl GenAddress {
    /// What [`crate::email::parse`] reads back: `Name <address>`, or the address.
    pub fn formatted(&self) -> String {
        let name = self.name.trim();
        if name.is_empty() {
            self.address.clone()
        } else {
            format!("{name} <{}>", self.address)
        }
    }
}

/// How the text part's body is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyEncoding {
    /// Raw UTF-8 lines (`Content-Transfer-Encoding: 8bit`), so a line the person
    /// wrote starting `From ` is there as such.
    EightBit,
    /// Quoted-printable, with soft line breaks for lines over 76 characters.
    QuotedPrintable,
    /// Base64, in 76-character lines.
    Base64,
}

/// A file attached to a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenAttachment {
    /// Its file name (not empty).
    pub name: String,
    /// Its media type, `type/subtype` in lower case.
    pub media_type: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// A message to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenEmail {
    /// The sender.
    pub from: GenAddress,
    /// `To`.
    pub to: Vec<GenAddress>,
    /// `Cc` (no header when empty).
    pub cc: Vec<GenAddress>,
    /// The subject (no header when empty).
    pub subject: String,
    /// The text; `\n` line ends, no `\r`.
    pub text: String,
    /// The `Date`, written with its offset to the minute. `None` writes no `Date`
    /// (the mailbox separator's time is then the only one).
    pub date: Option<OffsetDateTime>,
    /// When it was sent, for the mailbox separator (written in UTC).
    pub sent_at: OffsetDateTime,
    /// The `Message-ID` without brackets (no header when empty).
    pub message_id: String,
    /// The id of the message it replies to (written as `In-Reply-To` and
    /// `References`).
    pub in_reply_to: Option<String>,
    /// How the text is encoded.
    pub body_encoding: BodyEncoding,
    /// The attachments.
    pub attachments: Vec<GenAttachment>,
}

/// Writes one message as an `.eml` file, with `\r\n` line ends when `crlf`.
pub fn write_eml(msg: &GenEmail, crlf: bool) -> Vec<u8> {
    let eol = if crlf { "\r\n" } else { "\n" };
    let mut out = String::new();
    let mut header = |name: &str, value: &str| {
        out.push_str(name);
        out.push_str(": ");
        out.push_str(&value.replace('\n', eol));
        out.push_str(eol);
    };
    header("From", &address(&msg.from));
    if !msg.to.is_empty() {
        header("To", &addresses(&msg.to));
    }
    if !msg.cc.is_empty() {
        header("Cc", &addresses(&msg.cc));
    }
    if !msg.subject.is_empty() {
        header("Subject", &unstructured(&msg.subject));
    }
    if let Some(date) = msg.date {
        header("Date", &rfc5322_date(date));
    }
    if !msg.message_id.is_empty() {
        header("Message-ID", &format!("<{}>", msg.message_id));
    }
    if let Some(parent) = &msg.in_reply_to {
        header("In-Reply-To", &format!("<{parent}>"));
        header("References", &format!("<{parent}>"));
    }
    header("MIME-Version", "1.0");
    let text_headers = |out: &mut String| {
        out.push_str("Content-Type: text/plain; charset=utf-8");
        out.push_str(eol);
        out.push_str("Content-Transfer-Encoding: ");
        out.push_str(match msg.body_encoding {
            BodyEncoding::EightBit => "8bit",
            BodyEncoding::QuotedPrintable => "quoted-printable",
            BodyEncoding::Base64 => "base64",
        });
        out.push_str(eol);
        out.push_str(eol);
        out.push_str(&text_body(&msg.text, msg.body_encoding, eol));
    };
    if msg.attachments.is_empty() {
        text_headers(&mut out);
        return out.into_bytes();
    }
    out.push_str(&format!(
        "Content-Type: multipart/mixed; boundary=\"{BOUNDARY}\"{eol}{eol}"
    ));
    out.push_str(&format!(
        "This is a multi-part message in MIME format.{eol}"
    ));
    out.push_str(&format!("--{BOUNDARY}{eol}"));
    text_headers(&mut out);
    for (i, a) in msg.attachments.iter().enumerate() {
        out.push_str(&format!("--{BOUNDARY}{eol}"));
        out.push_str(&format!("Content-Type: {}{eol}", a.media_type));
        let name = if i % 2 == 0 {
            format!("filename*=utf-8''{}", percent(&a.name))
        } else {
            // Folded between words, as Gmail writes them.
            format!(
                "filename=\"{}\"",
                encoded_words(&a.name, &format!("{eol} "))
            )
        };
        out.push_str(&format!(
            "Content-Disposition: attachment;{eol} {name}{eol}"
        ));
        out.push_str(&format!("Content-Transfer-Encoding: base64{eol}{eol}"));
        out.push_str(&base64_lines(&a.bytes, eol));
    }
    out.push_str(&format!("--{BOUNDARY}--{eol}"));
    out.into_bytes()
}

/// Writes messages as an mboxrd mailbox, with `\r\n` line ends when `crlf`.
pub fn write_mbox(msgs: &[GenEmail], crlf: bool) -> Vec<u8> {
    let eol: &[u8] = if crlf { b"\r\n" } else { b"\n" };
    let mut out = Vec::new();
    for msg in msgs {
        let sender = if msg.from.address.is_empty() {
            "MAILER-DAEMON"
        } else {
            msg.from.address.as_str()
        };
        out.extend_from_slice(format!("From {sender} {}", asctime(msg.sent_at)).as_bytes());
        out.extend_from_slice(eol);
        for line in write_eml(msg, crlf).split_inclusive(|&b| b == b'\n') {
            let quotes = line.iter().take_while(|&&b| b == b'>').count();
            if line.get(quotes..).is_some_and(|l| l.starts_with(b"From ")) {
                out.push(b'>');
            }
            out.extend_from_slice(line);
        }
        out.extend_from_slice(eol);
    }
    out
}

/// `Mon, 01 Jan 2024 10:00:00 +0530`.
pub fn rfc5322_date(t: OffsetDateTime) -> String {
    let offset = t.offset();
    let minutes = offset.whole_minutes();
    let sign = if minutes < 0 { '-' } else { '+' };
    let minutes = minutes.unsigned_abs();
    format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} {sign}{:02}{:02}",
        weekday(t),
        t.day(),
        month(t),
        t.year(),
        t.hour(),
        t.minute(),
        t.second(),
        minutes / 60,
        minutes % 60
    )
}

/// `Mon Jan  1 10:00:00 2024`, in UTC.
pub fn asctime(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    format!(
        "{} {} {:>2} {:02}:{:02}:{:02} {}",
        weekday(t),
        month(t),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.year()
    )
}

fn weekday(t: OffsetDateTime) -> &'static str {
    ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        [usize::from(t.weekday().number_days_from_monday())]
}

fn month(t: OffsetDateTime) -> &'static str {
    [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][usize::from(u8::from(t.month()) - 1)]
}

fn addresses(list: &[GenAddress]) -> String {
    list.iter().map(address).collect::<Vec<_>>().join(",\n ")
}

fn address(a: &GenAddress) -> String {
    let name = a.name.trim();
    if name.is_empty() {
        a.address.clone()
    } else if is_plain(name) {
        format!("{name} <{}>", a.address)
    } else {
        format!("{} <{}>", encoded_words(name, "\n "), a.address)
    }
}

/// Words of ASCII letters and digits with single spaces: safe unencoded.
fn is_plain(s: &str) -> bool {
    !s.is_empty()
        && s.split(' ')
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_alphanumeric()))
}

fn unstructured(s: &str) -> String {
    if is_plain(s) {
        s.to_owned()
    } else {
        encoded_words(s, "\n ")
    }
}

/// `=?utf-8?b?…?=` words of at most 45 bytes of text each (75 characters), never
/// splitting a character, joined by `sep`.
fn encoded_words(s: &str, sep: &str) -> String {
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in s.chars() {
        if chunk.len() + c.len_utf8() > 45 {
            words.push(std::mem::take(&mut chunk));
        }
        chunk.push(c);
    }
    if !chunk.is_empty() {
        words.push(chunk);
    }
    words
        .iter()
        .map(|w| format!("=?utf-8?b?{}?=", STANDARD.encode(w)))
        .collect::<Vec<_>>()
        .join(sep)
}

/// RFC 2231 percent-encoding: `attr-char`s as they are, every other byte `%XX`.
fn percent(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn base64_lines(bytes: &[u8], eol: &str) -> String {
    let encoded = STANDARD.encode(bytes);
    let mut out = String::new();
    for chunk in encoded.as_bytes().chunks(76) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push_str(eol);
    }
    out
}

/// The text part's body, ending with a line end.
fn text_body(text: &str, encoding: BodyEncoding, eol: &str) -> String {
    match encoding {
        BodyEncoding::EightBit => {
            let mut out = text.replace('\n', eol);
            out.push_str(eol);
            out
        }
        BodyEncoding::Base64 => base64_lines(text.replace('\n', eol).as_bytes(), eol),
        BodyEncoding::QuotedPrintable => {
            let mut out = String::new();
            for line in text.split('\n') {
                out.push_str(&quoted_printable_line(line, eol));
                out.push_str(eol);
            }
            out
        }
    }
}

/// One line quoted-printable: printable ASCII but `=` as it is, spaces and tabs
/// too except at the line's end, every other byte `=XX`; soft breaks (`=` and a
/// line end) keep lines to 76 characters.
fn quoted_printable_line(line: &str, eol: &str) -> String {
    let bytes = line.as_bytes();
    let mut out = String::new();
    let mut width = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let last = i + 1 == bytes.len();
        let token = match b {
            b'=' => "=3D".to_owned(),
            b' ' | b'\t' if last => format!("={b:02X}"),
            b' ' | b'\t' | 33..=126 => char::from(b).to_string(),
            _ => format!("={b:02X}"),
        };
        if width + token.len() > 75 {
            out.push('=');
            out.push_str(eol);
            width = 0;
        }
        width += token.len();
        out.push_str(&token);
    }
    out
}
