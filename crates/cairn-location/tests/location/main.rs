//! Location tests on real files, made at test time: exiftool writes location the way
//! cameras and phones do, ffmpeg makes videos that carry one. Each cleaned copy is read
//! back by exiftool (no location tag may remain), by a decoder (it must still play or
//! show), and by `inspect` again (nothing left); each sample is first shown to hold
//! location, so a test fails if its tool stops writing it. Without exiftool or ffmpeg
//! the tests fail: `scripts/setup.sh test` installs them.

mod found;
mod hostile;
mod images;
mod other;
mod video;

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cairn_location::{inspect, Outcome, Patch, Patched};

/// Runs a tool, failing the test (with how to install it) if it is missing or fails.
pub fn run(program: &str, args: &[&str]) -> Output {
    let out = Command::new(program).args(args).output().unwrap_or_else(|e| {
        panic!("cannot run {program} ({e}): run `scripts/setup.sh test` to install the location tests' tools (exiftool, ffmpeg, heif-enc)")
    });
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// exiftool, writing in place.
pub fn exiftool_write(path: &Path, args: &[&str]) {
    let mut all = vec!["-q", "-q", "-overwrite_original"];
    all.extend_from_slice(args);
    let p = path.to_str().expect("temp paths are UTF-8");
    all.push(p);
    run("exiftool", &all);
}

/// The outcome for a file on disk.
pub fn outcome(path: &Path) -> Outcome {
    let mut f = File::open(path).expect("open sample");
    let len = f.metadata().expect("sample length").len();
    inspect(&mut f, len).expect("inspect reads the sample")
}

/// Every tag exiftool reports in the groups that can carry a place (and, for videos,
/// every tag in embedded data too), as lines of JSON.
pub fn place_tags(path: &Path) -> Vec<String> {
    let p = path.to_str().expect("temp paths are UTF-8");
    let mut text = String::new();
    let groups = [
        "-j",
        "-a",
        "-G1",
        "-gps:all",
        "-xmp:all",
        "-iptc:all",
        "-Keys:all",
        "-UserData:all",
        "-ItemList:all",
        p,
    ];
    text.push_str(&String::from_utf8_lossy(&run("exiftool", &groups).stdout));
    // Everything, embedded streams included (timed GPS in videos).
    text.push_str(&String::from_utf8_lossy(
        &run("exiftool", &["-j", "-a", "-G1", "-ee", p]).stdout,
    ));
    let words = [
        "gps",
        "location",
        "coordinat",
        "latitude",
        "longitude",
        "city",
        "country",
        "london",
        "refuge",
        "51.5",
        "51 deg",
    ];
    text.lines()
        .filter(|l| !l.contains("\"SourceFile\"") && !l.contains("\"System:Directory\""))
        .filter(|l| !l.contains("\"System:FileName\""))
        .filter(|l| {
            let l = l.to_ascii_lowercase();
            words.iter().any(|w| l.contains(w))
        })
        .map(str::to_string)
        .collect()
}

/// exiftool's errors and warnings for a file (minor ones excepted).
pub fn exiftool_complaints(path: &Path) -> Vec<String> {
    let p = path.to_str().expect("temp paths are UTF-8");
    let out = run("exiftool", &["-a", "-s", "-Error", "-Warning", p]);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.contains("[minor]"))
        .map(str::to_string)
        .collect()
}

/// Asserts that exiftool sees location in `path` (the sample really has some).
pub fn assert_has_location(path: &Path) {
    assert!(
        !place_tags(path).is_empty(),
        "the sample {} should hold location",
        path.display()
    );
}

/// The patches for a file that must be cleanable, checked: the same twice.
pub fn patches(path: &Path) -> (Vec<Patch>, Vec<String>) {
    let first = outcome(path);
    assert_eq!(first, outcome(path), "inspect is deterministic");
    match first {
        Outcome::Patched { patches, found } => (patches, found),
        other => panic!("{} should be cleanable, got {other:?}", path.display()),
    }
}

/// Writes the copy through `Patched`.
pub fn write_copy(path: &Path, patches: Vec<Patch>, to: &Path) {
    let f = File::open(path).expect("open sample");
    let mut view = Patched::new(f, patches).expect("patches from inspect are in order");
    io::copy(&mut view, &mut File::create(to).expect("create copy")).expect("write copy");
}

/// Cleans `path` and checks the copy: what was found includes `expect`, exiftool
/// finds no place and no error in it, it has the original's length, and it inspects
/// as having no location. Returns the copy's path.
pub fn clean_and_check(path: &Path, expect: &[&str]) -> PathBuf {
    assert_has_location(path);
    let (patches, found) = patches(path);
    for e in expect {
        assert!(found.iter().any(|f| f == e), "{e:?} not in {found:?}");
    }
    assert!(patches.windows(2).all(|w| w[0].end() <= w[1].offset));
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("bin");
    let copy = path.with_file_name(format!(
        "{}.clean.{ext}",
        path.file_stem().and_then(|s| s.to_str()).unwrap_or("copy")
    ));
    write_copy(path, patches, &copy);
    let (a, b) = (fs::metadata(path), fs::metadata(&copy));
    assert_eq!(a.expect("len").len(), b.expect("len").len(), "same length");
    let left = place_tags(&copy);
    assert!(left.is_empty(), "location left in the copy: {left:#?}");
    let complaints = exiftool_complaints(&copy);
    assert!(
        complaints.is_empty(),
        "exiftool on the copy: {complaints:#?}"
    );
    assert_eq!(outcome(&copy), Outcome::NoLocation, "the copy is clean");
    copy
}

/// The bytes of a file.
pub fn bytes(path: &Path) -> Vec<u8> {
    let mut b = Vec::new();
    File::open(path)
        .and_then(|mut f| f.read_to_end(&mut b))
        .expect("read file");
    b
}

/// A fresh folder for a test's files.
pub fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// exiftool arguments that write a GPS position into Exif.
pub const EXIF_GPS: [&str; 4] = [
    "-GPSLatitude=51.5074",
    "-GPSLatitudeRef=N",
    "-GPSLongitude=0.1278",
    "-GPSLongitudeRef=W",
];
