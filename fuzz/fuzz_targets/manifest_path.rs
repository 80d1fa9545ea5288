//! Arbitrary text as a path in a BagIt manifest (RFC 8493 §2.1.3 percent-encoding):
//! decoding never panics, and decoding what Cairn encodes gives the path back.
#![no_main]
#![forbid(unsafe_code)]

use cairn_bundle::{decode_manifest_path, encode_manifest_path};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = decode_manifest_path(&text);
    let encoded = encode_manifest_path(&text);
    assert!(!encoded.contains(['\r', '\n']), "{encoded:?}");
    assert_eq!(decode_manifest_path(&encoded), text, "{encoded:?}");
});
