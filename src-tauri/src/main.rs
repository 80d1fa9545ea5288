//! The Cairn desktop app.
#![forbid(unsafe_code)]
// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    cairn_core::hygiene::no_core_dumps();
    cairn_desktop::run();
}
