//! The Cairn desktop app.
#![forbid(unsafe_code)]
// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    cairn_core::hygiene::no_core_dumps();
    // Before any library (or thread) starts: in portable mode, everything GTK, WebKit,
    // fontconfig and Mesa write goes to the stick.
    cairn_desktop::portable_setup();
    cairn_desktop::run();
}
