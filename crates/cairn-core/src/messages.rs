//! Conversations imported from message exports: what an importer hands the vault
//! ([`ChatImport`]) and what the vault reports back ([`ImportedChat`]). Parsing the
//! exports is the `cairn-import` crate's job; keeping the original and the messages
//! is the vault's ([`crate::Vault::import_chat`]).

use std::ffi::OsStr;

use serde::Serialize;

use crate::items::MessageKind;

/// A conversation read from an export file, to import in one transaction.
#[derive(Debug)]
pub struct ChatImport<'a> {
    /// Where it came from: `whatsapp`, …
    pub source: &'a str,
    /// The conversation's name (the other person, or the group).
    pub conversation: String,
    /// The export file's name.
    pub file_name: &'a OsStr,
    /// The export's bytes exactly as read: kept byte-exact as the exhibit every
    /// message points back to.
    pub original: &'a [u8],
    /// The export file's last-modified time, if known (RFC 3339, UTC).
    pub modified_at: Option<String>,
    /// How she obtained it, for the exhibit list.
    pub acquired: String,
    /// The messages, in the export's order.
    pub messages: Vec<NewMessage>,
}

/// One message of a [`ChatImport`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    /// Who sent it; empty for the app's own lines.
    pub sender: String,
    /// When, `YYYY-MM-DDTHH:MM:SS`, as the export writes it.
    pub sent_at: String,
    /// The text.
    pub text: String,
    /// What it is.
    pub kind: MessageKind,
    /// The attached file's name; empty when none.
    pub attachment: String,
    /// 1-based line in the export.
    pub line: u64,
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
    /// True when this exact export was imported before: nothing was added.
    pub already_imported: bool,
    /// The chain entries written, first and last (both 0 when nothing was added).
    pub first_seq: u64,
    /// See `first_seq`.
    pub last_seq: u64,
}
