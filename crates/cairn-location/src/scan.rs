//! Signs of location in bytes Cairn cannot take apart (PDF, text, audio, unknown):
//! an XMP packet that names a place or a position, an Exif block with a GPS
//! directory, an ISO 6709 position string. Streams; matches that straddle two reads
//! are found because each read keeps the tail of the last one.

use std::io::{self, Cursor, Read};

use crate::edits::{Cx, Stop, Win};
use crate::tiff;

/// Bytes read at a time.
const CHUNK: usize = 256 * 1024;
/// Bytes kept past the last position examined: the longest look-ahead any sign needs
/// (an Exif block, at most 64 KiB in a JPEG segment, after its header).
const LOOK: usize = 64 * 1024 + 64;

const XMP_OPEN: [&[u8]; 4] = [
    b"<x:xmpmeta",
    b"<x:xapmeta",
    b"<?xpacket begin",
    b"<rdf:RDF",
];
const XMP_CLOSE: [&[u8]; 3] = [b"</x:xmpmeta>", b"</x:xapmeta>", b"<?xpacket end"];
/// Words that, inside an XMP packet, say where.
const PLACE_WORDS: [&[u8]; 9] = [
    b"GPS",
    b"drone-dji",
    b"Iptc4xmpCore:Location",
    b"Iptc4xmpExt:Location",
    b"photoshop:City",
    b"photoshop:State",
    b"photoshop:Country",
    b"Latitude",
    b"Longitude",
];

/// Why a scan found location.
pub(crate) const FOUND: &str = "it holds location data Cairn cannot remove from this kind of file";

/// Reads `r` to its end: which signs of location it shows.
pub(crate) fn signs_of<R: Read>(r: &mut R) -> io::Result<Signs> {
    let mut scan = Scan::new();
    let mut chunk = vec![0u8; CHUNK];
    loop {
        let n = r.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        scan.push(chunk.get(..n).unwrap_or(&[]))?;
    }
    scan.signs()
}

/// Reads `r` to its end; true if it shows any sign of location.
pub(crate) fn has_location<R: Read>(r: &mut R) -> io::Result<bool> {
    let mut scan = Scan::new();
    let mut chunk = vec![0u8; CHUNK];
    loop {
        let n = r.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        scan.push(chunk.get(..n).unwrap_or(&[]))?;
        if scan.found {
            return Ok(true);
        }
    }
    scan.finish()
}

/// Why a file's bytes show a position track.
pub(crate) const FOUND_TRACK: &str =
    "it holds a recorded position track (a dashcam's or a GPS logger's) that Cairn cannot remove";
/// Why a message file cannot be checked.
pub(crate) const FOUND_ATTACHED: &str =
    "it holds attached files, encoded inside its messages, that Cairn cannot check for location";

/// What the raw scan found.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Signs {
    /// A place or position in metadata: an XMP packet naming one, Exif with GPS, an
    /// ISO 6709 position.
    pub place: bool,
    /// A recorded position track: NMEA sentences (`$GPRMC`…), a dashcam's `freeGPS`
    /// blocks — in a video's media data, where no metadata parser looks.
    pub track: bool,
    /// Files attached inside messages in an encoding (base64 in an email, an SMS
    /// backup's MMS parts) Cairn does not take apart here.
    pub attached: bool,
}

impl Signs {
    /// Any sign at all.
    pub fn any(self) -> bool {
        self.place || self.track || self.attached
    }

    /// Why a file with these signs cannot be cleaned, if it cannot.
    pub fn reason(self) -> Option<&'static str> {
        if self.track {
            Some(FOUND_TRACK)
        } else if self.attached {
            Some(FOUND_ATTACHED)
        } else if self.place {
            Some(FOUND)
        } else {
            None
        }
    }
}

/// The raw scan, fed as bytes arrive (a file being written elsewhere can be scanned in
/// the same pass): [`Scan::push`] each piece in order, then [`Scan::finish`] or
/// [`Scan::signs`].
#[derive(Debug, Default)]
pub struct Scan {
    buf: Vec<u8>,
    in_xmp: bool,
    found: bool,
    signs: Signs,
    /// Markers of attached files seen: a media type, an encoding.
    attached_type: bool,
    attached_data: bool,
}

impl Scan {
    /// A scan at the start of a file.
    pub fn new() -> Scan {
        Scan::default()
    }

    /// The next bytes of the file.
    pub fn push(&mut self, data: &[u8]) -> io::Result<()> {
        if self.found {
            return Ok(());
        }
        let mut data = data;
        while !data.is_empty() {
            let room = (CHUNK + LOOK).saturating_sub(self.buf.len()).max(1);
            let (now, rest) = data.split_at(room.min(data.len()));
            self.buf.extend_from_slice(now);
            data = rest;
            if self.buf.len() >= CHUNK + LOOK {
                self.step(false)?;
                if self.found {
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// True if what was pushed shows any sign of location.
    pub fn finish(self) -> io::Result<bool> {
        Ok(self.signs()?.any())
    }

    /// Which signs what was pushed shows.
    pub fn signs(mut self) -> io::Result<Signs> {
        if !self.found {
            self.step(true)?;
        }
        Ok(self.signs)
    }

    /// Examines every position that has all the look-ahead it needs, then drops them.
    fn step(&mut self, eof: bool) -> io::Result<()> {
        let upto = if eof {
            self.buf.len()
        } else {
            self.buf.len().saturating_sub(LOOK)
        };
        self.signs.place |= self.examine(upto)?;
        self.others(upto);
        self.signs.attached |= self.attached_type && self.attached_data;
        self.found = self.signs.place || self.signs.track || self.signs.attached;
        self.buf.drain(..upto);
        Ok(())
    }

    /// Position tracks and attached files, starting before `upto`.
    fn others(&mut self, upto: usize) {
        let b = self.buf.as_slice();
        let Some(m) = other_markers() else {
            // Fixed patterns always build; were they ever not to, fail closed.
            self.signs.track = true;
            return;
        };
        for hit in m.find_iter(b) {
            if hit.start() >= upto {
                break;
            }
            match hit.pattern().as_usize() {
                i if i < TRACK.len() => self.signs.track = true,
                i if i < TRACK.len() + ATTACHED_TYPE.len() => self.attached_type = true,
                _ => self.attached_data = true,
            }
        }
    }

    /// Signs starting before `upto` (later bytes are look-ahead).
    fn examine(&mut self, upto: usize) -> io::Result<bool> {
        let b = self.buf.as_slice();
        // An ISO 6709 position ends in `/` after a digit: find those (rare in any
        // file), then the sign it starts with, at most 40 bytes back.
        for end in memchr::memchr_iter(b'/', b) {
            if end == 0 || !b.get(end - 1).is_some_and(u8::is_ascii_digit) {
                continue;
            }
            let from = end.saturating_sub(40);
            for start in from..end.min(upto) {
                if matches!(b.get(start), Some(b'+' | b'-'))
                    && iso6709(b.get(start..).unwrap_or(&[]))
                {
                    return Ok(true);
                }
            }
        }
        // XMP packets and Exif blocks, found in one pass over the bytes: place words
        // count between an opening and a closing tag.
        let mut pos = 0;
        // (Fixed patterns always build; were they ever not to, fail closed.)
        let Some(markers) = markers() else {
            return Ok(true);
        };
        for m in markers.find_iter(b) {
            if m.start() >= upto {
                break;
            }
            let id = m.pattern().as_usize();
            if id == EXIF {
                if exif_has_gps(b.get(m.start() + 6..).unwrap_or(&[]))? {
                    return Ok(true);
                }
            } else if id < XMP_OPEN.len() {
                if !self.in_xmp {
                    self.in_xmp = true;
                    pos = m.start();
                }
            } else if self.in_xmp {
                if has_place_word(b.get(pos..m.start()).unwrap_or(&[]), pos, upto) {
                    return Ok(true);
                }
                self.in_xmp = false;
            }
        }
        // Inside a packet still open at the end of what is examined.
        Ok(self.in_xmp && has_place_word(b.get(pos..).unwrap_or(&[]), pos, upto))
    }
}

/// A recorded position track: NMEA sentences, a Novatek dashcam's `freeGPS` blocks.
const TRACK: [&[u8]; 6] = [
    b"$GPRMC,", b"$GNRMC,", b"$GPGGA,", b"$GNGGA,", b"$GPGLL,", b"freeGPS",
];
/// An attached file's media type in a message (email MIME headers, SMS backup parts).
const ATTACHED_TYPE: [&[u8]; 7] = [
    b"content-type: image/",
    b"content-type: video/",
    b"content-type: application/",
    b"content-type: message/rfc822",
    b"ct=\"image/",
    b"ct=\"video/",
    b"ct=\"application/",
];
/// … and its encoded bytes.
const ATTACHED_DATA: [&[u8]; 2] = [b"content-transfer-encoding: base64", b" data=\""];

/// Tracks and attached files' markers, searched for together (case does not matter:
/// mail headers come in any case).
fn other_markers() -> Option<&'static aho_corasick::AhoCorasick> {
    static M: std::sync::OnceLock<Option<aho_corasick::AhoCorasick>> = std::sync::OnceLock::new();
    M.get_or_init(|| {
        let mut pats: Vec<&[u8]> = TRACK.to_vec();
        pats.extend_from_slice(&ATTACHED_TYPE);
        pats.extend_from_slice(&ATTACHED_DATA);
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(pats)
            .ok()
    })
    .as_ref()
}

/// Index of the Exif marker among [`markers`]' patterns (after the XMP tags).
const EXIF: usize = XMP_OPEN.len() + XMP_CLOSE.len();

/// The XMP opening and closing tags and the Exif header, searched for together.
fn markers() -> Option<&'static aho_corasick::AhoCorasick> {
    static M: std::sync::OnceLock<Option<aho_corasick::AhoCorasick>> = std::sync::OnceLock::new();
    M.get_or_init(|| {
        let mut pats: Vec<&[u8]> = XMP_OPEN.to_vec();
        pats.extend_from_slice(&XMP_CLOSE);
        pats.push(b"Exif\0\0");
        aho_corasick::AhoCorasick::new(pats).ok()
    })
    .as_ref()
}

/// True if `region` (starting at `at` in the buffer) holds a place word starting
/// before `upto`.
fn has_place_word(region: &[u8], at: usize, upto: usize) -> bool {
    static W: std::sync::OnceLock<Option<aho_corasick::AhoCorasick>> = std::sync::OnceLock::new();
    match W.get_or_init(|| aho_corasick::AhoCorasick::new(PLACE_WORDS).ok()) {
        Some(w) => w.find_iter(region).any(|m| at + m.start() < upto),
        // Cannot happen with fixed words; if it did, any packet counts as naming a place.
        None => !region.is_empty(),
    }
}

/// True if the TIFF at the start of `b` points to a GPS directory.
fn exif_has_gps(b: &[u8]) -> io::Result<bool> {
    let mut c = Cursor::new(b);
    let mut cx = Cx::new(&mut c, b.len() as u64, 0);
    let w = Win {
        base: 0,
        len: b.len() as u64,
    };
    match tiff::has_gps(&mut cx, w) {
        Ok(v) => Ok(v),
        Err(Stop::Io(e)) => Err(e),
        Err(Stop::Cannot(_)) => Ok(false),
    }
}

/// True if `b` starts with an ISO 6709 position ending in `/`, as phones and ffmpeg
/// write it: `+51.5074-000.1278/`, `+40.7484-073.9857+015.000/`, `+4029-07400/`.
fn iso6709(b: &[u8]) -> bool {
    let mut i = 0;
    // Latitude: degrees (2), degrees-minutes (4) or degrees-minutes-seconds (6).
    if !part(b, &mut i, &[2, 4, 6]) {
        return false;
    }
    // Longitude: 3, 5 or 7.
    if !part(b, &mut i, &[3, 5, 7]) {
        return false;
    }
    // Optional altitude, any number of digits.
    if matches!(b.get(i), Some(b'+' | b'-')) {
        let mut j = i;
        if part(b, &mut j, &[]) {
            i = j;
        }
    }
    b.get(i) == Some(&b'/')
}

/// A sign, a run of digits (of one of `lens`, or any non-zero length if empty) and an
/// optional fraction; advances `i` past it.
fn part(b: &[u8], i: &mut usize, lens: &[usize]) -> bool {
    if !matches!(b.get(*i), Some(b'+' | b'-')) {
        return false;
    }
    let start = *i + 1;
    let digits = b
        .get(start..)
        .unwrap_or(&[])
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    if digits == 0 || (!lens.is_empty() && !lens.contains(&digits)) {
        return false;
    }
    let mut j = start + digits;
    if b.get(j) == Some(&b'.') {
        let frac = b
            .get(j + 1..)
            .unwrap_or(&[])
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if frac == 0 {
            return false;
        }
        j += 1 + frac;
    }
    *i = j;
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(b: &[u8]) -> bool {
        has_location(&mut Cursor::new(b)).unwrap_or(true)
    }

    #[test]
    fn iso6709_forms() {
        assert!(iso6709(b"+51.5074-000.1278/"));
        assert!(iso6709(b"+40.7484-073.9857+015.000/"));
        assert!(iso6709(b"-3355+15113/"));
        assert!(!iso6709(b"+51.5074-000.1278"));
        assert!(!iso6709(b"+5-000.1278/"));
        assert!(!iso6709(b"-1+2/"));
    }

    #[test]
    fn finds_signs_across_reads() {
        let mut b = vec![b'x'; CHUNK + LOOK - 5];
        b.extend_from_slice(b"+51.5074-000.1278/");
        b.extend(vec![b'y'; 3 * CHUNK]);
        assert!(scan(&b));
        let mut b = vec![b'x'; CHUNK - 3];
        b.extend_from_slice(b"<x:xmpmeta><exif:GPSLatitude>1</exif:GPSLatitude></x:xmpmeta>");
        assert!(scan(&b));
        assert!(!scan(b"a GPS unit, in plain text, 12-123/ and +1.5"));
        assert!(!scan(
            b"<x:xmpmeta><dc:title>Trip</dc:title></x:xmpmeta> GPS"
        ));
        assert!(!scan(b""));
    }
}
