//! Hostile input: hand-made malformed Exif, and a deterministic storm of truncated,
//! bit-flipped and overwritten samples that must never panic.

use std::fs;
use std::io::{Cursor, Read};
use std::path::Path;

use cairn_location::{inspect, Outcome, Patched};

use crate::{bytes, clean_and_check, exiftool_write, outcome, run, tmp, EXIF_GPS};

/// A real 32×32 JPEG with an APP1 Exif segment holding `tiff` right after SOI.
fn jpeg_with_exif(dir: &Path, name: &str, tiff: &[u8]) -> std::path::PathBuf {
    let p = dir.join(name);
    image::RgbImage::from_pixel(32, 32, image::Rgb([10, 200, 10]))
        .save(&p)
        .expect("save");
    let plain = bytes(&p);
    let mut seg = b"Exif\0\0".to_vec();
    seg.extend_from_slice(tiff);
    let len = u16::try_from(seg.len() + 2).expect("small");
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&seg);
    out.extend_from_slice(&plain[2..]);
    fs::write(&p, &out).expect("write");
    p
}

/// A big-endian TIFF: IFD0 at 8 with `entries` (tag, type, count, value) and `next`,
/// then `tail`.
fn tiff(entries: &[(u16, u16, u32, u32)], next: u32, tail: &[u8]) -> Vec<u8> {
    let mut t = b"MM\0*\0\0\0\x08".to_vec();
    t.extend_from_slice(&u16::try_from(entries.len()).expect("few").to_be_bytes());
    for (tag, kind, count, value) in entries {
        t.extend_from_slice(&tag.to_be_bytes());
        t.extend_from_slice(&kind.to_be_bytes());
        t.extend_from_slice(&count.to_be_bytes());
        t.extend_from_slice(&value.to_be_bytes());
    }
    t.extend_from_slice(&next.to_be_bytes());
    t.extend_from_slice(tail);
    t
}

/// A GPS IFD (one entry: GPSLatitudeRef "N") placed at offset 38 of a TIFF whose IFD0
/// has two entries.
const GPS_IFD: [u8; 18] = [0, 1, 0, 1, 0, 2, 0, 0, 0, 2, b'N', 0, 0, 0, 0, 0, 0, 0];

fn blanked_whole(p: &Path) {
    let (patches, found) = crate::patches(p);
    assert_eq!(found, ["Exif metadata (unreadable, so all of it)"]);
    let copy = p.with_extension("clean.jpg");
    crate::write_copy(p, patches, &copy);
    assert_eq!(outcome(&copy), Outcome::NoLocation);
    assert!(crate::place_tags(&copy).is_empty());
    let img = image::open(&copy).expect("the copy decodes");
    assert_eq!((img.width(), img.height()), (32, 32));
}

#[test]
fn readable_hand_made_exif_is_cleaned_entry_by_entry() {
    // Make (inline "Acm\0"), GPS pointer to 38: the control for the broken ones below.
    let d = tmp();
    let t = tiff(
        &[(0x010F, 2, 4, 0x41636D00), (0x8825, 4, 1, 38)],
        0,
        &GPS_IFD,
    );
    let p = jpeg_with_exif(d.path(), "ok.jpg", &t);
    let copy = clean_and_check(&p, &["Exif GPS position"]);
    let out = run("exiftool", &["-s3", "-Make", copy.to_str().expect("UTF-8")]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "Acm");
}

#[test]
fn maker_note_goes_with_its_data() {
    // IFD0 (two entries) → Exif IFD at 38 → MakerNote, 16 bytes at 56: where makers
    // hide positions.
    let d = tmp();
    let mut exif_ifd = vec![0, 1, 0x92, 0x7C, 0, 7, 0, 0, 0, 16, 0, 0, 0, 56, 0, 0, 0, 0];
    exif_ifd.extend_from_slice(b"Maker:51.50,-0.1");
    let t = tiff(
        &[(0x010F, 2, 4, 0x41636D00), (0x8769, 4, 1, 38)],
        0,
        &exif_ifd,
    );
    let p = jpeg_with_exif(d.path(), "maker.jpg", &t);
    let (patches, found) = crate::patches(&p);
    assert_eq!(found, ["maker notes"]);
    let copy = p.with_extension("clean.jpg");
    crate::write_copy(&p, patches, &copy);
    let c = bytes(&copy);
    assert!(!c.windows(6).any(|w| w == b"Maker:"), "its data is zeroed");
    let out = run(
        "exiftool",
        &[
            "-s",
            "-a",
            "-MakerNote*",
            "-Make",
            copy.to_str().expect("UTF-8"),
        ],
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "Make                            : Acm"
    );
    assert!(crate::exiftool_complaints(&copy).is_empty());
}

#[test]
fn gps_pointer_out_of_range_blanks_all_exif() {
    let d = tmp();
    let t = tiff(
        &[(0x010F, 2, 4, 0x41636D00), (0x8825, 4, 1, 0xFFFF)],
        0,
        &GPS_IFD,
    );
    blanked_whole(&jpeg_with_exif(d.path(), "far.jpg", &t));
}

#[test]
fn ifd_loop_blanks_all_exif() {
    let d = tmp();
    // IFD0's next IFD is IFD0.
    let t = tiff(
        &[(0x010F, 2, 4, 0x41636D00), (0x8825, 4, 1, 38)],
        8,
        &GPS_IFD,
    );
    blanked_whole(&jpeg_with_exif(d.path(), "loop.jpg", &t));
}

#[test]
fn gps_value_out_of_range_and_bad_byte_order_blank_all_exif() {
    let d = tmp();
    let mut gps = GPS_IFD;
    // GPSLatitude: 3 rationals at 0x7FFF0000.
    gps[2..12].copy_from_slice(&[0, 2, 0, 5, 0, 0, 0, 3, 0x7F, 0xFF]);
    let t = tiff(&[(0x8825, 4, 1, 26)], 0, &gps);
    blanked_whole(&jpeg_with_exif(d.path(), "value.jpg", &t));
    let mut t = tiff(&[(0x8825, 4, 1, 26)], 0, &GPS_IFD);
    t[..2].copy_from_slice(b"XM");
    blanked_whole(&jpeg_with_exif(d.path(), "order.jpg", &t));
}

#[test]
fn truncated_segment_cannot_be_cleaned() {
    let d = tmp();
    let t = tiff(&[(0x8825, 4, 1, 26)], 0, &GPS_IFD);
    let p = jpeg_with_exif(d.path(), "cut.jpg", &t);
    let b = bytes(&p);
    // Cut inside the Exif segment.
    fs::write(&p, &b[..20]).expect("write");
    assert!(matches!(outcome(&p), Outcome::CannotClean(_)));
}

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Inspects `b`; never a panic, never an I/O error from a Cursor, and a patched view
/// reads back whole, at the original's length.
fn survives(b: &[u8]) {
    let len = b.len() as u64;
    let out = inspect(&mut Cursor::new(b), len).expect("no I/O error from memory");
    if let Outcome::Patched { patches, found } = out {
        assert!(!found.is_empty() && !patches.is_empty());
        let mut copy = Vec::new();
        Patched::new(Cursor::new(b), patches)
            .expect("ordered patches")
            .read_to_end(&mut copy)
            .expect("read the copy");
        assert_eq!(copy.len(), b.len());
        assert_eq!(
            inspect(&mut Cursor::new(&copy), len).expect("inspect copy"),
            Outcome::NoLocation
        );
    }
}

#[test]
fn mangled_samples_never_panic() {
    let d = tmp();
    let dir = d.path();
    let mut seeds: Vec<Vec<u8>> = Vec::new();
    for name in ["a.jpg", "a.png", "a.webp", "a.tif", "a.gif"] {
        let p = dir.join(name);
        image::RgbImage::from_pixel(8, 8, image::Rgb([1, 2, 3]))
            .save(&p)
            .expect("save");
        let mut args = EXIF_GPS.to_vec();
        args.push("-xmp:City=London");
        exiftool_write(&p, &args);
        seeds.push(bytes(&p));
    }
    let mov = dir.join("a.mov");
    run(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=duration=0.2:size=16x16:rate=5",
            "-metadata",
            "location=+51.5074-000.1278/",
            mov.to_str().expect("UTF-8"),
        ],
    );
    exiftool_write(
        &mov,
        &["-Keys:GPSCoordinates=51.5, -0.12", "-XMP:City=London"],
    );
    seeds.push(bytes(&mov));
    let heic = dir.join("a.heic");
    run(
        "heif-enc",
        &[
            dir.join("a.png").to_str().expect("UTF-8"),
            "-o",
            heic.to_str().expect("UTF-8"),
        ],
    );
    exiftool_write(&heic, &EXIF_GPS);
    seeds.push(bytes(&heic));
    seeds.push(tiff(&[(0x8825, 4, 1, 26)], 0, &GPS_IFD));
    seeds.push(b"PK\x03\x04 not really a zip +51.5074-000.1278/".to_vec());

    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for seed in &seeds {
        survives(seed);
        for round in 0..150 {
            let mut b = seed.clone();
            match round % 3 {
                0 => b.truncate(rng.below(b.len() + 1)),
                1 => {
                    for _ in 0..1 + rng.below(8) {
                        let i = rng.below(b.len());
                        b[i] ^= 1 << rng.below(8);
                    }
                }
                _ => {
                    // Lengths and offsets are where parsers break: write extreme ones.
                    let i = rng.below(b.len().saturating_sub(4));
                    let v: [u8; 4] = match rng.below(4) {
                        0 => [0xFF; 4],
                        1 => [0; 4],
                        2 => [0, 0, 0, 1],
                        _ => (rng.next() as u32).to_be_bytes(),
                    };
                    if let Some(s) = b.get_mut(i..i + 4) {
                        s.copy_from_slice(&v);
                    }
                }
            }
            survives(&b);
        }
    }
}
