//! Format 1 bundles (made before bundles were signed): fixity, the chain's hashes and
//! links, every version without withheld fields and every exhibit against the chain,
//! the checkpoint, and a receipt. Format 1 signs nothing but the checkpoint, so whoever
//! opens such a bundle can change its record consistently: the verdict says so.

use std::collections::{BTreeMap, HashMap};

use cairn_core::canonical::to_canonical;
use cairn_core::chain::Entry;
use cairn_core::{checkpoint, Error, Result};
use ed25519_dalek::VerifyingKey;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::lines::{self, Lines};
use super::{blank_report, entry_line, Bag, BundleReport, Ctx, RedactionSeen};
use crate::bag::hex;
use crate::record::{
    BundleExhibit, BundleVersion, VaultInfo, CHAIN_PATH, CHECKPOINT_PATH, EXHIBITS_PATH,
    VAULT_PATH, VERSIONS_PATH,
};

const SMALL: u64 = 256 << 20;

/// The record checks of a format-1 bundle.
pub(crate) fn check(
    bag: &mut Bag,
    c: &mut Ctx,
    info: &VaultInfo,
    receipt: Option<&str>,
) -> Result<BundleReport> {
    // The record (read within limits: a format-1 bundle's record files are small
    // JSON; chain and versions are read a line at a time).
    let exhibits: Vec<BundleExhibit> = {
        let b = bag
            .read_small(EXHIBITS_PATH, SMALL)?
            .ok_or_else(|| Error::BundleUnreadable(format!("{EXHIBITS_PATH} is missing")))?;
        lines::parse(&b).map_err(|e| Error::BundleUnreadable(format!("{EXHIBITS_PATH}: {e}")))?
    };
    let checkpoint_text = String::from_utf8_lossy(
        &bag.read_small(CHECKPOINT_PATH, 1 << 16)?
            .unwrap_or_default(),
    )
    .into_owned();

    // Chain: hashes and links, from entry 1; nothing after the first break is read.
    let mut entries: Vec<Entry> = Vec::new();
    {
        let name = bag.name(CHAIN_PATH);
        let f = bag
            .open_named(&name)
            .map_err(|_| Error::BundleUnreadable(format!("{CHAIN_PATH} is missing")))?;
        let mut rd = Lines::at_most(f, super::lines::MAX_ENTRY_LINE);
        let mut prev = "0".repeat(64);
        loop {
            let seq = entries.len() as u64 + 1;
            let line = match rd.next_line() {
                Ok(Some(l)) => l,
                Ok(None) => break,
                Err(e) => {
                    c.bad(
                        "chain_format",
                        format!("Line {seq} of the chain cannot be read: {e}."),
                        Some(CHAIN_PATH),
                        Some(seq),
                    );
                    break;
                }
            };
            let el = match entry_line(line) {
                Ok(el) => el,
                Err(why) => {
                    c.bad(
                        "chain_format",
                        format!("Line {seq} of the chain is not an entry: {why}."),
                        Some(CHAIN_PATH),
                        Some(seq),
                    );
                    break;
                }
            };
            if el.computed != el.entry.hash {
                c.bad(
                    "chain_hash",
                    format!("Chain entry {seq} does not match its hash: it was changed."),
                    Some(CHAIN_PATH),
                    Some(seq),
                );
                break;
            }
            if el.entry.seq != seq {
                c.bad(
                    "chain_gap",
                    format!(
                        "Chain entry {seq} is out of sequence: entries were removed or reordered."
                    ),
                    Some(CHAIN_PATH),
                    Some(seq),
                );
                break;
            }
            if el.entry.prev != prev {
                c.bad(
                    "chain_link",
                    format!("Chain entry {seq} does not link to the entry before it."),
                    Some(CHAIN_PATH),
                    Some(seq),
                );
                break;
            }
            prev = el.entry.hash.clone();
            entries.push(el.entry);
        }
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
                    c.note(format!(
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
    if let Ok(f) = bag.open_named(&format!("{}/{VERSIONS_PATH}", bag.root)) {
        let mut rd = Lines::new(f);
        loop {
            let line = match rd.next_line() {
                Ok(Some(l)) => l,
                Ok(None) => break,
                Err(e) => {
                    c.bad(
                        "record_format",
                        format!(
                            "Line {} of versions.jsonl cannot be read: {e}.",
                            rd.number + 1
                        ),
                        Some(VERSIONS_PATH),
                        None,
                    );
                    break;
                }
            };
            let v: BundleVersion = match lines::parse(line) {
                Ok(v) => v,
                Err(_) => {
                    c.bad(
                        "record_format",
                        format!("Line {} of versions.jsonl is not a version.", rd.number),
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
            if e.item != v.item || e.meta.get("version").and_then(Value::as_u64) != Some(v.version)
            {
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
    }
    if versions_withheld > 0 {
        c.note(format!("{versions_withheld} versions had private notes or location data left out at her choice, so their text could not be re-hashed; their times and order are in the chain."));
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
            c.note(format!(
                "Exhibit {} was left out: {}.",
                ex.reference,
                ex.left_out.as_deref().unwrap_or("no reason given")
            ));
            continue;
        };
        match bag.payload.get(p.as_str()) {
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
            c.note(format!("Exhibit {} is a copy with its location data removed; the original's SHA-256 is {}.", ex.reference, ex.original_sha256));
        }
    }

    let redactions: Vec<RedactionSeen> = entries
        .iter()
        .filter(|e| e.kind == "item.redact")
        .map(|e| RedactionSeen {
            seq: e.seq,
            item: e.item.clone(),
            recorded_at: cairn_core::clock::format_ms(e.recorded_at),
            reason: None,
        })
        .collect();

    let receipt_extends = receipt.map(|r| check_receipt(c, r, info, public.as_ref(), &entries));

    let mut report = blank_report(1);
    report.verdict = format!(
        "Intact as far as a format-1 bundle shows: every file matches its recorded SHA-256, the record matches the chain's {size} entries{}, and the checkpoint is signed by the vault's key{}. Format 1 does not sign its record, so someone who opened this bundle could have changed it consistently; ask for a bundle made by this version of Cairn.",
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
    );
    report.disclosure = "full-chain".into();
    report.entries = size;
    report.entries_carried = size;
    report.exhibits = exhibits.len();
    report.versions_checked = versions_checked;
    report.versions_withheld = versions_withheld;
    report.redactions = redactions;
    report.checkpoint_valid = checkpoint_valid;
    report.receipt_extends = receipt_extends;
    Ok(report)
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
    let Some(head) = r.head.as_deref() else {
        c.bad(
            "receipt_format",
            "The receipt is of a newer format than this bundle; check a newer bundle against it."
                .into(),
            None,
            None,
        );
        return false;
    };
    match entries.get((r.size as usize).wrapping_sub(1)) {
        Some(e) if r.size > 0 && e.hash.starts_with(head) => true,
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
