//! The hash chain: test vectors, links, append-only growth; and the schema version.

use std::io::Cursor;

use cairn_core::canonical::to_canonical;
use cairn_core::chain::{Entry, GENESIS_PREV};
use cairn_core::store::SCHEMA_VERSION;
use cairn_core::{Error, Vault};
use serde_json::Value;

use crate::common::*;

const VECTORS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../docs/chain-vectors.jsonl"
);
const FORMAT_MD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/FORMAT.md");

fn entry_from_header(header: &Value, hash: &str) -> Entry {
    let s = |k: &str| {
        header[k]
            .as_str()
            .unwrap_or_else(|| panic!("{k}"))
            .to_string()
    };
    Entry {
        seq: header["seq"].as_u64().unwrap(),
        prev: s("prev"),
        recorded_at: header["recorded_at"].as_i64().unwrap(),
        kind: s("kind"),
        item: s("item"),
        content_sha256: s("content_sha256"),
        meta: header["meta"]
            .as_object()
            .expect("meta is an object")
            .clone(),
        hash: hash.to_string(),
    }
}

#[test]
fn chain_test_vectors_hash_as_documented() {
    let text = std::fs::read_to_string(VECTORS).expect("docs/chain-vectors.jsonl");
    let mut n = 0;
    let mut prev = GENESIS_PREV.to_string();
    for (i, line) in text.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("line {}: {e}", i + 1));
        let header = &v["header"];
        let canonical = v["canonical"].as_str().unwrap();
        let hash = v["hash"].as_str().unwrap();
        assert_eq!(to_canonical(header).unwrap(), canonical, "line {}", i + 1);
        let e = entry_from_header(header, hash);
        assert_eq!(&e.header(), header, "line {}: header() round trip", i + 1);
        assert_eq!(e.compute_hash().unwrap(), hash, "line {}", i + 1);
        assert_eq!(sha_hex(canonical.as_bytes()), hash, "line {}", i + 1);
        assert_eq!(e.prev, prev, "line {}: the vectors form a chain", i + 1);
        prev = hash.to_string();
        n += 1;
    }
    assert!(n >= 3, "only {n} vectors");
    // The vectors cover the clock note.
    assert!(text.contains("clock_went_back_ms"));
}

#[test]
fn a_changed_vector_no_longer_hashes() {
    let text = std::fs::read_to_string(VECTORS).unwrap();
    let v: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    let hash = v["hash"].as_str().unwrap();
    let mut e = entry_from_header(&v["header"], hash);
    e.recorded_at += 1;
    assert_ne!(e.compute_hash().unwrap(), hash);
}

#[test]
fn format_md_carries_the_same_vectors() {
    let Ok(doc) = std::fs::read_to_string(FORMAT_MD) else {
        eprintln!("docs/FORMAT.md does not exist yet; skipping the vector comparison");
        return;
    };
    let mut lines = doc.lines();
    assert!(
        lines.any(|l| l.trim_end() == "```jsonl-vectors"),
        "docs/FORMAT.md has no ```jsonl-vectors block"
    );
    let block: Vec<&str> = lines.take_while(|l| l.trim_end() != "```").collect();
    let file = std::fs::read_to_string(VECTORS).unwrap();
    let vectors: Vec<&str> = file.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(
        block, vectors,
        "the vectors in docs/FORMAT.md differ from docs/chain-vectors.jsonl"
    );
}

/// Checks every entry's hash and link; returns the chain.
fn check_chain(v: &Vault) -> Vec<Entry> {
    let chain = v.chain().unwrap();
    let mut prev = GENESIS_PREV.to_string();
    for (i, e) in chain.iter().enumerate() {
        assert_eq!(e.seq, i as u64 + 1, "sequence numbers are consecutive");
        assert_eq!(e.prev, prev, "entry {} links to the one before", e.seq);
        assert_eq!(e.compute_hash().unwrap(), e.hash, "entry {}", e.seq);
        assert_eq!(e.hash.len(), 64);
        assert_eq!(e.content_sha256.len(), 64);
        prev = e.hash.clone();
    }
    chain
}

/// Checks the chain grew to `want_len` by exactly `want_kinds`, leaving `seen` intact.
fn step(v: &Vault, seen: &mut Vec<Entry>, want_len: usize, want_kinds: &[&str]) {
    let chain = check_chain(v);
    assert_eq!(chain.len(), want_len, "chain length");
    assert_eq!(&chain[..seen.len()], &seen[..], "earlier entries changed");
    let new: Vec<&str> = chain[seen.len()..]
        .iter()
        .map(|e| e.kind.as_str())
        .collect();
    assert_eq!(new, want_kinds);
    *seen = chain;
}

#[test]
fn chain_grows_by_one_entry_per_change_and_never_rewrites() {
    let mut tv = TestVault::new();
    let mut seen: Vec<Entry> = Vec::new();
    step(tv.r(), &mut seen, 1, &["vault.init"]);
    assert_eq!(seen[0].item, tv.r().vault_id());

    let inc = tv.v().add_incident(incident("i", "b")).unwrap();
    assert_eq!(inc.seq, 2);
    step(tv.r(), &mut seen, 2, &["incident.create"]);
    assert_eq!(seen[1].item, inc.id);
    assert_eq!(seen[1].content_sha256, inc.content_sha256);

    let per = tv
        .v()
        .add_person(cairn_core::Person::new("p", cairn_core::Role::Other))
        .unwrap();
    step(tv.r(), &mut seen, 3, &["person.create"]);

    let f = add_bytes(tv.v(), "a.bin", b"\x00\x01\x02");
    step(tv.r(), &mut seen, 4, &["file.add"]);
    // For files the chain carries the SHA-256 of the bytes themselves.
    assert_eq!(seen[3].content_sha256, sha_hex(b"\x00\x01\x02"));
    assert_eq!(seen[3].content_sha256, f.sha256);
    let rec_sha = tv.r().show(&f.id).unwrap().record_sha256;
    assert_eq!(seen[3].meta["record_sha256"], rec_sha.as_str());

    let mut src = Cursor::new(b"linked".to_vec());
    tv.v()
        .add_file_from("b.txt".as_ref(), &mut src, None, &add_opts_linked(&inc.id))
        .unwrap();
    step(tv.r(), &mut seen, 6, &["file.add", "link.add"]);

    let l = tv.v().link(&inc.id, &per.id).unwrap();
    step(tv.r(), &mut seen, 7, &["link.add"]);
    tv.v().unlink(&l.id).unwrap();
    step(tv.r(), &mut seen, 8, &["link.change"]);
    tv.v().edit_incident(&inc.id, incident("i", "b2")).unwrap();
    step(tv.r(), &mut seen, 9, &["incident.edit"]);
    tv.v().authed().redact(&f.id, "mistake").unwrap();
    step(tv.r(), &mut seen, 10, &["item.redact"]);

    // Refused changes add nothing.
    assert!(matches!(
        tv.v().edit_incident(&inc.id, incident("i", "b2")),
        Err(Error::Unchanged)
    ));
    assert!(matches!(
        tv.v().link(&inc.id, "inc-nosuchitem"),
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        tv.v().add_incident(incident("", "untitled")),
        Err(Error::Invalid(_))
    ));
    step(tv.r(), &mut seen, 10, &[]);

    let r = assert_ok(tv.r());
    assert_eq!(r.entries, 10);
    assert_eq!(r.head.as_deref(), Some(seen[9].hash.as_str()));
    assert_eq!(r.versions, 8);

    // The same chain after a reopen.
    tv.reopen();
    step(tv.r(), &mut seen, 10, &[]);
}

#[test]
fn new_vault_has_the_current_schema_version() {
    let mut tv = TestVault::new();
    let user_version = |v: &Vault| -> i64 {
        v.raw_connection_for_tests()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap()
    };
    const { assert!(SCHEMA_VERSION >= 1) };
    assert_eq!(user_version(tv.r()), SCHEMA_VERSION);
    tv.reopen();
    assert_eq!(user_version(tv.r()), SCHEMA_VERSION);
}

#[test]
fn a_vault_from_a_newer_cairn_is_refused() {
    let mut tv = TestVault::new();
    tv.r()
        .raw_connection_for_tests()
        .execute_batch(&format!("PRAGMA user_version = {};", SCHEMA_VERSION + 1))
        .unwrap();
    tv.close();
    match open(&tv.dir) {
        Err(e @ Error::NewerFormat { .. }) => {
            assert_eq!(e.code(), "newer_format");
            if let Error::NewerFormat { found, supported } = e {
                assert_eq!((found, supported), (SCHEMA_VERSION + 1, SCHEMA_VERSION));
            }
        }
        other => panic!("expected NewerFormat, got {other:?}"),
    }
}
