//! Arbitrary text as the receipt given to `cairn verify-bundle --receipt`: the
//! receipt reader, then (as the verifier does with a whole note) the checkpoint
//! parser and signature check from cairn-core. Neither may panic, and what the reader
//! gives back must be what the verifier relies on.
#![no_main]
#![forbid(unsafe_code)]

use std::sync::OnceLock;

use cairn_bundle::fuzzing::parse_receipt;
use cairn_core::checkpoint;
use ed25519_dalek::{SigningKey, VerifyingKey};
use libfuzzer_sys::fuzz_target;

fn key() -> &'static VerifyingKey {
    static KEY: OnceLock<VerifyingKey> = OnceLock::new();
    KEY.get_or_init(|| SigningKey::from_bytes(&[7; 32]).verifying_key())
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // A checkpoint file in a bundle is parsed the same way.
    let _ = checkpoint::verify(&text, key());
    let Some((vault_id, _size, root, head, note)) = parse_receipt(&text) else {
        return;
    };
    assert!(!vault_id.contains('\n'), "{vault_id:?}");
    assert!(root.is_some() || head.is_some(), "a receipt names a root or a head");
    if let Some(r) = &root {
        assert!(r.len() >= 32 && r.bytes().all(|b| b.is_ascii_hexdigit()), "{r:?}");
    }
    if let Some(h) = &head {
        assert!(h.len() >= 16 && h.bytes().all(|b| b.is_ascii_hexdigit()), "{h:?}");
    }
    if let Some(note) = note {
        assert!(note.starts_with("cairn/vault/"), "{note:?}");
        let _ = checkpoint::verify(&note, key());
    }
});
