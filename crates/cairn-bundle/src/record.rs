//! The files under `data/record/`: what they hold, shared by the writer and the
//! verifier (docs/FORMAT.md §9 specifies them).

use cairn_core::ItemKind;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::bag::{hex, manifest_text, Listed};

/// The vault, its device key and entry 1's content.
pub const VAULT_PATH: &str = "data/record/vault.json";
/// The exported items as they are now.
pub const ITEMS_PATH: &str = "data/record/items.json";
/// Every version of every exported item, one JSON object per line.
pub const VERSIONS_PATH: &str = "data/record/versions.jsonl";
/// The exhibits: reference, path, hashes.
pub const EXHIBITS_PATH: &str = "data/record/exhibits.json";
/// Every chain entry header of the vault, one per line.
pub const CHAIN_PATH: &str = "data/record/chain.jsonl";
/// The newest signed checkpoint (C2SP signed note).
pub const CHECKPOINT_PATH: &str = "data/record/checkpoint.txt";

/// `data/record/vault.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VaultInfo {
    /// `cairn-bundle`.
    pub format: String,
    /// 1.
    pub version: u32,
    /// e.g. `cairn 0.1.0`.
    pub software: String,
    /// The vault id.
    pub vault_id: String,
    /// The Ed25519 public key that signs checkpoints, hex.
    pub device_public_key: String,
    /// The canonical JSON whose SHA-256 is chain entry 1's content.
    pub init_record: String,
    /// When the bundle was made (RFC 3339 UTC).
    pub exported_at: String,
    /// Entries in the chain when it was made.
    pub chain_size: u64,
    /// The last entry's hash.
    pub chain_head: String,
    /// Photo location data was let out.
    pub location_included: bool,
    /// Private notes were let out.
    pub private_notes_included: bool,
}

/// One exported item (`items.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BundleItem {
    /// Item id.
    pub id: String,
    /// Kind.
    pub kind: ItemKind,
    /// Exhibit reference, for files.
    pub exhibit: Option<String>,
    /// Current version.
    pub version: u64,
    /// Entry that created it.
    pub created_seq: u64,
    /// Entry of its current version (or redaction).
    pub current_seq: u64,
    /// First recorded (RFC 3339 UTC).
    pub recorded_at: String,
    /// Last changed.
    pub updated_at: String,
    /// The current record, less what was withheld; null once redacted.
    pub record: Option<Value>,
    /// Fields left out (`private_notes`, `exif.gps_latitude`, …).
    #[serde(default)]
    pub withheld: Vec<String>,
    /// `{"reason", "recorded_at", "seq"}` when redacted.
    pub redaction: Option<Value>,
    /// Ids of the other exported items it is linked to.
    #[serde(default)]
    pub links: Vec<String>,
}

/// One version (`versions.jsonl`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BundleVersion {
    /// Item id.
    pub item: String,
    /// Version number.
    pub version: u64,
    /// Its chain entry.
    pub seq: u64,
    /// The record as written (null once redacted), less what was withheld.
    pub record: Option<Value>,
    /// Fields left out; when empty, SHA-256 of the record's canonical JSON is the
    /// entry's content hash (for files: its `meta.record_sha256`).
    #[serde(default)]
    pub withheld: Vec<String>,
}

/// One exhibit (`exhibits.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BundleExhibit {
    /// `AB/1`.
    pub reference: String,
    /// The file item.
    pub item: String,
    /// Path in the bag; null if it was left out.
    pub path: Option<String>,
    /// Original file name.
    pub name: String,
    /// Media type.
    pub media_type: String,
    /// Bytes in the bundle.
    pub size: Option<u64>,
    /// SHA-256 of the bytes in the bundle.
    pub sha256: Option<String>,
    /// SHA-256 of the original (the chain's content hash for the file).
    pub original_sha256: String,
    /// A copy without location data went out.
    pub location_removed: bool,
    /// Why it was left out.
    pub left_out: Option<String>,
}

/// The evidence fingerprint: SHA-256 of the payload manifest's lines for
/// `data/exhibits/` and `data/record/`, in manifest (byte) order. Equivalent to
/// `grep -E '  data/(exhibits|record)/' manifest-sha256.txt | sha256sum`.
pub(crate) fn evidence_sha256(payload: &[Listed]) -> String {
    let ev: Vec<Listed> = payload
        .iter()
        .filter(|l| l.path.starts_with("data/exhibits/") || l.path.starts_with("data/record/"))
        .cloned()
        .collect();
    hex(&Sha256::digest(manifest_text(&ev).as_bytes()))
}
