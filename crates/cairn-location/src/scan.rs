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

/// Reads `r` to its end; true if it shows any sign of location.
pub(crate) fn has_location<R: Read>(r: &mut R) -> io::Result<bool> {
    let mut buf: Vec<u8> = Vec::with_capacity(CHUNK + LOOK);
    let mut in_xmp = false;
    let mut eof = false;
    loop {
        // Fill to CHUNK + LOOK (or the end).
        while !eof && buf.len() < CHUNK + LOOK {
            let want = (CHUNK + LOOK - buf.len()) as u64;
            let got = r.by_ref().take(want).read_to_end(&mut buf)?;
            eof = (got as u64) < want;
        }
        // Positions before `upto` have all the look-ahead they need.
        let upto = if eof {
            buf.len()
        } else {
            buf.len().saturating_sub(LOOK)
        };
        for i in 0..upto {
            let Some(rest) = buf.get(i..) else { break };
            let Some(&b) = rest.first() else { break };
            match b {
                b'<' => {
                    if XMP_OPEN.iter().any(|n| rest.starts_with(n)) {
                        in_xmp = true;
                    } else if XMP_CLOSE.iter().any(|n| rest.starts_with(n)) {
                        in_xmp = false;
                    }
                }
                b'E' if rest.starts_with(b"Exif\0\0")
                    && exif_has_gps(rest.get(6..).unwrap_or(&[]))? =>
                {
                    return Ok(true);
                }
                b'+' | b'-' if iso6709(rest) => return Ok(true),
                _ if in_xmp && PLACE_WORDS.iter().any(|n| rest.starts_with(n)) => {
                    return Ok(true);
                }
                _ => {}
            }
        }
        if eof {
            return Ok(false);
        }
        buf.drain(..upto);
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
