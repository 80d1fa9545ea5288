//! What every importer other than WhatsApp's text parser returns: the messages of an
//! export and the files attached to them, before anything is kept. The vault layer
//! ([`crate::vault`]) keeps the original export byte-exact, each attachment as a file
//! item, and each message as an item pointing at both.

use std::ops::Range;

pub use cairn_core::MessageKind;
use time::{OffsetDateTime, PrimitiveDateTime};

/// A parsed export: every message, and every attached file the messages point at.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Export {
    /// The messages, in the export's order (never empty when parsing succeeded).
    pub messages: Vec<Msg>,
    /// Attached files; [`Msg::attachments`] holds indexes into this list.
    pub attachments: Vec<Attachment>,
}

/// When a message was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SentAt {
    /// A wall-clock time with no zone, as the export writes it (the exporting
    /// device's local time).
    Local(PrimitiveDateTime),
    /// An instant, with the offset the export gives (UTC when it gives a Unix time).
    Instant(OffsetDateTime),
}

/// One message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    /// 1-based line of the input where the message starts (for an mbox, its
    /// `From ` line; for an `.eml`, 1), so it can be found in the original.
    pub line: u64,
    /// The source's own id for the message (a Telegram message id, an email's
    /// `Message-ID`), empty when it has none.
    pub source_id: String,
    /// The conversation it belongs to: the other person, the group, the chat's name;
    /// for email, the thread's subject.
    pub conversation: String,
    /// Who sent it, as the source names them (a contact name, a number, an address);
    /// empty for a line the app wrote itself.
    pub sender: String,
    /// Who it went to, as the source names them (email and MMS); empty when the
    /// source does not say or it is the conversation itself.
    pub recipients: Vec<String>,
    /// When it was sent.
    pub sent_at: SentAt,
    /// An email's subject; empty for other sources.
    pub subject: String,
    /// The text, with every character kept; HTML reduced to its text.
    pub text: String,
    /// What it is.
    pub kind: MessageKind,
    /// Indexes into [`Export::attachments`].
    pub attachments: Vec<usize>,
}

/// A file attached to a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// Its file name as the source gives it (not trusted as a path).
    pub name: String,
    /// Its media type as the source declares it, empty when it does not.
    pub media_type: String,
    /// Where its bytes are.
    pub content: Content,
}

/// Where an attachment's bytes are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// Decoded already (an email's attachment).
    Bytes(Vec<u8>),
    /// Base64 text at this byte range of the input (an MMS part's `data`), decoded
    /// when it is kept so a large backup is not held twice.
    Base64(Range<usize>),
    /// A file beside the export, as the export names it: a path relative to the
    /// export's folder or inside its zip. Untrusted: the vault layer refuses names
    /// that leave the folder.
    File(String),
}
