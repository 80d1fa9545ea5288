//! `verify`: recomputes every chain hash and link, checks every item version and
//! tombstone against its chain entry, decrypts and re-hashes every blob (unless
//! quick), finds missing and orphaned blobs, checks every signed checkpoint against the
//! chain, runs SQLCipher's page check, and reports clock anomalies.

use std::collections::{BTreeSet, HashMap};
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};

use rusqlite::OptionalExtension;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::blobs;
use crate::chain::{self, unhex32, GENESIS_PREV};
use crate::checkpoint::{self, Checkpoint};
use crate::clock::format_ms;
use crate::error::{Error, Result};
use crate::keys::hex;
use crate::merkle::{leaf_hash, Frontier};
use crate::store::{self, map_err};
use crate::vault::Vault;

/// What `item_index` must hold, computed from the evidence tables (the same definition
/// as migration 2's view, which verify does not rely on).
const DERIVED_INDEX_SQL: &str = "
    SELECT i.id, i.kind, v.version, e1.recorded_at, e2.recorded_at,
           coalesce(json_extract(v.record, '$.title'), json_extract(v.record, '$.name'),
                    json_extract(v.record, '$.sender'), ''),
           coalesce(json_extract(v.record, '$.occurred.start'), json_extract(v.record, '$.exif.taken_at'),
                    json_extract(v.record, '$.sent_at')),
           t.item_id IS NOT NULL, i.created_seq
    FROM items i
    JOIN versions v ON v.item_id = i.id
         AND v.version = (SELECT max(version) FROM versions WHERE item_id = i.id)
    JOIN entries e1 ON e1.seq = i.created_seq
    JOIN entries e2 ON e2.seq = v.seq
    LEFT JOIN tombstones t ON t.item_id = i.id
    WHERE i.kind != 'link'";

/// What verify found.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// Stable code, e.g. `chain_hash`, `blob_damaged`.
    pub code: &'static str,
    /// One plain sentence.
    pub message: String,
    /// Chain sequence number concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    /// Blob concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blob: Option<String>,
    /// Item concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
}

/// The verification report (`cairn verify --json` prints it).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// True when no problem was found (warnings do not count).
    pub ok: bool,
    /// True when blob contents were not decrypted.
    pub quick: bool,
    /// Chain entries checked.
    pub entries: u64,
    /// Hash of the last entry.
    pub head: Option<String>,
    /// Item versions checked.
    pub versions: u64,
    /// Blobs whose contents were decrypted and re-hashed.
    pub blobs_checked: u64,
    /// Plaintext bytes re-hashed.
    pub bytes_checked: u64,
    /// Signed checkpoints checked.
    pub checkpoints: u64,
    /// The newest valid checkpoint.
    pub latest_checkpoint: Option<Checkpoint>,
    /// The lowest chain sequence number named by a problem.
    pub first_bad_seq: Option<u64>,
    /// Problems: anything that means the vault is not intact.
    pub problems: Vec<Finding>,
    /// Warnings: worth knowing, but not damage (e.g. the clock went backwards).
    pub warnings: Vec<Finding>,
}

/// Options for [`Vault::verify`].
#[derive(Debug, Clone, Copy, Default)]
pub struct VerifyOptions {
    /// Skip decrypting blob contents (still checks that each exists with the right length).
    pub quick: bool,
}

struct Ctx {
    problems: Vec<Finding>,
    warnings: Vec<Finding>,
}

impl Ctx {
    fn problem(&mut self, code: &'static str, message: String) -> &mut Finding {
        self.problems.push(Finding {
            code,
            message,
            seq: None,
            blob: None,
            item: None,
        });
        self.problems.last_mut().unwrap_or_else(|| unreachable!())
    }
    fn warn(&mut self, code: &'static str, message: String) -> &mut Finding {
        self.warnings.push(Finding {
            code,
            message,
            seq: None,
            blob: None,
            item: None,
        });
        self.warnings.last_mut().unwrap_or_else(|| unreachable!())
    }
}

struct EntryInfo {
    kind: String,
    item: String,
    content: String,
    record_sha: Option<String>,
    version: Option<u64>,
    hash: String,
}

fn page_findings(pages: &[String]) -> Vec<Finding> {
    pages
        .iter()
        .map(|line| Finding {
            code: "database_page",
            message: format!("The database failed its page check: {line}."),
            seq: None,
            blob: None,
            item: None,
        })
        .collect()
}

fn sha_hex(b: &[u8]) -> String {
    hex(&Sha256::digest(b))
}

impl Vault {
    /// Checks the whole vault. `progress(done, total)` reports blob bytes re-hashed.
    pub fn verify(&self, opts: VerifyOptions, progress: &dyn Fn(u64, u64)) -> Result<Report> {
        self.verify_cancellable(opts, progress, &AtomicBool::new(false))
    }

    /// [`Vault::verify`] that stops with [`Error::Cancelled`] between stored files once
    /// `cancel` is set (the desktop app locks mid-check this way).
    pub fn verify_cancellable(
        &self,
        opts: VerifyOptions,
        progress: &dyn Fn(u64, u64),
        cancel: &AtomicBool,
    ) -> Result<Report> {
        let pages = store::integrity_problems(&self.conn);
        match self.verify_all(opts, progress, cancel, &pages) {
            Err(Error::Cancelled) => Err(Error::Cancelled),
            // A damaged page can stop the checks below part way; the damage is still
            // reported (the error message of a damaged database sends people here).
            Err(e) if !pages.is_empty() => {
                let mut problems = page_findings(&pages);
                problems.push(Finding {
                    code: "database_page",
                    message: format!("The remaining checks could not be run: {e}"),
                    seq: None,
                    blob: None,
                    item: None,
                });
                Ok(Report {
                    ok: false,
                    quick: opts.quick,
                    entries: 0,
                    head: None,
                    versions: 0,
                    blobs_checked: 0,
                    bytes_checked: 0,
                    checkpoints: 0,
                    latest_checkpoint: None,
                    first_bad_seq: None,
                    problems,
                    warnings: Vec::new(),
                })
            }
            r => r,
        }
    }

    fn verify_all(
        &self,
        opts: VerifyOptions,
        progress: &dyn Fn(u64, u64),
        cancel: &AtomicBool,
        pages: &[String],
    ) -> Result<Report> {
        let mut cx = Ctx {
            problems: page_findings(pages),
            warnings: Vec::new(),
        };

        // 1. The chain itself, and its Merkle tree (with the root at each size a
        // checkpoint signed).
        let signed_sizes: BTreeSet<u64> = {
            let mut st = self
                .conn
                .prepare("SELECT size FROM checkpoints")
                .map_err(map_err)?;
            let r = st
                .query_map([], |r| r.get::<_, i64>(0))
                .map_err(map_err)?
                .collect::<rusqlite::Result<Vec<i64>>>()
                .map_err(map_err)?;
            r.into_iter().map(|s| s.max(0) as u64).collect()
        };
        let mut tree = Frontier::new();
        let mut roots: HashMap<u64, String> = HashMap::new();
        let mut entries: HashMap<u64, EntryInfo> = HashMap::new();
        let mut expected = 1u64;
        let mut prev_hash = GENESIS_PREV.to_string();
        let mut prev_time: Option<i64> = None;
        let mut head = None;
        chain::for_each(&self.conn, |e| {
            if e.seq != expected {
                cx.problem("chain_gap", format!("Chain entry {expected} is missing."))
                    .seq = Some(expected);
                expected = e.seq;
            }
            if e.prev != prev_hash {
                cx.problem(
                    "chain_link",
                    format!(
                        "Chain entry {} does not point to the entry before it.",
                        e.seq
                    ),
                )
                .seq = Some(e.seq);
            }
            match e.compute_hash() {
                Ok(h) if h == e.hash => {}
                _ => {
                    cx.problem(
                        "chain_hash",
                        format!("Chain entry {} was changed after it was written.", e.seq),
                    )
                    .seq = Some(e.seq);
                }
            }
            if let Some(t) = prev_time {
                if e.recorded_at < t {
                    let noted = e.meta.contains_key("clock_went_back_ms");
                    cx.warn(
                        "clock_back",
                        format!(
                            "The clock went back {} ms before entry {} (recorded at {}){}.",
                            t.saturating_sub(e.recorded_at),
                            e.seq,
                            format_ms(e.recorded_at),
                            if noted {
                                "; this was noted when it was written"
                            } else {
                                ""
                            }
                        ),
                    )
                    .seq = Some(e.seq);
                }
            }
            prev_time = Some(e.recorded_at);
            tree.push(leaf_hash(&unhex32(&e.hash).unwrap_or_default()));
            if signed_sizes.contains(&tree.size()) {
                roots.insert(tree.size(), hex(&tree.root()));
            }
            prev_hash = e.hash.clone();
            head = Some(e.hash.clone());
            entries.insert(
                e.seq,
                EntryInfo {
                    kind: e.kind.clone(),
                    item: e.item.clone(),
                    content: e.content_sha256.clone(),
                    version: e.meta.get("version").and_then(|v| v.as_u64()),
                    record_sha: e
                        .meta
                        .get("record_sha256")
                        .and_then(|v| v.as_str())
                        .map(String::from),
                    hash: e.hash,
                },
            );
            expected += 1;
            Ok(())
        })?;
        let n_entries = entries.len() as u64;
        self.check_tree(&mut cx, &tree)?;

        // 2. The vault's first entry commits to its id and device key.
        self.check_init(&mut cx, &entries)?;

        // 3. Every version against its entry.
        let mut used: BTreeSet<u64> = BTreeSet::new();
        let mut n_versions = 0u64;
        let mut blob_expect: HashMap<String, (String, String)> = HashMap::new(); // blob -> (sha, item)
        {
            let mut st = self
                .conn
                .prepare(
                    "SELECT v.item_id, i.kind, v.version, v.seq, v.record, v.record_sha256, v.content_sha256,
                            v.blob_id, v.thumb_blob_id, t.item_id IS NOT NULL, v.salts
                     FROM versions v JOIN items i ON i.id = v.item_id
                     LEFT JOIN tombstones t ON t.item_id = v.item_id
                     ORDER BY v.seq",
                )
                .map_err(map_err)?;
            let mut rows = st.query([]).map_err(map_err)?;
            while let Some(r) = rows.next().map_err(map_err)? {
                n_versions += 1;
                let item: String = r.get(0).map_err(map_err)?;
                let kind: String = r.get(1).map_err(map_err)?;
                let seq = r.get::<_, i64>(3).map_err(map_err)? as u64;
                let record: Option<String> = r.get(4).map_err(map_err)?;
                let rsha = hex(&r.get::<_, Vec<u8>>(5).map_err(map_err)?);
                let csha = hex(&r.get::<_, Vec<u8>>(6).map_err(map_err)?);
                let blob: Option<String> = r.get(7).map_err(map_err)?;
                let thumb: Option<String> = r.get(8).map_err(map_err)?;
                let redacted: bool = r.get(9).map_err(map_err)?;
                let salts: Option<String> = r.get(10).map_err(map_err)?;
                used.insert(seq);
                let Some(e) = entries.get(&seq) else {
                    let f = cx.problem(
                        "version_unrecorded",
                        format!("A version of {item} has no chain entry {seq}."),
                    );
                    f.seq = Some(seq);
                    f.item = Some(item);
                    continue;
                };
                let bad = |cx: &mut Ctx, what: &str| {
                    let f = cx.problem(
                        "version_mismatch",
                        format!("{item} does not match chain entry {seq}: {what}."),
                    );
                    f.seq = Some(seq);
                    f.item = Some(item.clone());
                };
                if e.item != item || !e.kind.starts_with(&format!("{kind}.")) {
                    bad(&mut cx, "the entry is about another item");
                }
                let version = r.get::<_, i64>(2).map_err(map_err)? as u64;
                let creates = e.kind.ends_with(".create") || e.kind.ends_with(".add");
                if e.version != Some(version) || creates != (version == 1) {
                    bad(&mut cx, "its version number differs");
                }
                if kind == "file" && !redacted && blob.is_none() {
                    bad(&mut cx, "its stored file is missing from the record");
                }
                if e.content != csha {
                    bad(&mut cx, "its content hash differs");
                }
                let is_file = kind == "file";
                let expected_record_sha = if is_file {
                    e.record_sha.clone()
                } else {
                    Some(e.content.clone())
                };
                if expected_record_sha.as_deref() != Some(rsha.as_str()) {
                    bad(&mut cx, "its record hash differs");
                }
                match &record {
                    Some(text) => {
                        if hashed_record(text, salts.as_deref()).as_deref() != Some(rsha.as_str()) {
                            bad(&mut cx, "its record was changed");
                        }
                        if is_file {
                            let v: Value = serde_json::from_str(text).unwrap_or(Value::Null);
                            if v["sha256"].as_str() != Some(csha.as_str()) {
                                bad(&mut cx, "its record names other content");
                            }
                            if let Some(b) = &blob {
                                blob_expect.insert(b.clone(), (csha.clone(), item.clone()));
                            }
                            if let (Some(t), Some(ts)) = (&thumb, v["thumbnail"]["sha256"].as_str())
                            {
                                blob_expect.insert(t.clone(), (ts.to_string(), item.clone()));
                            }
                        }
                    }
                    None if !redacted => {
                        let f = cx.problem(
                            "content_missing",
                            format!("The content of {item} (version at entry {seq}) is gone but it was never redacted."),
                        );
                        f.seq = Some(seq);
                        f.item = Some(item.clone());
                    }
                    None => {}
                }
            }
        }

        // 4. Tombstones.
        {
            let mut st = self
                .conn
                .prepare("SELECT item_id, seq, record FROM tombstones")
                .map_err(map_err)?;
            let rows = st
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, i64>(1)? as u64,
                        r.get::<_, String>(2)?,
                    ))
                })
                .map_err(map_err)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(map_err)?;
            for (item, seq, text) in rows {
                used.insert(seq);
                let ok = entries.get(&seq).is_some_and(|e| {
                    e.kind == "item.redact"
                        && e.item == item
                        && e.content == sha_hex(text.as_bytes())
                });
                if !ok {
                    let f = cx.problem(
                        "tombstone_mismatch",
                        format!("The redaction record of {item} does not match chain entry {seq}."),
                    );
                    f.seq = Some(seq);
                    f.item = Some(item);
                }
            }
        }

        // 5. Entries that lost their item rows. A backup's record is the entry itself
        // (the database it copied is elsewhere); it names the vault.
        for (seq, e) in &entries {
            // The same for failed unlocks, whose times are in its meta.
            let own = [
                crate::backup::BACKUP_ENTRY,
                crate::scrub::SCRUB_ENTRY,
                crate::attempts::ATTEMPTS_ENTRY,
                crate::vault::REKEY_ENTRY,
                crate::vault::KEYS_ALTERED_ENTRY,
            ];
            let own_record = own.contains(&e.kind.as_str()) && e.item == self.vault_id;
            // A location-free copy's record is the entry itself; it names a file item.
            let copy_record = e.kind == crate::location::COPY_ENTRY;
            if *seq != 1 && !used.contains(seq) && !own_record && !copy_record {
                let f = cx.problem(
                    "entry_orphaned",
                    format!(
                        "Chain entry {seq} ({}) has no matching record in the vault.",
                        e.kind
                    ),
                );
                f.seq = Some(*seq);
                f.item = Some(e.item.clone());
            }
        }

        // 6. Items against their versions, and the list's summary table against both.
        self.check_items(&mut cx)?;
        self.check_index(&mut cx)?;
        self.check_message_index(&mut cx)?;

        // 7. Blobs.
        let (blobs_checked, bytes_checked) =
            self.check_blobs(&mut cx, &blob_expect, opts, progress, cancel)?;

        // 8. Checkpoints.
        let (n_cp, latest) = self.check_checkpoints(&mut cx, &entries, &roots)?;

        // 9. Weak KDF settings.
        if self.kdf.is_some_and(|k| k.insecure) {
            cx.warn(
                "kdf_insecure",
                "This vault's passphrase uses the fast test setting; it is not safe for real evidence: change the passphrase.".into(),
            );
        }

        let first_bad_seq = cx.problems.iter().filter_map(|f| f.seq).min();
        Ok(Report {
            ok: cx.problems.is_empty(),
            quick: opts.quick,
            entries: n_entries,
            head,
            versions: n_versions,
            blobs_checked,
            bytes_checked,
            checkpoints: n_cp,
            latest_checkpoint: latest,
            first_bad_seq,
            problems: cx.problems,
            warnings: cx.warnings,
        })
    }

    /// Each item's versions run 1..n, and its "first recorded" entry is version 1's.
    fn check_items(&self, cx: &mut Ctx) -> Result<()> {
        let mut st = self
            .conn
            .prepare(
                "SELECT i.id, i.created_seq,
                        (SELECT seq FROM versions WHERE item_id = i.id AND version = 1),
                        (SELECT count(*) FROM versions WHERE item_id = i.id),
                        (SELECT max(version) FROM versions WHERE item_id = i.id)
                 FROM items i",
            )
            .map_err(map_err)?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, Option<i64>>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, Option<i64>>(4)?,
                ))
            })
            .map_err(map_err)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(map_err)?;
        for (id, created, first, count, max) in rows {
            if first != Some(created) || max != Some(count) {
                let f = cx.problem(
                    "item_mismatch",
                    format!(
                        "The versions of {id} or its first-recorded entry do not match the chain."
                    ),
                );
                f.item = Some(id);
                f.seq = Some(created.max(0) as u64);
            }
        }
        Ok(())
    }

    fn check_index(&self, cx: &mut Ctx) -> Result<()> {
        type Row = (
            String,
            String,
            i64,
            i64,
            i64,
            String,
            Option<String>,
            bool,
            i64,
        );
        let read = |sql: &str| -> Result<HashMap<String, Row>> {
            let mut st = self.conn.prepare(sql).map_err(map_err)?;
            let rows = st
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, i64>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, Option<String>>(6)?,
                        r.get::<_, bool>(7)?,
                        r.get::<_, i64>(8)?,
                    ))
                })
                .map_err(map_err)?
                .collect::<rusqlite::Result<Vec<Row>>>()
                .map_err(map_err)?;
            Ok(rows.into_iter().map(|r| (r.0.clone(), r)).collect())
        };
        let stored = read(
            "SELECT item_id, kind, version, recorded_at, updated_at, title, occurred, redacted, created_seq
             FROM item_index",
        )?;
        // The derivation lives here, not in a view: the stored schema is not trusted.
        let derived = read(DERIVED_INDEX_SQL)?;
        let mut ids: BTreeSet<&String> = stored.keys().collect();
        ids.extend(derived.keys());
        for id in ids {
            if stored.get(id) != derived.get(id) {
                cx.problem(
                    "index_mismatch",
                    format!("The list's summary of {id} does not match its recorded versions."),
                )
                .item = Some(id.clone());
            }
        }
        Ok(())
    }

    /// `message_index` against the messages' records: each message with its record has
    /// the row its record gives; a removed message keeps its row (its place in the
    /// conversation) and is checked only to be a removed message.
    fn check_message_index(&self, cx: &mut Ctx) -> Result<()> {
        type Row = (i64, String, String, String, Option<String>);
        let read = |sql: &str| -> Result<HashMap<String, Row>> {
            let mut st = self.conn.prepare(sql).map_err(map_err)?;
            let rows = st
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?),
                    ))
                })
                .map_err(map_err)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(map_err)?;
            Ok(rows.into_iter().collect())
        };
        let stored = read(
            "SELECT item_id, created_seq, source, conversation, sort_at, export FROM message_index",
        )?;
        // As migration 5 derives it; not from a view, since the stored schema is not trusted.
        let derived = read(
            "SELECT i.id, i.created_seq, coalesce(json_extract(v.record, '$.source'), ''),
                    coalesce(json_extract(v.record, '$.conversation'), ''),
                    coalesce(strftime('%Y-%m-%dT%H:%M:%S', json_extract(v.record, '$.sent_at')), ''),
                    json_extract(v.record, '$.export')
             FROM items i JOIN versions v ON v.item_id = i.id AND v.version = 1
             WHERE i.kind = 'message' AND v.record IS NOT NULL",
        )?;
        let removed: BTreeSet<String> = {
            let mut st = self
                .conn
                .prepare(
                    "SELECT i.id FROM items i JOIN tombstones t ON t.item_id = i.id
                     WHERE i.kind = 'message'",
                )
                .map_err(map_err)?;
            let ids = st
                .query_map([], |r| r.get::<_, String>(0))
                .map_err(map_err)?
                .collect::<rusqlite::Result<BTreeSet<_>>>()
                .map_err(map_err)?;
            ids
        };
        let mut ids: BTreeSet<&String> = stored.keys().collect();
        ids.extend(derived.keys());
        for id in ids {
            let fine = match (stored.get(id), derived.get(id)) {
                (Some(s), Some(d)) => s == d,
                (Some(_), None) => removed.contains(id),
                _ => false,
            };
            if !fine {
                cx.problem(
                    "message_index_mismatch",
                    format!("The conversation index's entry for {id} does not match its recorded message."),
                )
                .item = Some(id.clone());
            }
        }
        Ok(())
    }

    fn check_init(&self, cx: &mut Ctx, entries: &HashMap<u64, EntryInfo>) -> Result<()> {
        let init: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'init_record'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(map_err)?;
        let first = entries.get(&1);
        let ok = match (&init, first) {
            (Some(text), Some(e)) => {
                let v: Value = serde_json::from_str(text).unwrap_or(Value::Null);
                e.kind == "vault.init"
                    && e.content == sha_hex(text.as_bytes())
                    && v["vault_id"].as_str() == Some(self.vault_id.as_str())
                    && v["device_public_key"].as_str()
                        == Some(hex(self.device.verifying_key().as_bytes()).as_str())
            }
            _ => false,
        };
        if !ok {
            cx.problem(
                "init_mismatch",
                "The vault's identity or device key does not match the first chain entry.".into(),
            )
            .seq = Some(1);
        }
        if let Some(text) = init {
            let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            let still_insecure = self.kdf.is_some_and(|k| k.insecure);
            if v["kdf_insecure_for_tests"].as_bool() == Some(true) && !still_insecure {
                cx.warn(
                    "created_for_tests",
                    "This vault was created with the insecure test setting.".into(),
                );
            }
        }
        Ok(())
    }

    fn check_blobs(
        &self,
        cx: &mut Ctx,
        expect: &HashMap<String, (String, String)>,
        opts: VerifyOptions,
        progress: &dyn Fn(u64, u64),
        cancel: &AtomicBool,
    ) -> Result<(u64, u64)> {
        let rows: Vec<(String, i64, Option<Vec<u8>>, String)> = {
            let mut st = self
                .conn
                .prepare("SELECT id, size, sha256, state FROM blobs ORDER BY id")
                .map_err(map_err)?;
            let r = st
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .map_err(map_err)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(map_err)?;
            r
        };
        let total: u64 = rows
            .iter()
            .filter(|r| r.3 == "stored")
            .fold(0u64, |acc, r| acc.saturating_add(r.1.max(0) as u64));
        let mut done = 0u64;
        let mut checked = 0u64;
        let known: BTreeSet<&str> = rows
            .iter()
            .filter(|r| r.3 == "stored")
            .map(|r| r.0.as_str())
            .collect();
        for (id, size, sha, state) in &rows {
            if state != "stored" {
                continue;
            }
            let item = expect.get(id).map(|(_, i)| i.clone());
            let blob_problem = |cx: &mut Ctx, code: &'static str, message: String| {
                let f = cx.problem(code, message);
                f.blob = Some(id.clone());
                f.item = item.clone();
            };
            let recorded = sha.as_deref().map(hex).unwrap_or_default();
            match expect.get(id) {
                Some((want, _)) if *want != recorded => blob_problem(
                    cx,
                    "blob_record",
                    format!(
                        "Stored file {id}'s recorded hash does not match its item's chain entry."
                    ),
                ),
                None => blob_problem(
                    cx,
                    "blob_unreferenced",
                    format!("Stored file {id} belongs to no item."),
                ),
                _ => {}
            }
            if cancel.load(Ordering::Relaxed) {
                return Err(Error::Cancelled);
            }
            let reader = match self.open_blob(id) {
                Ok(r) => r,
                Err(Error::BlobMissing(_)) => {
                    blob_problem(
                        cx,
                        "blob_missing",
                        format!("Stored file {id} is missing from the vault folder."),
                    );
                    continue;
                }
                Err(e) => {
                    blob_problem(cx, "blob_damaged", format!("{e}"));
                    continue;
                }
            };
            if opts.quick {
                continue;
            }
            match reader.stream_to(&mut io::sink()) {
                Ok(d) if hex(&d) == recorded => {}
                Ok(_) => blob_problem(
                    cx,
                    "blob_hash",
                    format!("Stored file {id} decrypts, but not to the content that was recorded."),
                ),
                Err(e) => blob_problem(cx, "blob_damaged", format!("{e}")),
            }
            checked += 1;
            done = done.saturating_add((*size).max(0) as u64);
            progress(done, total);
        }
        for (id, (_, item)) in expect {
            if !known.contains(id.as_str()) {
                let f = cx.problem(
                    "blob_missing",
                    format!("Stored file {id} of {item} is no longer stored, but the item was never redacted."),
                );
                f.blob = Some(id.clone());
                f.item = Some(item.clone());
            }
        }
        for f in blobs::list_files(self.dir())? {
            if !known.contains(f.as_str()) {
                let p = cx.problem(
                    "blob_orphaned",
                    format!(
                        "The vault folder holds a stored file {f} that the database does not know."
                    ),
                );
                p.blob = Some(f);
            }
        }
        Ok((checked, if opts.quick { 0 } else { done }))
    }

    /// The stored right edge of the Merkle tree is the chain's.
    fn check_tree(&self, cx: &mut Ctx, tree: &Frontier) -> Result<()> {
        let stored: Option<(i64, Vec<u8>)> = self
            .conn
            .query_row("SELECT size, frontier FROM merkle WHERE id = 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
            .map_err(map_err)?;
        let same = stored
            .and_then(|(n, b)| Frontier::from_bytes(n.max(0) as u64, &b))
            .is_some_and(|f| &f == tree);
        if !same {
            cx.problem(
                "tree_mismatch",
                "The vault's stored Merkle tree does not match its chain.".into(),
            );
        }
        Ok(())
    }

    fn check_checkpoints(
        &self,
        cx: &mut Ctx,
        entries: &HashMap<u64, EntryInfo>,
        roots: &HashMap<u64, String>,
    ) -> Result<(u64, Option<Checkpoint>)> {
        let notes: Vec<(i64, String)> = {
            let mut st = self
                .conn
                .prepare("SELECT size, note FROM checkpoints ORDER BY size")
                .map_err(map_err)?;
            let r = st
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(map_err)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(map_err)?;
            r
        };
        let public = self.device.verifying_key();
        let mut latest = None;
        for (size, note) in &notes {
            match checkpoint::verify(note, &public) {
                Ok(cp) => {
                    let matches = cp.size == *size as u64
                        && cp.origin == checkpoint::origin(&self.vault_id)
                        && entries.get(&cp.size).is_some_and(|e| e.hash == cp.head)
                        && cp
                            .root
                            .as_ref()
                            .is_none_or(|r| roots.get(&cp.size) == Some(r));
                    if matches {
                        latest = Some(cp);
                    } else {
                        cx.problem(
                            "checkpoint_mismatch",
                            format!("The signed checkpoint at entry {size} does not match the chain: history before it was changed."),
                        )
                        .seq = Some(*size as u64);
                    }
                }
                Err(why) => {
                    cx.problem(
                        "checkpoint_signature",
                        format!("The checkpoint at entry {size} is not valid: {why}."),
                    )
                    .seq = Some(*size as u64);
                }
            }
        }
        Ok((notes.len() as u64, latest))
    }
}

/// The hash a version's entry records: of its committed form when it has salts
/// (docs/FORMAT.md §5.6), else of the record as stored. `None` if either is unreadable.
fn hashed_record(text: &str, salts: Option<&str>) -> Option<String> {
    match salts {
        None => Some(sha_hex(text.as_bytes())),
        Some(s) => {
            let salts: crate::withhold::Salts = serde_json::from_str(s).ok()?;
            let record: Value = serde_json::from_str(text).ok()?;
            let (committed, _) = crate::withhold::commit(&record, &salts).ok()?;
            crate::withhold::record_hash(&committed).ok()
        }
    }
}
