//! `verify-bundle`: opens a bundle (decrypting on the fly; nothing is written to disk)
//! and checks it without trusting the vault it came from.
//!
//! Every bundle: BagIt fixity (both manifests, nothing unlisted, Payload-Oxum, the
//! evidence fingerprint). Format 2 ([`v2`]): the vault's signature over both
//! manifests and the tree head, the checkpoint, every carried entry against the signed
//! tree (the whole chain, or inclusion proofs), every version, item, redaction, link
//! and exhibit against the entries, and a receipt by its consistency proof. Format 1
//! ([`v1`]): what that format can show, which is less (it is not signed).
//!
//! Reading is bounded whatever the bundle holds: the ZIP's entries may not overlap or
//! unpack to far more than the file's size, records are read a line at a time with a
//! cap on each line's length and on its JSON values, every table kept grows only with
//! entries that are hash-checked (so they cannot be compressed away), and the checks
//! stop at the first break in the chain.

pub(crate) mod lines;
mod v1;
mod v2;

use std::collections::HashMap;
use std::io::{Cursor, Read};
use std::path::Path;

use cairn_core::{Error, Result};
use serde::Serialize;
use sha2::{Digest, Sha256};
use zip::ZipArchive;

use crate::bag::{decode_manifest_path, hex, Listed, BAGIT_TXT};
use crate::record::{evidence_sha256, VaultInfo, VAULT_PATH};
use crate::seal::{self, Key};

/// A problem found, with a stable code and where it is.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    /// Stable code, e.g. `fixity`, `signature`, `chain_hash`, `exhibit_hash`.
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
    /// Her reason (format 2: checked against the entry).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// What verify-bundle found.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct BundleReport {
    /// Nothing wrong.
    pub ok: bool,
    /// It was sealed with age.
    pub sealed: bool,
    /// The bundle format (1 or 2).
    pub format: u32,
    /// Format 2: the vault's signature over the whole bag checked.
    pub signed: bool,
    /// `full-chain` or `proofs` (format 2).
    pub disclosure: String,
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
    /// Entries in the signed history.
    pub entries: u64,
    /// Entries whose headers the bundle carries.
    pub entries_carried: u64,
    /// Files checked against the manifest.
    pub files_checked: usize,
    /// Exhibits.
    pub exhibits: usize,
    /// Record versions whose hash was rechecked.
    pub versions_checked: usize,
    /// Versions with fields left out at her choice (format 2: still rechecked, through
    /// their commitments, unless named in `unverifiable`).
    pub versions_withheld: usize,
    /// Versions written before format 2 with fields left out, whose hash cannot be
    /// recomputed: "<item> version <n>".
    pub unverifiable: Vec<String>,
    /// Redactions in the chain.
    pub redactions: Vec<RedactionSeen>,
    /// The checkpoint's signature checked with the bundle's device key.
    pub checkpoint_valid: bool,
    /// `Some(true)` when the chain extends the receipt given.
    pub receipt_extends: Option<bool>,
    /// Everything wrong (the first is the one that matters most).
    pub problems: Vec<Problem>,
    /// Things to know that are not problems.
    pub notes: Vec<String>,
}

/// At most this many problems are listed (a hostile bundle can have millions); the
/// rest are counted.
const MAX_PROBLEMS: usize = 200;

/// Problems and notes as they are found.
pub(crate) struct Ctx {
    pub problems: Vec<Problem>,
    pub more: usize,
    pub notes: Vec<String>,
}

impl Ctx {
    fn new() -> Ctx {
        Ctx {
            problems: Vec::new(),
            more: 0,
            notes: Vec::new(),
        }
    }

    /// Records a problem.
    pub fn bad(
        &mut self,
        code: &'static str,
        message: String,
        path: Option<&str>,
        seq: Option<u64>,
    ) {
        if self.problems.len() >= MAX_PROBLEMS {
            self.more += 1;
            return;
        }
        self.problems.push(Problem {
            code,
            message,
            path: path.map(str::to_string),
            seq,
        });
    }

    /// Records a note (bounded like problems).
    pub fn note(&mut self, n: String) {
        if self.notes.len() < MAX_PROBLEMS {
            self.notes.push(n);
        }
    }
}

pub(crate) type Zip = ZipArchive<Box<dyn seal::ReadSeek>>;

/// See [`Bag::open_named`].
fn open_named<'a>(
    z: &'a mut Zip,
    name: &str,
) -> zip::result::ZipResult<zip::read::ZipFile<'a, Box<dyn seal::ReadSeek>>> {
    let i = z
        .index_for_name_raw(name.as_bytes())
        .ok_or(zip::result::ZipError::FileNotFound)?;
    z.by_index(i)
}

/// The ZIP may unpack to at most this much beyond a multiple of its own size.
const UNPACK_FLOOR: u64 = 256 << 20;
/// ... and at most this multiple (a deflated record compresses about 5×; a zip bomb
/// reaches 1000×).
const UNPACK_RATIO: u64 = 64;

/// The opened archive and what every check needs.
pub(crate) struct Bag {
    pub z: Zip,
    pub root: String,
    /// Every name in the archive.
    pub names: Vec<String>,
    /// Payload files as hashed: path → listing.
    pub payload: HashMap<String, Listed>,
    /// SHA-256 of `manifest-sha256.txt` and `tagmanifest-sha256.txt` as found.
    pub manifest_sha256: String,
    pub tagmanifest_sha256: String,
    pub bag_info: String,
    pub evidence: String,
    pub files_checked: usize,
    /// Bytes still allowed to be unpacked.
    pub budget: u64,
}

impl Bag {
    /// The full name of a bag file in the archive.
    pub fn name(&self, path: &str) -> String {
        format!("{}/{path}", self.root)
    }

    /// The file of the archive named exactly `name` (a hash lookup: the ZIP reader's own
    /// lookup by name falls back to reading every name when it misses, which a bundle
    /// listing many absent files would make quadratic).
    pub fn open_named(
        &mut self,
        name: &str,
    ) -> zip::result::ZipResult<zip::read::ZipFile<'_, Box<dyn seal::ReadSeek>>> {
        open_named(&mut self.z, name)
    }

    /// Reads a whole (small) file of the bag; `None` if it is not there.
    pub fn read_small(&mut self, path: &str, limit: u64) -> Result<Option<Vec<u8>>> {
        let name = self.name(path);
        let f = match self.open_named(&name) {
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
        let mut v = Vec::with_capacity(f.size().min(1 << 20) as usize);
        f.take(limit + 1)
            .read_to_end(&mut v)
            .map_err(|e| Error::BundleUnreadable(format!("{path} cannot be read ({e})")))?;
        if v.len() as u64 > limit {
            return Err(Error::BundleUnreadable(format!(
                "{path} is far larger than a Cairn bundle writes"
            )));
        }
        self.budget = self.budget.saturating_sub(v.len() as u64);
        Ok(Some(v))
    }

    /// SHA-256 and size of a file of the bag, streamed, within the unpacking budget.
    fn hash_entry(&mut self, name: &str) -> std::result::Result<(String, u64), String> {
        let budget = self.budget;
        let mut f = open_named(&mut self.z, name).map_err(|e| e.to_string())?;
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
            if n > budget {
                return Err("bomb".into());
            }
        }
        drop(f);
        self.budget -= n;
        Ok((hex(&h.finalize()), n))
    }
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
    let size = std::fs::metadata(path)
        .map_err(|e| Error::io("read", path, e))?
        .len();
    // The whole file's SHA-256 (what she quotes to say which bundle she checked) is
    // read on a second thread while this one checks what is inside.
    std::thread::scope(|s| {
        let whole = s.spawn(|| file_sha256(path));
        let checked = seal::open(path, key).and_then(|(reader, sealed)| {
            verify_opened(reader, size, sealed, String::new(), receipt)
        });
        let whole = whole
            .join()
            .map_err(|_| Error::Internal("the bundle's SHA-256 could not be computed".into()))?;
        let mut report = checked?;
        report.bundle_sha256 = whole?;
        Ok(report)
    })
}

/// Checks a bundle already in memory, exactly as [`verify_bundle`] checks a file
/// holding `bytes` (the same report, the same errors). For callers that have the
/// bytes anyway, and for the fuzz targets in `fuzz/`, which feed it arbitrary input.
pub fn verify_bundle_bytes(bytes: &[u8], key: &Key, receipt: Option<&str>) -> Result<BundleReport> {
    let bundle_sha256 = hex(&Sha256::digest(bytes));
    let kind = seal::kind_of(bytes)?;
    let (reader, sealed) = seal::open_reader(Cursor::new(bytes.to_vec()), kind, key)?;
    verify_opened(reader, bytes.len() as u64, sealed, bundle_sha256, receipt)
}

/// Opens the ZIP and refuses one whose entries overlap (the same compressed bytes
/// read again and again: a zip bomb) before anything is unpacked.
fn open_zip(reader: Box<dyn seal::ReadSeek>) -> Result<Zip> {
    let mut z: Zip = ZipArchive::new(reader).map_err(|e| match e {
        zip::result::ZipError::Io(io) => {
            // Inside an age stream, a damaged or cut chunk shows up as a read error.
            Error::BundleUnreadable(format!("it is damaged or cut short ({io})"))
        }
        e => Error::BundleUnreadable(format!("its ZIP structure is damaged ({e})")),
    })?;
    let mut spans: Vec<(u64, u64)> = Vec::with_capacity(z.len().min(1 << 16));
    for i in 0..z.len() {
        let f = z
            .by_index_raw(i)
            .map_err(|e| Error::BundleUnreadable(format!("its ZIP structure is damaged ({e})")))?;
        let start = f.header_start();
        let end = f
            .data_start()
            .unwrap_or(start)
            .checked_add(f.compressed_size())
            .ok_or_else(|| Error::BundleUnreadable("its ZIP structure is damaged".into()))?;
        spans.push((start, end));
    }
    spans.sort_unstable();
    if spans.windows(2).any(|w| w[1].0 < w[0].1) {
        return Err(Error::BundleUnreadable(
            "its ZIP entries overlap, as in a zip bomb".into(),
        ));
    }
    // One file a name, every local header the central directory's, nothing before the
    // first entry and no entry the directory does not list: a tool that unpacks as it
    // streams (reading local headers) would otherwise see other files than this check.
    if z.has_duplicate_names() {
        return Err(Error::BundleUnreadable(
            "its ZIP archive holds two files of the same name".into(),
        ));
    }
    if z.offset() != 0 {
        return Err(Error::BundleUnreadable(
            "its ZIP archive has bytes before its first file".into(),
        ));
    }
    z.validate_header_consistency().map_err(|e| {
        Error::BundleUnreadable(format!(
            "its ZIP archive holds files its directory does not list, or lists them otherwise ({e})"
        ))
    })?;
    Ok(z)
}

/// The checks themselves, over the opened (decrypted) ZIP bytes.
fn verify_opened(
    reader: Box<dyn seal::ReadSeek>,
    file_size: u64,
    sealed: bool,
    bundle_sha256: String,
    receipt: Option<&str>,
) -> Result<BundleReport> {
    let z = open_zip(reader)?;
    let names: Vec<String> = z
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .collect();
    let root = names
        .iter()
        .find_map(|n| n.strip_suffix("/bagit.txt").filter(|r| !r.contains('/')))
        .ok_or_else(|| Error::BundleUnreadable("it holds no BagIt bag (no bagit.txt)".into()))?
        .to_string();
    let mut c = Ctx::new();
    let mut bag = Bag {
        z,
        root: root.clone(),
        names,
        payload: HashMap::new(),
        manifest_sha256: String::new(),
        tagmanifest_sha256: String::new(),
        bag_info: String::new(),
        evidence: String::new(),
        files_checked: 0,
        budget: UNPACK_FLOOR.saturating_add(file_size.saturating_mul(UNPACK_RATIO)),
    };
    fixity(&mut bag, &mut c)?;

    let info_bytes = bag
        .read_small(VAULT_PATH, 1 << 20)?
        .ok_or_else(|| Error::BundleUnreadable(format!("{VAULT_PATH} is missing")))?;
    let info: VaultInfo = serde_json::from_slice(&info_bytes).map_err(|e| {
        Error::BundleUnreadable(format!("{VAULT_PATH} is not what Cairn writes ({e})"))
    })?;
    let mut report = match info.version {
        1 => v1::check(&mut bag, &mut c, &info, receipt)?,
        2 => v2::check(&mut bag, &mut c, &info, receipt)?,
        v => {
            return Err(Error::BundleUnreadable(format!(
                "it is bundle format {v}, newer than this version of Cairn reads; use a newer Cairn to check it"
            )))
        }
    };
    if c.more > 0 {
        c.notes.push(format!(
            "{} more problems were found and are not listed.",
            c.more
        ));
    }
    report.ok = c.problems.is_empty();
    report.sealed = sealed;
    report.bundle_sha256 = bundle_sha256;
    report.evidence_sha256 = bag.evidence.clone();
    report.files_checked = bag.files_checked;
    report.vault_id = info.vault_id.clone();
    report.exported_at = info.exported_at.clone();
    if !report.ok {
        report.verdict = format!(
            "Problems found: {} (the first: {})",
            c.problems.len() + c.more,
            c.problems[0].message
        );
    }
    report.problems = c.problems;
    report.notes = c.notes;
    Ok(report)
}

/// Fixity: the archive holds one bag and nothing else; both manifests match the files;
/// nothing in `data/` is unlisted; Payload-Oxum and the evidence fingerprint match.
fn fixity(bag: &mut Bag, c: &mut Ctx) -> Result<()> {
    let prefix = format!("{}/", bag.root);
    let folders = ["", "data/", "data/exhibits/", "data/record/"];
    for n in &bag.names {
        if let Some(d) = n.strip_prefix(&prefix).filter(|d| d.ends_with('/')) {
            if !folders.contains(&d) {
                c.bad(
                    "unlisted_file",
                    format!(
                        "The archive holds a folder {d} that Cairn does not make: it was added."
                    ),
                    Some(d),
                    None,
                );
            }
        }
        if !n.starts_with(&prefix) || n.contains("/../") || n.contains('\\') {
            c.bad(
                "foreign_file",
                format!("The archive holds {n}, outside the bag."),
                Some(n),
                None,
            );
        }
    }
    const SMALL: u64 = 256 << 20;
    let bagit = bag.read_small("bagit.txt", 4096)?.unwrap_or_default();
    if bagit != BAGIT_TXT.as_bytes() {
        c.bad(
            "bagit",
            "bagit.txt is not the BagIt 1.0 declaration Cairn writes.".into(),
            Some("bagit.txt"),
            None,
        );
    }
    // A manifest line names a file in the archive: its size is bounded by theirs.
    let manifest_limit = (bag.names.len() as u64 + 16)
        .saturating_mul(4200)
        .min(SMALL);
    let tagm = bag
        .read_small("tagmanifest-sha256.txt", 1 << 16)?
        .ok_or_else(|| Error::BundleUnreadable("its tagmanifest-sha256.txt is missing".into()))?;
    let manifest = bag
        .read_small("manifest-sha256.txt", manifest_limit)?
        .ok_or_else(|| Error::BundleUnreadable("its manifest-sha256.txt is missing".into()))?;
    bag.tagmanifest_sha256 = hex(&Sha256::digest(&tagm));
    bag.manifest_sha256 = hex(&Sha256::digest(&manifest));
    let tags = check_list(bag, c, "tagmanifest-sha256.txt", &tagm)?;
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
    let payload = check_list(bag, c, "manifest-sha256.txt", &manifest)?;
    let listed: std::collections::HashSet<&str> = payload.iter().map(|l| l.path.as_str()).collect();
    if listed.len() != payload.len() {
        c.bad(
            "manifest",
            "manifest-sha256.txt lists a file twice.".into(),
            Some("manifest-sha256.txt"),
            None,
        );
    }
    for n in &bag.names {
        if let Some(p) = n.strip_prefix(&prefix) {
            if p.starts_with("data/") && !n.ends_with('/') && !listed.contains(p) {
                c.bad(
                    "unlisted_file",
                    format!("{p} is in the bundle but not in its manifest: it was added."),
                    Some(p),
                    None,
                );
            }
        }
    }
    bag.evidence = evidence_sha256(&payload);
    bag.bag_info =
        String::from_utf8_lossy(&bag.read_small("bag-info.txt", 1 << 20)?.unwrap_or_default())
            .into_owned();
    let oxum = format!(
        "{}.{}",
        payload.iter().map(|l| l.size).sum::<u64>(),
        payload.len()
    );
    if info_field(&bag.bag_info, "Payload-Oxum").as_deref() != Some(oxum.as_str()) {
        c.bad(
            "payload_oxum",
            "bag-info.txt's Payload-Oxum does not match the payload: files were added or removed."
                .into(),
            Some("bag-info.txt"),
            None,
        );
    }
    if info_field(&bag.bag_info, "Cairn-Evidence-SHA256").as_deref() != Some(bag.evidence.as_str())
    {
        c.bad(
            "evidence_fingerprint",
            "The evidence fingerprint in bag-info.txt does not match the manifest.".into(),
            Some("bag-info.txt"),
            None,
        );
    }
    bag.payload = payload.into_iter().map(|l| (l.path.clone(), l)).collect();
    Ok(())
}

/// A field of `bag-info.txt`.
pub(crate) fn info_field(bag_info: &str, k: &str) -> Option<String> {
    bag_info
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{k}:")))
        .map(|v| v.trim().to_string())
}

/// Hashes every file a manifest lists and compares.
fn check_list(bag: &mut Bag, c: &mut Ctx, which: &str, text: &[u8]) -> Result<Vec<Listed>> {
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
            return Ok(Vec::new());
        }
    };
    let mut out = Vec::new();
    for (want, p) in lines {
        let name = bag.name(&p);
        match bag.hash_entry(&name) {
            Ok((got, size)) => {
                bag.files_checked += 1;
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
            Err(why) if why == "bomb" => {
                return Err(Error::BundleUnreadable(
                    "it unpacks to far more than its own size, as a zip bomb does".into(),
                ))
            }
            Err(_) => c.bad(
                "missing_file",
                format!("{p} is listed in {which} but is not in the bundle."),
                Some(&p),
                None,
            ),
        }
    }
    Ok(out)
}

/// One line of `chain.jsonl` or `entries.jsonl`.
pub(crate) struct EntryLine {
    /// The entry as written (its `hash` field as given).
    pub entry: cairn_core::chain::Entry,
    /// SHA-256 of the header's canonical JSON, recomputed.
    pub computed: String,
    /// The inclusion proof, in `entries.jsonl`.
    pub proof: Option<Vec<String>>,
}

/// The fields of an entry header, as FORMAT.md §6 defines them.
const HEADER_FIELDS: [&str; 8] = [
    "content_sha256",
    "item",
    "kind",
    "meta",
    "prev",
    "recorded_at",
    "seq",
    "v",
];

/// Reads one entry line: exactly the header's fields, `hash`, and (in `entries.jsonl`)
/// `proof`; the hash is recomputed from the header.
pub(crate) fn entry_line(line: &[u8]) -> std::result::Result<EntryLine, String> {
    use serde_json::Value;
    let mut v: serde_json::Map<String, Value> = lines::parse(line).map_err(|e| e.to_string())?;
    let hash = match v.remove("hash") {
        Some(Value::String(h)) => h,
        _ => return Err("it has no hash".into()),
    };
    let proof = match v.remove("proof") {
        None => None,
        Some(Value::Array(a)) => Some(
            a.into_iter()
                .map(|h| match h {
                    Value::String(s) if s.len() == 64 => Ok(s),
                    _ => Err("its proof is not a list of hashes".to_string()),
                })
                .collect::<std::result::Result<Vec<String>, String>>()?,
        ),
        Some(_) => return Err("its proof is not a list of hashes".into()),
    };
    if v.len() != HEADER_FIELDS.len() || HEADER_FIELDS.iter().any(|k| !v.contains_key(*k)) {
        return Err("its fields are not an entry's".into());
    }
    let header = Value::Object(v);
    let computed = cairn_core::canonical::to_canonical(&header)
        .map(|t| hex(&Sha256::digest(t.as_bytes())))
        .map_err(|e| e.to_string())?;
    let s = |k: &str| {
        header
            .get(k)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| format!("its {k} is not text"))
    };
    let entry = cairn_core::chain::Entry {
        seq: header
            .get("seq")
            .and_then(Value::as_u64)
            .ok_or("its seq is not a number")?,
        prev: s("prev")?,
        recorded_at: header
            .get("recorded_at")
            .and_then(Value::as_i64)
            .ok_or("its time is not a number")?,
        kind: s("kind")?,
        item: s("item")?,
        content_sha256: s("content_sha256")?,
        meta: header
            .get("meta")
            .and_then(Value::as_object)
            .cloned()
            .ok_or("its meta is not an object")?,
        hash,
    };
    if header.get("v").and_then(Value::as_u64) != Some(1) {
        return Err("it is not a version 1 entry".into());
    }
    Ok(EntryLine {
        entry,
        computed,
        proof,
    })
}

/// An empty report, filled in by the format's checks.
pub(crate) fn blank_report(format: u32) -> BundleReport {
    BundleReport {
        ok: false,
        sealed: false,
        format,
        signed: false,
        disclosure: String::new(),
        verdict: String::new(),
        bundle_sha256: String::new(),
        evidence_sha256: String::new(),
        vault_id: String::new(),
        exported_at: String::new(),
        entries: 0,
        entries_carried: 0,
        files_checked: 0,
        exhibits: 0,
        versions_checked: 0,
        versions_withheld: 0,
        unverifiable: Vec::new(),
        redactions: Vec::new(),
        checkpoint_valid: false,
        receipt_extends: None,
        problems: Vec::new(),
        notes: Vec::new(),
    }
}
