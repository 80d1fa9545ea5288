//! Export: the chosen items, their exhibits and the whole chain's headers, as a BagIt
//! bag in a ZIP, sealed with age, written to a temporary name and renamed when whole.
//! Every export is recorded in the vault as a report (a handover) naming each exhibit
//! by reference and hash.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use cairn_core::chain::Entry;
use cairn_core::items::sort_key;
use cairn_core::location::{LocationStatus, Scan};
use cairn_core::{
    Added, Error, ExhibitRef, HandedOver, Handover, ItemKind, Occurred, Result, Vault,
};
use serde::Serialize;
use serde_json::Value;

use crate::assemble::{self, assemble, Assembled, Policy, Unverifiable};
use crate::bag::{hex, io_err, BagWriter};
use crate::location::{self, Copy};
use crate::record::{
    evidence_sha256, note_body, BundleExhibit, ConsistencyLine, Disclosure, SelectionInfo,
    VaultInfo, CHAIN_PATH, CHECKPOINT_PATH, CONSISTENCY_PATH, ENTRIES_PATH, EXHIBITS_PATH,
    FORMAT_VERSION, ITEMS_PATH, SIGNATURE_PATH, VAULT_PATH, VERSIONS_PATH,
};
use crate::schedule::text;
use crate::seal::{Seal, SealWriter};
use crate::sink::{Cancellable, Discard, HashedFile, Partial};
use crate::{howto, html, schedule};

/// Which items go out.
#[derive(Debug, Clone)]
pub enum Selection {
    /// Everything in the vault.
    All,
    /// These items, with the files, people and reports linked to them.
    Items(Vec<String>),
    /// Items that happened in this range of dates (inclusive), with what is linked to
    /// them. Either end may be open.
    Dates {
        /// First day (`YYYY-MM-DD` or an RFC 3339 time).
        from: Option<String>,
        /// Last day, inclusive.
        to: Option<String>,
    },
}

/// What to export and how.
pub struct ExportOptions<'a> {
    /// Which items.
    pub selection: Selection,
    /// Initials for exhibit references (`AB` gives `AB/1`, `AB/2`, …).
    pub initials: String,
    /// Let photo location data go out (off by default: copies without it are sent).
    pub include_location: bool,
    /// How the bundle is sealed.
    pub seal: Seal,
    /// Who it is for, for the handover log: the agency ("Solicitor", "IOPC"…).
    pub agency: String,
    /// And the person, if she wants it on record.
    pub person: String,
    /// Bytes of exhibits written so far, and the total.
    pub progress: &'a (dyn Fn(u64, u64) + Sync),
    /// Set to stop; nothing is left behind and nothing is recorded.
    pub cancel: &'a AtomicBool,
    /// Tests only: a fast, weak scrypt cost for passphrase sealing.
    pub fast_kdf_for_tests: bool,
    /// Which chain entries go out: only the exported items' with proofs (the default,
    /// for anything the other side may see), or the whole chain.
    pub disclosure: Disclosure,
    /// Send original exports (a chat's zip, a mailbox) whole even when they hold
    /// location data or messages she redacted.
    pub whole_exports: bool,
    /// Receipts she gave out (their text) that a bundle carrying only the exported
    /// entries should be checkable against: it carries each one's entry and a
    /// consistency proof from it. (Heads she was shown by this version of Cairn, and
    /// earlier bundles, are carried anyway.)
    pub receipts: Vec<String>,
}

/// An exhibit as exported.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct ExportedExhibit {
    /// `AB/1`.
    pub reference: String,
    /// The file item.
    pub item: String,
    /// Path inside the bag, or null when it was left out.
    pub path: Option<String>,
    /// SHA-256 of the bytes in the bundle.
    pub sha256: Option<String>,
    /// SHA-256 of the original, as in the chain.
    pub original_sha256: String,
    /// A copy without location data went out instead of the original.
    pub location_removed: bool,
    /// Why it was left out, if it was.
    pub left_out: Option<String>,
}

/// What an export produced.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct Exported {
    /// The bundle file.
    pub path: PathBuf,
    /// SHA-256 of the bundle file as written.
    pub bundle_sha256: String,
    /// SHA-256 of the evidence manifest (shown on the cover and in `bag-info.txt`).
    pub evidence_sha256: String,
    /// Sealed with age.
    pub sealed: bool,
    /// Items exported.
    pub items: usize,
    /// Exhibits, with their references.
    pub exhibits: Vec<ExportedExhibit>,
    /// Chain entries whose headers went out (all of them).
    pub chain_size: u64,
    /// The report entry that records this handover.
    pub handover: Added,
}

/// What an export would hold, for a wizard to show before anything is written.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// Items that would go out (the chosen ones and what is linked to them).
    pub items: usize,
    /// Written records among them.
    pub incidents: usize,
    /// People among them.
    pub people: usize,
    /// Reports and handovers among them.
    pub reports: usize,
    /// The exhibits, in the order of the exhibit list.
    pub exhibits: Vec<PlannedExhibit>,
    /// Bytes of exhibits in all.
    pub bytes: u64,
    /// Versions written before format 2 that hold a field the bundle leaves out, so the
    /// recipient will see they cannot be checked.
    pub unverifiable: Vec<Unverifiable>,
    /// Original exports (a chat's zip, a mailbox) that would be left out: they hold
    /// photos that say where they were taken, or messages she redacted.
    pub exports_left_out: usize,
}

/// One exhibit an export would hold.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct PlannedExhibit {
    /// `AB/1`.
    pub reference: String,
    /// The reference is given now, by this export (false: it had it already).
    pub new: bool,
    /// The file item.
    pub item: String,
    /// The file's name.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// It says where it was made: a copy without that, or nothing, goes unless she
    /// chooses otherwise.
    pub has_location: bool,
    /// What it would go out as, by default.
    pub goes_as: GoesAs,
    /// It is an original export (a chat's zip, a mailbox) messages were read from.
    pub is_export: bool,
    /// It is an export that still holds messages she redacted: it stays behind even if
    /// she includes location, unless she sends exports whole.
    pub holds_redacted: bool,
}

/// What [`export()`] would hold for `selection` and `initials`, with photo locations
/// left out and original exports sent only when clean (the defaults): what each file
/// would go out as, and which older versions could not be checked without what is
/// left out. Nothing is put on record (what it learns of files is remembered, as
/// derived data, for the export).
pub fn plan(vault: &mut Vault, selection: &Selection, initials: &str) -> Result<Plan> {
    let ids = select(vault, selection)?;
    let mut out = Plan {
        items: ids.len(),
        incidents: 0,
        people: 0,
        reports: 0,
        exhibits: Vec::new(),
        bytes: 0,
        unverifiable: Vec::new(),
        exports_left_out: 0,
    };
    let mut files = Vec::new();
    let mut records = BTreeMap::new();
    for id in &ids {
        let d = vault.show(id)?;
        match d.kind {
            ItemKind::Incident => out.incidents += 1,
            ItemKind::Person => out.people += 1,
            ItemKind::Report => out.reports += 1,
            ItemKind::File if d.redaction.is_none() => {
                files.push(id.clone());
                records.insert(id.clone(), d.record.unwrap_or(Value::Null));
            }
            // Messages go out as records; their export file is the exhibit.
            ItemKind::File | ItemKind::Link | ItemKind::Message => {}
        }
    }
    out.unverifiable = assemble(
        vault,
        &ids,
        Policy {
            include_location: false,
        },
    )?
    .unverifiable;
    let copies = location::decide(vault, &records, false, false, false)?;
    let exports = vault.export_contents(&files)?;
    for (item, r, new) in vault.plan_exhibit_refs(&files, initials)? {
        let rec = records.get(&item).unwrap_or(&Value::Null);
        let size = rec.get("size").and_then(Value::as_u64).unwrap_or(0);
        let goes_as = match copies.get(&item) {
            Some(Copy::Clean { .. }) => GoesAs::LocationFreeCopy,
            Some(Copy::LeftOut(why)) => GoesAs::LeftOut(why.clone()),
            Some(Copy::Scan) => GoesAs::CheckedAsItIsSaved,
            Some(Copy::Original | Copy::Whole) => GoesAs::Original,
            None => GoesAs::LeftOut(NOT_DECIDED.into()),
        };
        if exports.contains_key(&item) && matches!(goes_as, GoesAs::LeftOut(_)) {
            out.exports_left_out += 1;
        }
        out.bytes += size;
        out.exhibits.push(PlannedExhibit {
            reference: r.label(),
            new,
            name: text(Some(rec), "name"),
            has_location: matches!(goes_as, GoesAs::LocationFreeCopy)
                || (matches!(goes_as, GoesAs::LeftOut(_)) && !exports.contains_key(&item)),
            is_export: exports.contains_key(&item),
            holds_redacted: exports.get(&item).is_some_and(|(_, n)| *n > 0),
            item,
            size,
            goes_as,
        });
    }
    Ok(out)
}

/// What a file would go out as.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(tag = "kind", content = "reason", rename_all = "snake_case")]
pub enum GoesAs {
    /// The original, byte for byte.
    Original,
    /// A copy with where it was made removed (unless she includes location).
    LocationFreeCopy,
    /// Read for signs of location as it is saved; left out if it has any.
    CheckedAsItIsSaved,
    /// Left out, for this reason (unless she includes location or sends exports whole).
    LeftOut(String),
}

/// A file name safe everywhere, from the exhibit reference and the original name.
fn exhibit_file_name(r: &ExhibitRef, original: &str) -> String {
    let mut clean: String = original
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ') {
                c
            } else {
                '_'
            }
        })
        .collect();
    clean = clean.trim_matches(|c| c == '.' || c == ' ').to_string();
    if clean.len() > 80 {
        // Keep the extension.
        let ext = clean
            .rfind('.')
            .map(|i| clean[i..].to_string())
            .filter(|e| e.len() <= 10)
            .unwrap_or_default();
        clean.truncate(80 - ext.len());
        clean.push_str(&ext);
    }
    if clean.is_empty() {
        r.file_stem()
    } else {
        format!("{} {clean}", r.file_stem())
    }
}

/// Resolves the selection to item ids in recording order (links excluded).
fn select(vault: &Vault, sel: &Selection) -> Result<Vec<String>> {
    let list = vault.list()?;
    let order: BTreeMap<String, usize> = list
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.clone(), i))
        .collect();
    let mut chosen: BTreeSet<String> = BTreeSet::new();
    let mut roots: Vec<String> = Vec::new();
    match sel {
        Selection::All => {
            chosen.extend(list.iter().map(|s| s.id.clone()));
        }
        Selection::Items(ids) => {
            for id in ids {
                let id = id.trim().to_lowercase();
                if !order.contains_key(&id) {
                    return Err(Error::NotFound(id));
                }
                roots.push(id);
            }
        }
        Selection::Dates { from, to } => {
            // Whole days, inclusive, on the UTC day of when it happened.
            let day_of = |w: &Option<String>| -> Result<Option<String>> {
                Ok(w.as_deref()
                    .map(cairn_core::items::normalise_when)
                    .transpose()?
                    .map(|s| sort_key(&s)[..10].to_string()))
            };
            let (from, to) = (day_of(from)?, day_of(to)?);
            for s in &list {
                let Some(o) = &s.occurred else { continue };
                let k = sort_key(o);
                let day = &k[..k.len().min(10)];
                let after = from.as_deref().is_none_or(|f| day >= f);
                let before = to.as_deref().is_none_or(|t| day <= t);
                if after && before && s.kind != ItemKind::Person {
                    roots.push(s.id.clone());
                }
            }
        }
    }
    for id in &roots {
        chosen.insert(id.clone());
        for l in vault.show(id)?.links {
            if l.other_kind != ItemKind::Link {
                chosen.insert(l.other);
            }
        }
    }
    // A message goes out with its exhibit: the original export it was read from, and
    // the files attached to it.
    let messages: Vec<String> = chosen
        .iter()
        .filter(|id| id.starts_with("msg-"))
        .cloned()
        .collect();
    for id in messages {
        let d = vault.show(&id)?;
        if d.kind != ItemKind::Message {
            continue;
        }
        let Some(rec) = d.record else { continue };
        let named = rec.get("export").into_iter().chain(
            rec.get("attachments")
                .and_then(Value::as_array)
                .into_iter()
                .flatten(),
        );
        for f in named.filter_map(Value::as_str) {
            if order.contains_key(f) {
                chosen.insert(f.to_string());
            }
        }
    }
    let mut v: Vec<String> = chosen.into_iter().collect();
    v.sort_by_key(|id| order.get(id).copied().unwrap_or(usize::MAX));
    Ok(v)
}

fn now_utc() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

/// Writes a bundle of the selected items to `out` and records the handover.
pub fn export(vault: &mut Vault, out: &Path, opts: &ExportOptions<'_>) -> Result<Exported> {
    // Everything she chose, sealed to whoever she names: her passphrase typed again
    // first, so whoever finds the window unlocked cannot seal it to himself.
    vault.take_authorization()?;
    // A file only a whole read can decide is scanned as it is written; one found to
    // hold location is remembered, and the export starts again without it (once per
    // such file at most).
    let mut found = BTreeSet::new();
    loop {
        match export_once(vault, out, opts)? {
            Once::Done(e) => return Ok(*e),
            Once::Found { id, why } => {
                // Noted, a file is left out next time; were it ever found again, stop
                // rather than write the bundle over and over.
                if !found.insert(id.clone()) {
                    return Err(Error::Internal(format!(
                        "{id} was found to hold location twice in one export"
                    )));
                }
                vault.note_location(&id, &LocationStatus::CannotClean(why))?;
            }
        }
    }
}

/// Why a file no rule decided stays behind (it cannot happen: every file exhibit is
/// decided; were one not, it would not go).
const NOT_DECIDED: &str = "Cairn did not decide whether it says where it was made";

/// Reads through to `inner`, scanning what passes for signs of location.
struct ScanningReader<R> {
    inner: R,
    scan: Scan,
}

impl<R: std::io::Read> std::io::Read for ScanningReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.scan.push(buf.get(..n).unwrap_or(&[]))?;
        Ok(n)
    }
}

/// One attempt at an export.
enum Once {
    Done(Box<Exported>),
    /// File `id` turned out to hold location data as it was written.
    Found {
        id: String,
        why: String,
    },
}

fn export_once(vault: &mut Vault, out: &Path, opts: &ExportOptions<'_>) -> Result<Once> {
    if out.exists() {
        return Err(Error::Invalid(format!(
            "{} already exists; choose a new name for the bundle.",
            out.display()
        )));
    }
    let agency = if opts.agency.trim().is_empty() {
        "Solicitor".to_string()
    } else {
        opts.agency.trim().to_string()
    };
    let chosen = select(vault, &opts.selection)?;
    if chosen.is_empty() {
        return Err(Error::Invalid(
            "Nothing matches that choice, so there is nothing to export.".into(),
        ));
    }
    // The links between chosen items go too, so a recipient can check each item's
    // list of links against the link records themselves.
    let chosen_set: BTreeSet<String> = chosen.iter().cloned().collect();
    let mut ids = chosen.clone();
    ids.extend(assemble::links_between(vault, &chosen_set)?);
    let when = now_utc();

    // What goes out for each file; copies not yet in the chain are recorded first, so
    // the tree the bundle carries holds them.
    let mut file_records: BTreeMap<String, Value> = BTreeMap::new();
    for id in &chosen {
        let d = vault.show(id)?;
        if d.kind == ItemKind::File && d.redaction.is_none() {
            file_records.insert(id.clone(), d.record.unwrap_or(Value::Null));
        }
    }
    let copies = location::decide(
        vault,
        &file_records,
        opts.include_location,
        opts.whole_exports,
        true,
    )?;

    // The signed history: its entries, its tree, a checkpoint of it.
    let chain = vault.chain()?;
    let head = chain
        .last()
        .cloned()
        .ok_or_else(|| Error::DatabaseDamaged("the chain is empty".into()))?;
    let tree = vault.merkle_tree()?;
    if tree.size() != head.seq {
        return Err(Error::DatabaseDamaged(
            "its Merkle tree does not match the chain".into(),
        ));
    }
    let tree_root = hex(&tree.root());
    let mut receipt_sizes = Vec::new();
    // Receipts of the old form, which name the head entry rather than the tree head.
    let mut legacy_sizes = Vec::new();
    for r in &opts.receipts {
        let p = crate::receipt::parse(r).ok_or_else(|| {
            Error::Invalid("One of the receipts given is not a Cairn receipt.".into())
        })?;
        if p.vault_id != vault.vault_id() {
            return Err(Error::Invalid(
                "One of the receipts given is for a different vault.".into(),
            ));
        }
        receipt_sizes.push(p.size);
        if p.root.is_none() {
            legacy_sizes.push(p.size);
        }
    }
    // A bundle that carries only the exported entries does not name the head entry
    // (it may be one it does not show): its checkpoint and vault.json leave it out.
    let (checkpoint, chain_head) = match opts.disclosure {
        Disclosure::FullChain => (vault.sign_checkpoint()?, head.hash.clone()),
        Disclosure::Proofs => (vault.sign_checkpoint_without_head()?, String::new()),
    };

    // Items, every version, and the exhibits they hold.
    let policy = Policy {
        include_location: opts.include_location,
    };
    let Assembled {
        mut items,
        versions,
        entries: mut needed,
        unverifiable: _,
    } = assemble(vault, &ids, policy)?;
    let files: Vec<String> = items
        .iter()
        .filter(|i| i.kind == ItemKind::File && i.redaction.is_none())
        .map(|i| i.id.clone())
        .collect();
    let plan = vault.plan_exhibit_refs(&files, &opts.initials)?;
    let refs: BTreeMap<String, ExhibitRef> = plan
        .iter()
        .map(|(i, r, _)| (i.clone(), r.clone()))
        .collect();
    for it in &mut items {
        it.exhibit = refs.get(&it.id).map(ExhibitRef::label);
    }
    let total: u64 = files
        .iter()
        .filter_map(|f| file_records.get(f))
        .filter_map(|r| r.get("size")?.as_u64())
        .sum();

    // The temporary file, beside the destination so the rename is atomic.
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "bundle".into());
    let suffix: [u8; 6] = {
        let mut b = [0u8; 6];
        getrandom::fill(&mut b).map_err(|e| Error::Internal(format!("no randomness: {e}")))?;
        b
    };
    let tmp = dir.join(format!(".{name}.part-{}", hex(&suffix)));
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .map_err(|e| Error::io("create", &tmp, e))?;
    let mut partial = Partial {
        path: tmp.clone(),
        keep: false,
    };
    let sink = HashedFile::new(file);
    let discard_flag = sink.discard.clone();
    let sealed = !matches!(opts.seal, Seal::Open);
    let writer = SealWriter::start(&opts.seal, sink, opts.fast_kdf_for_tests)?;
    let root = format!(
        "cairn-bundle-{}",
        when.format(time::macros::format_description!(
            "[year][month][day]-[hour][minute][second]"
        ))
        .unwrap_or_default()
    );
    let zdt = zip::DateTime::from_date_and_time(
        when.year() as u16,
        when.month() as u8,
        when.day(),
        when.hour(),
        when.minute(),
        when.second(),
    )
    .unwrap_or_default();
    let mut bag = BagWriter::new(writer, &root, zdt);
    // Declared after the bag, so an early return drops it (and quiets the file) first.
    let _discard = Discard(discard_flag);

    // Exhibits first: the bulk of the bytes, streamed.
    let mut exhibits: Vec<ExportedExhibit> = Vec::new();
    let mut bundle_exhibits: Vec<BundleExhibit> = Vec::new();
    let mut scanned: Vec<String> = Vec::new();
    let mut done = 0u64;
    for (id, r, _) in &plan {
        let rec = file_records.get(id);
        let original_sha = text(rec, "sha256");
        let orig_name = text(rec, "name");
        let media_type = text(rec, "media_type");
        let size = rec
            .and_then(|v| v.get("size"))
            .and_then(Value::as_u64)
            .unwrap_or(0);
        let path = format!("data/exhibits/{}", exhibit_file_name(r, &orig_name));
        let mut tick = |n: u64| {
            done += n;
            (opts.progress)(done.min(total), total);
        };
        let copy = copies
            .get(id)
            .cloned()
            .unwrap_or_else(|| Copy::LeftOut(NOT_DECIDED.into()));
        let (listed, copy_seq, left_out) = match &copy {
            Copy::Original | Copy::Scan | Copy::Whole => {
                // The bulk of the bytes: decrypted ahead on a second thread while this
                // one seals and writes (the export's cost is two ciphers and one hash).
                // A file only a whole read decides is scanned as it passes; so is a
                // video, for a position track in its media data (one added before this
                // version was not scanned for that as it was stored).
                let reader = vault.open_original(id)?;
                let whole_scan = matches!(copy, Copy::Scan);
                let track_scan = matches!(copy, Copy::Original) && media_type.starts_with("video/");
                let mut scan = (whole_scan || track_scan).then(Scan::new);
                let fill = |w: &mut dyn Write| {
                    reader.decrypt_ahead(opts.cancel, &mut |batch| {
                        if let Some(s) = scan.as_mut() {
                            s.push(batch).map_err(|e| Error::Internal(e.to_string()))?;
                        }
                        w.write_all(batch).map_err(io_err)?;
                        tick(batch.len() as u64);
                        Ok(())
                    })
                };
                let listed = bag.add_known(&path, size, &original_sha, fill)?;
                if let Some(s) = scan {
                    let signs = s.signs().map_err(|e| Error::Internal(e.to_string()))?;
                    let why = if whole_scan {
                        signs.reason()
                    } else if signs.track {
                        Some(cairn_core::location::TRACK_FOUND)
                    } else {
                        None
                    };
                    if let Some(why) = why {
                        return Ok(Once::Found {
                            id: id.clone(),
                            why: why.into(),
                        });
                    }
                    if whole_scan {
                        scanned.push(id.clone());
                    }
                }
                (Some(listed), None, None)
            }
            Copy::Clean { seq, sha256 } => {
                let patches = vault.location_patches(id)?;
                let mut copy = ScanningReader {
                    inner: Cancellable {
                        inner: std::io::BufReader::with_capacity(
                            1 << 16,
                            vault.open_patched(id, patches)?,
                        ),
                        cancel: opts.cancel,
                    },
                    scan: Scan::new(),
                };
                let listed = bag.add_reader(&path, size, &mut copy, &mut tick, true)?;
                if listed.sha256 != *sha256 {
                    return Err(Error::Internal(format!(
                        "the location-free copy of {id} is not the one the chain recorded"
                    )));
                }
                if copy
                    .scan
                    .signs()
                    .map_err(|e| Error::Internal(e.to_string()))?
                    .track
                {
                    return Ok(Once::Found {
                        id: id.clone(),
                        why: cairn_core::location::TRACK_FOUND.into(),
                    });
                }
                (Some(listed), Some(*seq), None)
            }
            Copy::LeftOut(why) => (None, None, Some(why.clone())),
        };
        if opts.cancel.load(Ordering::Relaxed) {
            return Err(Error::Cancelled);
        }
        let removed = copy_seq.is_some();
        let e = ExportedExhibit {
            reference: r.label(),
            item: id.clone(),
            path: listed.as_ref().map(|l| l.path.clone()),
            sha256: listed.as_ref().map(|l| l.sha256.clone()),
            original_sha256: original_sha.clone(),
            location_removed: removed,
            left_out: left_out.clone(),
        };
        if let Some(seq) = copy_seq {
            needed.insert(seq);
        }
        bundle_exhibits.push(BundleExhibit {
            reference: e.reference.clone(),
            item: id.clone(),
            path: e.path.clone(),
            name: orig_name,
            media_type,
            size: listed.as_ref().map(|l| l.size),
            sha256: e.sha256.clone(),
            original_sha256: original_sha,
            location_removed: removed,
            location_free_seq: copy_seq,
            left_out,
        });
        exhibits.push(e);
    }

    // The record: items, versions, exhibits, the entries and the checkpoint.
    let withheld_fields: BTreeSet<String> = versions
        .iter()
        .flat_map(|v| v.withheld.iter().cloned())
        .collect();
    let info = VaultInfo {
        format: "cairn-bundle".into(),
        version: FORMAT_VERSION,
        software: format!("cairn {}", env!("CARGO_PKG_VERSION")),
        vault_id: vault.vault_id().to_string(),
        device_public_key: hex(vault.device_public_key().as_bytes()),
        init_record: vault.init_record()?,
        exported_at: cairn_core::clock::format_ms((when.unix_timestamp_nanos() / 1_000_000) as i64),
        chain_size: head.seq,
        chain_head: chain_head.clone(),
        location_included: opts.include_location,
        private_notes_included: false,
        tree_root: tree_root.clone(),
        disclosure: opts.disclosure,
        selection: selection_info(&opts.selection, &chosen),
        whole_exports: opts.whole_exports,
        withheld_fields: withheld_fields.into_iter().collect(),
        left_out: bundle_exhibits
            .iter()
            .filter(|e| e.left_out.is_some())
            .map(|e| e.reference.clone())
            .collect(),
    };
    let mut versions_text = String::new();
    for v in &versions {
        versions_text.push_str(&to_json_line(v)?);
    }
    bag.add_bytes(VAULT_PATH, &pretty(&info)?)?;
    bag.add_bytes(ITEMS_PATH, &assemble::array_lines(&items)?)?;
    bag.add_bytes(VERSIONS_PATH, versions_text.as_bytes())?;
    bag.add_bytes(EXHIBITS_PATH, &assemble::array_lines(&bundle_exhibits)?)?;
    let shown: Vec<Entry> = match opts.disclosure {
        Disclosure::FullChain => {
            bag.add_bytes(CHAIN_PATH, chain_jsonl(&chain)?.as_bytes())?;
            chain.clone()
        }
        Disclosure::Proofs => {
            // A receipt of the old form names its head entry: carry it (one of the new
            // form is checked by the consistency proof alone).
            needed.extend(
                legacy_sizes
                    .iter()
                    .copied()
                    .filter(|m| *m >= 1 && *m <= head.seq),
            );
            let shown: Vec<Entry> = chain
                .iter()
                .filter(|e| needed.contains(&e.seq))
                .cloned()
                .collect();
            bag.add_bytes(
                ENTRIES_PATH,
                entries_jsonl(&shown, &tree, head.seq)?.as_bytes(),
            )?;
            let mut lines = String::new();
            let mut sizes: BTreeSet<u64> = vault.heads_given()?.into_iter().collect();
            sizes.extend(receipt_sizes.iter().copied());
            for m in sizes {
                if m == 0 || m >= head.seq {
                    continue;
                }
                let proof = tree.consistency_proof(m, head.seq).ok_or_else(|| {
                    Error::Internal("a consistency proof could not be made".into())
                })?;
                lines.push_str(&to_json_line(&ConsistencyLine {
                    size: m,
                    root: hex(&tree.root_at(m)),
                    proof: proof.iter().map(|h| hex(h)).collect(),
                })?);
            }
            if !lines.is_empty() {
                bag.add_bytes(CONSISTENCY_PATH, lines.as_bytes())?;
            }
            shown
        }
    };
    bag.add_bytes(CHECKPOINT_PATH, checkpoint.as_bytes())?;
    let evidence = evidence_sha256(bag.payload());

    // Views for people: the schedule, the offline page, the instructions.
    let view = schedule::Schedule::new(&info, &items, &bundle_exhibits, &shown, &evidence, &root)
        .with_versions(&versions);
    let pdf = schedule::pdf(&view, &|id| vault.thumbnail(id).ok().flatten())?;
    bag.add_bytes("data/report.pdf", &pdf)?;
    bag.add_bytes("data/index.html", html::index(&view).as_bytes())?;
    bag.add_bytes(
        "data/HOW-TO-VERIFY.txt",
        howto::text(&view, sealed).as_bytes(),
    )?;

    let bag_info = vec![
        ("Bagging-Date".to_string(), when.date().to_string()),
        ("Bag-Software-Agent".into(), info.software.clone()),
        (
            "External-Identifier".into(),
            format!("cairn-bundle-{}", &evidence[..16]),
        ),
        (
            "External-Description".into(),
            "Evidence exported from a Cairn vault: exhibits, the record of each item, and the chain entries that show when each was written, signed by the vault (cairn-signature.txt).".into(),
        ),
        ("Cairn-Format".into(), FORMAT_VERSION.to_string()),
        ("Cairn-Evidence-SHA256".into(), evidence.clone()),
        ("Cairn-Vault-Id".into(), info.vault_id.clone()),
        ("Cairn-Chain-Size".into(), head.seq.to_string()),
        ("Cairn-Chain-Head".into(), if chain_head.is_empty() { "-".into() } else { chain_head.clone() }),
        ("Cairn-Tree-Root".into(), tree_root.clone()),
        ("Cairn-Disclosure".into(), opts.disclosure.as_str().into()),
    ];
    let sign = |manifest: &str, tagmanifest: &str| {
        vault.sign_note(&note_body(&info, manifest, tagmanifest))
    };
    let writer = bag.finish(&bag_info, SIGNATURE_PATH, sign)?;
    let sink = writer.finish()?;
    let (file, digest) = sink.finish().map_err(io_err)?;
    file.sync_all().map_err(|e| Error::io("write", &tmp, e))?;
    let bundle_sha = hex(&digest);
    drop(file);
    if out.exists() {
        return Err(Error::Invalid(format!(
            "{} appeared while the bundle was being written; nothing was replaced.",
            out.display()
        )));
    }
    fs::rename(&tmp, out).map_err(|e| Error::io("rename", out, e))?;
    partial.keep = true;
    if let Ok(d) = File::open(&dir) {
        let _ = d.sync_all();
    }

    // On record: who got what, by hash.
    let handed: Vec<HandedOver> = exhibits
        .iter()
        .filter_map(|e| {
            Some(HandedOver {
                reference: e.reference.clone(),
                item: e.item.clone(),
                sha256: e.sha256.clone()?,
                original_sha256: e.location_removed.then(|| e.original_sha256.clone()),
            })
        })
        .collect();
    let new_refs: Vec<(String, ExhibitRef)> = plan
        .iter()
        .filter(|(_, _, new)| *new)
        .map(|(i, r, _)| (i.clone(), r.clone()))
        .collect();
    let report = Handover {
        title: format!("Bundle for {agency}"),
        occurred: Some(Occurred {
            start: when.date().to_string(),
            end: None,
            approximate: false,
        }),
        agency,
        person: opts.person.trim().to_string(),
        exhibits: handed,
        bundle_sha256: bundle_sha.clone(),
        evidence_sha256: evidence.clone(),
        notes: format!(
            "Exported by Cairn: {} items, {} exhibits, {}.",
            chosen.len(),
            exhibits.len(),
            match opts.seal {
                Seal::Passphrase(_) => "sealed with a passphrase",
                Seal::Recipient(_) => "sealed to an age key",
                Seal::Open => "not sealed",
            }
        ),
        ..Handover::default()
    };
    // Nothing leaves without being on record: if the handover cannot be recorded, the
    // bundle is removed and she is told why.
    let handover = match vault
        .record_handover(report, &new_refs)
        .and_then(|h| vault.note_head_given(head.seq, "bundle").map(|()| h))
    {
        Ok(h) => h,
        Err(e) => {
            let _ = fs::remove_file(out);
            return Err(e);
        }
    };
    // What the scans found is remembered, so the next export need not read them again.
    for id in scanned {
        let _ = vault.note_location(&id, &LocationStatus::NoLocation);
    }
    Ok(Once::Done(Box::new(Exported {
        path: out.to_path_buf(),
        bundle_sha256: bundle_sha,
        evidence_sha256: evidence,
        sealed,
        items: chosen.len(),
        exhibits,
        chain_size: head.seq,
        handover,
    })))
}

/// The selection as the bundle records it.
fn selection_info(sel: &Selection, chosen: &[String]) -> SelectionInfo {
    match sel {
        Selection::All => SelectionInfo {
            kind: "all".into(),
            ..SelectionInfo::default()
        },
        Selection::Items(ids) => SelectionInfo {
            kind: "items".into(),
            items: ids
                .iter()
                .map(|i| i.trim().to_lowercase())
                .filter(|i| chosen.contains(i))
                .collect(),
            ..SelectionInfo::default()
        },
        Selection::Dates { from, to } => SelectionInfo {
            kind: "dates".into(),
            from: from.clone(),
            to: to.clone(),
            ..SelectionInfo::default()
        },
    }
}

/// The disclosed entries with their inclusion proofs in the tree of `size`.
fn entries_jsonl(entries: &[Entry], tree: &cairn_core::merkle::Tree, size: u64) -> Result<String> {
    let mut s = String::new();
    for e in entries {
        let proof = tree
            .inclusion_proof(e.seq - 1, size)
            .ok_or_else(|| Error::Internal(format!("no inclusion proof for entry {}", e.seq)))?;
        let mut h = e.header();
        if let Some(m) = h.as_object_mut() {
            m.insert("hash".into(), Value::String(e.hash.clone()));
            m.insert(
                "proof".into(),
                Value::Array(proof.iter().map(|p| Value::String(hex(p))).collect()),
            );
        }
        s.push_str(&to_json_line(&h)?);
    }
    Ok(s)
}

/// Every chain entry header with its hash, one JSON object per line (as `cairn chain
/// --json` prints them).
pub(crate) fn chain_jsonl(chain: &[Entry]) -> Result<String> {
    let mut s = String::new();
    for e in chain {
        let mut h = e.header();
        if let Some(m) = h.as_object_mut() {
            m.insert("hash".into(), Value::String(e.hash.clone()));
        }
        s.push_str(&to_json_line(&h)?);
    }
    Ok(s)
}

fn to_json_line<T: Serialize>(v: &T) -> Result<String> {
    let mut s = serde_json::to_string(v)
        .map_err(|e| Error::Invalid(format!("The record could not be written ({e}).")))?;
    crate::assemble::fits_a_line(s.len())?;
    s.push('\n');
    Ok(s)
}

/// Pretty-printed JSON with a final newline (the record files people may read).
fn pretty<T: Serialize>(v: &T) -> Result<Vec<u8>> {
    let mut out = serde_json::to_vec_pretty(v)
        .map_err(|e| Error::Invalid(format!("The record could not be written ({e}).")))?;
    out.push(b'\n');
    Ok(out)
}
