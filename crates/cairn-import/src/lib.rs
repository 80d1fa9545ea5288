//! # cairn-import
//!
//! Importers that turn the exports other apps make into messages Cairn can keep as
//! evidence. Each importer reads the export's bytes as they are and either returns
//! every message or refuses the whole file with an [`ImportError`] that names where
//! it went wrong: a half-read chat must never pass for a whole one.
//!
//! - [`whatsapp`] — WhatsApp's "Export chat" text file (Android and iOS).
//! - [`sms`] — the XML of Android's "SMS Backup & Restore" (SMS and MMS).
//! - [`email`] — `.eml` files and `.mbox` mailboxes.
//! - [`telegram`] — Telegram Desktop's JSON export (`result.json`).
//! - [`model`] — what the importers other than WhatsApp's return.
//! - [`zipped`] — WhatsApp export zips, read with limits.
//! - [`progress`] — how far an import has got.
//! - [`vault`] — reading an export and keeping it, and its messages, in the vault.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod email;
pub mod error;
pub mod model;
pub mod progress;
pub mod sms;
pub mod telegram;
#[doc(hidden)]
pub mod testing;
pub mod vault;
pub mod whatsapp;
pub mod zipped;

pub use error::{ImportError, MalformedReason};
pub use progress::{OnProgress, Progress, Step};
