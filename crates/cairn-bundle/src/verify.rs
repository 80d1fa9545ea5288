//! `verify-bundle`: opens a bundle (decrypting on the fly; nothing is written to disk)
//! and checks it without trusting the vault it came from: BagIt fixity, the chain's
//! hashes and links, every record version and exhibit against its entry, the signed
//! checkpoint, and optionally that the chain extends an earlier receipt.

use std::collections::{BTreeMap, HashMap};
use std::io::{Cursor, Read};
use std::path::Path;

use cairn_core::canonical::to_canonical;
use cairn_core::chain::Entry;
use cairn_core::{checkpoint, Error, Result};
use ed25519_dalek::VerifyingKey;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use zip::ZipArchive;

use crate::bag::{decode_manifest_path, hex, Listed, BAGIT_TXT};
use crate::record::{
    evidence_sha256, BundleExhibit, BundleVersion, VaultInfo, CHAIN_PATH, CHECKPOINT_PATH,
    EXHIBITS_PATH, VAULT_PATH, VERSIONS_PATH,
};
use crate::seal::{self, Key};

/// A problem found, with a stable code and where it is.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    /// Stable code, e.g. `fixity`, `chain_hash`, `exhibit_hash`.
    pub code: &'static str,
    /// One plain sentence.
    pub message: String,
    /// The file in the bag, when it concerns one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The chain entry, when it concerns one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
}

/// A redaction listed in the chain.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct RedactionSeen {
    /// Its entry.
    pub seq: u64,
    /// The item.
    pub item: String,
    /// When (UTC).
    pub recorded_at: String,
}

/// What verify-bundle found.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct BundleReport {
    /// Nothing wrong.
    pub ok: bool,
    /// It was sealed with age.
    pub sealed: bool,
    /// One plain sentence.
    pub verdict: String,
    /// SHA-256 of the bundle file.
    pub bundle_sha256: String,
    /// The evidence fingerprint, recomputed.
    pub evidence_sha256: String,
    /// The vault it came from.
    pub vault_id: String,
    /// When it was made.
    pub exported_at: String,
    /// Chain entries.
    pub entries: u64,
    /// Files checked against the manifest.
    pub files_checked: usize,
    /// Exhibits.
    pub exhibits: usize,
    /// Record versions whose hash was rechecked.
    pub versions_checked: usize,
    /// Versions with fields left out at her choice (not rechecked).
    pub versions_withheld: usize,
    /// Redactions in the chain.
    pub redactions: Vec<RedactionSeen>,
    /// The checkpoint's signature checked with the bundle's device key.
    pub checkpoint_valid: bool,
    /// `Some(true)` when the chain extends the receipt given.
    pub receipt_extends: Option<bool>,
    /// Everything wrong.
    pub problems: Vec<Problem>,
    /// Things to know that are not problems.
    pub notes: Vec<String>,
}

struct Ctx {
    problems: Vec<Problem>,
}

impl Ctx {
    fn bad(&mut self, code: &'static str, message: String, path: Option<&str>, seq: Option<u64>) {
        self.problems.push(Problem {
            code,
            message,
            path: path.map(str::to_string),
            seq,
        });
    }
}

type Zip = ZipArchive<Box<dyn seal::ReadSeek>>;

/// Reads a whole (small) file of the bag.
fn read_small(z: &mut Zip, root: &str, path: &str, limit: u64) -> Result<Option<Vec<u8>>> {
    let name = format!("{root}/{path}");
    let mut f = match z.by_name(&name) {
        Ok(f) => f,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => {
            return Err(Error::BundleUnreadable(format!(
                "{path} cannot be read ({e})"
            )))
        }
    };
    if f.size() > limit {
        return Err(Error::BundleUnreadable(format!(
            "{path} is far larger than a Cairn bundle writes"
        )));
    }
    // The declared size is the bundle's word: reserve at most 1 MiB on it, grow as
    // bytes really arrive.
    let mut v = Vec::with_capacity(f.size().min(1 << 20) as usize);
    f.read_to_end(&mut v)
        .map_err(|e| Error::BundleUnreadable(format!("{path} cannot be read ({e})")))?;
    Ok(Some(v))
}

/// SHA-256 and size of a file of the bag, streamed.
fn hash_entry(z: &mut Zip, name: &str) -> std::result::Result<(String, u64), String> {
    let mut f = z.by_name(name).map_err(|e| e.to_string())?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf).map_err(|e| e.to_string())?;
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
        n += k as u64;
    }
    Ok((hex(&h.finalize()), n))
}

fn parse_manifest(text: &str) -> std::result::Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let (sum, path) = line
            .split_once(char::is_whitespace)
            .ok_or_else(|| format!("line {} is not \"<sha256> <path>\"", i + 1))?;
        let path = path.trim_start();
        if sum.len() != 64 || !sum.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("line {} does not start with a SHA-256", i + 1));
        }
        out.push((sum.to_ascii_lowercase(), decode_manifest_path(path)));
    }
    Ok(out)
}

fn file_sha256(path: &Path) -> Result<String> {
    let mut f = std::fs::File::open(path).map_err(|e| Error::io("read", path, e))?;
    let mut h = Sha256::new();
    std::io::copy(&mut f, &mut h).map_err(|e| Error::io("read", path, e))?;
    Ok(hex(&h.finalize()))
}

/// Checks the bundle at `path`. `receipt` is a checkpoint she gave out earlier.
pub fn verify_bundle(path: &Path, key: &Key, receipt: Option<&str>) -> Result<BundleReport> {
    let bundle_sha256 = file_sha256(path)?;
    let (reader, sealed) = seal::open(path, key)?;
    verify_opened(reader, sealed, bundle_sha256, receipt)
}

/// Checks a bundle already in memory, exactly as [`verify_bundle`] checks a file
/// holding `bytes` (the same report, the same errors). For callers that have the
/// bytes anyway, and for the fuzz targets in `fuzz/`, which feed it arbitrary input.
pub fn verify_bundle_bytes(bytes: &[u8], key: &Key, receipt: Option<&str>) -> Result<BundleReport> {
    let bundle_sha256 = hex(&Sha256::digest(bytes));
    let kind = seal::kind_of(bytes)?;
    let (reader, sealed) = seal::open_reader(Cursor::new(bytes.to_vec()), kind, key)?;
    verify_opened(reader, sealed, bundle_sha256, receipt)
}

/// The checks themselves, over the opened (decrypted) ZIP bytes.
fn verify_opened(
    reader: Box<dyn seal::ReadSeek>,
    sealed: bool,
    bundle_sha256: String,
    receipt: Option<&str>,
) -> Result<BundleReport> {
    let mut z: Zip = ZipArchive::new(reader).map_err(|e| match e {
        zip::result::ZipError::Io(io) => {
            // Inside an age stream, a damaged or cut chunk shows up as a read error.
            Error::BundleUnreadable(format!("it is damaged or cut short ({io})"))
        }
        e => Error::BundleUnreadable(format!("its ZIP structure is damaged ({e})")),
    })?;
    let names: Vec<String> = z
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .collect();
    let root = names
        .iter()
        .find_map(|n| n.strip_suffix("/bagit.txt").filter(|r| !r.contains('/')))
        .ok_or_else(|| Error::BundleUnreadable("it holds no BagIt bag (no bagit.txt)".into()))?
        .to_string();
    let mut c = Ctx {
        problems: Vec::new(),
    };
    let mut notes = Vec::new();
    for n in &names {
        if !n.starts_with(&format!("{root}/")) || n.contains("/../") || n.contains('\\') {
            c.bad(
                "foreign_file",
                format!("The archive holds {n}, outside the bag."),
                Some(n),
                None,
            );
        }
    }
    const SMALL: u64 = 256 << 20;
    let bagit = read_small(&mut z, &root, "bagit.txt", 4096)?.unwrap_or_default();
    if bagit != BAGIT_TXT.as_bytes() {
        c.bad(
            "bagit",
            "bagit.txt is not the BagIt 1.0 declaration Cairn writes.".into(),
            Some("bagit.txt"),
            None,
        );
    }

    // Fixity: the tag manifest, then the payload manifest.
    let tagm = read_small(&mut z, &root, "tagmanifest-sha256.txt", SMALL)?
        .ok_or_else(|| Error::BundleUnreadable("its tagmanifest-sha256.txt is missing".into()))?;
    let manifest_bytes = read_small(&mut z, &root, "manifest-sha256.txt", SMALL)?
        .ok_or_else(|| Error::BundleUnreadable("its manifest-sha256.txt is missing".into()))?;
    let mut files_checked = 0;
    let mut check_list = |z: &mut Zip, c: &mut Ctx, which: &str, text: &[u8]| -> Vec<Listed> {
        let text = String::from_utf8_lossy(text);
        let lines = match parse_manifest(&text) {
            Ok(l) => l,
            Err(why) => {
                c.bad(
                    "manifest",
                    format!("{which} is malformed: {why}."),
                    Some(which),
                    None,
                );
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for (want, p) in lines {
            match hash_entry(z, &format!("{root}/{p}")) {
                Ok((got, size)) => {
                    files_checked += 1;
                    if got != want {
                        c.bad(
                            "fixity",
                            format!("{p} does not match its SHA-256 in {which}: it was changed."),
                            Some(&p),
                            None,
                        );
                    }
                    out.push(Listed {
                        path: p,
                        sha256: got,
                        size,
                    });
                }
                Err(_) => c.bad(
                    "missing_file",
                    format!("{p} is listed in {which} but is not in the bundle."),
                    Some(&p),
                    None,
                ),
            }
        }
        out
    };
    let tags = check_list(&mut z, &mut c, "tagmanifest-sha256.txt", &tagm);
    for needed in ["bagit.txt", "bag-info.txt", "manifest-sha256.txt"] {
        if !tags.iter().any(|t| t.path == needed) {
            c.bad(
                "manifest",
                format!("{needed} is not covered by tagmanifest-sha256.txt."),
                Some(needed),
                None,
            );
        }
    }
    let payload = check_list(&mut z, &mut c, "manifest-sha256.txt", &manifest_bytes);
    for n in &names {
        if let Some(p) = n.strip_prefix(&format!("{root}/")) {
            if p.starts_with("data/") && !n.ends_with('/') && !payload.iter().any(|l| l.path == p) {
                c.bad(
                    "unlisted_file",
                    format!("{p} is in the bundle but not in its manifest: it was added."),
                    Some(p),
                    None,
                );
            }
        }
    }
    let evidence = evidence_sha256(&payload);
    let bag_info = String::from_utf8_lossy(
        &read_small(&mut z, &root, "bag-info.txt", 1 << 20)?.unwrap_or_default(),
    )
    .into_owned();
    let info_field = |k: &str| {
        bag_info
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{k}:")))
            .map(|v| v.trim().to_string())
    };
    let oxum = format!(
        "{}.{}",
        payload.iter().map(|l| l.size).sum::<u64>(),
        payload.len()
    );
    if info_field("Payload-Oxum").as_deref() != Some(oxum.as_str()) {
        c.bad(
            "payload_oxum",
            "bag-info.txt's Payload-Oxum does not match the payload: files were added or removed."
                .into(),
            Some("bag-info.txt"),
            None,
        );
    }
    if info_field("Cairn-Evidence-SHA256").as_deref() != Some(evidence.as_str()) {
        c.bad(
            "evidence_fingerprint",
            "The evidence fingerprint in bag-info.txt does not match the manifest.".into(),
            Some("bag-info.txt"),
            None,
        );
    }

    // The record.
    let json_of = |z: &mut Zip, p: &str| -> Result<Value> {
        let b = read_small(z, &root, p, SMALL)?
            .ok_or_else(|| Error::BundleUnreadable(format!("{p} is missing")))?;
        serde_json::from_slice(&b)
            .map_err(|e| Error::BundleUnreadable(format!("{p} is not valid JSON ({e})")))
    };
    let info: VaultInfo = serde_json::from_value(json_of(&mut z, VAULT_PATH)?).map_err(|e| {
        Error::BundleUnreadable(format!("{VAULT_PATH} is not what Cairn writes ({e})"))
    })?;
    let exhibits: Vec<BundleExhibit> = serde_json::from_value(json_of(&mut z, EXHIBITS_PATH)?)
        .map_err(|e| {
            Error::BundleUnreadable(format!("{EXHIBITS_PATH} is not what Cairn writes ({e})"))
        })?;
    let chain_text = read_small(&mut z, &root, CHAIN_PATH, SMALL)?
        .ok_or_else(|| Error::BundleUnreadable(format!("{CHAIN_PATH} is missing")))?;
    let versions_text = read_small(&mut z, &root, VERSIONS_PATH, SMALL)?.unwrap_or_default();
    let checkpoint_text = String::from_utf8_lossy(
        &read_small(&mut z, &root, CHECKPOINT_PATH, 1 << 16)?.unwrap_or_default(),
    )
    .into_owned();

    // Chain: hashes and links, from entry 1.
    let mut entries: Vec<Entry> = Vec::new();
    let mut prev = "0".repeat(64);
    for (i, line) in String::from_utf8_lossy(&chain_text).lines().enumerate() {
        let seq = i as u64 + 1;
        let v: Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(_) => {
                c.bad(
                    "chain_format",
                    format!("Line {seq} of the chain is not JSON."),
                    Some(CHAIN_PATH),
                    Some(seq),
                );
                break;
            }
        };
        let mut header = v.clone();
        let hash = header
            .as_object_mut()
            .and_then(|m| m.remove("hash"))
            .and_then(|h| h.as_str().map(str::to_string))
            .unwrap_or_default();
        let computed = to_canonical(&header)
            .map(|t| hex(&Sha256::digest(t.as_bytes())))
            .unwrap_or_default();
        if computed != hash {
            c.bad(
                "chain_hash",
                format!("Chain entry {seq} does not match its hash: it was changed."),
                Some(CHAIN_PATH),
                Some(seq),
            );
        }
        if v.get("seq").and_then(Value::as_u64) != Some(seq) {
            c.bad(
                "chain_gap",
                format!("Chain entry {seq} is out of sequence: entries were removed or reordered."),
                Some(CHAIN_PATH),
                Some(seq),
            );
        }
        if v.get("prev").and_then(Value::as_str) != Some(prev.as_str()) {
            c.bad(
                "chain_link",
                format!("Chain entry {seq} does not link to the entry before it."),
                Some(CHAIN_PATH),
                Some(seq),
            );
        }
        prev = hash.clone();
        entries.push(Entry {
            seq,
            prev: v
                .get("prev")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            recorded_at: v.get("recorded_at").and_then(Value::as_i64).unwrap_or(0),
            kind: v
                .get("kind")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            item: v
                .get("item")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            content_sha256: v
                .get("content_sha256")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            meta: v
                .get("meta")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default(),
            hash,
        });
    }
    let size = entries.len() as u64;
    if size != info.chain_size
        || entries.last().map(|e| e.hash.as_str()) != Some(info.chain_head.as_str())
    {
        c.bad(
            "chain_size",
            format!(
                "The chain has {size} entries, but the record says {}: entries are missing.",
                info.chain_size
            ),
            Some(CHAIN_PATH),
            None,
        );
    }

    // Entry 1 commits to the device key that signs checkpoints.
    let init_sha = hex(&Sha256::digest(info.init_record.as_bytes()));
    if entries.first().map(|e| e.content_sha256.as_str()) != Some(init_sha.as_str()) {
        c.bad(
            "init_mismatch",
            "The vault's first entry does not match its recorded key: the record was replaced."
                .into(),
            Some(VAULT_PATH),
            Some(1),
        );
    }
    let init_key = serde_json::from_str::<Value>(&info.init_record)
        .ok()
        .and_then(|v| {
            v.get("device_public_key")
                .and_then(Value::as_str)
                .map(str::to_string)
        });
    if init_key.as_deref() != Some(info.device_public_key.as_str()) {
        c.bad(
            "init_mismatch",
            "The signing key is not the one the vault's first entry names.".into(),
            Some(VAULT_PATH),
            Some(1),
        );
    }
    let public = (|| {
        let b: Vec<u8> = (0..info.device_public_key.len() / 2)
            .map(|i| u8::from_str_radix(info.device_public_key.get(2 * i..2 * i + 2)?, 16).ok())
            .collect::<Option<Vec<u8>>>()?;
        VerifyingKey::from_bytes(&b.try_into().ok()?).ok()
    })();
    let mut checkpoint_valid = false;
    match public
        .as_ref()
        .map(|k| checkpoint::verify(&checkpoint_text, k))
    {
        Some(Ok(cp)) => {
            let at = entries.get((cp.size as usize).wrapping_sub(1));
            if cp.size == 0 || at.map(|e| e.hash.as_str()) != Some(cp.head.as_str()) {
                c.bad(
                    "checkpoint_mismatch",
                    format!(
                        "The signed checkpoint (entry {}) does not match the chain.",
                        cp.size
                    ),
                    Some(CHECKPOINT_PATH),
                    Some(cp.size),
                );
            } else {
                checkpoint_valid = true;
                if cp.size < size {
                    notes.push(format!(
                        "The signed checkpoint covers entries 1 to {}.",
                        cp.size
                    ));
                }
            }
        }
        Some(Err(why)) => c.bad(
            "checkpoint_signature",
            format!("The signed checkpoint does not verify: {why}."),
            Some(CHECKPOINT_PATH),
            None,
        ),
        None => c.bad(
            "checkpoint_signature",
            "The vault's public key is not valid.".into(),
            Some(VAULT_PATH),
            None,
        ),
    }

    // Versions against their entries.
    let by_seq: HashMap<u64, &Entry> = entries.iter().map(|e| (e.seq, e)).collect();
    let (mut versions_checked, mut versions_withheld) = (0, 0);
    for (i, line) in String::from_utf8_lossy(&versions_text).lines().enumerate() {
        let v: BundleVersion = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(_) => {
                c.bad(
                    "record_format",
                    format!("Line {} of versions.jsonl is not a version.", i + 1),
                    Some(VERSIONS_PATH),
                    None,
                );
                continue;
            }
        };
        let Some(e) = by_seq.get(&v.seq) else {
            c.bad(
                "version_mismatch",
                format!(
                    "Version {} of {} names entry {}, which the chain does not have.",
                    v.version, v.item, v.seq
                ),
                Some(VERSIONS_PATH),
                Some(v.seq),
            );
            continue;
        };
        if e.item != v.item || e.meta.get("version").and_then(Value::as_u64) != Some(v.version) {
            c.bad(
                "version_mismatch",
                format!(
                    "Version {} of {} does not match chain entry {}.",
                    v.version, v.item, v.seq
                ),
                Some(VERSIONS_PATH),
                Some(v.seq),
            );
            continue;
        }
        let Some(rec) = &v.record else { continue };
        if !v.withheld.is_empty() {
            versions_withheld += 1;
            continue;
        }
        let want = e
            .meta
            .get("record_sha256")
            .and_then(Value::as_str)
            .unwrap_or(&e.content_sha256);
        let got = to_canonical(rec)
            .map(|t| hex(&Sha256::digest(t.as_bytes())))
            .unwrap_or_default();
        if got != want {
            c.bad("record_hash", format!("The record of {} (version {}) differs from what chain entry {} recorded: it was changed.", v.item, v.version, v.seq), Some(VERSIONS_PATH), Some(v.seq));
        }
        versions_checked += 1;
    }
    if versions_withheld > 0 {
        notes.push(format!("{versions_withheld} versions had private notes or location data left out at her choice, so their text could not be re-hashed; their times and order are in the chain."));
    }

    // Exhibits against the manifest and the chain.
    let latest_content: BTreeMap<&str, &str> = entries
        .iter()
        .filter(|e| e.kind.starts_with("file."))
        .map(|e| (e.item.as_str(), e.content_sha256.as_str()))
        .collect();
    for ex in &exhibits {
        match latest_content.get(ex.item.as_str()) {
            Some(orig) if *orig == ex.original_sha256 => {}
            _ => c.bad(
                "exhibit_chain",
                format!(
                    "Exhibit {} ({}) is not the file the chain recorded for {}.",
                    ex.reference, ex.name, ex.item
                ),
                ex.path.as_deref(),
                None,
            ),
        }
        let Some(p) = &ex.path else {
            notes.push(format!(
                "Exhibit {} was left out: {}.",
                ex.reference,
                ex.left_out.as_deref().unwrap_or("no reason given")
            ));
            continue;
        };
        match payload.iter().find(|l| &l.path == p) {
            Some(l) => {
                if Some(&l.sha256) != ex.sha256.as_ref() {
                    c.bad(
                        "exhibit_hash",
                        format!(
                            "Exhibit {} ({p}) does not have the SHA-256 the record gives.",
                            ex.reference
                        ),
                        Some(p),
                        None,
                    );
                } else if !ex.location_removed && l.sha256 != ex.original_sha256 {
                    c.bad(
                        "exhibit_hash",
                        format!("Exhibit {} ({p}) is not the original.", ex.reference),
                        Some(p),
                        None,
                    );
                }
            }
            None => c.bad(
                "missing_file",
                format!("Exhibit {} ({p}) is not in the bundle.", ex.reference),
                Some(p),
                None,
            ),
        }
        if ex.location_removed {
            notes.push(format!("Exhibit {} is a copy with its location data removed; the original's SHA-256 is {}.", ex.reference, ex.original_sha256));
        }
    }

    let redactions: Vec<RedactionSeen> = entries
        .iter()
        .filter(|e| e.kind == "item.redact")
        .map(|e| RedactionSeen {
            seq: e.seq,
            item: e.item.clone(),
            recorded_at: cairn_core::clock::format_ms(e.recorded_at),
        })
        .collect();

    let receipt_extends =
        receipt.map(|r| check_receipt(&mut c, r, &info, public.as_ref(), &entries));

    let ok = c.problems.is_empty();
    let verdict = if ok {
        format!(
            "Intact: every file matches its recorded SHA-256, the record matches the chain's {size} entries{}, and the checkpoint is signed by the vault's key{}.",
            if versions_withheld > 0 {
                " (except the versions with fields left out, noted below)"
            } else {
                ""
            },
            match receipt_extends {
                Some(true) => "; the chain extends the receipt given, so the history before it was not rewritten",
                // Without one, a consistent rebuild by whoever holds the keys would pass.
                _ => "; without an earlier receipt this cannot show the history was never rebuilt by someone holding the vault's keys",
            }
        )
    } else {
        format!(
            "Problems found: {} (the first: {})",
            c.problems.len(),
            c.problems[0].message
        )
    };
    Ok(BundleReport {
        ok,
        sealed,
        verdict,
        bundle_sha256,
        evidence_sha256: evidence,
        vault_id: info.vault_id.clone(),
        exported_at: info.exported_at.clone(),
        entries: size,
        files_checked,
        exhibits: exhibits.len(),
        versions_checked,
        versions_withheld,
        redactions,
        checkpoint_valid,
        receipt_extends,
        problems: c.problems,
        notes,
    })
}

/// Checks that the bundle's chain extends a receipt: the same vault, at least as many
/// entries, and the entry the receipt names has the hash it gives.
fn check_receipt(
    c: &mut Ctx,
    text: &str,
    info: &VaultInfo,
    public: Option<&VerifyingKey>,
    entries: &[Entry],
) -> bool {
    let parsed = crate::receipt::parse(text);
    let Some(r) = parsed else {
        c.bad(
            "receipt_format",
            "The receipt given is not a Cairn receipt.".into(),
            None,
            None,
        );
        return false;
    };
    if r.vault_id != info.vault_id {
        c.bad(
            "receipt_vault",
            "The receipt is for a different vault.".into(),
            None,
            None,
        );
        return false;
    }
    if let (Some(note), Some(k)) = (&r.note, public) {
        if let Err(why) = checkpoint::verify(note, k) {
            c.bad("receipt_signature", format!("The receipt's signature does not check with this vault's key ({why}): the vault was rebuilt with a new key."), None, None);
            return false;
        }
    }
    match entries.get((r.size as usize).wrapping_sub(1)) {
        Some(e) if r.size > 0 && e.hash.starts_with(&r.head) => true,
        Some(e) => {
            c.bad("receipt_rewritten", format!("Chain entry {} is not the one the receipt recorded: the history before the receipt was rewritten.", r.size), Some(CHAIN_PATH), Some(e.seq));
            false
        }
        None => {
            c.bad("receipt_rewritten", format!("The receipt covers {} entries but this bundle's chain has only {}: the bundle was made before the receipt, or its history was cut short.", r.size, entries.len()), Some(CHAIN_PATH), None);
            false
        }
    }
}
