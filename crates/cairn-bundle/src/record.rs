//! The files under `data/record/`: what they hold, shared by the writer and the
//! verifier (docs/FORMAT.md §9 specifies them).

use base64::Engine;
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
/// Every chain entry header of the vault, one per line (a full-chain bundle).
pub const CHAIN_PATH: &str = "data/record/chain.jsonl";
/// Only the exported items' entries, each with its inclusion proof (a proofs bundle).
pub const ENTRIES_PATH: &str = "data/record/entries.jsonl";
/// Consistency proofs from tree heads that left the laptop earlier (a proofs bundle).
pub const CONSISTENCY_PATH: &str = "data/record/consistency.jsonl";
/// The signed checkpoint of the tree the bundle carries (C2SP tlog-checkpoint).
pub const CHECKPOINT_PATH: &str = "data/record/checkpoint.txt";
/// The bundle note: the vault's signature over both manifests, the selection and the
/// tree head. A tag file at the bag's top, outside both manifests (it signs them).
pub const SIGNATURE_PATH: &str = "cairn-signature.txt";
/// The bundle format this build writes.
pub const FORMAT_VERSION: u32 = 2;

/// Which chain entries a bundle carries.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Disclosure {
    /// Every entry header of the vault (for her own solicitor: shows the whole
    /// history's continuity, and when everything else was written).
    FullChain,
    /// Only the exported items' entries, each with an inclusion proof against the signed
    /// tree head (for anything the other side may see: of the rest, only how many
    /// entries there are).
    #[default]
    Proofs,
}

impl Disclosure {
    /// `full-chain` or `proofs`.
    pub fn as_str(self) -> &'static str {
        match self {
            Disclosure::FullChain => "full-chain",
            Disclosure::Proofs => "proofs",
        }
    }
}

/// The selection she made, as the bundle records it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelectionInfo {
    /// `all`, `items` or `dates`.
    pub kind: String,
    /// The items she chose (for `items`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<String>,
    /// First day (for `dates`), if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Last day (for `dates`), if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

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
    /// Format 2: the Merkle tree head over the `chain_size` entries, hex.
    #[serde(default)]
    pub tree_root: String,
    /// Format 2: which entries the bundle carries.
    #[serde(default)]
    pub disclosure: Disclosure,
    /// Format 2: what she chose to export.
    #[serde(default)]
    pub selection: SelectionInfo,
    /// Format 2: original exports (a chat's zip, a mailbox) went out whole although
    /// they hold location data or messages she redacted, at her choice.
    #[serde(default)]
    pub whole_exports: bool,
    /// Format 2: the fields left out of any version in the bundle.
    #[serde(default)]
    pub withheld_fields: Vec<String>,
    /// Format 2: the references of exhibits left out (exhibits.json says why).
    #[serde(default)]
    pub left_out: Vec<String>,
}

/// The text the vault signs for a format-2 bundle (the signature note's body):
/// everything a recipient must be able to rely on, in lines a person can read.
pub(crate) fn note_body(
    info: &VaultInfo,
    manifest_sha256: &str,
    tagmanifest_sha256: &str,
) -> String {
    let root = crate::bag::unhex(&info.tree_root).unwrap_or_default();
    let list = |v: &[String]| {
        if v.is_empty() {
            "-".to_string()
        } else {
            v.join(",")
        }
    };
    let selection = match info.selection.kind.as_str() {
        "items" => format!("items {}", info.selection.items.len()),
        "dates" => format!(
            "dates {} {}",
            info.selection.from.as_deref().unwrap_or("-"),
            info.selection.to.as_deref().unwrap_or("-")
        ),
        other => other.to_string(),
    };
    format!(
        "cairn/bundle/{}\nformat {}\nexported {}\ntree {} {}\nmanifest-sha256 {manifest_sha256}\ntagmanifest-sha256 {tagmanifest_sha256}\ndisclosure {}\nselection {selection}\nwithheld {}\nleft-out {}\nlocation {}\n",
        info.vault_id,
        info.version,
        info.exported_at,
        info.chain_size,
        base64::engine::general_purpose::STANDARD.encode(root),
        info.disclosure.as_str(),
        list(&info.withheld_fields),
        list(&info.left_out),
        if info.location_included { "included" } else { "left-out" },
    )
}

/// One line of `consistency.jsonl`: the tree of `size` entries, whose head is `root`,
/// is a prefix of the bundle's tree, as `proof` shows (RFC 6962).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConsistencyLine {
    /// Entries in the earlier tree.
    pub size: u64,
    /// Its head, hex.
    pub root: String,
    /// The consistency proof to the bundle's tree, hex hashes.
    pub proof: Vec<String>,
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
    /// Entry of its latest version (a redaction has its own entry, in `redaction`).
    pub current_seq: u64,
    /// First recorded (RFC 3339 UTC).
    pub recorded_at: String,
    /// When its latest version was recorded.
    pub updated_at: String,
    /// The current record, less what was withheld; null once redacted.
    pub record: Option<Value>,
    /// Fields left out (`private_notes`, `exif.gps_latitude`, …).
    #[serde(default)]
    pub withheld: Vec<String>,
    /// Set when redacted.
    pub redaction: Option<Redaction>,
    /// Ids of the other exported items it is linked to.
    #[serde(default)]
    pub links: Vec<String>,
}

/// What is left of a redacted item.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Redaction {
    /// Her reason, as she wrote it.
    pub reason: String,
    /// When (RFC 3339 UTC), from its entry.
    pub recorded_at: String,
    /// Its `item.redact` entry.
    pub seq: u64,
    /// Format 2: the tombstone's list of the versions removed (`version`,
    /// `content_sha256`, `record_sha256`); the tombstone `{item, reason, versions}`
    /// hashes to the entry's content.
    #[serde(default)]
    pub versions: Vec<Value>,
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
    /// Fields left out. In format 2 the record is what was hashed (its committed
    /// form, with `_sd` digests, when it has withholdable fields), so its SHA-256 is the
    /// entry's record hash whatever is left out.
    #[serde(default)]
    pub withheld: Vec<String>,
    /// Format 2: the withheld-able fields given, each with its salt.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disclosures: Vec<cairn_core::withhold::Disclosure>,
    /// Format 2: a version written before format 2 with a field left out; its hash
    /// cannot be recomputed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unverifiable: bool,
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
    /// Format 2: the chain entry that recorded the location-free copy's SHA-256.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_free_seq: Option<u64>,
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
