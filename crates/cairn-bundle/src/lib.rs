//! # cairn-bundle
//!
//! The sealed bundle a survivor hands to a solicitor, the IOPC or a court, and the
//! verifier that checks it without trusting Cairn:
//!
//! - [`export()`] writes the chosen items as a BagIt 1.0 bag (RFC 8493) in a ZIP —
//!   originals byte-exact under their exhibit references, the record as JSON, every
//!   chain entry header, the signed checkpoint, an evidence schedule (`report.pdf`), an
//!   offline page (`index.html`) and instructions — sealed with age so `age -d` opens
//!   it, and records the handover in the vault;
//! - [`verify_bundle()`] decrypts on the fly and checks fixity, the chain, every record
//!   and exhibit against it, the checkpoint's signature and, given an earlier receipt,
//!   that the history before it was not rewritten;
//! - [`receipt()`] gives the checkpoint as text to keep somewhere else.
//!
//! docs/FORMAT.md §9 specifies the bundle.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod assemble;
mod bag;
mod export;
#[doc(hidden)]
pub mod fuzzing;
mod howto;
mod html;
mod location;
mod pdf;
mod receipt;
pub mod record;
mod schedule;
mod seal;
mod sink;
mod verify;

pub use assemble::Unverifiable;
pub use bag::{decode_manifest_path, encode_manifest_path};
pub use export::{
    export, plan, ExportOptions, Exported, ExportedExhibit, GoesAs, Plan, PlannedExhibit, Selection,
};
pub use receipt::{check_vault as check_vault_receipt, receipt, Receipt, ReceiptCheck};
pub use record::Disclosure;
pub use seal::{is_sealed, parse_recipient, Key, Seal};
pub use verify::{verify_bundle, verify_bundle_bytes, BundleReport, Problem, RedactionSeen};
