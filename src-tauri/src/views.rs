//! What the UI is shown of an item: the core's records, typed by kind, so the UI
//! never parses JSON itself.

use cairn_core::{
    checkpoint, FileRecord, Handover, History, Incident, ItemDetail, ItemKind, LinkView, Message,
    Person, Settings, Tombstone, Vault,
};
use serde::Serialize;
use serde_json::Value;

/// An item's record, by kind.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(tag = "kind", content = "data", rename_all = "lowercase")]
pub enum Record {
    /// An incident.
    Incident(Incident),
    /// A person.
    Person(Person),
    /// A file.
    File(FileRecord),
    /// A report to an agency, or a handover of evidence.
    Report(Handover),
    /// A message from an imported conversation.
    Message(Message),
    /// Removed by redaction, or a kind this version does not show.
    None,
}

impl Record {
    /// Types a stored record.
    pub fn from_value(kind: ItemKind, v: Option<&Value>) -> Record {
        let Some(v) = v else { return Record::None };
        let typed = match kind {
            ItemKind::Incident => serde_json::from_value(v.clone()).ok().map(Record::Incident),
            ItemKind::Person => serde_json::from_value(v.clone()).ok().map(Record::Person),
            ItemKind::File => serde_json::from_value(v.clone()).ok().map(Record::File),
            ItemKind::Report => serde_json::from_value(v.clone()).ok().map(Record::Report),
            ItemKind::Message => serde_json::from_value(v.clone()).ok().map(Record::Message),
            ItemKind::Link => None,
        };
        typed.unwrap_or(Record::None)
    }
}

/// Whether a signed checkpoint covers an item's latest chain entry.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Signature {
    /// The newest checkpoint's signature checks with this vault's device key.
    pub valid: bool,
    /// It covers the item's latest entry.
    pub covers: bool,
    /// Entries it covers.
    pub size: u64,
    /// When it was signed.
    pub time: String,
}

/// Everything the detail screen shows.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ItemView {
    /// Item id.
    pub id: String,
    /// Kind.
    pub kind: ItemKind,
    /// Latest version number.
    pub version: u64,
    /// The current record.
    pub record: Record,
    /// SHA-256 recorded in the chain for the content (for a file, of its bytes).
    pub content_sha256: String,
    /// SHA-256 of the record as stored.
    pub record_sha256: String,
    /// First recorded.
    pub recorded_at: String,
    /// Latest version recorded.
    pub updated_at: String,
    /// Chain entry that created it.
    pub created_seq: u64,
    /// Chain entry of its latest version.
    pub current_seq: u64,
    /// Tombstone, if redacted.
    pub redaction: Option<Tombstone>,
    /// Linked items.
    pub links: Vec<LinkView>,
    /// The newest signed checkpoint, if any.
    pub signature: Option<Signature>,
}

impl ItemView {
    /// Builds the view of `d`, checking the newest checkpoint against the device key.
    pub fn new(vault: &Vault, d: ItemDetail) -> cairn_core::Result<ItemView> {
        let signature = vault.latest_checkpoint()?.map(|note| {
            match checkpoint::verify(&note, &vault.device_public_key()) {
                Ok(c) => Signature {
                    valid: true,
                    covers: c.size >= d.current_seq,
                    size: c.size,
                    time: c.time,
                },
                Err(_) => Signature {
                    valid: false,
                    covers: false,
                    size: 0,
                    time: String::new(),
                },
            }
        });
        Ok(ItemView {
            record: Record::from_value(d.kind, d.record.as_ref()),
            id: d.id,
            kind: d.kind,
            version: d.version,
            content_sha256: d.content_sha256,
            record_sha256: d.record_sha256,
            recorded_at: d.recorded_at,
            updated_at: d.updated_at,
            created_seq: d.created_seq,
            current_seq: d.current_seq,
            redaction: d.redaction,
            links: d.links,
            signature,
        })
    }
}

/// One version in an item's history.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct VersionItem {
    /// Version number.
    pub version: u64,
    /// Chain entry.
    pub seq: u64,
    /// `incident.create`, `incident.edit`, …
    pub entry_kind: String,
    /// When it was recorded.
    pub recorded_at: String,
    /// The record as it was.
    pub record: Record,
    /// Content hash recorded in the chain.
    pub content_sha256: String,
    /// Top-level fields that changed from the previous version.
    pub changed: Vec<String>,
}

/// An item's history.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct HistoryView {
    /// Item id.
    pub id: String,
    /// Every version, oldest first.
    pub versions: Vec<VersionItem>,
    /// Tombstone, if redacted.
    pub redaction: Option<Tombstone>,
}

impl From<History> for HistoryView {
    fn from(h: History) -> HistoryView {
        HistoryView {
            versions: h
                .versions
                .into_iter()
                .map(|v| VersionItem {
                    record: Record::from_value(h.kind, v.record.as_ref()),
                    version: v.version,
                    seq: v.seq,
                    entry_kind: v.entry_kind,
                    recorded_at: v.recorded_at,
                    content_sha256: v.content_sha256,
                    changed: v.changed,
                })
                .collect(),
            id: h.id,
            redaction: h.redaction,
        }
    }
}

/// What the app knows before and after unlocking.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AppStatus {
    /// The vault folder in use.
    pub vault_dir: String,
    /// The folder used when none is chosen.
    pub default_dir: String,
    /// A vault exists there.
    pub vault_exists: bool,
    /// It is unlocked.
    pub unlocked: bool,
    /// Wait this long before the next unlock attempt.
    pub retry_after_ms: u32,
    /// Settings of that vault.
    pub settings: Settings,
    /// Cairn's version.
    pub version: String,
    /// Failed unlocks recorded while the vault was locked, found when it was unlocked.
    pub failed_attempts: Option<cairn_core::attempts::FailedAttempts>,
    /// The open vault has a decoy (false while locked, and in a decoy).
    pub has_decoy: bool,
    /// The open vault's passphrase costs less than the floor (a test setting): she is
    /// warned at every unlock until she changes it.
    pub weak_kdf: bool,
    /// Someone without the vault's key changed its key file (see
    /// `Vault::keys_altered`): she is told at every unlock until she makes a new
    /// recovery code or passphrase.
    pub keys_altered: bool,
}

/// The result of creating a vault.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Created {
    /// The recovery code, shown once: 6 groups of 5.
    pub recovery_code: String,
    /// The app's status, now unlocked.
    pub status: AppStatus,
}

/// Progress of a long job.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    /// Which file (0-based) of how many, for multi-file jobs.
    pub index: u32,
    /// Number of files.
    pub count: u32,
    /// Bytes or steps done.
    pub done: u64,
    /// Bytes or steps in all (0 when unknown).
    pub total: u64,
}
