//! Test switches: environment variables that make Cairn weaker so automated tests can
//! run it (a fast passphrase KDF; a webview WebDriver can drive). They exist only in
//! builds with the `test-switches` feature, which `make test` turns on; in the builds
//! she runs (`make run`'s release build) they are compiled out, their names are not in
//! the binaries, and setting them does nothing (tests/e2e/switches.rs shows it).

/// Whether this build has the test switches at all.
pub const COMPILED_IN: bool = cfg!(feature = "test-switches");

/// `CAIRN_TEST_INSECURE_KDF=1`: new passphrases get a 256 KiB / 1-pass Argon2id slot,
/// and vaults that have one open. Always false without the feature.
pub fn insecure_kdf() -> bool {
    #[cfg(feature = "test-switches")]
    {
        on("CAIRN_TEST_INSECURE_KDF")
    }
    #[cfg(not(feature = "test-switches"))]
    {
        false
    }
}

/// `CAIRN_WEBDRIVER=1`: the desktop window's webview keeps its storage on disk (an
/// incognito view cannot be automated). Always false without the feature.
pub fn webdriver() -> bool {
    #[cfg(feature = "test-switches")]
    {
        on("CAIRN_WEBDRIVER")
    }
    #[cfg(not(feature = "test-switches"))]
    {
        false
    }
}

#[cfg(feature = "test-switches")]
fn on(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|v| v == "1")
}
