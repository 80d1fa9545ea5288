//! Portable mode: Cairn run from a USB stick, keeping everything on the stick.
//!
//! An empty file named [`MARKER`] beside the program turns it on. Then the vault is the
//! folder `vault` beside the program (for the app and the CLI alike), and the desktop
//! app points every folder the system libraries write to (GTK's and WebKit's settings,
//! caches, fonts, shader caches) at `host-data` beside it, so the laptop keeps nothing
//! of it. The program itself is on the stick, so nothing is installed either.

use std::path::PathBuf;

/// The file beside the program that turns portable mode on.
pub const MARKER: &str = "cairn-portable";
/// The vault's folder beside the program in portable mode.
pub const VAULT_DIR: &str = "vault";
/// Where the desktop app's libraries write, beside the program, in portable mode.
pub const HOST_DATA_DIR: &str = "host-data";

/// The folder holding the program, if portable mode is on.
pub fn root() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.canonicalize().ok()?.parent()?.to_path_buf();
    dir.join(MARKER).is_file().then_some(dir)
}

/// The vault folder in portable mode.
pub fn vault_dir() -> Option<PathBuf> {
    root().map(|r| r.join(VAULT_DIR))
}

/// The XDG folders the desktop app's libraries use, and where they go in portable
/// mode (under [`HOST_DATA_DIR`]): the shell sets them before any library starts.
pub fn host_dirs() -> Option<Vec<(&'static str, PathBuf)>> {
    let base = root()?.join(HOST_DATA_DIR);
    Some(
        [
            ("XDG_CONFIG_HOME", "config"),
            ("XDG_DATA_HOME", "data"),
            ("XDG_CACHE_HOME", "cache"),
            ("XDG_STATE_HOME", "state"),
        ]
        .into_iter()
        .map(|(var, sub)| (var, base.join(sub)))
        .collect(),
    )
}
