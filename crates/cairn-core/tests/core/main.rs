//! Integration tests for `cairn-core`: round trips, tamper detection, keys and KDF
//! limits, recovery, history and redaction, photos, the clock, checkpoints, the chain
//! test vectors, concurrency, the schema version, and backups.
//!
//! Every vault here is made with `KdfCost::InsecureTestOnly` and opened with
//! `allow_insecure_kdf`, except in the one test that checks calibration.

mod common;

mod backup;
mod chain;
mod decoy;
mod home;
mod items;
mod keys;
mod messages;
mod roundtrip;
mod tamper;
mod timeline;

// The first-schema fixture (tests/fixtures/vault-v1).
mod fixture;
