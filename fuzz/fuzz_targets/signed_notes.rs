//! Arbitrary text as the signed parts of a bundle: the bundle note (C2SP signed note)
//! and the checkpoint, checked with a key; and arbitrary JSON as a committed record
//! with its disclosures (the `_sd` digests of withheld fields). None may panic, and
//! a record revealed from its disclosures must commit back to the same digests.
#![no_main]
#![forbid(unsafe_code)]

use std::sync::OnceLock;

use cairn_core::withhold::{commit, reveal, Disclosure, Salts};
use cairn_core::{checkpoint, note};
use ed25519_dalek::{SigningKey, VerifyingKey};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fn key() -> &'static VerifyingKey {
    static KEY: OnceLock<VerifyingKey> = OnceLock::new();
    KEY.get_or_init(|| SigningKey::from_bytes(&[7; 32]).verifying_key())
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = note::verify(&text, "cairn/vault/00", key());
    let _ = checkpoint::verify(&text, key());
    // A line of JSON: [committed record, disclosures].
    let Ok(Value::Array(parts)) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let (Some(record), Some(ds)) = (parts.first(), parts.get(1)) else {
        return;
    };
    let Ok(ds) = serde_json::from_value::<Vec<Disclosure>>(ds.clone()) else {
        return;
    };
    if let Ok((whole, withheld)) = reveal(record, &ds) {
        // Committing the revealed record with the same salts gives the same digests.
        let salts: Salts = ds.iter().map(|d| (d.field.clone(), d.salt.clone())).collect();
        if let Ok((again, _)) = commit(&whole, &salts) {
            let sd = |v: &Value| v.get("_sd").cloned().unwrap_or(Value::Null);
            if withheld.is_empty() {
                assert_eq!(sd(&again), sd(record), "reveal then commit changes the digests");
            }
        }
    }
});
