//! Export: the chosen items, their exhibits and the whole chain's headers, as a BagIt
//! bag in a ZIP, sealed with age, written to a temporary name and renamed when whole.
//! Every export is recorded in the vault as a report (a handover) naming each exhibit
//! by reference and hash.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;

use cairn_core::chain::Entry;
use cairn_core::items::sort_key;
use cairn_core::{
    Added, Error, ExhibitRef, HandedOver, Handover, ItemKind, Occurred, Result, Vault,
};
use serde::Serialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::bag::{hex, io_err, BagWriter};
use crate::gps;
use crate::record::{
    evidence_sha256, BundleExhibit, BundleItem, BundleVersion, VaultInfo, CHAIN_PATH,
    CHECKPOINT_PATH, EXHIBITS_PATH, ITEMS_PATH, VAULT_PATH, VERSIONS_PATH,
};
use crate::schedule::text;
use crate::seal::{Seal, SealWriter};
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
    /// A photo carrying location data (left out of the copy unless she chooses).
    pub has_location: bool,
}

/// What [`export()`] would hold for `selection` and `initials`; nothing is stored.
pub fn plan(vault: &Vault, selection: &Selection, initials: &str) -> Result<Plan> {
    let ids = select(vault, selection)?;
    let mut out = Plan {
        items: ids.len(),
        incidents: 0,
        people: 0,
        reports: 0,
        exhibits: Vec::new(),
        bytes: 0,
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
    for (item, r, new) in vault.plan_exhibit_refs(&files, initials)? {
        let rec = records.get(&item).unwrap_or(&Value::Null);
        let size = rec.get("size").and_then(Value::as_u64).unwrap_or(0);
        let has_location = rec
            .get("exif")
            .and_then(Value::as_object)
            .is_some_and(|e| LOCATION_FIELDS.iter().any(|f| e.contains_key(*f)));
        out.bytes += size;
        out.exhibits.push(PlannedExhibit {
            reference: r.label(),
            new,
            name: text(Some(rec), "name"),
            item,
            size,
            has_location,
        });
    }
    Ok(out)
}

/// Fields that stay behind unless she chooses otherwise.
const PRIVATE_FIELDS: &[&str] = &["private_notes"];
const LOCATION_FIELDS: &[&str] = &["gps_latitude", "gps_longitude"];

/// Removes withheld fields from a record; returns their names.
pub(crate) fn withhold(kind: ItemKind, record: &mut Value, include_location: bool) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(obj) = record.as_object_mut() {
        if kind == ItemKind::Incident {
            for f in PRIVATE_FIELDS {
                if obj.remove(*f).is_some() {
                    out.push((*f).to_string());
                }
            }
        }
        if kind == ItemKind::File && !include_location {
            if let Some(exif) = obj.get_mut("exif").and_then(Value::as_object_mut) {
                for f in LOCATION_FIELDS {
                    if exif.remove(*f).is_some() {
                        out.push(format!("exif.{f}"));
                    }
                }
            }
        }
    }
    out
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

/// Reads through to `inner`, stopping with [`Error::Cancelled`] when asked.
struct Cancellable<'a, R> {
    inner: R,
    cancel: &'a AtomicBool,
}

impl<R: Read> Read for Cancellable<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.cancel.load(Ordering::Relaxed) {
            return Err(io::Error::other(Error::Cancelled));
        }
        self.inner.read(buf)
    }
}

/// The bundle file, written 128 KiB at a time from this thread (the bytes just sealed
/// are still in its cache), then handed to a second thread that takes its SHA-256 (the
/// handover records it; hashing costs nearly as much as sealing). A third handle asks
/// the kernel to start writing to disk as it goes, as the vault does when a file is
/// added, so the final fsync has little left to wait for.
struct HashedFile {
    file: File,
    buf: Vec<u8>,
    unflushed: usize,
    to_hasher: Option<mpsc::SyncSender<Vec<u8>>>,
    free: mpsc::Receiver<Vec<u8>>,
    to_flusher: Option<mpsc::SyncSender<()>>,
    hasher: Option<thread::JoinHandle<[u8; 32]>>,
    /// Set once the export has failed: what the ZIP writer then writes as it is
    /// dropped (it finishes the archive, and prints when it cannot) is thrown away.
    discard: Arc<AtomicBool>,
}

/// Sets [`HashedFile::discard`] when dropped: declared after the bag, so that on an
/// early return it drops first.
struct Discard(Arc<AtomicBool>);

impl Drop for Discard {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Small batches are still in the cache when the hashing thread reads them.
const OUT_BATCH: usize = 1 << 17;
/// Batches queued for the hashing thread (bounds memory to a few MiB).
const OUT_IN_FLIGHT: usize = 16;
/// Ask the kernel to start writing to disk after this many bytes.
const FLUSH_EVERY: usize = 32 << 20;

impl HashedFile {
    fn new(file: File) -> HashedFile {
        let (to_hasher, rx) = mpsc::sync_channel::<Vec<u8>>(OUT_IN_FLIGHT);
        let (free_tx, free) = mpsc::sync_channel::<Vec<u8>>(OUT_IN_FLIGHT + 2);
        let hasher = thread::spawn(move || {
            let mut h = Sha256::new();
            for b in rx.iter() {
                h.update(&b);
                let _ = free_tx.try_send(b);
            }
            h.finalize().into()
        });
        let to_flusher = file.try_clone().ok().map(|f| {
            let (tx, rx) = mpsc::sync_channel::<()>(1);
            thread::spawn(move || {
                for () in rx.iter() {
                    // Best effort: the export's own sync_all is what makes it durable.
                    let _ = f.sync_data();
                }
            });
            tx
        });
        HashedFile {
            file,
            buf: Vec::with_capacity(OUT_BATCH),
            unflushed: 0,
            to_hasher: Some(to_hasher),
            free,
            to_flusher,
            hasher: Some(hasher),
            discard: Arc::new(AtomicBool::new(false)),
        }
    }

    fn write_out(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        if let Err(e) = self.file.write_all(&self.buf) {
            self.discard.store(true, Ordering::Relaxed);
            return Err(e);
        }
        self.unflushed += self.buf.len();
        if self.unflushed >= FLUSH_EVERY {
            if let Some(tx) = &self.to_flusher {
                // A flush still running is left to finish rather than waited for.
                let _ = tx.try_send(());
            }
            self.unflushed = 0;
        }
        let mut next = self
            .free
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(OUT_BATCH));
        next.clear();
        let full = std::mem::replace(&mut self.buf, next);
        match &self.to_hasher {
            Some(tx) if tx.send(full).is_ok() => Ok(()),
            _ => Err(io::Error::other("the thread hashing the bundle stopped")),
        }
    }

    /// Writes what is buffered and returns the file with the SHA-256 of all of it.
    fn finish(mut self) -> io::Result<(File, [u8; 32])> {
        self.write_out()?;
        drop(self.to_hasher.take());
        drop(self.to_flusher.take());
        let digest = self
            .hasher
            .take()
            .and_then(|h| h.join().ok())
            .ok_or_else(|| io::Error::other("the thread hashing the bundle stopped"))?;
        Ok((self.file, digest))
    }
}

impl Write for HashedFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.discard.load(Ordering::Relaxed) {
            return Ok(buf.len());
        }
        let n = (OUT_BATCH - self.buf.len()).min(buf.len());
        self.buf.extend_from_slice(&buf[..n]);
        if self.buf.len() == OUT_BATCH {
            self.write_out()?;
        }
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.write_out()
    }
}

/// The temporary file beside the destination; removed unless kept.
struct Partial {
    path: PathBuf,
    keep: bool,
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.keep {
            let _ = fs::remove_file(&self.path);
        }
    }
}

fn now_utc() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

/// Writes a bundle of the selected items to `out` and records the handover.
pub fn export(vault: &mut Vault, out: &Path, opts: &ExportOptions<'_>) -> Result<Exported> {
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
    let ids = select(vault, &opts.selection)?;
    if ids.is_empty() {
        return Err(Error::Invalid(
            "Nothing matches that choice, so there is nothing to export.".into(),
        ));
    }
    let when = now_utc();
    let chain = vault.chain()?;
    let head = chain
        .last()
        .cloned()
        .ok_or_else(|| Error::DatabaseDamaged("the chain is empty".into()))?;
    let checkpoint = vault
        .latest_checkpoint()?
        .ok_or_else(|| Error::DatabaseDamaged("there is no signed checkpoint".into()))?;

    // Items, every version, and the exhibits they hold.
    let mut items: Vec<BundleItem> = Vec::new();
    let mut versions: Vec<BundleVersion> = Vec::new();
    let mut files: Vec<String> = Vec::new();
    for id in &ids {
        let d = vault.show(id)?;
        let h = vault.history(id)?;
        let mut record = d.record.clone();
        let withheld = match record.as_mut() {
            Some(r) => withhold(d.kind, r, opts.include_location),
            None => Vec::new(),
        };
        for v in &h.versions {
            let mut rec = v.record.clone();
            let w = match rec.as_mut() {
                Some(r) => withhold(d.kind, r, opts.include_location),
                None => Vec::new(),
            };
            versions.push(BundleVersion {
                item: id.clone(),
                version: v.version,
                seq: v.seq,
                record: rec,
                withheld: w,
            });
        }
        if d.kind == ItemKind::File && d.redaction.is_none() {
            files.push(id.clone());
        }
        items.push(BundleItem {
            id: id.clone(),
            kind: d.kind,
            exhibit: None,
            version: d.version,
            created_seq: d.created_seq,
            current_seq: d.current_seq,
            recorded_at: d.recorded_at.clone(),
            updated_at: d.updated_at.clone(),
            record,
            withheld,
            redaction: d
                .redaction
                .as_ref()
                .map(|t| json!({"reason": t.reason, "recorded_at": t.recorded_at, "seq": t.seq})),
            links: d
                .links
                .iter()
                .filter(|l| ids.contains(&l.other))
                .map(|l| l.other.clone())
                .collect(),
        });
    }
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
        .filter_map(|f| items.iter().find(|i| &i.id == f))
        .filter_map(|i| i.record.as_ref()?.get("size")?.as_u64())
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
        getrandom::fill(&mut b).map_err(|e| Error::Invalid(format!("no randomness: {e}")))?;
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

    // Exhibits first: the bulk of the bytes, streamed and hashed.
    let mut exhibits: Vec<ExportedExhibit> = Vec::new();
    let mut bundle_exhibits: Vec<BundleExhibit> = Vec::new();
    let mut done = 0u64;
    for (id, r, _) in &plan {
        let item = items
            .iter()
            .find(|i| &i.id == id)
            .ok_or_else(|| Error::NotFound(id.clone()))?;
        let rec = item.record.as_ref();
        let original_sha = text(rec, "sha256");
        let orig_name = text(rec, "name");
        let media_type = text(rec, "media_type");
        let size = rec
            .and_then(|v| v.get("size"))
            .and_then(Value::as_u64)
            .unwrap_or(0);
        // Location fields were withheld from the record: the bytes need cleaning too.
        let strip = item.withheld.iter().any(|w| w.starts_with("exif.gps_"));
        let path = format!("data/exhibits/{}", exhibit_file_name(r, &orig_name));
        let mut tick = |n: u64| {
            done += n;
            (opts.progress)(done.min(total), total);
        };
        let (listed, removed, left_out) = if !strip {
            // The bulk of the bytes: decrypted ahead on a second thread while this one
            // seals and writes (the export's cost is two ciphers and one hash).
            let reader = vault.open_original(id)?;
            let fill = |w: &mut dyn Write| {
                reader.decrypt_ahead(opts.cancel, &mut |batch| {
                    w.write_all(batch).map_err(io_err)?;
                    tick(batch.len() as u64);
                    Ok(())
                })
            };
            (
                Some(bag.add_known(&path, size, &original_sha, fill)?),
                false,
                None,
            )
        } else if media_type == "image/jpeg" {
            // Clean into memory first (a photo, bounded): only a copy we know is clean
            // goes into the bundle.
            let mut src = Cancellable {
                inner: io::BufReader::with_capacity(1 << 16, vault.open_original(id)?),
                cancel: opts.cancel,
            };
            let mut clean = Vec::with_capacity(size.min(64 << 20) as usize);
            match gps::strip_jpeg_location(&mut src, &mut clean) {
                Ok(()) => (Some(bag.add_bytes(&path, &clean)?), true, None),
                Err(gps::NotCleaned(why)) => (
                    None,
                    false,
                    Some(format!("its location data could not be removed ({why})")),
                ),
            }
        } else {
            (
                None,
                false,
                Some(
                    "it holds location data that Cairn cannot remove from this kind of file".into(),
                ),
            )
        };
        if opts.cancel.load(Ordering::Relaxed) {
            return Err(Error::Cancelled);
        }
        let e = ExportedExhibit {
            reference: r.label(),
            item: id.clone(),
            path: listed.as_ref().map(|l| l.path.clone()),
            sha256: listed.as_ref().map(|l| l.sha256.clone()),
            original_sha256: original_sha.clone(),
            location_removed: removed,
            left_out: left_out.clone(),
        };
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
            left_out,
        });
        exhibits.push(e);
    }

    // The record: items, versions, exhibits, every chain header, the checkpoint.
    let info = VaultInfo {
        format: "cairn-bundle".into(),
        version: 1,
        software: format!("cairn {}", env!("CARGO_PKG_VERSION")),
        vault_id: vault.vault_id().to_string(),
        device_public_key: hex(vault.device_public_key().as_bytes()),
        init_record: vault.init_record()?,
        exported_at: cairn_core::clock::format_ms((when.unix_timestamp_nanos() / 1_000_000) as i64),
        chain_size: head.seq,
        chain_head: head.hash.clone(),
        location_included: opts.include_location,
        private_notes_included: false,
    };
    let chain_text = chain_jsonl(&chain)?;
    let mut versions_text = String::new();
    for v in &versions {
        versions_text.push_str(&to_json_line(v)?);
    }
    bag.add_bytes(VAULT_PATH, &pretty(&info)?)?;
    bag.add_bytes(ITEMS_PATH, &pretty(&items)?)?;
    bag.add_bytes(VERSIONS_PATH, versions_text.as_bytes())?;
    bag.add_bytes(EXHIBITS_PATH, &pretty(&bundle_exhibits)?)?;
    bag.add_bytes(CHAIN_PATH, chain_text.as_bytes())?;
    bag.add_bytes(CHECKPOINT_PATH, checkpoint.as_bytes())?;
    let evidence = evidence_sha256(bag.payload());

    // Views for people: the schedule, the offline page, the instructions.
    let view = schedule::Schedule::new(&info, &items, &bundle_exhibits, &chain, &evidence, &root);
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
            "Evidence exported from a Cairn vault: exhibits, the record of each item, and the chain of entries that shows when each was written.".into(),
        ),
        ("Cairn-Evidence-SHA256".into(), evidence.clone()),
        ("Cairn-Vault-Id".into(), info.vault_id.clone()),
        ("Cairn-Chain-Size".into(), head.seq.to_string()),
        ("Cairn-Chain-Head".into(), head.hash.clone()),
    ];
    let writer = bag.finish(&bag_info)?;
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
            items.len(),
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
    let handover = match vault.record_handover(report, &new_refs) {
        Ok(h) => h,
        Err(e) => {
            let _ = fs::remove_file(out);
            return Err(e);
        }
    };
    Ok(Exported {
        path: out.to_path_buf(),
        bundle_sha256: bundle_sha,
        evidence_sha256: evidence,
        sealed,
        items: items.len(),
        exhibits,
        chain_size: head.seq,
        handover,
    })
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
