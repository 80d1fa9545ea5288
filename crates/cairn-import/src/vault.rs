//! Imports into the vault: read an export, parse it whole, stage the original and
//! every attached file (encrypted, not yet on record), then hand them and every
//! message to [`cairn_core::Vault::import_chat`], which commits all of it in one
//! transaction or none of it.

use std::fs::{self, File};
use std::io::{self, Cursor, Read};
use std::path::Path;

use cairn_core::{
    ChatImport, Error, ImportedChat, MessageKind as Kind, NewMessage, StagedFile, Vault,
};
use sha2::{Digest, Sha256};
use time::macros::format_description;

use crate::model::{self, SentAt};
use crate::progress::{tell, Counting, OnProgress, Step};
use crate::whatsapp::{self, DateOrder, MessageKind};
use crate::zipped::ZipExport;
use crate::ImportError;

/// The largest export text read (a chat of a few hundred thousand messages is tens of
/// MB): the text is parsed in memory, so this bounds what a hostile file can cost.
pub const MAX_EXPORT_BYTES: u64 = 256 << 20;

/// What the import read, with what the vault did.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, serde::Serialize)]
pub struct Imported {
    /// What the vault added.
    #[serde(flatten)]
    pub chat: ImportedChat,
    /// The conversations' names (one for a chat export; any number for a backup
    /// or a mailbox), each once, in the order first met.
    pub conversations: Vec<String>,
    /// How dates were read: `day-first`, `month-first` or `year-first`; empty when
    /// the export writes unambiguous dates.
    pub date_order: &'static str,
    /// True when nothing in the export settled the date order (say so to her).
    pub date_order_guessed: bool,
    /// Attachments the messages name that the export does not hold (a WhatsApp
    /// export "without media", or files the app left out): the messages say a file
    /// was sent, but there is none to keep.
    pub attachments_missing: usize,
}

/// Each importer's refusal reaches the person as one sentence, with its code.
macro_rules! refused {
    ($($t:ty),*) => {$(
        impl From<$t> for Error {
            fn from(e: $t) -> Error {
                Error::ImportRefused {
                    code: e.code(),
                    message: e.to_string(),
                }
            }
        }
    )*};
}
refused!(
    ImportError,
    crate::telegram::TelegramError,
    crate::sms::SmsError,
    crate::email::EmailError
);

/// `day-first`, `month-first` or `year-first`.
pub fn date_order_name(o: DateOrder) -> &'static str {
    match o {
        DateOrder::DayFirst => "day-first",
        DateOrder::MonthFirst => "month-first",
        DateOrder::YearFirst => "year-first",
    }
}

/// The file's metadata, refusing a folder.
fn file_meta(path: &Path, what: &str) -> Result<fs::Metadata, Error> {
    let meta = fs::metadata(path).map_err(|e| Error::io("read", path, e))?;
    if meta.is_dir() {
        return Err(Error::Invalid(format!(
            "{} is a folder; choose the {what} file.",
            path.display()
        )));
    }
    Ok(meta)
}

/// The file's last-modified time as RFC 3339 (UTC), if the system says.
fn modified_at(meta: &fs::Metadata) -> Option<String> {
    meta.modified()
        .ok()
        .map(time::OffsetDateTime::from)
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
}

fn too_large(path: &Path) -> Error {
    Error::Invalid(format!(
        "{} holds more text than any export Cairn reads ({} MiB), so nothing was imported.",
        path.display(),
        MAX_EXPORT_BYTES >> 20
    ))
}

/// Reads a whole export file, refusing one larger than [`MAX_EXPORT_BYTES`].
fn read_export(path: &Path, what: &str) -> Result<(Vec<u8>, Option<String>), Error> {
    let meta = file_meta(path, what)?;
    if meta.len() > MAX_EXPORT_BYTES {
        return Err(too_large(path));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    File::open(path)
        .map_err(|e| Error::io("open", path, e))?
        .take(MAX_EXPORT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io("read", path, e))?;
    // It may have grown since its size was read.
    if bytes.len() as u64 > MAX_EXPORT_BYTES {
        return Err(too_large(path));
    }
    Ok((bytes, modified_at(&meta)))
}

/// The conversation's name from the export's file name: Android names it
/// "WhatsApp Chat with Alice.txt" (and the zip the same); iOS calls the text
/// "_chat.txt" inside "WhatsApp Chat - Alice.zip".
pub fn conversation_name(file_name: &str) -> String {
    let stem = file_name
        .rsplit_once('.')
        .map_or(file_name, |(stem, _)| stem)
        .trim();
    for prefix in ["WhatsApp Chat with ", "WhatsApp Chat - "] {
        if let Some(rest) = stem.strip_prefix(prefix) {
            return rest.trim().to_string();
        }
    }
    if stem.is_empty() || stem == "_chat" {
        return "WhatsApp chat".into();
    }
    stem.to_string()
}

/// `YYYY-MM-DDTHH:MM:SS` for a wall-clock time; RFC 3339 with its offset
/// (`+00:00` for UTC) for an instant. Whole seconds: no export gives less.
pub fn sent_at_text(t: SentAt) -> Result<String, Error> {
    let out = match t {
        SentAt::Local(t) => t.format(format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second]"
        )),
        SentAt::Instant(t) => t.format(format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second][offset_hour sign:mandatory]:[offset_minute]"
        )),
    };
    out.map_err(|_| Error::Invalid("A message's time could not be written.".into()))
}

/// Stages an in-memory export as the original.
fn stage_bytes(
    vault: &Vault,
    name: &std::ffi::OsStr,
    bytes: &[u8],
    modified: Option<String>,
    acquired: &str,
) -> Result<StagedFile, Error> {
    vault.stage_file(name, &mut Cursor::new(bytes), modified, acquired)
}

/// Stages the export itself as the original, reporting the bytes kept.
fn stage_original(
    vault: &Vault,
    name: &std::ffi::OsStr,
    bytes: &[u8],
    modified: Option<String>,
    acquired: &str,
    progress: OnProgress<'_>,
) -> Result<StagedFile, Error> {
    let mut r = Counting::new(
        Cursor::new(bytes),
        Step::Keeping,
        bytes.len() as u64,
        progress,
    );
    vault.stage_file(name, &mut r, modified, acquired)
}

/// The SHA-256 of a file, streamed, in hex.
fn sha256_file(path: &Path, total: u64, progress: OnProgress<'_>) -> Result<String, Error> {
    let f = File::open(path).map_err(|e| Error::io("open", path, e))?;
    let mut f = Counting::new(f, Step::Reading, total, progress);
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = match f.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::io("read", path, e)),
        };
        h.update(&buf[..n]);
    }
    Ok(hex(&h.finalize()))
}

/// Lower-case hex, as the vault writes SHA-256 digests.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What to report when the export was imported before: nothing was staged or added.
fn already(export: String, sha: String) -> ImportedChat {
    ImportedChat {
        export,
        export_sha256: sha,
        messages: 0,
        attachments: 0,
        already_imported: true,
        first_seq: 0,
        last_seq: 0,
    }
}

/// Each conversation once, in the order first met.
fn conversations_of(messages: &[NewMessage]) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    messages
        .iter()
        .filter(|m| seen.insert(m.conversation.as_str()))
        .map(|m| m.conversation.clone())
        .collect()
}

/// Commits staged files and messages, or discards the staged files on failure.
fn commit(
    vault: &mut Vault,
    source: &'static str,
    original: StagedFile,
    attachments: Vec<StagedFile>,
    messages: Vec<NewMessage>,
    progress: OnProgress<'_>,
) -> Result<ImportedChat, Error> {
    vault.import_chat_reporting(
        ChatImport {
            source,
            original,
            attachments,
            messages,
        },
        &|done, total| tell(progress, Step::Recording, done, total),
    )
}

/// Reports a step with nothing more to count: all `total` of it done.
fn step_done(progress: OnProgress<'_>, step: Step, total: u64) {
    tell(progress, step, total, total);
}

/// Imports a WhatsApp "Export chat": the `.txt`, or the `.zip` (with or without
/// media). `dates` forces the date order.
pub fn whatsapp(
    vault: &mut Vault,
    path: &Path,
    dates: Option<DateOrder>,
    progress: OnProgress<'_>,
) -> Result<Imported, Error> {
    let meta = file_meta(path, "exported chat")?;
    let mut magic = [0u8; 4];
    let is_zip = File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok()
        && magic == *b"PK\x03\x04";
    if is_zip {
        return whatsapp_zip(vault, path, &meta, dates, progress);
    }
    let (bytes, modified) = read_export(path, "exported chat")?;
    step_done(progress, Step::Reading, bytes.len() as u64);
    let chat = whatsapp::parse(&bytes, dates)?;
    let file_name = path.file_name().unwrap_or(path.as_os_str());
    let conversation = conversation_name(&file_name.to_string_lossy());
    let sha = hex_sha256(&bytes);
    if let Some(export) = vault.imported_export(&sha)? {
        return Ok(imported_before(export, sha, conversation, &chat));
    }
    let (messages, missing) = whatsapp_messages(&chat, &conversation, |_| None)?;
    let original = stage_original(
        vault,
        file_name,
        &bytes,
        modified,
        "WhatsApp chat export, imported by Cairn",
        progress,
    )?;
    let chat_out = commit(vault, "whatsapp", original, Vec::new(), messages, progress)?;
    Ok(Imported {
        chat: chat_out,
        conversations: vec![conversation],
        date_order: date_order_name(chat.date_order),
        date_order_guessed: chat.date_order_guessed,
        attachments_missing: missing,
    })
}

fn hex_sha256(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn imported_before(
    export: String,
    sha: String,
    conversation: String,
    chat: &whatsapp::Chat,
) -> Imported {
    Imported {
        chat: already(export, sha),
        conversations: vec![conversation],
        date_order: date_order_name(chat.date_order),
        date_order_guessed: chat.date_order_guessed,
        attachments_missing: 0,
    }
}

/// The messages of a parsed WhatsApp chat, with each attachment marker resolved by
/// `attachment` (its index among the staged files, or `None` when the export does
/// not hold the file), and how many markers were left unresolved.
fn whatsapp_messages(
    chat: &whatsapp::Chat,
    conversation: &str,
    mut attachment: impl FnMut(&str) -> Option<usize>,
) -> Result<(Vec<NewMessage>, usize), Error> {
    let mut missing = 0;
    let mut out = Vec::with_capacity(chat.messages.len());
    for m in &chat.messages {
        let (kind, name) = match &m.kind {
            MessageKind::Text => (Kind::Text, String::new()),
            MessageKind::System => (Kind::System, String::new()),
            MessageKind::MediaOmitted => (Kind::MediaOmitted, String::new()),
            MessageKind::Attachment { file_name } => (Kind::Attachment, file_name.clone()),
            MessageKind::Deleted => (Kind::Deleted, String::new()),
        };
        let mut attachments = Vec::new();
        if !name.is_empty() {
            match attachment(&name) {
                Some(i) => attachments.push(i),
                None => missing += 1,
            }
        }
        out.push(NewMessage {
            conversation: conversation.to_string(),
            sender: m.sender.clone().unwrap_or_default(),
            sent_at: sent_at_text(SentAt::Local(m.sent_at))?,
            text: m.text.clone(),
            kind,
            attachment: name,
            attachments,
            line: m.line as u64,
            ..NewMessage::default()
        });
    }
    Ok((out, missing))
}

/// A WhatsApp export zip: checked before anything is stored (imported before? names
/// that leave it, zip bombs, room on disk), then kept as the original, then read back
/// from what was kept: the chat text parsed and the media its messages name staged.
/// So the messages and media come from the very bytes kept as the exhibit, even if
/// the file on disk changes meanwhile.
fn whatsapp_zip(
    vault: &mut Vault,
    path: &Path,
    meta: &fs::Metadata,
    dates: Option<DateOrder>,
    progress: OnProgress<'_>,
) -> Result<Imported, Error> {
    let zip_name = path.file_name().unwrap_or(path.as_os_str());
    let named = conversation_name(&zip_name.to_string_lossy());
    // Hashed before it is stored (a second read of the zip): a zip imported before
    // is then recognised without writing gigabytes only to throw them away.
    let sha = sha256_file(path, meta.len(), progress)?;
    if let Some(export) = vault.imported_export(&sha)? {
        return Ok(Imported {
            chat: already(export, sha),
            conversations: vec![named],
            date_order: "",
            date_order_guessed: false,
            attachments_missing: 0,
        });
    }
    let file = File::open(path).map_err(|e| Error::io("open", path, e))?;
    ZipExport::open(
        io::BufReader::new(file),
        path,
        vault.dir(),
        Some(meta.len()),
    )?;
    let original = File::open(path)
        .map_err(|e| Error::io("open", path, e))
        .and_then(|f| {
            vault.stage_file(
                zip_name,
                &mut Counting::new(f, Step::Keeping, meta.len(), progress),
                modified_at(meta),
                "WhatsApp chat export (zip), imported by Cairn",
            )
        })?;
    if original.sha256() != sha {
        vault.discard(original);
        return Err(Error::Invalid(format!(
            "{} changed while it was being imported, so nothing was imported.",
            path.display()
        )));
    }
    let mut staged: Vec<StagedFile> = Vec::new();
    let read = read_kept_zip(vault, path, &original, named, dates, &mut staged, progress);
    match read {
        Ok((messages, missing, conversation, chat)) => {
            let chat_out = commit(vault, "whatsapp", original, staged, messages, progress)?;
            Ok(Imported {
                chat: chat_out,
                conversations: vec![conversation],
                date_order: date_order_name(chat.date_order),
                date_order_guessed: chat.date_order_guessed,
                attachments_missing: missing,
            })
        }
        Err(e) => {
            vault.discard(original);
            for f in staged {
                vault.discard(f);
            }
            Err(e)
        }
    }
}

/// Reads the kept zip: its chat, parsed, with the media each message names staged
/// into `staged` (each once, even when named twice).
fn read_kept_zip(
    vault: &Vault,
    path: &Path,
    original: &StagedFile,
    named: String,
    dates: Option<DateOrder>,
    staged: &mut Vec<StagedFile>,
    progress: OnProgress<'_>,
) -> Result<(Vec<NewMessage>, usize, String, whatsapp::Chat), Error> {
    let kept = io::BufReader::new(vault.open_staged(original)?);
    let mut zip = ZipExport::open(kept, path, vault.dir(), None)?;
    let (text_name, bytes) = zip.chat_text(path)?;
    let chat = whatsapp::parse(&bytes, dates)?;
    // iOS names the zip "WhatsApp Chat - Sam.zip" and the text "_chat.txt"; Android
    // names both "WhatsApp Chat with Sam".
    let conversation = if named == "WhatsApp chat" {
        conversation_name(&text_name)
    } else {
        named
    };
    let mut index_of: std::collections::HashMap<String, Option<usize>> = Default::default();
    let mut failure: Option<Error> = None;
    let files = chat
        .messages
        .iter()
        .filter_map(|m| match &m.kind {
            MessageKind::Attachment { file_name } => Some(file_name.as_str()),
            _ => None,
        })
        .collect::<std::collections::HashSet<_>>()
        .len() as u64;
    let resolved = whatsapp_messages(&chat, &conversation, |name| {
        if failure.is_some() {
            return None;
        }
        if let Some(&i) = index_of.get(name) {
            return i;
        }
        let i = match zip.stage_entry(vault, name) {
            Ok(Some(f)) => {
                staged.push(f);
                Some(staged.len() - 1)
            }
            Ok(None) => None,
            Err(e) => {
                failure = Some(e);
                None
            }
        };
        index_of.insert(name.to_string(), i);
        tell(progress, Step::Files, index_of.len() as u64, files);
        i
    });
    if let Some(e) = failure {
        return Err(e);
    }
    let (messages, missing) = resolved?;
    Ok((messages, missing, conversation, chat))
}

/// Imports a parsed [`model::Export`] whose original is `bytes` (already read from
/// `path`): stages the original, then each attachment `resolve` opens, then commits.
/// `resolve` returns `None` for an attachment the export does not hold.
#[allow(clippy::too_many_arguments)]
fn import_model(
    vault: &mut Vault,
    source: &'static str,
    path: &Path,
    bytes: &[u8],
    modified: Option<String>,
    acquired: &str,
    export: model::Export,
    mut resolve: impl FnMut(&Vault, &model::Attachment) -> Result<Option<StagedFile>, Error>,
    progress: OnProgress<'_>,
) -> Result<Imported, Error> {
    let sha = hex_sha256(bytes);
    let mut messages = Vec::with_capacity(export.messages.len());
    for m in export.messages {
        messages.push(NewMessage {
            conversation: m.conversation,
            sender: m.sender,
            recipients: m.recipients,
            sent_at: sent_at_text(m.sent_at)?,
            subject: m.subject,
            text: m.text,
            kind: m.kind,
            attachment: String::new(),
            attachments: m.attachments,
            line: m.line,
            source_id: m.source_id,
        });
    }
    let conversations = conversations_of(&messages);
    if let Some(prior) = vault.imported_export(&sha)? {
        return Ok(Imported {
            chat: already(prior, sha),
            conversations,
            date_order: "",
            date_order_guessed: false,
            attachments_missing: 0,
        });
    }
    let file_name = path.file_name().unwrap_or(path.as_os_str());
    let original = stage_original(vault, file_name, bytes, modified, acquired, progress)?;
    // Stage every attachment; those the export lacks are dropped from the messages.
    let mut staged: Vec<StagedFile> = Vec::new();
    let mut new_index: Vec<Option<usize>> = Vec::with_capacity(export.attachments.len());
    let files = export.attachments.len() as u64;
    for (i, a) in export.attachments.iter().enumerate() {
        tell(progress, Step::Files, i as u64, files);
        match resolve(vault, a) {
            Ok(Some(f)) => {
                staged.push(f);
                new_index.push(Some(staged.len() - 1));
            }
            Ok(None) => new_index.push(None),
            Err(e) => {
                vault.discard(original);
                for f in staged {
                    vault.discard(f);
                }
                return Err(e);
            }
        }
    }
    let mut missing = 0;
    for m in &mut messages {
        let before = m.attachments.len();
        m.attachments = m
            .attachments
            .iter()
            .filter_map(|&i| new_index.get(i).copied().flatten())
            .collect();
        missing += before - m.attachments.len();
    }
    if files > 0 {
        step_done(progress, Step::Files, files);
    }
    let chat = commit(vault, source, original, staged, messages, progress)?;
    Ok(Imported {
        chat,
        conversations,
        date_order: "",
        date_order_guessed: false,
        attachments_missing: missing,
    })
}

/// A file an export names, beside it in `folder`: `Ok(None)` when it is not there
/// (left out of the export), refused when the name, or a link on the way, leads
/// outside the folder.
fn file_in_folder(
    folder: &Path,
    rel: &str,
    refuse: impl Fn() -> Error,
) -> Result<Option<std::path::PathBuf>, Error> {
    if !crate::zipped::name_is_safe(rel) {
        return Err(refuse());
    }
    let joined = folder.join(rel);
    let real = match fs::canonicalize(&joined) {
        Ok(p) => p,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io("open", &joined, e)),
    };
    let base = fs::canonicalize(folder).map_err(|e| Error::io("open", folder, e))?;
    if !real.starts_with(&base) {
        return Err(refuse());
    }
    if !real.is_file() {
        return Ok(None);
    }
    Ok(Some(real))
}

/// Stages a file from disk under the name the export gave it.
fn stage_path(vault: &Vault, path: &Path, name: &str, acquired: &str) -> Result<StagedFile, Error> {
    let meta = fs::metadata(path).map_err(|e| Error::io("read", path, e))?;
    let mut f = File::open(path).map_err(|e| Error::io("open", path, e))?;
    vault.stage_file(
        std::ffi::OsStr::new(name),
        &mut f,
        modified_at(&meta),
        acquired,
    )
}

/// Imports Telegram Desktop's JSON export: `result.json`, or the folder holding it.
/// The media it names are read from the folders beside it.
pub fn telegram(
    vault: &mut Vault,
    path: &Path,
    progress: OnProgress<'_>,
) -> Result<Imported, Error> {
    let json = if path.is_dir() {
        path.join("result.json")
    } else {
        path.to_path_buf()
    };
    // "result.json" alone has the empty path as its parent: the current folder.
    let folder = json
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| std::path::PathBuf::from("."), Path::to_path_buf);
    let (bytes, modified) = read_export(&json, "result.json")?;
    step_done(progress, Step::Reading, bytes.len() as u64);
    let export = crate::telegram::parse(&bytes)?;
    import_model(
        vault,
        "telegram",
        &json,
        &bytes,
        modified,
        "Telegram Desktop export (result.json), imported by Cairn",
        export,
        |vault, a| {
            let model::Content::File(rel) = &a.content else {
                return Ok(None);
            };
            let outside = || {
                Error::Invalid(
                    "The export names a file outside its folder, so nothing was imported.".into(),
                )
            };
            match file_in_folder(&folder, rel, outside)? {
                Some(p) => stage_path(
                    vault,
                    &p,
                    &a.name,
                    "Attached to a Telegram message, from the export",
                )
                .map(Some),
                None => Ok(None),
            }
        },
        progress,
    )
}

/// Stages an attachment held in the export itself (decoded, or base64 in it).
fn stage_embedded(
    vault: &Vault,
    a: &model::Attachment,
    bytes: &[u8],
    acquired: &str,
) -> Result<Option<StagedFile>, Error> {
    let decoded;
    let content: &[u8] = match &a.content {
        model::Content::Bytes(b) => b,
        model::Content::Base64(range) => {
            decoded = crate::sms::decode_base64(bytes, range.clone())?;
            &decoded
        }
        model::Content::File(_) => return Ok(None),
    };
    let name = if a.name.is_empty() {
        "attachment"
    } else {
        &a.name
    };
    stage_bytes(vault, std::ffi::OsStr::new(name), content, None, acquired).map(Some)
}

/// Imports an export that holds its attachments itself, parsed by `parse`: they are
/// decoded from it and kept as files, one staged at a time.
fn import_self_contained(
    vault: &mut Vault,
    path: &Path,
    source: &'static str,
    what: &str,
    parse: impl FnOnce(&[u8]) -> Result<model::Export, Error>,
    acquired: (&str, &str),
    progress: OnProgress<'_>,
) -> Result<Imported, Error> {
    let (bytes, modified) = read_export(path, what)?;
    step_done(progress, Step::Reading, bytes.len() as u64);
    let export = parse(&bytes)?;
    let (acquired_export, acquired_attachment) = acquired;
    import_model(
        vault,
        source,
        path,
        &bytes,
        modified,
        acquired_export,
        export,
        |vault, a| stage_embedded(vault, a, &bytes, acquired_attachment),
        progress,
    )
}

/// Imports the XML of Android's "SMS Backup & Restore": SMS and MMS, with the MMS
/// parts (photos, audio, contact cards) as attached files.
pub fn sms(vault: &mut Vault, path: &Path, progress: OnProgress<'_>) -> Result<Imported, Error> {
    import_self_contained(
        vault,
        path,
        "sms",
        "backup",
        |b| Ok(crate::sms::parse(b)?),
        (
            "SMS Backup & Restore backup, imported by Cairn",
            "Attached to an MMS, from the backup",
        ),
        progress,
    )
}

/// Imports an email (`.eml`) or a mailbox (`.mbox`), with every attachment.
pub fn email(vault: &mut Vault, path: &Path, progress: OnProgress<'_>) -> Result<Imported, Error> {
    import_self_contained(
        vault,
        path,
        "email",
        "email",
        |b| Ok(crate::email::parse(b)?),
        (
            "Email file, imported by Cairn",
            "Attached to an email, from the file",
        ),
        progress,
    )
}

/// Which kind of export to import.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// WhatsApp's "Export chat" (`.txt` or `.zip`).
    Whatsapp,
    /// "SMS Backup & Restore" XML.
    Sms,
    /// `.eml` or `.mbox`.
    Email,
    /// Telegram Desktop's `result.json` or its folder.
    Telegram,
}

/// Imports `path` as `source` (one call for every kind; `dates` is WhatsApp's only).
pub fn import(
    vault: &mut Vault,
    source: Source,
    path: &Path,
    dates: Option<DateOrder>,
    progress: OnProgress<'_>,
) -> Result<Imported, Error> {
    match source {
        Source::Whatsapp => whatsapp(vault, path, dates, progress),
        Source::Sms => sms(vault, path, progress),
        Source::Email => email(vault, path, progress),
        Source::Telegram => telegram(vault, path, progress),
    }
}
