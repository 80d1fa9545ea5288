//! Conversations imported from message exports: what an importer hands the vault
//! ([`ChatImport`]) and what the vault reports back ([`ImportedChat`]). Parsing the
//! exports is the `cairn-import` crate's job; keeping the original and the messages
//! is the vault's ([`crate::Vault::import_chat`]).

use serde::Serialize;

use crate::items::MessageKind;
use crate::vault::StagedFile;

/// Messages read from an export, to import in one transaction.
#[derive(Debug)]
pub struct ChatImport<'a> {
    /// Where they came from: `whatsapp`, `sms`, `email`, `telegram`.
    pub source: &'a str,
    /// The export itself (the file she chose), staged byte-exact: the exhibit every
    /// message points back to.
    pub original: StagedFile,
    /// Files attached to messages, staged; [`NewMessage::attachments`] indexes this.
    pub attachments: Vec<StagedFile>,
    /// The messages, in the export's order.
    pub messages: Vec<NewMessage>,
}

/// One message of a [`ChatImport`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewMessage {
    /// The conversation: the other person, the group, an email thread's subject.
    pub conversation: String,
    /// Who sent it; empty for the app's own lines.
    pub sender: String,
    /// Who it went to, when the source says (email, MMS).
    pub recipients: Vec<String>,
    /// When: `YYYY-MM-DDTHH:MM:SS` when the export gives a wall-clock time with no
    /// zone, RFC 3339 with its offset when it gives an instant.
    pub sent_at: String,
    /// An email's subject; empty otherwise.
    pub subject: String,
    /// The text.
    pub text: String,
    /// What it is.
    pub kind: MessageKind,
    /// The attached file's name as the export's text gives it (WhatsApp's marker);
    /// empty when none.
    pub attachment: String,
    /// Indexes into [`ChatImport::attachments`] of the files attached to it.
    pub attachments: Vec<usize>,
    /// 1-based line in the export where the message starts.
    pub line: u64,
    /// The source's own id for it (Telegram's message id, an email's Message-ID).
    pub source_id: String,
}

/// What [`crate::Vault::import_chat`] did.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportedChat {
    /// The file item holding the original export.
    pub export: String,
    /// SHA-256 of the original export.
    pub export_sha256: String,
    /// Messages added (0 when it was imported before).
    pub messages: usize,
    /// Attached files added (0 when it was imported before).
    pub attachments: usize,
    /// True when this exact export was imported before: nothing was added.
    pub already_imported: bool,
    /// The chain entries written, first and last (both 0 when nothing was added).
    pub first_seq: u64,
    /// See `first_seq`.
    pub last_seq: u64,
}
