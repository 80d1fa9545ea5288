//! Byte-exact round trips through add_file / extract / open_original.

use std::ffi::OsStr;
use std::fs::{self, File};
use std::io::{Read, Seek, SeekFrom, Write};

use cairn_core::blobs::CHUNK;
use cairn_core::Error;

use crate::common::*;

/// Adds `bytes` from a real file, extracts it, and reads it back with Read/Seek.
fn round_trip(tv: &mut TestVault, label: &str, bytes: &[u8]) {
    let src = tv.scratch(&format!("src-{label}"));
    fs::write(&src, bytes).unwrap();
    let added = tv.v().add_file(&src, &add_opts()).expect("add_file");
    let want = sha_hex(bytes);
    assert_eq!(added.sha256, want, "{label}: returned sha256");
    assert_eq!(added.size, bytes.len() as u64, "{label}: size");
    assert_eq!(added.name, format!("src-{label}"));

    let shown = tv.v().show(&added.id).unwrap();
    assert_eq!(shown.content_sha256, want, "{label}: show().content_sha256");
    let rec = shown.record.as_ref().unwrap();
    assert_eq!(rec["sha256"], want.as_str());
    assert_eq!(rec["size"], bytes.len() as u64);

    let out = tv.scratch(&format!("out-{label}"));
    let ex = tv.r().extract(&added.id, &out).expect("extract");
    assert_eq!(ex.sha256, want);
    assert_eq!(ex.size, bytes.len() as u64);
    assert!(
        fs::read(&out).unwrap() == bytes,
        "{label}: extracted bytes differ"
    );
    // Extract never overwrites.
    match tv.r().extract(&added.id, &out) {
        Err(e @ Error::Invalid(_)) => assert_eq!(e.code(), "invalid_input"),
        other => panic!("{label}: extract over an existing file gave {other:?}"),
    }

    let mut r = tv.v().open_original(&added.id).expect("open_original");
    assert_eq!(r.size(), bytes.len() as u64);
    let mut all = Vec::new();
    r.read_to_end(&mut all).unwrap();
    assert!(all == bytes, "{label}: open_original bytes differ");
    // Random access, across chunk boundaries.
    let n = bytes.len() as u64;
    let probes = [
        0,
        1,
        n / 2,
        n.saturating_sub(1),
        (CHUNK as u64).saturating_sub(3).min(n),
        (CHUNK as u64 * 2 + 5).min(n),
        n,
        n + 10, // past the end: reads nothing
    ];
    for &p in &probes {
        assert_eq!(r.seek(SeekFrom::Start(p)).unwrap(), p);
        let mut got = Vec::new();
        let mut take = (&mut r).take(70_000);
        take.read_to_end(&mut got).unwrap();
        let start = (p as usize).min(bytes.len());
        let end = (start + 70_000).min(bytes.len());
        assert!(
            got == bytes[start..end],
            "{label}: seek to {p} read the wrong bytes"
        );
    }
    let end = r.seek(SeekFrom::End(0)).unwrap();
    assert_eq!(end, n);
    if n > 0 {
        r.seek(SeekFrom::End(-1)).unwrap();
        let mut last = [0u8; 1];
        r.read_exact(&mut last).unwrap();
        assert_eq!(last[0], bytes[bytes.len() - 1]);
        r.seek(SeekFrom::Current(-1)).unwrap();
        let mut again = [0u8; 1];
        r.read_exact(&mut again).unwrap();
        assert_eq!(again, last);
    }
    assert!(r.seek(SeekFrom::Current(-(n as i64) - 1)).is_err());
}

#[test]
fn round_trips_at_chunk_boundaries() {
    let mut tv = TestVault::new();
    let sizes: &[(&str, usize)] = &[
        ("empty", 0),
        ("one", 1),
        ("chunk-minus-1", CHUNK - 1),
        ("chunk", CHUNK),
        ("chunk-plus-1", CHUNK + 1),
        ("two-chunks", 2 * CHUNK),
        ("several", 5 * CHUNK + 17),
        ("batch-plus", 16 * CHUNK + 3),
    ];
    for (i, (label, n)) in sizes.iter().enumerate() {
        let bytes = pseudo_random(*n, i as u64 + 1);
        round_trip(&mut tv, label, &bytes);
    }
    let report = assert_ok(tv.v());
    assert_eq!(report.blobs_checked, sizes.len() as u64);
    let total: usize = sizes.iter().map(|s| s.1).sum();
    assert_eq!(report.bytes_checked, total as u64);
    // One blob file per file; none left in blobs/tmp.
    assert_eq!(blob_files(&tv.dir).len(), sizes.len());
    assert_eq!(fs::read_dir(tv.dir.join("blobs/tmp")).unwrap().count(), 0);
}

#[test]
fn round_trip_survives_reopen() {
    let mut tv = TestVault::new();
    let bytes = pseudo_random(3 * CHUNK + 5, 99);
    let added = add_bytes(tv.v(), "reopen.bin", &bytes);
    tv.reopen();
    let mut all = Vec::new();
    tv.v()
        .open_original(&added.id)
        .unwrap()
        .read_to_end(&mut all)
        .unwrap();
    assert!(all == bytes);
    // Ids are accepted in any case, with surrounding spaces.
    let upper = format!("  {}  ", added.id.to_uppercase());
    assert_eq!(tv.v().show(&upper).unwrap().id, added.id);
}

#[test]
fn large_sparse_file_round_trips() {
    const SIZE: u64 = 300 * 1024 * 1024;
    let mut tv = TestVault::new();
    let src = tv.scratch("sparse.img");
    let marks: [(u64, &[u8]); 5] = [
        (0, b"start"),
        (CHUNK as u64 - 2, b"across"),
        (100 * 1024 * 1024 + 7, b"middle"),
        (SIZE / 3 * 2, b"two thirds"),
        (SIZE - 3, b"end"),
    ];
    {
        let mut f = File::create(&src).unwrap();
        f.set_len(SIZE).unwrap();
        for (off, b) in marks {
            f.seek(SeekFrom::Start(off)).unwrap();
            f.write_all(b).unwrap();
        }
    }
    let (want, n) = sha_stream(File::open(&src).unwrap());
    assert_eq!(n, SIZE);

    let added = tv.v().add_file(&src, &add_opts()).expect("add large file");
    assert_eq!(added.size, SIZE);
    assert_eq!(added.sha256, want);
    assert_eq!(tv.v().show(&added.id).unwrap().content_sha256, want);

    // Random access to the marks.
    let mut r = tv.v().open_original(&added.id).unwrap();
    for (off, b) in marks {
        r.seek(SeekFrom::Start(off)).unwrap();
        let mut got = vec![0u8; b.len()];
        r.read_exact(&mut got).unwrap();
        assert_eq!(got, b, "mark at {off}");
    }
    // Streamed back in full.
    r.rewind().unwrap();
    assert_eq!(sha_stream(&mut r), (want.clone(), SIZE));

    let out = tv.scratch("sparse.out");
    let ex = tv.r().extract(&added.id, &out).expect("extract large file");
    assert_eq!(ex.sha256, want);
    assert_eq!(ex.size, SIZE);
    assert_eq!(sha_stream(File::open(&out).unwrap()), (want, SIZE));
    fs::remove_file(&out).unwrap();
}

#[cfg(unix)]
#[test]
fn non_utf8_file_name_is_kept_exactly() {
    use std::os::unix::ffi::OsStrExt;
    let mut tv = TestVault::new();
    let raw = b"caf\xe9.txt";
    let src = tv.tmp.path().join(OsStr::from_bytes(raw));
    let bytes = b"not utf-8 named\n".to_vec();
    fs::write(&src, &bytes).unwrap();
    let added = tv.v().add_file(&src, &add_opts()).unwrap();
    assert_eq!(added.name, "caf\u{fffd}.txt");
    let rec = tv.v().show(&added.id).unwrap().record.unwrap();
    assert_eq!(rec["name"], "caf\u{fffd}.txt");
    assert_eq!(rec["name_bytes_hex"], hex(raw));
    assert_eq!(rec["media_type"], "text/plain");
    let out = tv.scratch("out.txt");
    tv.r().extract(&added.id, &out).unwrap();
    assert_eq!(fs::read(&out).unwrap(), bytes);

    // A UTF-8 name has no name_bytes_hex.
    let plain = add_bytes(tv.v(), "café.txt", b"x");
    let rec = tv.v().show(&plain.id).unwrap().record.unwrap();
    assert_eq!(rec["name"], "café.txt");
    assert!(rec.get("name_bytes_hex").is_none());
}

#[test]
fn cancelled_add_leaves_nothing() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let mut tv = TestVault::new();
    let before = tv.v().chain().unwrap().len();
    let cancel = AtomicBool::new(false);
    let progress = |done: u64| {
        if done > 0 {
            cancel.store(true, Ordering::Relaxed);
        }
    };
    let opts = cairn_core::AddFile {
        acquired: String::new(),
        link_to: None,
        progress: &progress,
        cancel: &cancel,
    };
    let bytes = pseudo_random(64 * CHUNK, 5);
    let mut src = std::io::Cursor::new(bytes);
    match tv
        .v()
        .add_file_from(OsStr::new("big.bin"), &mut src, None, &opts)
    {
        Err(e @ Error::Cancelled) => assert_eq!(e.code(), "cancelled"),
        other => panic!("expected Cancelled, got {other:?}"),
    }
    assert_eq!(tv.v().chain().unwrap().len(), before);
    assert!(tv.v().list().unwrap().is_empty());
    assert!(blob_files(&tv.dir).is_empty());
    assert_eq!(fs::read_dir(tv.dir.join("blobs/tmp")).unwrap().count(), 0);
    assert_ok(tv.v());
}

#[test]
fn adding_a_folder_or_missing_file_is_refused() {
    let mut tv = TestVault::new();
    let d = tv.scratch("a-folder");
    fs::create_dir(&d).unwrap();
    match tv.v().add_file(&d, &add_opts()) {
        Err(e @ Error::Invalid(_)) => assert_eq!(e.code(), "invalid_input"),
        other => panic!("expected Invalid, got {other:?}"),
    }
    let nope = tv.scratch("nope");
    match tv.v().add_file(&nope, &add_opts()) {
        Err(e @ Error::Io { .. }) => assert_eq!(e.code(), "io"),
        other => panic!("expected Io, got {other:?}"),
    }
    match tv.r().extract("fil-doesnotexist", &tv.scratch("x")) {
        Err(e @ Error::NotFound(_)) => assert_eq!(e.code(), "not_found"),
        other => panic!("expected NotFound, got {other:?}"),
    }
    assert_eq!(tv.v().chain().unwrap().len(), 1);
}
