//! Writers that make exports the way each app does, so tests, fuzz targets and
//! benchmarks can generate exports and check they read back. Not for use outside
//! tests: they trust their input.

pub mod email;
pub mod sms;
pub mod telegram;
pub mod whatsapp;

pub use whatsapp::*;
