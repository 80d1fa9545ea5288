//! # cairn-core
//!
//! The Cairn evidence vault: everything the CLI and the desktop app do goes through
//! [`Vault`]. A vault is a folder holding
//!
//! - `keys` — keyslots wrapping a random master key ([`keys`]);
//! - `vault.db` — a SQLCipher database with the items, their versions and the hash
//!   chain ([`store`], [`chain`]);
//! - `blobs/` — original files as chunked XChaCha20-Poly1305 ([`blobs`]).
//!
//! Every change is a chain entry; edits add versions; redaction destroys content and
//! leaves a tombstone; [`Vault::verify`] re-checks everything. docs/FORMAT.md is the
//! specification.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod attempts;
pub mod backup;
pub mod blobs;
pub mod canonical;
pub mod chain;
pub mod checkpoint;
mod chunkcipher;
pub mod clock;
pub mod conversations;
pub mod decoy;
pub mod error;
mod fsutil;
pub mod hygiene;
pub mod idle;
mod ids;
pub mod items;
pub mod keys;
pub mod location;
mod media;
pub mod merkle;
pub mod messages;
pub mod note;
pub mod portable;
pub mod recovery;
mod reports;
pub mod scrub;
pub mod search;
pub mod secret;
pub mod settings;
pub mod store;
pub mod strength;
pub mod switches;
mod timeline;
mod tree;
mod vault;
pub mod verify;
pub mod withhold;

pub use conversations::{Anchor, Conversation, ConversationKey, ConversationPage};
pub use error::{Error, Result};
pub use items::{
    AgencyContact, Category, Exif, FileRecord, HandedOver, Handover, Incident, ItemKind, Link,
    Message, MessageKind, Occurred, Person, PoliceFields, Role,
};
pub use keys::{KdfCost, KdfSummary};
pub use messages::{ChatImport, ImportedChat, NewMessage};
pub use recovery::RecoveryCode;
pub use reports::{normalise_initials, ExhibitRef};
pub use secret::Passphrase;
pub use settings::{Disguise, QuickExit, Settings};
pub use strength::{require_strong, retry_delay, strength, Strength};
pub use timeline::{TimelineHead, TimelineItem};
pub use vault::{
    AddFile, Added, AddedFile, Extracted, History, ItemDetail, ItemSummary, LinkView, OpenOptions,
    StagedFile, Tombstone, Vault, VersionView, Writer, KEYS_ALTERED_NOTICE, MIN_PASSPHRASE_CHARS,
};
pub use verify::{Finding, Report, VerifyOptions};
