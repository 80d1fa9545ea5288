//! Inputs the fuzz targets in `fuzz/` found that once made the verifier panic, kept
//! as regression tests.

use std::fs;
use std::io::{Cursor, Write};

use age::secrecy::SecretString;
use cairn_bundle::{verify_bundle, verify_bundle_bytes, Selection};

use crate::export;
use cairn_core::Error;

use crate::{add_file, fixture, key_pass, opts, seal_pass, SEAL_PASS};

/// Seals `plain` with age to [`SEAL_PASS`], as an export does (fast scrypt).
fn seal(plain: &[u8]) -> Vec<u8> {
    let mut r = age::scrypt::Recipient::new(SecretString::from(SEAL_PASS.to_string()));
    r.set_work_factor(10);
    let enc = age::Encryptor::with_recipients(std::iter::once(&r as &dyn age::Recipient))
        .expect("encryptor");
    let mut out = Vec::new();
    let mut w = enc.wrap_output(&mut out).expect("wrap");
    w.write_all(plain).expect("write");
    w.finish().expect("finish");
    out
}

/// Found by `bundle_reader` (a ZIP sealed to a key): a ZIP whose central directory
/// puts a file's local header past the end of the archive, sealed correctly. Reading
/// it seeks past the end of age's short last chunk, where age 0.11.5's reader panics
/// (`attempt to subtract with overflow` in `StreamReader::read_from_chunk`; a slice
/// index out of range in a release build). It is now a damaged bundle.
#[test]
fn a_sealed_zip_naming_an_offset_past_its_end_is_unreadable() {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    w.start_file("bag/bagit.txt", zip::write::SimpleFileOptions::default())
        .expect("start");
    w.write_all(b"BagIt-Version: 1.0\n").expect("write");
    let mut z = w.finish().expect("finish").into_inner();
    let cd = z
        .windows(4)
        .position(|w| w == b"PK\x01\x02")
        .expect("central directory");
    // The central directory entry's "relative offset of local header".
    z[cd + 42..cd + 46].copy_from_slice(&5000u32.to_le_bytes());
    let sealed = seal(&z);
    let f = fixture();
    let p = f.tmp.path().join("past-the-end.age");
    fs::write(&p, &sealed).expect("write");
    for r in [
        verify_bundle(&p, &key_pass(), None),
        verify_bundle_bytes(&sealed, &key_pass(), None),
    ] {
        assert!(matches!(r, Err(Error::BundleUnreadable(_))), "{r:?}");
    }
    // Open, the same archive was always read as damaged.
    assert!(matches!(
        verify_bundle_bytes(&z, &cairn_bundle::Key::None, None),
        Err(Error::BundleUnreadable(_))
    ));
}

/// The guard around age's reader keeps seeking across chunks intact: a bundle of
/// several 64 KiB age chunks verifies, and so does a cut one fail.
#[test]
fn a_sealed_bundle_of_several_chunks_verifies() {
    let mut f = fixture();
    let dir = f.tmp.path().to_path_buf();
    let big: Vec<u8> = (0..300_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    add_file(&mut f.vault, &dir, "recording.bin", &big, None);
    let out = dir.join("big.age");
    export(&mut f.vault, &out, &opts(seal_pass(), Selection::All)).expect("export");
    let bytes = fs::read(&out).expect("read");
    assert!(bytes.len() > 4 * 65_536, "{}", bytes.len());
    let r = verify_bundle(&out, &key_pass(), None).expect("verify");
    assert!(r.ok && r.sealed, "{:?}", r.problems);
    for cut in [65_536 + 100, bytes.len() - 20] {
        assert!(
            matches!(
                verify_bundle_bytes(&bytes[..cut], &key_pass(), None),
                Err(Error::BundleUnreadable(_))
            ),
            "cut at {cut}"
        );
    }
}
