//! Writers that make exports the way each app does, so tests, fuzz targets and
//! benchmarks can generate exports and check they read back. Not for use outside
//! tests: they trust their input.

pub mod email;
pub mod sms;
pub mod telegram;
pub mod whatsapp;

pub use whatsapp::*;

/// Checks a refusal as the shells and the person are given it: a code starting
/// `prefix` (`import_sms_`, …) and one plain sentence ending "so nothing was
/// imported." Panics, naming the code, otherwise (for tests and fuzz targets).
pub fn check_refusal(prefix: &str, code: &str, text: &str) {
    assert!(code.starts_with(prefix), "{code}");
    let Some(body) = text.strip_suffix("so nothing was imported.") else {
        panic!("{code}: {text:?}");
    };
    assert!(text.starts_with(char::is_uppercase), "{code}: {text:?}");
    assert!(
        !body.contains(['\n', '\r']) && ![". ", "? ", "! "].iter().any(|s| body.contains(s)),
        "{code}: more than one sentence: {text:?}"
    );
}
