//! Arbitrary bytes as a bundle file, given to the verifier (`cairn verify-bundle`).
//!
//! The first byte picks how it is read (`cairn_bundle::fuzzing`, taken modulo 4): the
//! rest with no key (an open bag, or a sealed one refused); with the seed's
//! passphrase (age's header, scrypt, MAC and payload); sealed here to an age X25519
//! key and read back with that key's identity file (fuzzed ZIP structure through age's
//! decrypting, seeking stream); or as files packed here into a ZIP with correct CRCs
//! (fuzzed bag, chain and record content past the ZIP layer). The verifier must return a report or an error, never
//! panic, and its report must be consistent and serialisable as `--json` prints it.
#![no_main]
#![forbid(unsafe_code)]

use std::io::{Cursor, Write};
use std::path::PathBuf;
use std::sync::OnceLock;

use age::secrecy::ExposeSecret;
use cairn_bundle::fuzzing::{
    MODE_NO_KEY, MODE_PACKED, MODE_PASSPHRASE, MODE_SEAL_TO_KEY, PACKED_SEPARATOR, SEAL_PASSPHRASE,
};
use cairn_bundle::{verify_bundle_bytes, Key};
use cairn_core::Passphrase;
use libfuzzer_sys::fuzz_target;

/// The highest scrypt work factor (log2 N) tried on fuzzed input. The verifier
/// accepts up to 22 (4 GiB of memory, as age's own tool does) from a real bundle,
/// which would only measure scrypt here and trip libFuzzer's memory limit.
const MAX_FUZZ_SCRYPT_LOG_N: u32 = 12;

/// An age key made once per process, written to an identity file in the temporary
/// folder (scripts/fuzz.sh points TMPDIR at a folder it removes afterwards).
fn age_key() -> Option<&'static (PathBuf, age::x25519::Recipient)> {
    static KEY: OnceLock<Option<(PathBuf, age::x25519::Recipient)>> = OnceLock::new();
    KEY.get_or_init(|| {
        let id = age::x25519::Identity::generate();
        let path = std::env::temp_dir().join(format!("cairn-fuzz-{}.agekey", std::process::id()));
        std::fs::write(&path, format!("{}\n", id.to_string().expose_secret())).ok()?;
        Some((path, id.to_public()))
    })
    .as_ref()
}

/// Whether an age header in `data` names an scrypt work factor above
/// [`MAX_FUZZ_SCRYPT_LOG_N`] (or one too long to read): such input is skipped.
fn asks_too_much_scrypt(data: &[u8]) -> bool {
    data.split(|&b| b == b'\n')
        .filter_map(|l| l.strip_prefix(b"-> scrypt"))
        .any(|args| {
            args.split(|&b| b == b' ')
                .filter(|a| !a.is_empty() && a.iter().all(u8::is_ascii_digit))
                .any(|a| {
                    a.len() > 3
                        || std::str::from_utf8(a)
                            .ok()
                            .and_then(|s| s.parse::<u32>().ok())
                            .is_none_or(|n| n > MAX_FUZZ_SCRYPT_LOG_N)
                })
        })
}

fn seal_to(recipient: &age::x25519::Recipient, plain: &[u8]) -> Option<Vec<u8>> {
    let enc =
        age::Encryptor::with_recipients(std::iter::once(recipient as &dyn age::Recipient)).ok()?;
    let mut out = Vec::with_capacity(plain.len() + 256);
    let mut w = enc.wrap_output(&mut out).ok()?;
    w.write_all(plain).ok()?;
    w.finish().ok()?;
    Some(out)
}

/// Splits `data` at `sep`.
fn split_at_each<'a>(data: &'a [u8], sep: &[u8]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut rest = data;
    while let Some(i) = rest.windows(sep.len()).position(|w| w == sep) {
        out.push(&rest[..i]);
        rest = &rest[i + sep.len()..];
    }
    out.push(rest);
    out
}

/// The files of a `MODE_PACKED` input as a ZIP (stored, as Cairn writes bundles).
fn pack(data: &[u8]) -> Option<Vec<u8>> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for file in split_at_each(data, PACKED_SEPARATOR) {
        let (name, body) = match file.iter().position(|&b| b == b'\n') {
            Some(i) => (&file[..i], &file[i + 1..]),
            None => (file, &[][..]),
        };
        let name = std::str::from_utf8(name).ok()?;
        // A name the writer refuses (a repeat, say) ends the archive there.
        if w.start_file(name, opts).is_err() {
            break;
        }
        w.write_all(body).ok()?;
    }
    Some(w.finish().ok()?.into_inner())
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let (bytes, key, sealed_here) = match mode % 4 {
        MODE_NO_KEY => (rest.to_vec(), Key::None, false),
        MODE_PASSPHRASE => {
            if asks_too_much_scrypt(rest) {
                return;
            }
            (
                rest.to_vec(),
                Key::Passphrase(Passphrase::new(SEAL_PASSPHRASE)),
                false,
            )
        }
        MODE_SEAL_TO_KEY => {
            let Some((path, recipient)) = age_key() else {
                return;
            };
            let Some(sealed) = seal_to(recipient, rest) else {
                return;
            };
            (sealed, Key::IdentityFile(path.clone()), true)
        }
        MODE_PACKED => {
            let Some(zip) = pack(rest) else {
                return;
            };
            (zip, Key::None, false)
        }
        _ => unreachable!("a value modulo 4"),
    };
    match verify_bundle_bytes(&bytes, &key, None) {
        Ok(report) => {
            assert_eq!(report.ok, report.problems.is_empty(), "{report:?}");
            if sealed_here {
                assert!(report.sealed, "sealed input reported open");
            }
            if matches!(key, Key::None) {
                assert!(!report.sealed, "sealed input read without a key");
            }
            assert!(!report.verdict.is_empty());
            serde_json::to_string(&report).expect("the report serialises");
        }
        Err(e) => {
            // Every error is one sentence for the user.
            assert!(!e.to_string().is_empty());
        }
    }
});
