//! Format 2 bundles: everything in the bag is signed by the vault, and every part of
//! the record is checked against the signed tree of chain entries (docs/FORMAT.md §9).
//!
//! Order, so that what is kept in memory only grows with what was hash-checked: the
//! signature and checkpoint; the entries (each proven by the chain's links or by its
//! inclusion proof, reading stops at the first that is not); the items, each kept only
//! if its first entry is one of those; the versions, streamed against both; links;
//! exhibits; a receipt.

use std::collections::{BTreeSet, HashMap};

use cairn_core::chain::Entry;
use cairn_core::clock::format_ms;
use cairn_core::location::{COPY_ENTRY, COPY_META};
use cairn_core::merkle::{self, Frontier};
use cairn_core::withhold::{self, fields_of};
use cairn_core::{checkpoint, note, ItemKind, Result};
use ed25519_dalek::VerifyingKey;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::lines::{self, Lines};
use super::{blank_report, entry_line, Bag, BundleReport, Ctx, RedactionSeen};
use crate::bag::{hex, unhex};
use crate::record::{
    note_body, BundleExhibit, BundleItem, BundleVersion, ConsistencyLine, Disclosure, VaultInfo,
    CHAIN_PATH, CHECKPOINT_PATH, CONSISTENCY_PATH, ENTRIES_PATH, EXHIBITS_PATH, ITEMS_PATH,
    SIGNATURE_PATH, VAULT_PATH, VERSIONS_PATH,
};

/// What is kept of an entry: enough to check the versions, redactions and exhibits
/// that name it.
///
/// A bundle of 100,000 messages keeps 100,000 of these: hashes are held as bytes, and
/// what few entries carry is boxed.
struct Info {
    seq: u64,
    kind: Box<str>,
    item: Box<str>,
    version: Option<u64>,
    content: [u8; 32],
    /// `meta.record_sha256` (files).
    record: Option<[u8; 32]>,
    /// A location-free copy's SHA-256 it records, and of which original.
    copy: Option<Box<(String, String)>>,
    at: i64,
    /// A version written in format 2: its record hash is over the committed form.
    committed: bool,
}

/// Decodes the hex of one entry's proof after another: neighbours' proofs share most
/// of their hashes, and those already decoded are not decoded again.
#[derive(Default)]
struct ProofHashes {
    hex: Vec<String>,
    bytes: Vec<[u8; 32]>,
}

impl ProofHashes {
    /// The proof's hashes, or `None` if one is not 64 lower-case hex digits.
    fn decode(&mut self, proof: &[String]) -> Option<&[[u8; 32]]> {
        self.hex.truncate(proof.len());
        self.bytes.truncate(proof.len());
        for (i, h) in proof.iter().enumerate() {
            if self.hex.get(i) == Some(h) {
                continue;
            }
            let b = unhex(h);
            let Some(b) = b else {
                // Nothing half-decoded is kept.
                self.hex.clear();
                self.bytes.clear();
                return None;
            };
            match (self.hex.get_mut(i), self.bytes.get_mut(i)) {
                (Some(x), Some(y)) => {
                    x.clone_from(h);
                    *y = b;
                }
                _ => {
                    self.hex.push(h.clone());
                    self.bytes.push(b);
                }
            }
        }
        Some(&self.bytes)
    }
}

/// The entry at `seq` among `entries` (in increasing order of their numbers).
fn entry_at(entries: &[Info], seq: u64) -> Option<&Info> {
    entries
        .binary_search_by_key(&seq, |e| e.seq)
        .ok()
        .and_then(|i| entries.get(i))
}

impl Info {
    /// `None` if a hash the entry gives is not 64 lower-case hex digits (the vault
    /// writes no other).
    fn of(e: &Entry) -> Option<Info> {
        let s = |k: &str| e.meta.get(k).and_then(Value::as_str).map(str::to_string);
        let copy = if e.kind == COPY_ENTRY {
            s("original_sha256").map(|o| (e.content_sha256.clone(), o))
        } else {
            s(COPY_META).map(|c| (c, e.content_sha256.clone()))
        };
        let record = match s("record_sha256") {
            Some(h) => Some(unhex(&h)?),
            None => None,
        };
        Some(Info {
            seq: e.seq,
            kind: e.kind.as_str().into(),
            item: e.item.as_str().into(),
            version: e.meta.get("version").and_then(Value::as_u64),
            content: unhex(&e.content_sha256)?,
            record,
            copy: copy.map(Box::new),
            at: e.recorded_at,
            committed: e.meta.get(withhold::COMMITTED_META) == Some(&Value::Bool(true)),
        })
    }

    /// The hash of the version's record the entry recorded.
    fn record_hash(&self) -> [u8; 32] {
        self.record.unwrap_or(self.content)
    }
}

/// What the items file says of an item, kept to check its versions against (one for
/// each of 100,000 messages: what most items lack is boxed, hashes are bytes).
struct ItemState {
    kind: ItemKind,
    version: u64,
    /// SHA-256 of the canonical JSON of the record `items.json` shows.
    shown: Option<[u8; 32]>,
    redacted: bool,
    /// The next version expected in `versions.jsonl`.
    next: u64,
    /// The content SHA-256 of its current version.
    content: Option<[u8; 32]>,
    /// The rest, if the item has any of it.
    more: Option<Box<More>>,
}

/// What an item may have besides: fields left out, an exhibit, links, a tombstone.
#[derive(Default)]
struct More {
    withheld: Vec<String>,
    exhibit: Option<String>,
    links: BTreeSet<String>,
    /// The last version's link record (links).
    link: Option<(String, String, bool)>,
    /// A file's name and media type, as its record shows them.
    file: Option<(String, String)>,
    /// A redacted item's tombstone list of the versions removed, and the list its
    /// version entries give.
    tomb: Option<(Vec<Value>, Vec<Value>)>,
}

/// What an item without any of [`More`] has of it.
static NO_MORE: std::sync::LazyLock<More> = std::sync::LazyLock::new(More::default);

impl ItemState {
    fn more(&self) -> &More {
        self.more.as_deref().unwrap_or(&NO_MORE)
    }

    fn more_mut(&mut self) -> &mut More {
        self.more.get_or_insert_with(Box::default)
    }
}

fn canonical_digest(v: &Value) -> Option<[u8; 32]> {
    cairn_core::canonical::sha256_of(v).ok()
}

fn entry_verb_ok(kind: ItemKind, entry_kind: &str, version: u64) -> bool {
    let Some((k, verb)) = entry_kind.split_once('.') else {
        return false;
    };
    if k != kind.as_str() {
        return false;
    }
    let creates = matches!(verb, "create" | "add");
    let edits = matches!(verb, "edit" | "change");
    (version == 1 && creates) || (version > 1 && edits)
}

/// The record checks of a format-2 bundle.
pub(crate) fn check(
    bag: &mut Bag,
    c: &mut Ctx,
    info: &VaultInfo,
    receipt: Option<&str>,
) -> Result<BundleReport> {
    let mut report = blank_report(2);
    report.disclosure = info.disclosure.as_str().to_string();
    report.entries = info.chain_size;
    let n = info.chain_size;

    // Nothing at the bag's top but the tag files Cairn writes.
    let prefix = format!("{}/", bag.root);
    for name in &bag.names {
        let Some(p) = name.strip_prefix(&prefix) else {
            continue;
        };
        let known = [
            "bagit.txt",
            "bag-info.txt",
            "manifest-sha256.txt",
            "tagmanifest-sha256.txt",
            SIGNATURE_PATH,
        ];
        if !p.starts_with("data/") && !p.ends_with('/') && !known.contains(&p) {
            c.bad(
                "unlisted_file",
                format!("{p} is in the bundle outside both manifests: it was added."),
                Some(p),
                None,
            );
        }
    }

    // 1. The vault's signature over both manifests, the selection and the tree head.
    let public = unhex(&info.device_public_key).and_then(|b| VerifyingKey::from_bytes(&b).ok());
    let key_name = checkpoint::origin(&info.vault_id);
    let sig = bag.read_small(SIGNATURE_PATH, note::MAX_NOTE as u64)?;
    match (sig, &public) {
        (None, _) => c.bad(
            "signature",
            format!("{SIGNATURE_PATH}, the vault's signature over the bundle, is missing."),
            Some(SIGNATURE_PATH),
            None,
        ),
        (_, None) => c.bad(
            "signature",
            "The vault's public key in vault.json is not a valid key.".into(),
            Some(VAULT_PATH),
            None,
        ),
        (Some(text), Some(k)) => {
            let text = String::from_utf8_lossy(&text);
            match note::verify(&text, &key_name, k) {
                Err(why) => c.bad(
                    "signature",
                    format!("The vault's signature over the bundle does not verify: {why}."),
                    Some(SIGNATURE_PATH),
                    None,
                ),
                Ok(body) => {
                    let want = note_body(info, &bag.manifest_sha256, &bag.tagmanifest_sha256);
                    if body != want {
                        let what = first_difference(&body, &want);
                        c.bad(
                            "signature_mismatch",
                            format!("The bundle is not the one the vault signed: {what}."),
                            Some(SIGNATURE_PATH),
                            None,
                        );
                    } else {
                        report.signed = true;
                    }
                }
            }
        }
    }
    // bag-info.txt repeats what vault.json says, for people and BagIt tools.
    let head_said = if info.chain_head.is_empty() {
        "-"
    } else {
        info.chain_head.as_str()
    };
    for (field, want) in [
        ("Cairn-Format", info.version.to_string()),
        ("Cairn-Vault-Id", info.vault_id.clone()),
        ("Cairn-Chain-Size", info.chain_size.to_string()),
        ("Cairn-Chain-Head", head_said.to_string()),
        ("Cairn-Tree-Root", info.tree_root.clone()),
        ("Cairn-Disclosure", info.disclosure.as_str().to_string()),
        (
            "External-Identifier",
            format!("cairn-bundle-{}", bag.evidence.get(..16).unwrap_or("")),
        ),
    ] {
        if super::info_field(&bag.bag_info, field).as_deref() != Some(want.as_str()) {
            c.bad(
                "bag_info",
                format!("bag-info.txt's {field} does not say what the record says."),
                Some("bag-info.txt"),
                None,
            );
        }
    }

    let root = unhex(&info.tree_root);
    if root.is_none() || info.format != "cairn-bundle" {
        c.bad(
            "record_format",
            "vault.json does not give the tree head a format-2 bundle must.".into(),
            Some(VAULT_PATH),
            None,
        );
    }
    let root = root.unwrap_or_default();

    // 2. The checkpoint of that tree.
    let cp_text = String::from_utf8_lossy(
        &bag.read_small(CHECKPOINT_PATH, note::MAX_NOTE as u64)?
            .unwrap_or_default(),
    )
    .into_owned();
    match public.as_ref().map(|k| checkpoint::verify(&cp_text, k)) {
        Some(Ok(cp)) => {
            if cp.size != n
                || cp.root.as_deref() != Some(info.tree_root.as_str())
                || cp.head != info.chain_head
                || cp.origin != key_name
            {
                c.bad(
                    "checkpoint_mismatch",
                    format!(
                        "The signed checkpoint (entry {}) is not of the tree this bundle carries.",
                        cp.size
                    ),
                    Some(CHECKPOINT_PATH),
                    Some(cp.size),
                );
            } else {
                report.checkpoint_valid = true;
            }
        }
        Some(Err(why)) => c.bad(
            "checkpoint_signature",
            format!("The signed checkpoint does not verify: {why}."),
            Some(CHECKPOINT_PATH),
            None,
        ),
        None => {}
    }

    // A receipt names a size whose root or head the entries must give.
    let parsed_receipt = receipt.map(crate::receipt::parse);
    let receipt_size = parsed_receipt
        .as_ref()
        .and_then(|r| r.as_ref().map(|r| r.size));

    // 3. The entries.
    let mut entries: Vec<Info> = Vec::new();
    let mut at_receipt: Option<(String, String)> = None; // (root, head hash) at its size
    let full = info.disclosure == Disclosure::FullChain;
    let (path, other) = if full {
        (CHAIN_PATH, ENTRIES_PATH)
    } else {
        (ENTRIES_PATH, CHAIN_PATH)
    };
    if bag.payload.contains_key(other) {
        c.bad(
            "unexpected_file",
            format!(
                "{other} does not belong in a {} bundle.",
                info.disclosure.as_str()
            ),
            Some(other),
            None,
        );
    }
    let mut carried = 0u64;
    {
        let name = bag.name(path);
        match bag.open_named(&name) {
            Err(_) => c.bad(
                "missing_file",
                format!("{path}, the bundle's chain entries, is missing."),
                Some(path),
                None,
            ),
            Ok(f) => {
                let mut rd = Lines::at_most(f, lines::MAX_ENTRY_LINE);
                let mut tree = Frontier::new();
                let mut proofs = merkle::InclusionChecker::new(n, root);
                let mut hashes = ProofHashes::default();
                let mut last: Option<(u64, String)> = None;
                loop {
                    let line = match rd.next_line() {
                        Ok(Some(l)) => l,
                        Ok(None) => break,
                        Err(e) => {
                            c.bad(
                                "chain_format",
                                format!("Line {} of {path} cannot be read: {e}.", rd.number + 1),
                                Some(path),
                                None,
                            );
                            break;
                        }
                    };
                    let el = match entry_line(line) {
                        Ok(el) => el,
                        Err(why) => {
                            c.bad(
                                "chain_format",
                                format!("Line {} of {path} is not an entry: {why}.", rd.number),
                                Some(path),
                                None,
                            );
                            break;
                        }
                    };
                    let e = &el.entry;
                    let seq = e.seq;
                    if full && el.proof.is_some() {
                        c.bad(
                            "chain_format",
                            format!(
                                "Chain entry {seq} carries a proof, which a full chain does not."
                            ),
                            Some(path),
                            Some(seq),
                        );
                        break;
                    }
                    if el.computed != e.hash {
                        c.bad(
                            "chain_hash",
                            format!("Chain entry {seq} does not match its hash: it was changed."),
                            Some(path),
                            Some(seq),
                        );
                        break;
                    }
                    let expected_prev = match &last {
                        Some((s, h)) if *s + 1 == seq => Some(h.clone()),
                        None if seq == 1 => Some(merkle_zero()),
                        _ => None,
                    };
                    if full {
                        if seq != carried + 1 {
                            c.bad(
                                "chain_gap",
                                format!(
                                    "Chain entry {} is missing: entries were removed or reordered.",
                                    carried + 1
                                ),
                                Some(path),
                                Some(carried + 1),
                            );
                            break;
                        }
                    } else if last.as_ref().is_some_and(|(s, _)| seq <= *s) || seq == 0 || seq > n {
                        c.bad(
                            "chain_gap",
                            format!(
                                "Chain entry {seq} is out of order or outside the signed tree."
                            ),
                            Some(path),
                            Some(seq),
                        );
                        break;
                    }
                    if let Some(p) = expected_prev {
                        if e.prev != p {
                            c.bad(
                                "chain_link",
                                format!("Chain entry {seq} does not link to the entry before it."),
                                Some(path),
                                Some(seq),
                            );
                            break;
                        }
                    }
                    let leaf = merkle::leaf_hash(&unhex(&e.hash).unwrap_or_default());
                    if full {
                        tree.push(leaf);
                        if receipt_size == Some(seq) {
                            at_receipt = Some((hex(&tree.root()), e.hash.clone()));
                        }
                    } else {
                        let ok = el
                            .proof
                            .as_deref()
                            .and_then(|p| hashes.decode(p))
                            .is_some_and(|p| proofs.check(&leaf, seq - 1, p));
                        if !ok {
                            c.bad("entry_proof", format!("Chain entry {seq} is not in the history the vault signed: its inclusion proof fails."), Some(path), Some(seq));
                            break;
                        }
                        if receipt_size == Some(seq) {
                            at_receipt = Some((String::new(), e.hash.clone()));
                        }
                    }
                    if seq == n
                        && (full || !info.chain_head.is_empty())
                        && e.hash != info.chain_head
                    {
                        c.bad(
                            "chain_head",
                            format!("Chain entry {seq} is not the head the vault signed."),
                            Some(path),
                            Some(seq),
                        );
                        break;
                    }
                    carried += 1;
                    last = Some((seq, e.hash.clone()));
                    // Backups' and failed unlocks' entries name no item; nothing refers to them.
                    if seq == 1 || !e.kind.starts_with("vault.") {
                        let Some(kept) = Info::of(e) else {
                            c.bad(
                                "chain_format",
                                format!("Chain entry {seq} gives a hash that is not 64 lower-case hex digits."),
                                Some(path),
                                Some(seq),
                            );
                            break;
                        };
                        entries.push(kept);
                    }
                }
                if full && c.problems.iter().all(|p| p.path.as_deref() != Some(path)) {
                    if carried != n {
                        c.bad("chain_size", format!("The chain has {carried} entries, but the vault signed {n}: entries are missing."), Some(path), None);
                    } else if tree.root() != root {
                        c.bad("tree_mismatch", "The chain's entries do not make the tree the vault signed: the history was changed.".into(), Some(path), None);
                    }
                }
            }
        }
    }
    report.entries_carried = carried;

    // 4. Entry 1 names the vault and the key that signs.
    let init_ok = entry_at(&entries, 1).is_some_and(|e| {
        &*e.kind == "vault.init"
            && *e.item == *info.vault_id
            && e.content[..] == Sha256::digest(info.init_record.as_bytes())[..]
    });
    let init: Option<Value> = serde_json::from_str(&info.init_record).ok();
    let key_ok = init.as_ref().is_some_and(|v| {
        v.get("device_public_key").and_then(Value::as_str) == Some(info.device_public_key.as_str())
            && v.get("vault_id").and_then(Value::as_str) == Some(info.vault_id.as_str())
    });
    if !init_ok || !key_ok {
        c.bad(
            "init_mismatch",
            "The vault's first entry does not name the key that signed this bundle: the record was replaced.".into(),
            Some(VAULT_PATH),
            Some(1),
        );
    }

    // 5. The items, each against its first and current entries.
    // Every item has its first entry among these: sized once, the table never grows
    // (growing, it would hold its old and new room at once).
    let mut items: HashMap<String, ItemState> = HashMap::with_capacity(entries.len());
    let mut redactions = Vec::new();
    for_each_element::<BundleItem>(bag, c, ITEMS_PATH, |c, it| {
        let created = entry_at(&entries, it.created_seq);
        let first_ok = created.is_some_and(|e| {
            *e.item == *it.id && e.version == Some(1) && entry_verb_ok(it.kind, &e.kind, 1)
        });
        if !first_ok || items.contains_key(&it.id) {
            c.bad(
                "item_mismatch",
                format!(
                    "Item {} is not the one chain entry {} recorded.",
                    it.id, it.created_seq
                ),
                Some(ITEMS_PATH),
                Some(it.created_seq),
            );
            return;
        }
        let current = entry_at(&entries, it.current_seq);
        let mut ok = it.recorded_at == created.map(|e| format_ms(e.at)).unwrap_or_default()
            && it.updated_at == current.map(|e| format_ms(e.at)).unwrap_or_default()
            && current.is_some_and(|e| *e.item == *it.id && e.version == Some(it.version));
        let mut content = None;
        match &it.redaction {
            Some(r) => {
                let tomb =
                    serde_json::json!({"item": it.id, "reason": r.reason, "versions": r.versions});
                let e = entry_at(&entries, r.seq);
                ok &= it.record.is_none()
                    && e.is_some_and(|e| {
                        &*e.kind == "item.redact"
                            && *e.item == *it.id
                            && canonical_digest(&tomb) == Some(e.content)
                    })
                    && r.recorded_at == e.map(|e| format_ms(e.at)).unwrap_or_default();
                if ok {
                    redactions.push(RedactionSeen {
                        seq: r.seq,
                        item: it.id.clone(),
                        recorded_at: r.recorded_at.clone(),
                        reason: Some(r.reason.clone()),
                    });
                }
            }
            None => content = current.map(|e| e.content),
        }
        if !ok {
            c.bad(
                "item_mismatch",
                format!("The record of {} in items.json (its times, version or redaction) does not match the chain.", it.id),
                Some(ITEMS_PATH),
                Some(it.current_seq),
            );
        }
        let more = More {
            withheld: it.withheld.clone(),
            exhibit: it.exhibit.clone(),
            links: it.links.iter().cloned().collect(),
            link: None,
            file: (it.kind == ItemKind::File).then(|| {
                let t = |k: &str| {
                    it.record
                        .as_ref()
                        .and_then(|r| r.get(k))
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string()
                };
                (t("name"), t("media_type"))
            }),
            tomb: it
                .redaction
                .as_ref()
                .map(|r| (r.versions.clone(), Vec::new())),
        };
        let bare = more.withheld.is_empty()
            && more.exhibit.is_none()
            && more.links.is_empty()
            && more.file.is_none()
            && more.tomb.is_none();
        items.insert(
            it.id.clone(),
            ItemState {
                kind: it.kind,
                version: it.version,
                shown: it.record.as_ref().and_then(canonical_digest),
                redacted: it.redaction.is_some(),
                next: 1,
                content,
                more: (!bare).then(|| Box::new(more)),
            },
        );
    })?;
    // A full chain shows every version and redaction of an exported item.
    if full {
        let mut counts: HashMap<&str, u64> = HashMap::new();
        for e in &entries {
            if let Some(st) = items.get(&*e.item) {
                if e.version.is_some() && entry_verb_ok(st.kind, &e.kind, e.version.unwrap_or(0)) {
                    *counts.entry(&e.item).or_default() += 1;
                }
                if &*e.kind == "item.redact" && !st.redacted {
                    c.bad("redaction_hidden", format!("The chain records that {} was redacted, but the bundle shows it as not.", e.item), Some(ITEMS_PATH), None);
                }
            }
        }
        for (id, st) in &items {
            if counts.get(id.as_str()).copied().unwrap_or(0) != st.version {
                c.bad("version_missing", format!("The chain holds a different number of versions of {id} than items.json: a version was dropped or added."), Some(ITEMS_PATH), None);
            }
        }
    }

    // 6. Every version, in order, against its entry.
    let (mut checked, mut withheld_n) = (0usize, 0usize);
    let mut unverifiable = Vec::new();
    let mut withheld_seen: BTreeSet<String> = BTreeSet::new();
    each_line::<BundleVersion>(bag, c, VERSIONS_PATH, |c, v| {
        let Some(st) = items.get_mut(&v.item) else {
            c.bad(
                "version_unlisted",
                format!(
                    "versions.jsonl holds a version of {}, which items.json does not list.",
                    v.item
                ),
                Some(VERSIONS_PATH),
                Some(v.seq),
            );
            return;
        };
        if v.version != st.next {
            c.bad(
                "version_missing",
                format!(
                    "Version {} of {} is missing or out of order in versions.jsonl.",
                    st.next, v.item
                ),
                Some(VERSIONS_PATH),
                Some(v.seq),
            );
            st.next = u64::MAX;
            return;
        }
        st.next += 1;
        let e = entry_at(&entries, v.seq);
        let entry_ok = e.is_some_and(|e| {
            *e.item == *v.item
                && e.version == Some(v.version)
                && entry_verb_ok(st.kind, &e.kind, v.version)
        });
        let Some(e) = e.filter(|_| entry_ok) else {
            c.bad(
                "version_mismatch",
                format!(
                    "Version {} of {} does not match chain entry {}.",
                    v.version, v.item, v.seq
                ),
                Some(VERSIONS_PATH),
                Some(v.seq),
            );
            return;
        };
        if let Some((_, seen)) = st.more.as_mut().and_then(|m| m.tomb.as_mut()) {
            seen.push(serde_json::json!({
                "version": v.version,
                "content_sha256": hex(&e.content),
                "record_sha256": hex(&e.record_hash()),
            }));
        }
        let allowed = fields_of(st.kind);
        if v.withheld.iter().any(|f| !allowed.contains(&f.as_str())) {
            c.bad(
                "withheld_field",
                format!(
                    "Version {} of {} leaves out a field that cannot be left out.",
                    v.version, v.item
                ),
                Some(VERSIONS_PATH),
                Some(v.seq),
            );
        }
        let last = v.version == st.version;
        let Some(rec) = &v.record else {
            if !st.redacted {
                c.bad(
                    "content_missing",
                    format!(
                        "Version {} of {} has no record, but it was not redacted.",
                        v.version, v.item
                    ),
                    Some(VERSIONS_PATH),
                    Some(v.seq),
                );
            }
            return;
        };
        if st.redacted {
            c.bad(
                "redaction_hidden",
                format!(
                    "{} was redacted, but the bundle still holds its record.",
                    v.item
                ),
                Some(VERSIONS_PATH),
                Some(v.seq),
            );
        }
        withheld_seen.extend(v.withheld.iter().cloned());
        let whole = if v.unverifiable {
            if v.withheld.is_empty() || e.committed {
                c.bad("record_hash", format!("Version {} of {} is said to be unverifiable, but its entry shows its record can be checked: it was changed.", v.version, v.item), Some(VERSIONS_PATH), Some(v.seq));
                return;
            }
            unverifiable.push(format!("{} version {}", v.item, v.version));
            rec.clone()
        } else {
            if canonical_digest(rec) != Some(e.record_hash()) {
                c.bad("record_hash", format!("The record of {} (version {}) differs from what chain entry {} recorded: it was changed.", v.item, v.version, v.seq), Some(VERSIONS_PATH), Some(v.seq));
                return;
            }
            match withhold::reveal(rec, &v.disclosures) {
                Ok((whole, left)) => {
                    let mut said = v.withheld.clone();
                    said.sort();
                    if left != said {
                        c.bad(
                            "withheld_field",
                            format!(
                                "Version {} of {} does not say truly what was left out of it.",
                                v.version, v.item
                            ),
                            Some(VERSIONS_PATH),
                            Some(v.seq),
                        );
                    }
                    checked += 1;
                    if !left.is_empty() {
                        withheld_n += 1;
                    }
                    whole
                }
                Err(_) => {
                    c.bad("disclosure", format!("A field given for {} (version {}) is not the one its record commits to: it was changed.", v.item, v.version), Some(VERSIONS_PATH), Some(v.seq));
                    return;
                }
            }
        };
        if st.kind == ItemKind::File
            && whole.get("sha256").and_then(Value::as_str).and_then(unhex) != Some(e.content)
        {
            c.bad(
                "record_hash",
                format!(
                    "The record of {} names other content than its entry.",
                    v.item
                ),
                Some(VERSIONS_PATH),
                Some(v.seq),
            );
        }
        let shows = |f: &str| withhold::get(&whole, f).is_some();
        if (!info.location_included
            && fields_of(ItemKind::File)
                .iter()
                .any(|f| st.kind == ItemKind::File && shows(f)))
            || (!info.private_notes_included
                && st.kind == ItemKind::Incident
                && shows("private_notes"))
        {
            c.bad(
                "withheld_field",
                format!(
                    "{} (version {}) holds a field the bundle says was left out.",
                    v.item, v.version
                ),
                Some(VERSIONS_PATH),
                Some(v.seq),
            );
        }
        if last {
            let mut w = v.withheld.clone();
            let mut said = st.more().withheld.clone();
            w.sort();
            said.sort();
            if canonical_digest(&whole) != st.shown || w != said {
                c.bad(
                    "item_mismatch",
                    format!(
                        "items.json shows {} differently from its latest version: it was changed.",
                        v.item
                    ),
                    Some(ITEMS_PATH),
                    Some(v.seq),
                );
            }
            if st.kind == ItemKind::Link {
                let s = |k: &str| {
                    whole
                        .get(k)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string()
                };
                st.more_mut().link = Some((
                    s("from"),
                    s("to"),
                    whole
                        .get("active")
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                ));
            }
        }
    })?;
    let mut missing: Vec<&str> = items
        .iter()
        .filter(|(_, st)| st.next != st.version + 1)
        .map(|(id, _)| id.as_str())
        .collect();
    missing.sort_unstable();
    for id in missing {
        c.bad(
            "version_missing",
            format!("versions.jsonl does not hold every version of {id}."),
            Some(VERSIONS_PATH),
            None,
        );
    }
    let mut tombs: Vec<&str> = items
        .iter()
        .filter(|(_, st)| {
            st.more()
                .tomb
                .as_ref()
                .is_some_and(|(said, seen)| said != seen)
        })
        .map(|(id, _)| id.as_str())
        .collect();
    tombs.sort_unstable();
    for id in tombs {
        c.bad(
            "redaction_versions",
            format!("The redaction of {id} lists other versions than its entries: it was changed."),
            Some(ITEMS_PATH),
            None,
        );
    }
    let want_withheld: BTreeSet<String> = info.withheld_fields.iter().cloned().collect();
    if want_withheld != withheld_seen {
        c.bad(
            "withheld_field",
            "vault.json's list of fields left out does not match the versions.".into(),
            Some(VAULT_PATH),
            None,
        );
    }
    report.versions_checked = checked;
    report.versions_withheld = withheld_n + unverifiable.len();
    if !unverifiable.is_empty() {
        c.note(format!(
            "{} versions written before this format had fields left out, so their hashes could not be recomputed: {}.",
            unverifiable.len(),
            unverifiable.join(", ")
        ));
    }
    report.unverifiable = unverifiable;

    // 7. Links: each item's list is what the link records say.
    let mut linked: HashMap<&str, BTreeSet<String>> = HashMap::new();
    for (id, st) in &items {
        if let Some((from, to, active)) = &st.more().link {
            if !items.contains_key(from) || !items.contains_key(to) || from == to {
                c.bad(
                    "link_dangling",
                    format!("Link {id} joins an item the bundle does not hold."),
                    Some(ITEMS_PATH),
                    None,
                );
            } else if *active {
                linked.entry(from.as_str()).or_default().insert(to.clone());
                linked.entry(to.as_str()).or_default().insert(from.clone());
            }
        }
    }
    let mut ids: Vec<&String> = items.keys().collect();
    ids.sort_unstable();
    for id in ids {
        let st = &items[id];
        if st.kind == ItemKind::Link || st.redacted {
            continue;
        }
        let empty = BTreeSet::new();
        if &st.more().links != linked.get(id.as_str()).unwrap_or(&empty) {
            c.bad("links_mismatch", format!("The links of {id} are not what the bundle's link records say: they were changed."), Some(ITEMS_PATH), None);
        }
    }

    // 8. Exhibits: the files, the items and the chain agree; nothing else is in data/.
    let mut refs: BTreeSet<String> = BTreeSet::new();
    let mut paths: BTreeSet<String> = BTreeSet::new();
    let mut left_out: Vec<String> = Vec::new();
    let mut with_exhibit: BTreeSet<String> = BTreeSet::new();
    let copies: HashMap<u64, (String, String, String)> = entries
        .iter()
        .filter_map(|e| {
            e.copy
                .as_deref()
                .map(|(c, o)| (e.seq, (e.item.to_string(), c.clone(), o.clone())))
        })
        .collect();
    let items_with_copy: BTreeSet<&str> = copies.values().map(|(i, _, _)| i.as_str()).collect();
    let payload = bag.payload.clone();
    let mut n_exhibits = 0;
    let location_included = info.location_included;
    let items_ref = &items;
    let exhibit_check = |c: &mut Ctx,
                         ex: BundleExhibit|
     -> Option<(String, Option<String>, bool)> {
        let st = items_ref
            .get(&ex.item)
            .filter(|st| st.kind == ItemKind::File && !st.redacted);
        let Some(st) = st else {
            c.bad(
                "exhibit_item",
                format!(
                    "Exhibit {} names {}, which is not a file the bundle holds.",
                    ex.reference, ex.item
                ),
                Some(EXHIBITS_PATH),
                None,
            );
            return None;
        };
        if st.more().exhibit.as_deref() != Some(ex.reference.as_str()) {
            c.bad(
                "exhibit_reference",
                format!(
                    "Exhibit {} is not the reference items.json gives {}: references were swapped.",
                    ex.reference, ex.item
                ),
                Some(EXHIBITS_PATH),
                None,
            );
        }
        if st.more().file.as_ref() != Some(&(ex.name.clone(), ex.media_type.clone())) {
            c.bad(
                "exhibit_record",
                format!(
                    "Exhibit {} is named or typed otherwise than the record of {}.",
                    ex.reference, ex.item
                ),
                Some(EXHIBITS_PATH),
                None,
            );
        }
        if st.content.is_none() || st.content != unhex(&ex.original_sha256) {
            c.bad(
                "exhibit_chain",
                format!(
                    "Exhibit {} ({}) is not the file the chain recorded for {}.",
                    ex.reference, ex.name, ex.item
                ),
                Some(EXHIBITS_PATH),
                None,
            );
        }
        let Some(p) = &ex.path else {
            if ex.left_out.is_none() || ex.sha256.is_some() {
                c.bad(
                    "exhibit_hash",
                    format!(
                        "Exhibit {} is neither in the bundle nor said to be left out.",
                        ex.reference
                    ),
                    Some(EXHIBITS_PATH),
                    None,
                );
            }
            c.note(format!(
                "Exhibit {} was left out: {}.",
                ex.reference,
                ex.left_out.as_deref().unwrap_or("no reason given")
            ));
            return Some((ex.item, None, true));
        };
        let stem = ex.reference.replace('/', "-");
        let named = p
            .strip_prefix("data/exhibits/")
            .is_some_and(|f| f == stem || f.starts_with(&format!("{stem} ")));
        if !named || ex.left_out.is_some() {
            c.bad(
                "exhibit_reference",
                format!(
                    "Exhibit {} is stored as {p}, not under its reference.",
                    ex.reference
                ),
                Some(p),
                None,
            );
        }
        match payload.get(p.as_str()) {
            None => c.bad(
                "missing_file",
                format!("Exhibit {} ({p}) is not in the bundle.", ex.reference),
                Some(p),
                None,
            ),
            Some(l) => {
                if Some(&l.sha256) != ex.sha256.as_ref() || Some(l.size) != ex.size {
                    c.bad(
                        "exhibit_hash",
                        format!(
                            "Exhibit {} ({p}) does not have the SHA-256 the record gives.",
                            ex.reference
                        ),
                        Some(p),
                        None,
                    );
                } else if !ex.location_removed {
                    if l.sha256 != ex.original_sha256 {
                        c.bad(
                            "exhibit_hash",
                            format!("Exhibit {} ({p}) is not the original.", ex.reference),
                            Some(p),
                            None,
                        );
                    }
                    if !location_included && items_with_copy.contains(ex.item.as_str()) {
                        c.bad("location_included", format!("Exhibit {} went out with its location data, though the bundle says location was left out.", ex.reference), Some(p), None);
                    }
                } else {
                    let bound = ex
                        .location_free_seq
                        .and_then(|s| copies.get(&s))
                        .is_some_and(|(i, copy, orig)| {
                            *i == ex.item && *copy == l.sha256 && *orig == ex.original_sha256
                        });
                    if !bound {
                        c.bad("exhibit_copy", format!("Exhibit {} ({p}) is not the location-free copy the chain recorded: it was swapped.", ex.reference), Some(p), None);
                    } else {
                        c.note(format!("Exhibit {} is a copy with its location data removed (recorded at chain entry {}); the original's SHA-256 is {}.", ex.reference, ex.location_free_seq.unwrap_or_default(), ex.original_sha256));
                    }
                }
            }
        }
        Some((ex.item, Some(p.clone()), false))
    };
    let mut seen_refs_dup = false;
    for_each_element::<BundleExhibit>(bag, c, EXHIBITS_PATH, |c, ex| {
        n_exhibits += 1;
        let reference = ex.reference.clone();
        if !refs.insert(reference.clone()) {
            seen_refs_dup = true;
        }
        if let Some((item, path, out)) = exhibit_check(c, ex) {
            if !with_exhibit.insert(item) {
                seen_refs_dup = true;
            }
            if let Some(p) = path {
                paths.insert(p);
            }
            if out {
                left_out.push(reference);
            }
        }
    })?;
    if seen_refs_dup {
        c.bad(
            "exhibit_reference",
            "exhibits.json lists a reference or a file twice.".into(),
            Some(EXHIBITS_PATH),
            None,
        );
    }
    report.exhibits = n_exhibits;
    let mut files: Vec<&String> = items
        .iter()
        .filter(|(_, st)| st.kind == ItemKind::File && !st.redacted)
        .map(|(id, _)| id)
        .collect();
    files.sort_unstable();
    for id in files {
        if !with_exhibit.contains(id) {
            c.bad(
                "exhibit_missing",
                format!("File {id} is in the record but not in the exhibit list."),
                Some(EXHIBITS_PATH),
                None,
            );
        }
    }
    let mut want_left = info.left_out.clone();
    want_left.sort();
    left_out.sort();
    if want_left != left_out {
        c.bad(
            "exhibit_left_out",
            "vault.json's list of exhibits left out does not match exhibits.json.".into(),
            Some(VAULT_PATH),
            None,
        );
    }
    let fixed = [
        VAULT_PATH,
        ITEMS_PATH,
        VERSIONS_PATH,
        EXHIBITS_PATH,
        CHECKPOINT_PATH,
        "data/report.pdf",
        "data/index.html",
        "data/HOW-TO-VERIFY.txt",
    ];
    let mut extra: Vec<&String> = bag
        .payload
        .keys()
        .filter(|p| {
            let expected = fixed.contains(&p.as_str())
                || paths.contains(*p)
                || **p == path
                || (**p == CONSISTENCY_PATH && !full);
            !expected
        })
        .collect();
    extra.sort_unstable();
    for p in extra {
        c.bad(
            "planted_file",
            format!("{p} is not a file Cairn puts in a bundle or an exhibit the record lists: it was added."),
            Some(p),
            None,
        );
    }

    // 9. Consistency proofs from earlier tree heads; a receipt.
    let mut consistent: HashMap<u64, String> = HashMap::new();
    if !full && bag.payload.contains_key(CONSISTENCY_PATH) {
        each_line::<ConsistencyLine>(bag, c, CONSISTENCY_PATH, |c, l| {
            let old = unhex(&l.root);
            let proof: Option<Vec<[u8; 32]>> = l.proof.iter().map(|h| unhex(h)).collect();
            let ok = match (old, proof) {
                (Some(o), Some(p)) => merkle::verify_consistency(l.size, n, &o, &root, &p),
                _ => false,
            };
            if ok {
                consistent.insert(l.size, l.root.clone());
            } else {
                c.bad(
                    "consistency_proof",
                    format!(
                        "The proof that this history extends the one of {} entries fails.",
                        l.size
                    ),
                    Some(CONSISTENCY_PATH),
                    None,
                );
            }
        })?;
    }
    if let Some(r) = parsed_receipt {
        let ok = check_receipt(
            c,
            r,
            info,
            public.as_ref(),
            n,
            full,
            at_receipt.as_ref(),
            &consistent,
            &root,
        );
        report.receipt_extends = Some(ok);
    }

    report.redactions = redactions;
    let receipt_words = match report.receipt_extends {
        Some(true) => "; it extends the receipt given, so the history before the receipt was not rewritten",
        _ => "; without an earlier receipt this cannot show the history was never rebuilt by someone holding the vault's keys",
    };
    report.verdict = format!(
        "Intact: the vault's signature covers every file, each file matches its SHA-256, and the record matches the {} signed chain entries{}{}{}.",
        n,
        if full {
            " (all carried)".to_string()
        } else {
            format!(" ({carried} carried, each with its proof; the others stay private)")
        },
        if report.unverifiable.is_empty() {
            ""
        } else {
            " (except the older versions with fields left out, named below)"
        },
        receipt_words
    );
    Ok(report)
}

fn merkle_zero() -> String {
    cairn_core::chain::GENESIS_PREV.to_string()
}

/// The first line where a signed body and the bundle differ, in words.
fn first_difference(signed: &str, found: &str) -> String {
    for (a, b) in signed.lines().zip(found.lines()) {
        if a != b {
            let field = a.split(' ').next().unwrap_or(a);
            return format!("its {field} differs from what was signed");
        }
    }
    "its signed summary differs".into()
}

/// Calls `f` on each line of `path` parsed as `T` (a JSON Lines file). A line that is
/// not a `T` is a problem and the rest of the file is not read.
fn each_line<T: serde::de::DeserializeOwned>(
    bag: &mut Bag,
    c: &mut Ctx,
    path: &str,
    mut f: impl FnMut(&mut Ctx, T),
) -> Result<()> {
    let name = bag.name(path);
    let Ok(file) = bag.open_named(&name) else {
        c.bad(
            "missing_file",
            format!("{path} is missing."),
            Some(path),
            None,
        );
        return Ok(());
    };
    let mut rd = Lines::new(file);
    loop {
        match rd.next_line() {
            Ok(None) => return Ok(()),
            Ok(Some(line)) => match lines::parse::<T>(line) {
                Ok(v) => {
                    // A long line's buffer is not kept while the value is checked.
                    rd.release();
                    f(c, v)
                }
                Err(e) => {
                    c.bad(
                        "record_format",
                        format!("Line {} of {path} cannot be read: {e}.", rd.number),
                        Some(path),
                        None,
                    );
                    return Ok(());
                }
            },
            Err(e) => {
                c.bad(
                    "record_format",
                    format!("Line {} of {path} cannot be read: {e}.", rd.number + 1),
                    Some(path),
                    None,
                );
                return Ok(());
            }
        }
    }
}

/// As [`each_line`], for a JSON array written one element a line.
fn for_each_element<T: serde::de::DeserializeOwned>(
    bag: &mut Bag,
    c: &mut Ctx,
    path: &str,
    mut f: impl FnMut(&mut Ctx, T),
) -> Result<()> {
    let name = bag.name(path);
    let Ok(file) = bag.open_named(&name) else {
        c.bad(
            "missing_file",
            format!("{path} is missing."),
            Some(path),
            None,
        );
        return Ok(());
    };
    let mut rd = Lines::new(file);
    let mut opened = false;
    let mut closed = false;
    // Whether the element before ended with a comma (None: no element yet).
    let mut comma: Option<bool> = None;
    let bad = |c: &mut Ctx, why: String| c.bad("record_format", why, Some(path), None);
    loop {
        let line = match rd.next_line() {
            Ok(None) => break,
            Ok(Some(l)) => l,
            Err(e) => {
                bad(
                    c,
                    format!("Line {} of {path} cannot be read: {e}.", rd.number + 1),
                );
                return Ok(());
            }
        };
        if closed {
            bad(c, format!("{path} goes on after its end."));
            return Ok(());
        }
        let t = line.trim_ascii();
        if !opened {
            if t != b"[" {
                bad(
                    c,
                    format!("{path} is not written one element a line as Cairn writes it."),
                );
                return Ok(());
            }
            opened = true;
            continue;
        }
        if t == b"]" {
            if comma == Some(true) {
                bad(
                    c,
                    format!("{path} is not valid JSON: a comma before its end."),
                );
                return Ok(());
            }
            closed = true;
            continue;
        }
        // Every element but the last ends with a comma, as JSON needs.
        if comma == Some(false) || t.is_empty() || t == b"[" {
            bad(
                c,
                format!("Line {} of {path} is not valid JSON here.", rd.number),
            );
            return Ok(());
        }
        let (el, has_comma) = match t.strip_suffix(b",") {
            Some(el) => (el, true),
            None => (t, false),
        };
        comma = Some(has_comma);
        match lines::parse::<T>(el) {
            Ok(v) => {
                rd.release();
                f(c, v)
            }
            Err(e) => {
                bad(
                    c,
                    format!("Line {} of {path} cannot be read: {e}.", rd.number),
                );
                return Ok(());
            }
        }
    }
    if !closed {
        bad(c, format!("{path} is cut short."));
    }
    Ok(())
}

/// Checks a receipt: the same vault (and key, for a signed one), and the bundle's tree
/// extends it — by the whole chain, or by a consistency proof the bundle carries.
#[allow(clippy::too_many_arguments)]
fn check_receipt(
    c: &mut Ctx,
    r: Option<crate::receipt::Parsed>,
    info: &VaultInfo,
    public: Option<&VerifyingKey>,
    n: u64,
    full: bool,
    at: Option<&(String, String)>,
    consistent: &HashMap<u64, String>,
    root: &[u8; 32],
) -> bool {
    let Some(r) = r else {
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
    if r.size == 0 || r.size > n {
        c.bad("receipt_rewritten", format!("The receipt covers {} entries but this bundle's history has only {n}: the bundle was made before the receipt, or its history was cut short.", r.size), None, None);
        return false;
    }
    let root_at = if r.size == n {
        Some(hex(root))
    } else if full {
        at.map(|(rt, _)| rt.clone())
    } else {
        consistent.get(&r.size).cloned()
    };
    let head_at = at
        .map(|(_, h)| h.clone())
        .or_else(|| (r.size == n && !info.chain_head.is_empty()).then(|| info.chain_head.clone()));
    let matches = match (&r.root, &r.head) {
        (Some(want), _) => root_at.as_ref().map(|got| got.starts_with(want.as_str())),
        (None, Some(want)) => head_at.as_ref().map(|got| got.starts_with(want.as_str())),
        (None, None) => None,
    };
    match matches {
        Some(true) => true,
        Some(false) => {
            c.bad("receipt_rewritten", format!("The history up to entry {} is not the one the receipt recorded: it was rewritten.", r.size), None, Some(r.size));
            false
        }
        None => {
            c.bad("receipt_not_covered", format!("This bundle carries only the exported entries and no proof from the receipt's {} entries, so it cannot be checked against it; ask for a bundle with the full chain.", r.size), None, Some(r.size));
            false
        }
    }
}
