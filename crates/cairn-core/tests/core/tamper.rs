//! Tampering with blobs, the database and the chain is detected.

use std::fs;
use std::path::Path;

use cairn_core::blobs::{CHUNK, HEADER_LEN};
use cairn_core::{Error, Report, Vault};

use crate::common::*;

/// Bytes of one encrypted chunk on disk (plaintext + 16-byte tag).
const STRIDE: u64 = CHUNK as u64 + 16;

/// Text (so it is never sniffed as an image, which would add a thumbnail blob).
fn text_bytes(n: usize, seed: u8) -> Vec<u8> {
    (0..n)
        .map(|i| b"abcdefghijklmnopqrstuvwxyz \n"[(i + seed as usize) % 28])
        .collect()
}

/// The single blob file of a vault that holds one file.
fn only_blob(dir: &Path) -> std::path::PathBuf {
    let files = blob_files(dir);
    assert_eq!(files.len(), 1, "expected one blob file, found {files:?}");
    files.into_iter().next().unwrap()
}

fn names_blob(r: &Report, blob: &str, codes: &[&str]) -> bool {
    r.problems
        .iter()
        .any(|f| codes.contains(&f.code) && f.blob.as_deref() == Some(blob))
}

/// Flips the byte at each offset of `blob_path`, checks verify and extract catch it,
/// and restores it.
fn flip_trials(v: &Vault, file_id: &str, blob_path: &Path, offsets: &[u64], out: &Path) {
    let blob = blob_id(blob_path);
    for &off in offsets {
        flip_byte(blob_path, off);
        let r = verify(v);
        assert!(!r.ok, "flip at {off}: verify reported ok");
        assert!(
            names_blob(&r, &blob, &["blob_damaged", "blob_hash"]),
            "flip at {off}: no blob problem naming {blob}: {:#?}",
            r.problems
        );
        match v.extract(file_id, out) {
            Err(Error::BlobDamaged { blob: b, .. }) => assert_eq!(b, blob, "flip at {off}"),
            other => panic!("flip at {off}: extract gave {other:?}"),
        }
        assert!(!out.exists(), "flip at {off}: a failed extract left a file");
        flip_byte(blob_path, off);
    }
}

#[test]
fn blob_byte_flip_at_every_offset_of_a_small_blob() {
    let mut tv = TestVault::new();
    let bytes = text_bytes(100, 0);
    let added = add_bytes(tv.v(), "small.txt", &bytes);
    let path = only_blob(&tv.dir);
    let len = fs::metadata(&path).unwrap().len();
    assert_eq!(len, HEADER_LEN as u64 + 100 + 16);
    let offsets: Vec<u64> = (0..len).collect();
    let out = tv.scratch("out");
    flip_trials(tv.v(), &added.id, &path, &offsets, &out);
    // Every byte restored: clean again and extractable.
    assert_ok(tv.v());
    tv.r().extract(&added.id, &out).unwrap();
    assert_eq!(fs::read(&out).unwrap(), bytes);
}

#[test]
fn blob_byte_flip_at_spread_offsets_of_a_multi_chunk_blob() {
    let mut tv = TestVault::new();
    let n = 3 * CHUNK + 1000;
    let added = add_bytes(tv.v(), "big.txt", &text_bytes(n, 3));
    // A second, untouched file must never be blamed.
    let other = add_bytes(tv.v(), "other.txt", &text_bytes(50, 1));
    let (big, small): (Vec<_>, Vec<_>) = blob_files(&tv.dir)
        .into_iter()
        .partition(|p| fs::metadata(p).unwrap().len() > 1000);
    let (path, other_blob) = (big[0].clone(), blob_id(&small[0]));
    let len = fs::metadata(&path).unwrap().len();
    let h = HEADER_LEN as u64;
    assert_eq!(len, h + 3 * STRIDE + 1000 + 16);
    let mut offsets: Vec<u64> = (0..h).collect(); // the whole header
    offsets.extend([h, h + 1, h + 500, h + CHUNK as u64 - 1]); // first chunk
    offsets.extend((h + CHUNK as u64)..(h + STRIDE)); // first chunk's tag
    offsets.extend([h + STRIDE, h + STRIDE + 7, h + 2 * STRIDE - 1]); // chunk 1 incl. tag end
    offsets.extend([h + 3 * STRIDE, h + 3 * STRIDE + 999]); // last chunk
    offsets.extend((len - 16)..len); // last tag
    let spread = 100;
    offsets.extend((0..spread).map(|i| h + (len - h) * i / spread + 13));
    offsets.sort();
    offsets.dedup();
    offsets.retain(|&o| o < len);
    assert!(offsets.len() >= 180, "{} offsets", offsets.len());
    let out = tv.scratch("out");
    let v = tv.vault.as_ref().unwrap();
    for &off in &offsets {
        flip_byte(&path, off);
        let r = verify(v);
        assert!(
            !r.problems
                .iter()
                .any(|f| f.blob.as_deref() == Some(other_blob.as_str())),
            "flip at {off} blamed the untouched blob"
        );
        flip_byte(&path, off);
    }
    flip_trials(v, &added.id, &path, &offsets, &out);
    assert_ok(v);
    v.extract(&other.id, &tv.scratch("other")).unwrap();
}

/// Six entries: init, incident A, incident B, person, incident C, edit of A.
fn six_entries() -> TestVault {
    let mut tv = TestVault::new();
    let v = tv.v();
    let a = v.add_incident(incident("A", "first")).unwrap();
    v.add_incident(incident("B", "second")).unwrap();
    v.add_person(cairn_core::Person::new("P", cairn_core::Role::Witness))
        .unwrap();
    v.add_incident(incident("C", "third")).unwrap();
    v.edit_incident(&a.id, incident("A", "first, edited"))
        .unwrap();
    assert_eq!(v.chain().unwrap().len(), 6);
    assert_ok(v);
    tv
}

fn drop_entry_triggers(v: &Vault) {
    v.raw_connection_for_tests()
        .execute_batch(
            "DROP TRIGGER entries_no_update; DROP TRIGGER entries_no_delete; PRAGMA foreign_keys = OFF;",
        )
        .unwrap();
}

fn expect_first_bad(v: &Vault, seq: u64, code: &str) {
    let r = verify(v);
    assert!(!r.ok);
    assert_eq!(r.first_bad_seq, Some(seq), "problems: {:#?}", r.problems);
    assert!(
        r.problems
            .iter()
            .any(|f| f.code == code && f.seq == Some(seq)),
        "no {code} at {seq}: {:#?}",
        r.problems
    );
}

#[test]
fn entries_are_append_only_in_the_database() {
    let mut tv = six_entries();
    let c = tv.v().raw_connection_for_tests();
    for sql in [
        "UPDATE entries SET kind = 'x' WHERE seq = 3",
        "UPDATE entries SET recorded_at = recorded_at + 1",
        "DELETE FROM entries WHERE seq = 6",
        "DELETE FROM entries",
    ] {
        let e = c.execute(sql, []).expect_err(sql);
        assert!(e.to_string().contains("append-only"), "{sql}: {e}");
    }
    let e = c
        .execute("UPDATE versions SET content_sha256 = zeroblob(32)", [])
        .expect_err("versions update");
    assert!(e.to_string().contains("only by redaction"), "{e}");
    let e = c
        .execute("UPDATE versions SET record = '{}'", [])
        .expect_err("versions record update");
    assert!(e.to_string().contains("only by redaction"), "{e}");
    let e = c
        .execute("DELETE FROM versions", [])
        .expect_err("versions delete");
    assert!(e.to_string().contains("permanent"), "{e}");
    let e = c
        .execute("DELETE FROM items", [])
        .expect_err("items delete");
    assert!(e.to_string().contains("permanent"), "{e}");
    assert_ok(tv.v());
}

#[test]
fn changed_entry_kind_is_found_at_its_seq() {
    let mut tv = six_entries();
    drop_entry_triggers(tv.v());
    tv.r()
        .raw_connection_for_tests()
        .execute(
            "UPDATE entries SET kind = 'person.create' WHERE seq = 3",
            [],
        )
        .unwrap();
    expect_first_bad(tv.v(), 3, "chain_hash");
}

#[test]
fn changed_entry_content_hash_is_found_at_its_seq() {
    let mut tv = six_entries();
    drop_entry_triggers(tv.v());
    tv.r()
        .raw_connection_for_tests()
        .execute(
            "UPDATE entries SET content_sha256 = zeroblob(32) WHERE seq = 4",
            [],
        )
        .unwrap();
    expect_first_bad(tv.v(), 4, "chain_hash");
    let r = verify(tv.v());
    assert!(problem_codes(&r).contains(&"version_mismatch"));
}

#[test]
fn changed_entry_time_is_found_at_its_seq() {
    let mut tv = six_entries();
    drop_entry_triggers(tv.v());
    tv.r()
        .raw_connection_for_tests()
        .execute(
            "UPDATE entries SET recorded_at = recorded_at - 86400000 WHERE seq = 2",
            [],
        )
        .unwrap();
    expect_first_bad(tv.v(), 2, "chain_hash");
}

#[test]
fn deleted_entry_is_found_at_its_seq() {
    let mut tv = six_entries();
    drop_entry_triggers(tv.v());
    tv.r()
        .raw_connection_for_tests()
        .execute("DELETE FROM entries WHERE seq = 5", [])
        .unwrap();
    expect_first_bad(tv.v(), 5, "chain_gap");
    let r = verify(tv.v());
    assert!(
        r.problems
            .iter()
            .any(|f| f.code == "chain_link" && f.seq == Some(6)),
        "{:#?}",
        r.problems
    );
}

#[test]
fn deleted_last_entry_is_found_by_its_checkpoint() {
    let mut tv = six_entries();
    drop_entry_triggers(tv.v());
    tv.r()
        .raw_connection_for_tests()
        .execute("DELETE FROM entries WHERE seq = 6", [])
        .unwrap();
    // The chain itself is consistent up to 5; the version row of entry 6 and the
    // signed checkpoint of size 6 both point past it.
    expect_first_bad(tv.v(), 6, "checkpoint_mismatch");
}

#[test]
fn reordered_entries_are_found_at_the_first_swapped_seq() {
    let mut tv = six_entries();
    drop_entry_triggers(tv.v());
    let c = tv.v().raw_connection_for_tests();
    let cols = "prev, recorded_at, kind, item, content_sha256, meta, hash";
    c.execute_batch(&format!(
        "CREATE TEMP TABLE swap AS SELECT seq, {cols} FROM entries WHERE seq IN (3, 4);
         UPDATE entries SET ({cols}) = (SELECT {cols} FROM swap WHERE swap.seq = 7 - entries.seq)
         WHERE seq IN (3, 4);"
    ))
    .unwrap();
    let kinds: Vec<(i64, String)> = c
        .prepare("SELECT seq, kind FROM entries WHERE seq IN (3, 4) ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        kinds,
        vec![
            (3, "person.create".to_string()),
            (4, "incident.create".into())
        ]
    );
    expect_first_bad(tv.v(), 3, "chain_link");
    expect_first_bad(tv.v(), 3, "chain_hash");
}

#[test]
fn swapped_blob_files_are_both_named() {
    let mut tv = TestVault::new();
    let a = add_bytes(tv.v(), "a.txt", &text_bytes(5000, 1));
    let b = add_bytes(tv.v(), "b.txt", &text_bytes(5000, 2));
    let files = blob_files(&tv.dir);
    assert_eq!(files.len(), 2);
    let tmp = tv.scratch("swap");
    fs::rename(&files[0], &tmp).unwrap();
    fs::rename(&files[1], &files[0]).unwrap();
    fs::rename(&tmp, &files[1]).unwrap();
    let r = verify(tv.v());
    assert!(!r.ok);
    for f in &files {
        assert!(
            names_blob(&r, &blob_id(f), &["blob_damaged"]),
            "{} not named: {:#?}",
            blob_id(f),
            r.problems
        );
    }
    for id in [&a.id, &b.id] {
        match tv.r().extract(id, &tv.scratch("out")) {
            Err(e @ Error::BlobDamaged { .. }) => assert_eq!(e.code(), "blob_damaged"),
            other => panic!("extract of swapped blob gave {other:?}"),
        }
    }
    // The quick check (no decryption) catches it too: the header names the blob.
    let q = tv
        .v()
        .verify(cairn_core::VerifyOptions { quick: true }, &|_, _| {})
        .unwrap();
    assert!(!q.ok);
}

#[test]
fn truncated_or_extended_blobs_are_damaged() {
    let mut tv = TestVault::new();
    let bytes = text_bytes(2 * CHUNK + 100, 4);
    let added = add_bytes(tv.v(), "t.txt", &bytes);
    let path = only_blob(&tv.dir);
    let blob = blob_id(&path);
    let pristine = fs::read(&path).unwrap();
    let len = pristine.len() as u64;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("one byte short", pristine[..(len - 1) as usize].to_vec()),
        (
            "cut at a chunk boundary",
            pristine[..HEADER_LEN + STRIDE as usize].to_vec(),
        ),
        (
            "cut at two chunk boundaries",
            pristine[..HEADER_LEN + 2 * STRIDE as usize].to_vec(),
        ),
        ("header only", pristine[..HEADER_LEN].to_vec()),
        ("empty", Vec::new()),
        ("one byte longer", {
            let mut p = pristine.clone();
            p.push(0);
            p
        }),
        ("a chunk longer", {
            let mut p = pristine.clone();
            p.extend_from_slice(&pristine[HEADER_LEN..HEADER_LEN + STRIDE as usize]);
            p
        }),
    ];
    for (what, content) in cases {
        fs::write(&path, &content).unwrap();
        for quick in [false, true] {
            let r = tv
                .v()
                .verify(cairn_core::VerifyOptions { quick }, &|_, _| {})
                .unwrap();
            assert!(
                names_blob(&r, &blob, &["blob_damaged"]),
                "{what} (quick {quick}): {:#?}",
                r.problems
            );
        }
        match tv.r().extract(&added.id, &tv.scratch("out")) {
            Err(Error::BlobDamaged { blob: b, .. }) => assert_eq!(b, blob, "{what}"),
            other => panic!("{what}: extract gave {other:?}"),
        }
    }
    fs::write(&path, &pristine).unwrap();
    assert_ok(tv.v());
}

#[test]
fn missing_and_orphaned_blobs_are_reported() {
    let mut tv = TestVault::new();
    let added = add_bytes(tv.v(), "m.txt", &text_bytes(300, 0));
    let path = only_blob(&tv.dir);
    let blob = blob_id(&path);
    let saved = fs::read(&path).unwrap();
    fs::remove_file(&path).unwrap();
    let r = verify(tv.v());
    assert!(!r.ok);
    assert!(
        names_blob(&r, &blob, &["blob_missing"]),
        "{:#?}",
        r.problems
    );
    let f = r
        .problems
        .iter()
        .find(|f| f.code == "blob_missing")
        .unwrap();
    assert_eq!(f.item.as_deref(), Some(added.id.as_str()));
    match tv.r().extract(&added.id, &tv.scratch("out")) {
        Err(e @ Error::BlobMissing(_)) => assert_eq!(e.code(), "blob_missing"),
        other => panic!("extract of a missing blob gave {other:?}"),
    }
    fs::write(&path, &saved).unwrap();
    assert_ok(tv.v());

    let stray_id = "ab0123456789abcdef0123456789abcd";
    let stray_dir = tv.dir.join("blobs/ab");
    fs::create_dir_all(&stray_dir).unwrap();
    fs::write(stray_dir.join(stray_id), b"stray").unwrap();
    let r = verify(tv.v());
    assert!(!r.ok);
    assert!(
        names_blob(&r, stray_id, &["blob_orphaned"]),
        "{:#?}",
        r.problems
    );
    assert_eq!(r.problems.len(), 1, "{:#?}", r.problems);
    // Files in blobs/tmp are half-written adds, not orphans.
    fs::remove_file(stray_dir.join(stray_id)).unwrap();
    fs::write(
        tv.dir.join("blobs/tmp").join(format!("{stray_id}.part")),
        b"x",
    )
    .unwrap();
    assert_ok(tv.v());
    // ...and are swept at the next open.
    tv.reopen();
    assert_eq!(fs::read_dir(tv.dir.join("blobs/tmp")).unwrap().count(), 0);
}

#[test]
fn content_deleted_without_redaction_is_reported() {
    let mut tv = TestVault::new();
    let keep = tv.v().add_incident(incident("keep", "kept")).unwrap();
    let gone = tv.v().add_incident(incident("gone", "erased")).unwrap();
    // The versions trigger allows NULLing a record (that is what redaction does),
    // so no trigger has to be dropped for this.
    tv.r()
        .raw_connection_for_tests()
        .execute(
            "UPDATE versions SET record = NULL WHERE item_id = ?1",
            [&gone.id],
        )
        .unwrap();
    let r = verify(tv.v());
    assert!(!r.ok);
    let f = r
        .problems
        .iter()
        .find(|f| f.code == "content_missing")
        .unwrap_or_else(|| panic!("{:#?}", r.problems));
    assert_eq!(f.item.as_deref(), Some(gone.id.as_str()));
    assert_eq!(f.seq, Some(gone.seq));
    assert_eq!(r.first_bad_seq, Some(gone.seq));
    assert!(!r
        .problems
        .iter()
        .any(|f| f.item.as_deref() == Some(keep.id.as_str())));
}

#[test]
fn changed_record_is_reported() {
    let mut tv = TestVault::new();
    let inc = tv
        .v()
        .add_incident(incident("T", "original words"))
        .unwrap();
    let c = tv.v().raw_connection_for_tests();
    c.execute_batch("DROP TRIGGER versions_only_redact;")
        .unwrap();
    c.execute(
        "UPDATE versions SET record = replace(record, 'original', 'different') WHERE item_id = ?1",
        [&inc.id],
    )
    .unwrap();
    let r = verify(tv.v());
    assert!(
        r.problems
            .iter()
            .any(|f| f.code == "version_mismatch" && f.item.as_deref() == Some(inc.id.as_str())),
        "{:#?}",
        r.problems
    );
    assert_eq!(r.first_bad_seq, Some(inc.seq));
}

#[test]
fn database_byte_flips_never_pass_silently() {
    let mut tv = TestVault::new();
    let inc = tv
        .v()
        .add_incident(incident("db", "database flip"))
        .unwrap();
    let f = add_bytes(tv.v(), "d.txt", &text_bytes(2000, 5));
    tv.v().link(&inc.id, &f.id).unwrap();
    tv.v()
        .edit_incident(&inc.id, incident("db", "edited"))
        .unwrap();
    tv.close();
    let db = tv.dir.join("vault.db");
    let wal = tv.dir.join("vault.db-wal");
    assert!(
        !wal.exists() || fs::metadata(&wal).unwrap().len() == 0,
        "the WAL was not checkpointed on close"
    );
    let pristine = fs::read(&db).unwrap();
    let len = pristine.len() as u64;
    assert!(len >= 4096 * 4, "vault.db is only {len} bytes");
    let mut offsets: Vec<u64> = vec![0, 5, 15, 16, 17, 20, 21, 24, 99, 100, 4095, 4096, len - 1];
    let n = 90u64;
    offsets.extend((0..n).map(|i| (len * i / n + 37 * i) % len));
    offsets.sort();
    offsets.dedup();
    let (mut refused, mut reported, mut verify_failed) = (0, 0, 0);
    for &off in &offsets {
        let mut bytes = pristine.clone();
        bytes[off as usize] ^= 0xff;
        fs::write(&db, &bytes).unwrap();
        let _ = fs::remove_file(&wal);
        let _ = fs::remove_file(tv.dir.join("vault.db-shm"));
        match open(&tv.dir) {
            Err(e @ Error::DatabaseDamaged(_)) => {
                assert_eq!(e.code(), "database_damaged");
                refused += 1;
            }
            Err(e) => panic!("flip at {off}: open failed with {e:?}"),
            Ok(v) => match v.verify(cairn_core::VerifyOptions { quick: false }, &|_, _| {}) {
                Ok(r) => {
                    assert!(!r.ok, "flip at {off}: verify reported ok");
                    assert!(
                        problem_codes(&r).contains(&"database_page"),
                        "flip at {off}: {:#?}",
                        r.problems
                    );
                    reported += 1;
                }
                Err(e @ Error::DatabaseDamaged(_)) => {
                    let _ = e;
                    verify_failed += 1;
                }
                Err(e) => panic!("flip at {off}: verify failed with {e:?}"),
            },
        }
    }
    eprintln!(
        "vault.db flips: {} offsets, {refused} refused at open, {reported} reported by verify, {verify_failed} verify errors",
        offsets.len()
    );
    assert_eq!(verify_failed, 0, "verify must report damage, not fail");
    fs::write(&db, &pristine).unwrap();
    let _ = fs::remove_file(&wal);
    tv.reopen();
    assert_ok(tv.v());
}

// Tampering by someone holding the key, below the triggers, that leaves the chain (and
// any checkpoint) untouched: each must still be found by verify.

#[test]
fn blob_marked_destroyed_without_redaction_is_found_and_not_swept() {
    let mut tv = TestVault::new();
    let f = add_bytes(tv.v(), "kept.bin", &text_bytes(1000, 3));
    tv.r()
        .raw_connection_for_tests()
        .execute(
            "UPDATE blobs SET state = 'destroyed' WHERE id IN (SELECT blob_id FROM versions)",
            [],
        )
        .unwrap();
    tv.reopen(); // the sweep at open must not destroy a blob a live version needs
    assert_eq!(blob_files(&tv.dir).len(), 1, "the file was swept away");
    let r = verify(tv.r());
    assert!(!r.ok);
    assert!(
        problem_codes(&r).contains(&"blob_missing"),
        "{:?}",
        r.problems
    );
    assert!(r
        .problems
        .iter()
        .any(|p| p.item.as_deref() == Some(f.id.as_str())));
}

#[test]
fn swapped_version_numbers_are_found() {
    let mut tv = TestVault::new();
    let a = tv
        .v()
        .add_incident(incident("A", "what I wrote first"))
        .unwrap();
    tv.v()
        .edit_incident(&a.id, incident("A", "an edit"))
        .unwrap();
    let c = tv.r().raw_connection_for_tests();
    c.execute_batch("DROP TRIGGER versions_only_redact;")
        .unwrap();
    c.execute(
        "UPDATE versions SET version = version + 10 WHERE item_id = ?1",
        [&a.id],
    )
    .unwrap();
    c.execute(
        "UPDATE versions SET version = 3 - (version - 10) WHERE item_id = ?1",
        [&a.id],
    )
    .unwrap();
    let r = verify(tv.r());
    assert!(
        problem_codes(&r).contains(&"version_mismatch"),
        "{:?}",
        r.problems
    );
}

#[test]
fn moved_first_recorded_entry_is_found() {
    let mut tv = TestVault::new();
    let a = tv.v().add_incident(incident("A", "first")).unwrap();
    let b = tv.v().add_incident(incident("B", "later")).unwrap();
    let c = tv.r().raw_connection_for_tests();
    c.execute_batch("DROP TRIGGER items_no_update;").unwrap();
    c.execute(
        "UPDATE items SET created_seq = ?2 WHERE id = ?1",
        rusqlite::params![a.id, b.seq as i64],
    )
    .unwrap();
    let r = verify(tv.r());
    assert!(
        problem_codes(&r).contains(&"item_mismatch"),
        "{:?}",
        r.problems
    );
}

#[test]
fn index_check_does_not_trust_a_replaced_view() {
    let mut tv = TestVault::new();
    let a = tv.v().add_incident(incident("Real title", "x")).unwrap();
    let c = tv.r().raw_connection_for_tests();
    c.execute_batch(
        "DROP VIEW item_index_derived;
         CREATE VIEW item_index_derived AS SELECT * FROM item_index;",
    )
    .unwrap();
    c.execute(
        "UPDATE item_index SET title = 'Forged' WHERE item_id = ?1",
        [&a.id],
    )
    .unwrap();
    let r = verify(tv.r());
    assert!(
        problem_codes(&r).contains(&"index_mismatch"),
        "{:?}",
        r.problems
    );
}

#[test]
fn init_never_replaces_a_database_without_keys() {
    let mut tv = TestVault::new();
    tv.v().add_incident(incident("A", "evidence")).unwrap();
    tv.close();
    fs::remove_file(tv.dir.join("keys")).unwrap();
    let before = fs::read(tv.dir.join("vault.db")).unwrap();
    let err = Vault::init(
        &tv.dir,
        &cairn_core::Passphrase::new("another quite different passphrase"),
        cairn_core::KdfCost::InsecureTestOnly,
    )
    .unwrap_err();
    assert_eq!(err.code(), "folder_not_empty");
    assert_eq!(fs::read(tv.dir.join("vault.db")).unwrap(), before);
}

#[test]
fn hostile_blob_ids_in_the_database_are_damage_not_a_path() {
    let mut tv = TestVault::new();
    add_bytes(tv.v(), "a.bin", &text_bytes(500, 9));
    let c = tv.r().raw_connection_for_tests();
    c.execute_batch("PRAGMA foreign_keys = OFF; DROP TRIGGER versions_only_redact;")
        .unwrap();
    for bad in ["x", "../../../../etc/passwd", "/etc/passwd", "é"] {
        c.execute("UPDATE blobs SET id = ?1", [bad]).unwrap();
        c.execute(
            "UPDATE versions SET blob_id = ?1 WHERE blob_id IS NOT NULL",
            [bad],
        )
        .unwrap();
        let r = verify(tv.r());
        assert!(!r.ok, "{bad}");
        assert!(
            problem_codes(&r).contains(&"blob_damaged"),
            "{bad}: {:?}",
            r.problems
        );
    }
}
