//! Black-box tests of the built `cairn` binary: every test runs the real executable
//! (see `cairn_e2e::cairn_bin`) against a vault in a temporary folder.
//!
//! Build the binary first: `cargo build --workspace --bins` (the Makefile does).

mod backup;
mod bundle;
mod crash;
mod desktop;
mod desktop_bench;
mod diskfull;
mod extract;
mod forgery;
mod happy;
mod location;
mod messages;
mod network;
mod redact;
mod secrets;
mod switches;
mod tamper;
mod usage;
