//! # cairn-location
//!
//! Finds where a photo, video or document says it was made, and describes a copy of it
//! that does not say so. A refuge's address in a photo's GPS data can get someone
//! killed, so this crate fails closed: what it cannot remove with certainty it refuses
//! ([`Outcome::CannotClean`]), and every clean copy it describes is checked again
//! before it is given out.
//!
//! [`inspect`] reads a file (its format is sniffed from its bytes, never its name) and
//! returns an [`Outcome`]: nothing to remove, patches that remove it, or why it cannot
//! be cleaned. The copy is the original with the patches applied, read through
//! [`Patched`]. Patches only overwrite: the copy has the original's length, so offsets
//! inside the file (MP4 chunk offsets, MPF offsets) stay valid. The same bytes always
//! give the same patches, so the copy made when a file is added can be made again at
//! export and hashed to the same SHA-256.
//!
//! ## Rules per format
//!
//! | Format (sniffed by) | What is kept | What is patched, and how | Cannot clean when |
//! | --- | --- | --- | --- |
//! | TIFF structure (Exif in any format below; whole `.tif`/`.dng`) | every entry but those named here (DateTimeOriginal, Make, Model, Orientation are evidence) | the GPS pointer (0x8825) is removed from its IFD: later entries move up 12 bytes, the count drops by one, the freed 12 bytes at the table's end become zeros (the table stays sorted and valid, and readers see no GPS directory); the GPS directory and its values become zeros. MakerNote (0x927C), DNGPrivateData (0xC634), XMP (700), IPTC (33723) and Photoshop (34377) entries are removed the same way and their data zeroed; a JPEG thumbnail (0x0201/0x0202) is cleaned as a JPEG | the structure cannot be followed with certainty (byte order, an offset out of range, a loop, a count too large, an unknown type where a size is needed): in JPEG the whole Exif segment is blanked instead; elsewhere the file cannot be cleaned |
//! | JPEG (`FF D8 FF`) | APP0 JFIF/JFXX, APP2 `ICC_PROFILE`, APP14 `Adobe`, COM, tables, frames, scans | APP1 Exif: its TIFF cleaned (above); every other APPn segment (XMP, extended XMP, APP13 IPTC/Photoshop, APP2 MPF, vendor APP3..APP15, unknown APP1): payload zeroed after its length; every byte after EOI (MPF pictures, vendor trailers, appended files) zeroed | a segment runs past the end; a second SOI; a segment or trailer over 16 MiB |
//! | PNG (`89 PNG`) | critical chunks, colour and display chunks, `pHYs`, `tIME`, APNG frames; `tEXt`/`zTXt`/`iTXt` with keyword Title, Author, Description, Copyright, Creation Time, Software, Disclaimer, Warning, Source or Comment | `eXIf`: TIFF cleaned, CRC recomputed; any other ancillary chunk (XMP, "Raw profile type …", unknown): type renamed `clEn`, data zeroed, CRC recomputed; bytes after `IEND` zeroed | an unknown critical chunk; a chunk runs past the end |
//! | WebP (`RIFF….WEBP`) | image, alpha, animation, ICC chunks | `EXIF`: TIFF cleaned (after an optional `Exif\0\0`); `XMP `, unknown chunks and an unreadable `EXIF`: renamed `JUNK`, data zeroed, and the VP8X XMP/EXIF flag cleared; bytes after the RIFF zeroed | a chunk runs past the end |
//! | GIF (`GIF87a`/`GIF89a`) | images, graphic control, comments, NETSCAPE/ANIMEXTS looping, ICC | any other application extension (XMP DataXMP, unknown): rewritten as an 11-byte identifier of zeros and zero-filled sub-blocks of the same total length (XMP's raw text only looks like sub-blocks, so zeroing inside its apparent lengths would leave stray characters); bytes after the trailer zeroed | the block structure is broken |
//! | ISO base media: MP4, MOV, 3GP, M4A/M4V (`ftyp`, `moov`, `mdat`, `wide`, `free`, `skip` first) | media data, sample tables, other user data | `©xyz`, `loci`, `XMP_`, the XMP `uuid` and `xml ` boxes: type renamed `free`, payload zeroed; `meta`/`keys` names that mention location, GPS, ISO 6709 or coordinates: the key's name zeroed and the matching `ilst` item renamed `free` with its payload zeroed; `©xyz` and `loci` items of an iTunes `ilst` likewise | a track whose handler is not `vide`, `soun`, `tmcd`, `hint`, `pict` or `auxv` (GoPro `gpmd`, `camm`, Apple `mebx`/`meta`, subtitle and text tracks); a box runs past its parent; any box not taken apart (all but media data, padding and sample tables) shows signs of location in the raw scan (below); Canon CR3 (`crx `) |
//! | HEIF/HEIC/AVIF (a `meta` box whose handler is `pict`) | image items `hvc1`, `hvt1`, `av01`, `avc1`, `grid`, `iden`, `iovl`, `tmap`, `unci`, `j2k1`, and their properties | `Exif` items: the TIFF after the 4-byte header offset cleaned (above); `mime` items of XMP/RDF type: overwritten with an empty XMP packet padded with spaces (zeros if too short), so readers find valid, empty XMP; `jpeg` items: cleaned as JPEG | any other item type; an Exif or XMP item split into several extents, in another file, or built from other items; a `moov` is treated as a video (above) |
//! | ZIP (`PK 03 04`: DOCX, XLSX, ODT, zip) | everything | nothing: each member (up to 10,000, 2 GiB decompressed in all) is inspected; one of up to 16 MiB fully, a larger one by the raw scan | any member holds location; encrypted members; too large to check |
//! | Camera raw in TIFF form (ORF, RW2, BigTIFF), JPEG XL containers; compressed archives (gzip, xz, bzip2, zstd, 7z, RAR, lzip, CAB, an empty or spanned ZIP) | — | — | always: Cairn cannot clean them (the raw scan would see only compressed bytes) |
//! | Anything else (PDF, text, MP3/ID3, FLAC, WAV, OGG, Matroska, unknown) | everything | nothing | the raw scan finds an XMP packet naming a place or position (`GPS`, `drone-dji`, `Iptc4xmpCore:Location`, `photoshop:City`, …), an `Exif\0\0` TIFF with a GPS pointer or one it cannot read to its end, an ISO 6709 position (`+51.5074-000.1278/`), a recorded position track (NMEA sentences, `freeGPS`), files attached in an encoding (a `Content-Type: image/…` part in base64, an SMS backup's `data=`), or a ZIP member's header (a self-extracting or embedded archive). An Exif block counts wherever it is (after `Exif\0\0`, in a PNG `eXIf` or WebP `EXIF` chunk); past 256 of them plus one for every 64 KiB, the file cannot be checked. In a PDF (`%PDF-` in its first KiB) each stream's dictionary is read: no filter and a JPEG as it is (`DCTDecode`, `JPXDecode`) pass (the scan sees them), so does a picture under LZW, RunLength, CCITT, JBIG2 or ASCII filters (pixels); Flate alone or before a JPEG's own encoding is always inflated, whatever the stream calls itself (up to its `/Length`, 2 GiB in all, in a PDF and in one attached to it) and scanned too; any other encoding (LZW or ASCII first elsewhere, a predictor outside a picture or cross-reference stream, an indirect filter, two Flates), a name given twice, a dictionary that could start at two places, a `stream` keyword not right after a dictionary, a stream that does not end within its length or starts inside another's compressed data, or a damaged or encrypted one makes the file one that cannot be cleaned, as does `endstream` in a file not taken for a PDF. In a text file (no NUL and printable in its first KiB: an email, a mailbox, a chat export), any mail part that is not text or multipart or that has a name, a disposition of `attachment` or with a file name, or a uuencoded file counts as an attached file, however its headers are cased, folded, quoted or commented; in XML text (an SMS backup), so does any `data` attribute. A picture under Flate with a predictor is scanned as inflated, before the predictor is undone: a file crafted to hide a photo there is not seen |
//!
//! Every patch is only made if it changes bytes, so a clean copy has nothing left to
//! patch; [`inspect`] checks exactly that on the patched view before returning
//! [`Outcome::Patched`], and refuses the file if the check finds anything.
//!
//! No block of metadata over 16 MiB is held in memory, nor patches over 64 MiB in all:
//! such a file cannot be cleaned.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod bmff;
mod edits;
mod gif;
mod heif;
mod jpeg;
mod patch;
mod pdf;
mod png;
mod scan;
mod tiff;
mod webp;
mod zipped;

use std::io::{self, Read, Seek, SeekFrom};

use edits::{Cx, Stop, Win};
pub use patch::{Patch, Patched};
pub use scan::{Scan, Signs};

/// Why a file holding a recorded position track cannot be cleaned.
pub const TRACK_FOUND: &str = scan::FOUND_TRACK;

/// The version of the rules above. A copy made under other rules may differ byte for
/// byte, so what was decided under them is decided again (the chain keeps the copies
/// each made).
pub const RULES: i64 = 1;

/// True if [`inspect`] reads a file that starts with `head` (its first 16 bytes) by
/// its structure — photos, videos, HEIF — and so reads little of it but its metadata.
/// False for ZIP-based files and everything else, which it reads whole (a ZIP's
/// members, or the raw scan, which [`Scan`] also runs on bytes as they pass).
pub fn structured(head: &[u8]) -> bool {
    !matches!(sniff(head), Kind::Zip | Kind::Other)
}

/// True if a file that starts with `head` is one the raw scan alone decides (not a
/// format [`inspect`] takes apart, nor a ZIP): scanning its bytes with [`Scan`] as they
/// pass gives the same answer as [`inspect`].
pub fn raw_scan_only(head: &[u8]) -> bool {
    matches!(sniff(head), Kind::Other)
}

/// What a file holds, and how to make its copy without location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing that can say where it was made: the original may go out as it is.
    NoLocation,
    /// A location-free copy is the original with these patches applied.
    Patched {
        /// In order of offset, non-overlapping; the copy has exactly the original's
        /// length.
        patches: Vec<Patch>,
        /// What was removed, in plain words ("Exif GPS position", "XMP metadata", …),
        /// each once, in the order first found.
        found: Vec<String>,
    },
    /// It holds, or may hold, location data Cairn cannot remove with certainty: one plain
    /// sentence fragment saying why, e.g. "it has a data track Cairn cannot read (gpmd)".
    CannotClean(String),
}

/// Reads `r` (its length is `len`) and decides. The format is sniffed from the bytes,
/// never from a name. I/O errors are returned; malformed content is never an `Err`: it
/// is [`Outcome::CannotClean`] (or [`Outcome::NoLocation`] when the format cannot hold
/// location at all). A [`Outcome::Patched`] has been checked: the patched view inspects
/// as [`Outcome::NoLocation`].
pub fn inspect<R: Read + Seek>(r: &mut R, len: u64) -> io::Result<Outcome> {
    let first = decide(r, len, 0)?;
    let Outcome::Patched { patches, found } = first else {
        return Ok(first);
    };
    // Fail closed: the copy must have nothing left to remove.
    let mut view = Patched::new(&mut *r, patches)?;
    let again = decide(&mut view, len, 0)?;
    let (_, patches) = view.into_parts();
    Ok(match again {
        Outcome::NoLocation => Outcome::Patched { patches, found },
        _ => Outcome::CannotClean(
            "Cairn could not confirm that its cleaned copy is free of location".into(),
        ),
    })
}

/// How many containers deep a file is read (a photo inside a zip is at depth 1).
const MAX_DEPTH: u8 = 1;

/// One reading of `r`, without the check of the copy.
pub(crate) fn decide<R: Read + Seek>(r: &mut R, len: u64, depth: u8) -> io::Result<Outcome> {
    let mut head = [0u8; 16];
    r.seek(SeekFrom::Start(0))?;
    let n = read_up_to(r, &mut head)?;
    let head = head.get(..n).unwrap_or(&[]);
    let mut cx = Cx::new(r, len, depth);
    let w = Win { base: 0, len };
    let result = match sniff(head) {
        Kind::Jpeg => jpeg::clean(&mut cx, w),
        Kind::Tiff => tiff::clean(&mut cx, w),
        Kind::Png => png::clean(&mut cx, w),
        Kind::Webp => webp::clean(&mut cx, w),
        Kind::Gif => gif::clean(&mut cx, w),
        Kind::Bmff => bmff::clean(&mut cx, w),
        Kind::Zip if depth < MAX_DEPTH => zipped::check(&mut cx, w),
        // An archive inside an archive is not opened: its members are compressed, so
        // the raw scan could not see them.
        Kind::Zip => Err(Stop::Cannot(
            "it holds an archive inside an archive, which Cairn does not open".into(),
        )),
        Kind::Refused(why) => Err(Stop::Cannot(why.into())),
        Kind::Other => raw(&mut cx),
    };
    match result {
        Ok(()) => Ok(match cx.finish() {
            None => Outcome::CannotClean(
                "its metadata overlaps itself in a way Cairn cannot untangle".into(),
            ),
            Some((patches, _)) if patches.is_empty() => Outcome::NoLocation,
            Some((patches, found)) => Outcome::Patched { patches, found },
        }),
        Err(Stop::Io(e)) => Err(e),
        Err(Stop::Cannot(why)) => Ok(Outcome::CannotClean(why)),
    }
}

/// The raw scan of the whole file.
fn raw<R: Read + Seek>(cx: &mut Cx<'_, R>) -> Result<(), Stop> {
    let r = cx.reader();
    r.seek(SeekFrom::Start(0))?;
    match scan::signs_of(r)?.reason() {
        Some(why) => edits::cannot(why),
        None => Ok(()),
    }
}

/// Reads as much of `buf` as `r` has.
fn read_up_to<R: Read>(r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while let Some(rest) = buf.get_mut(n..).filter(|b| !b.is_empty()) {
        match r.read(rest) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// What the first bytes say a file is.
enum Kind {
    Jpeg,
    Tiff,
    Png,
    Webp,
    Gif,
    Bmff,
    Zip,
    Refused(&'static str),
    Other,
}

/// How camera raw files in TIFF form start (BigTIFF, Olympus, Panasonic).
const CAMERA_RAW: [&[u8]; 6] = [b"II+\0", b"MM\0+", b"IIRO", b"IIRS", b"MMOR", b"IIU\0"];

/// How compressed archives start: gzip, xz, bzip2, zstd, 7z, RAR, lzip, CAB, and an
/// empty or spanned ZIP.
const COMPRESSED: [&[u8]; 10] = [
    b"\x1f\x8b",
    b"\xfd7zXZ\0",
    b"BZh",
    b"\x28\xb5\x2f\xfd",
    b"7z\xbc\xaf\x27\x1c",
    b"Rar!\x1a\x07",
    b"LZIP",
    b"MSCF",
    b"PK\x05\x06",
    b"PK\x07\x08",
];

fn sniff(h: &[u8]) -> Kind {
    let at = |i: usize, s: &[u8]| h.get(i..i + s.len()) == Some(s);
    if at(0, &[0xFF, 0xD8, 0xFF]) {
        Kind::Jpeg
    } else if at(0, b"II*\0") || at(0, b"MM\0*") {
        Kind::Tiff
    } else if CAMERA_RAW.iter().any(|m| at(0, m)) {
        Kind::Refused("it is a camera raw file, which Cairn cannot clean")
    } else if at(0, b"\x89PNG\r\n\x1a\n") {
        Kind::Png
    } else if at(0, b"RIFF") && at(8, b"WEBP") {
        Kind::Webp
    } else if at(0, b"GIF87a") || at(0, b"GIF89a") {
        Kind::Gif
    } else if at(4, b"JXL ") {
        Kind::Refused("it is a JPEG XL picture, which Cairn cannot clean yet")
    } else if [
        b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot",
    ]
    .iter()
    .any(|t| at(4, *t))
    {
        Kind::Bmff
    } else if at(0, b"PK\x03\x04") {
        Kind::Zip
    } else if COMPRESSED.iter().any(|m| at(0, m)) {
        // Compressed: the raw scan would see nothing of what is inside.
        Kind::Refused("it is a compressed archive Cairn cannot look into for location")
    } else {
        Kind::Other
    }
}
