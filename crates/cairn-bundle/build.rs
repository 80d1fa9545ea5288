//! Deflates the schedule's fonts into OUT_DIR: the TTFs are half their size in the
//! binaries (the desktop app has a 20 MB budget), and are inflated once, on the first
//! PDF made.

use std::io::Write;
use std::path::{Path, PathBuf};

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    for name in ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"] {
        let src = Path::new("../../assets/fonts").join(name);
        println!("cargo:rerun-if-changed={}", src.display());
        let bytes = std::fs::read(&src)
            .unwrap_or_else(|e| panic!("cannot read the font {}: {e}", src.display()));
        let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        let packed = z
            .write_all(&bytes)
            .and_then(|()| z.finish())
            .unwrap_or_else(|e| panic!("cannot deflate {name}: {e}"));
        std::fs::write(out.join(format!("{name}.deflate")), packed)
            .unwrap_or_else(|e| panic!("cannot write the deflated {name}: {e}"));
    }
}
