//! Imports into the vault: read an export, parse it whole, then hand the original
//! bytes and every message to [`cairn_core::Vault::import_chat`] (one transaction).

use std::fs;
use std::io::Read;
use std::path::Path;

use cairn_core::{ChatImport, Error, ImportedChat, MessageKind as Kind, NewMessage, Vault};
use time::macros::format_description;

use crate::whatsapp::{self, DateOrder, MessageKind};
use crate::ImportError;

/// The largest export read (a chat of a few hundred thousand messages is tens of
/// MB): the file is parsed in memory, so this bounds what a hostile file can cost.
pub const MAX_EXPORT_BYTES: u64 = 256 << 20;

/// What the import read, with what the vault did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Imported {
    /// What the vault added.
    #[serde(flatten)]
    pub chat: ImportedChat,
    /// The conversation's name.
    pub conversation: String,
    /// How dates were read: `day-first`, `month-first` or `year-first`.
    pub date_order: &'static str,
    /// True when nothing in the export settled the date order (say so to her).
    pub date_order_guessed: bool,
}

impl From<ImportError> for Error {
    fn from(e: ImportError) -> Error {
        Error::ImportRefused {
            code: e.code(),
            message: e.to_string(),
        }
    }
}

/// `day-first`, `month-first` or `year-first`.
pub fn date_order_name(o: DateOrder) -> &'static str {
    match o {
        DateOrder::DayFirst => "day-first",
        DateOrder::MonthFirst => "month-first",
        DateOrder::YearFirst => "year-first",
    }
}

/// Reads a whole export, refusing one larger than [`MAX_EXPORT_BYTES`].
fn read_export(path: &Path) -> Result<(Vec<u8>, Option<String>), Error> {
    let meta = fs::metadata(path).map_err(|e| Error::io("read", path, e))?;
    if meta.is_dir() {
        return Err(Error::Invalid(format!(
            "{} is a folder; choose the exported chat file.",
            path.display()
        )));
    }
    if meta.len() > MAX_EXPORT_BYTES {
        return Err(Error::Invalid(format!(
            "{} is larger than any chat export Cairn reads ({} MiB), so nothing was imported.",
            path.display(),
            MAX_EXPORT_BYTES >> 20
        )));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    fs::File::open(path)
        .and_then(|f| f.take(MAX_EXPORT_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| Error::io("read", path, e))?;
    if bytes.len() as u64 > MAX_EXPORT_BYTES {
        return Err(Error::Invalid(format!(
            "{} grew while it was being read, so nothing was imported.",
            path.display()
        )));
    }
    let modified = meta
        .modified()
        .ok()
        .map(time::OffsetDateTime::from)
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        });
    Ok((bytes, modified))
}

/// The conversation's name from the export's file name: Android names it
/// "WhatsApp Chat with Alice.txt"; iOS calls every export "_chat.txt".
pub fn conversation_name(file_name: &str) -> String {
    let stem = file_name
        .rsplit_once('.')
        .map_or(file_name, |(stem, _)| stem)
        .trim();
    if let Some(rest) = stem.strip_prefix("WhatsApp Chat with ") {
        return rest.trim().to_string();
    }
    if stem.is_empty() || stem == "_chat" {
        return "WhatsApp chat".into();
    }
    stem.to_string()
}

/// Imports a WhatsApp "Export chat" text file. `dates` forces the date order.
pub fn whatsapp(
    vault: &mut Vault,
    path: &Path,
    dates: Option<DateOrder>,
) -> Result<Imported, Error> {
    let (bytes, modified_at) = read_export(path)?;
    let chat = whatsapp::parse(&bytes, dates)?;
    let file_name = path.file_name().unwrap_or(path.as_os_str());
    let conversation = conversation_name(&file_name.to_string_lossy());
    let fmt = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let mut messages = Vec::with_capacity(chat.messages.len());
    for m in &chat.messages {
        let (kind, attachment) = match &m.kind {
            MessageKind::Text => (Kind::Text, String::new()),
            MessageKind::System => (Kind::System, String::new()),
            MessageKind::MediaOmitted => (Kind::MediaOmitted, String::new()),
            MessageKind::Attachment { file_name } => (Kind::Attachment, file_name.clone()),
            MessageKind::Deleted => (Kind::Deleted, String::new()),
        };
        messages.push(NewMessage {
            sender: m.sender.clone().unwrap_or_default(),
            sent_at: m
                .sent_at
                .format(&fmt)
                .map_err(|_| Error::Invalid("A message's time could not be written.".into()))?,
            text: m.text.clone(),
            kind,
            attachment,
            line: m.line as u64,
        });
    }
    let imported = vault.import_chat(ChatImport {
        source: "whatsapp",
        conversation: conversation.clone(),
        file_name,
        original: &bytes,
        modified_at,
        acquired: "WhatsApp chat export, imported by Cairn".into(),
        messages,
    })?;
    Ok(Imported {
        chat: imported,
        conversation,
        date_order: date_order_name(chat.date_order),
        date_order_guessed: chat.date_order_guessed,
    })
}
