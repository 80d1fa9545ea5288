//! # cairn-import
//!
//! Importers that turn the exports other apps make into messages Cairn can keep as
//! evidence. Each importer reads the export's bytes as they are and either returns
//! every message or refuses the whole file with an [`ImportError`] that names where
//! it went wrong: a half-read chat must never pass for a whole one.
//!
//! - [`whatsapp`] — WhatsApp's "Export chat" text file (Android and iOS).
//! - [`vault`] — reading an export and keeping it, and its messages, in the vault.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod error;
#[doc(hidden)]
pub mod testing;
pub mod vault;
pub mod whatsapp;

pub use error::{ImportError, MalformedReason};
