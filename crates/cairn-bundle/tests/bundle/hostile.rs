//! A crafted bundle a fraction of a megabyte in size must not make `verify-bundle` use
//! gigabytes or minutes: chain lines that are not entries stop the reading at once; a
//! line longer than any record, or holding more values than any record, is refused
//! before it is parsed; ZIP entries that overlap (the same compressed bytes unpacked
//! again and again) are refused before anything is unpacked; and a bag that unpacks to
//! far more than its own size stops there. Every bag here is consistent as far as
//! BagIt goes (its manifests match), so the record checks are what is reached.

use std::collections::BTreeMap;
use std::io::Write;

use cairn_bundle::{verify_bundle_bytes, Key};
use cairn_core::Error;

use crate::sha;

/// A bag of `files` (path → bytes, under `data/` or at the top), with manifests, as a
/// ZIP whose entries are deflated.
fn bag(files: BTreeMap<String, Vec<u8>>) -> Vec<u8> {
    let mut all = files;
    all.insert(
        "bagit.txt".into(),
        b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n".to_vec(),
    );
    let manifest: String = all
        .iter()
        .filter(|(n, _)| n.starts_with("data/"))
        .map(|(n, b)| format!("{}  {n}\n", sha(b)))
        .collect();
    all.insert("manifest-sha256.txt".into(), manifest.into_bytes());
    all.insert("bag-info.txt".into(), b"Payload-Oxum: 0.0\n".to_vec());
    let tags: String = ["bag-info.txt", "bagit.txt", "manifest-sha256.txt"]
        .iter()
        .map(|n| format!("{}  {n}\n", sha(&all[*n])))
        .collect();
    all.insert("tagmanifest-sha256.txt".into(), tags.into_bytes());
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    for (n, b) in all {
        w.start_file(format!("bag/{n}"), o).expect("start");
        w.write_all(&b).expect("write");
    }
    w.finish().expect("finish").into_inner()
}

fn vault_json() -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "format": "cairn-bundle", "version": 2, "software": "x", "vault_id": "00",
        "device_public_key": "00".repeat(32), "init_record": "{}", "exported_at": "x",
        "chain_size": 3, "chain_head": "", "location_included": false,
        "private_notes_included": false, "tree_root": "00".repeat(32),
        "disclosure": "full-chain"
    }))
    .expect("json")
}

fn with(path: &str, bytes: Vec<u8>) -> BTreeMap<String, Vec<u8>> {
    let mut f = BTreeMap::new();
    f.insert("data/record/vault.json".to_string(), vault_json());
    f.insert(path.to_string(), bytes);
    f
}

#[test]
fn a_flood_of_lines_that_are_not_entries_stops_at_the_first() {
    // 64 MiB of short JSON lines: deflated, well under a megabyte.
    let flood = b"{\"v\":1}\n".repeat(8 << 20);
    let zip = bag(with("data/record/chain.jsonl", flood));
    assert!(zip.len() < 1 << 20, "{} bytes", zip.len());
    let r = verify_bundle_bytes(&zip, &Key::None, None).expect("a report");
    assert!(!r.ok);
    let formats: Vec<_> = r
        .problems
        .iter()
        .filter(|p| p.code == "chain_format")
        .collect();
    assert_eq!(
        formats.len(),
        1,
        "reading stopped at the first bad line: {:?}",
        r.problems
    );
    assert!(r.problems.len() < 50, "{} problems", r.problems.len());
}

#[test]
fn a_line_longer_than_any_record_is_refused_unread() {
    let mut long = b"{\"item\":\"".to_vec();
    long.extend(std::iter::repeat_n(b'a', 80 << 20));
    long.extend_from_slice(b"\"}\n");
    let r = verify_bundle_bytes(
        &bag(with("data/record/versions.jsonl", long)),
        &Key::None,
        None,
    )
    .expect("a report");
    assert!(
        r.problems
            .iter()
            .any(|p| p.code == "record_format" && p.message.contains("longer than any record")),
        "{:?}",
        r.problems
    );
}

#[test]
fn a_line_of_millions_of_values_is_refused_unparsed() {
    // 8 MiB of `[0,0,0,…]`: as JSON values it would take a quarter of a gigabyte.
    let mut many = b"[".to_vec();
    many.extend(b"0,".repeat(4 << 20));
    many.extend_from_slice(b"0]\n");
    let r = verify_bundle_bytes(
        &bag(with("data/record/versions.jsonl", many)),
        &Key::None,
        None,
    )
    .expect("a report");
    assert!(
        r.problems
            .iter()
            .any(|p| p.code == "record_format" && p.message.contains("far more values")),
        "{:?}",
        r.problems
    );
}

#[test]
fn unpacking_far_beyond_its_own_size_is_refused() {
    // 300 MiB of zeros in one exhibit deflate to about 300 KiB.
    let zeros = vec![0u8; 300 << 20];
    let zip = bag(with("data/exhibits/AB-1 zeros.bin", zeros));
    assert!(zip.len() < 1 << 20, "{} bytes", zip.len());
    match verify_bundle_bytes(&zip, &Key::None, None) {
        Err(Error::BundleUnreadable(why)) => assert!(why.contains("zip bomb"), "{why}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn overlapping_zip_entries_are_refused_before_unpacking() {
    let mut zip = bag(with("data/record/chain.jsonl", b"{}\n".to_vec()));
    // Point every central directory record at the first local header, as a zip bomb
    // of overlapping files does.
    let cd = zip
        .windows(4)
        .position(|w| w == b"PK\x01\x02")
        .expect("central directory");
    let mut i = cd;
    while let Some(off) = zip[i..].windows(4).position(|w| w == b"PK\x01\x02") {
        let at = i + off;
        // Offset of the local header: 4 bytes at 42 (or a ZIP64 extra field with it).
        zip[at + 42..at + 46].copy_from_slice(&0u32.to_le_bytes());
        i = at + 4;
    }
    match verify_bundle_bytes(&zip, &Key::None, None) {
        Err(Error::BundleUnreadable(why)) => assert!(why.contains("overlap"), "{why}"),
        other => panic!("{other:?}"),
    }
}

/// A ZIP's local header for `name` holding `data` uncompressed, as a streaming unzip
/// reads it (no central directory record).
fn local_entry(name: &str, data: &[u8]) -> Vec<u8> {
    let crc = {
        let mut h = flate2::Crc::new();
        h.update(data);
        h.sum()
    };
    let mut out = b"PK\x03\x04".to_vec();
    out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend_from_slice(&(name.len() as u16).to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(data);
    out
}

#[test]
fn files_a_streaming_unzip_would_see_but_the_directory_hides_are_refused() {
    // A forged record slipped in before the genuine files: the central directory still
    // lists only the genuine ones, at offsets moved along.
    let genuine = bag(with("data/record/chain.jsonl", b"{}\n".to_vec()));
    let hidden = local_entry("bag/data/record/items.json", b"[\n{\"forged\":true}\n]\n");
    let z = zip::ZipArchive::new(std::io::Cursor::new(genuine.clone())).expect("zip");
    let cd = z.central_directory_start() as usize;
    let mut forged = hidden.clone();
    forged.extend_from_slice(&genuine[..cd]);
    let shift = hidden.len() as u32;
    let mut tail = genuine[cd..].to_vec();
    // Move every central record's local-header offset, and the directory's own offset.
    let mut i = 0;
    while let Some(off) = tail[i..].windows(4).position(|w| w == b"PK\x01\x02") {
        let at = i + off;
        let o = u32::from_le_bytes([tail[at + 42], tail[at + 43], tail[at + 44], tail[at + 45]]);
        tail[at + 42..at + 46].copy_from_slice(&(o + shift).to_le_bytes());
        i = at + 4;
    }
    if let Some(eocd) = tail.windows(4).rposition(|w| w == b"PK\x05\x06") {
        let o = u32::from_le_bytes([
            tail[eocd + 16],
            tail[eocd + 17],
            tail[eocd + 18],
            tail[eocd + 19],
        ]);
        tail[eocd + 16..eocd + 20].copy_from_slice(&(o + shift).to_le_bytes());
    }
    forged.extend_from_slice(&tail);
    match verify_bundle_bytes(&forged, &Key::None, None) {
        Err(Error::BundleUnreadable(why)) => assert!(
            why.contains("does not list") || why.contains("before its first file"),
            "{why}"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn two_files_of_one_name_are_refused() {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default();
    for (n, b) in [
        ("bag/bagit.txt", &b"BagIt-Version: 1.0\n"[..]),
        ("bag/data/record/items.json", b"[\n]\n"),
    ] {
        w.start_file(n, o).expect("start");
        w.write_all(b).expect("write");
    }
    let mut bytes = w.finish().expect("finish").into_inner();
    // Rename the second central record to the first's name, as a duplicate.
    let at = bytes
        .windows(26)
        .rposition(|w| w == b"bag/data/record/items.json")
        .expect("name");
    bytes[at..at + 13].copy_from_slice(b"bag/bagit.txt");
    bytes[at + 13..at + 26].copy_from_slice(b"\0\0\0\0\0\0\0\0\0\0\0\0\0");
    match verify_bundle_bytes(&bytes, &Key::None, None) {
        Err(Error::BundleUnreadable(_)) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_folder_posing_as_an_exhibit_is_named() {
    let mut files = with("data/record/chain.jsonl", b"{}\n".to_vec());
    files.insert("data/exhibits/AB-3 REDACTED BY POLICE/".into(), Vec::new());
    let mut all = BTreeMap::new();
    for (n, b) in files {
        all.insert(n, b);
    }
    let zip = {
        let z = bag(all
            .iter()
            .filter(|(n, _)| !n.ends_with('/'))
            .map(|(n, b)| (n.clone(), b.clone()))
            .collect());
        // Add the folder entry itself.
        let mut r = zip::ZipArchive::new(std::io::Cursor::new(z)).expect("zip");
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for i in 0..r.len() {
            let f = r.by_index(i).expect("entry");
            w.raw_copy_file(f).expect("copy");
        }
        w.add_directory(
            "bag/data/exhibits/AB-3 REDACTED BY POLICE/",
            zip::write::SimpleFileOptions::default(),
        )
        .expect("dir");
        w.finish().expect("finish").into_inner()
    };
    let r = verify_bundle_bytes(&zip, &Key::None, None).expect("a report");
    assert!(
        r.problems
            .iter()
            .any(|p| p.code == "unlisted_file" && p.message.contains("REDACTED BY POLICE")),
        "{:?}",
        r.problems
    );
}

#[test]
fn a_manifest_far_larger_than_the_archive_is_refused_unread() {
    // 100 MiB of manifest lines naming files that are not there, deflated to little.
    let line = format!("{}  data/missing\n", "0".repeat(64));
    let manifest = line.repeat((100 << 20) / line.len());
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (n, b) in [
        (
            "bag/bagit.txt",
            b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n".to_vec(),
        ),
        ("bag/tagmanifest-sha256.txt", Vec::new()),
        ("bag/manifest-sha256.txt", manifest.into_bytes()),
    ] {
        w.start_file(n, o).expect("start");
        w.write_all(&b).expect("write");
    }
    let zip = w.finish().expect("finish").into_inner();
    match verify_bundle_bytes(&zip, &Key::None, None) {
        Err(Error::BundleUnreadable(why)) => assert!(why.contains("larger than"), "{why}"),
        other => panic!("{other:?}"),
    }
}
