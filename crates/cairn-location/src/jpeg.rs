//! JPEG: the segments before and between the scans, and whatever follows the end.

use std::io::{Read, Seek};

use crate::edits::{cannot, Cx, Res, Stop, Win};
use crate::tiff;

const EXIF: &[u8] = b"Exif\0\0";
const XMP: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
const XMP_EXT: &[u8] = b"http://ns.adobe.com/xmp/extension/\0";

/// What a blanked segment held, in plain words, by its marker and first bytes.
fn vendor_name(marker: u8, payload_start: &[u8]) -> &'static str {
    match marker {
        0xE1 if payload_start.starts_with(XMP) || payload_start.starts_with(XMP_EXT) => {
            "XMP metadata"
        }
        0xED => "IPTC place names and other Photoshop metadata",
        0xE2 if payload_start.starts_with(b"MPF\0") => "multi-picture index",
        _ => "vendor metadata",
    }
}

/// Cleans the JPEG that starts at the start of `w` (with FF D8).
pub(crate) fn clean<R: Read + Seek>(cx: &mut Cx<'_, R>, w: Win) -> Res<()> {
    let mut pos = 2u64;
    let eoi = loop {
        let Some(marker) = next_marker(cx, w, &mut pos)? else {
            // No end marker before the end: nothing follows the picture.
            return Ok(());
        };
        match marker {
            0xD9 => break pos,
            0x01 | 0xD0..=0xD7 => {
                pos += 2;
                continue;
            }
            0xD8 => return cannot("it is a JPEG with a second start inside it"),
            _ => {}
        }
        let Some(len) = cx.array::<2>(w, pos + 2)? else {
            return cannot("its JPEG metadata is cut short");
        };
        let len = u64::from(u16::from_be_bytes(len));
        let Some(payload) = len.checked_sub(2).and_then(|n| w.sub(pos + 4, n)) else {
            return cannot("its JPEG metadata is cut short");
        };
        if (0xE0..=0xEF).contains(&marker) {
            app(cx, marker, payload)?;
        } else if marker == 0xFE {
            comment(cx, payload)?;
        }
        pos = payload.end() - w.base;
        if marker == 0xDA {
            // Entropy-coded data runs to the next marker that is not a restart.
            match skip_scan(cx, w, pos)? {
                Some(p) => pos = p,
                None => return Ok(()),
            }
        }
    };
    // Past FF D9: MPF's second pictures, vendor trailers, appended files.
    if let Some(rest) = w.from(eoi + 2) {
        cx.zero(rest, "data after the picture")?;
    }
    Ok(())
}

/// Finds the marker at `pos` (after fill bytes); leaves `pos` at its FF. `None` at the
/// end of `w`. Anything but FF where a marker belongs is not a JPEG Cairn can follow.
fn next_marker<R: Read + Seek>(cx: &mut Cx<'_, R>, w: Win, pos: &mut u64) -> Res<Option<u8>> {
    loop {
        let Some([a, b]) = cx.array::<2>(w, *pos)? else {
            return Ok(None);
        };
        if a != 0xFF {
            return cannot("its JPEG structure is broken");
        }
        if b == 0xFF {
            *pos += 1;
            continue;
        }
        return Ok(Some(b));
    }
}

/// A comment: kept unless it shows a sign of location (an XMP packet, an ISO 6709
/// position, an Exif block), then blanked.
fn comment<R: Read + Seek>(cx: &mut Cx<'_, R>, payload: Win) -> Res<()> {
    let Some(text) = cx.bytes(payload, 0, payload.len)? else {
        return cannot("its JPEG metadata is cut short");
    };
    if crate::scan::signs_of(&mut std::io::Cursor::new(text))?.any() {
        cx.zero(payload, "a comment naming a place")?;
    }
    Ok(())
}

/// One application segment: kept, cleaned or blanked.
fn app<R: Read + Seek>(cx: &mut Cx<'_, R>, marker: u8, payload: Win) -> Res<()> {
    let head = cx
        .bytes(payload, 0, payload.len.min(40))?
        .unwrap_or_default();
    let keep = match marker {
        // JFXX holds a thumbnail, which may be a JPEG with its own Exif: blanked.
        0xE0 => head.starts_with(b"JFIF\0"),
        0xE2 => head.starts_with(b"ICC_PROFILE\0"),
        0xEE => head.starts_with(b"Adobe"),
        _ => false,
    };
    if keep {
        return Ok(());
    }
    if marker == 0xE1 && head.starts_with(EXIF) {
        let Some(t) = payload.from(EXIF.len() as u64) else {
            return cannot("its JPEG metadata is cut short");
        };
        let m = cx.mark();
        match tiff::clean(cx, t) {
            Ok(()) => return Ok(()),
            Err(Stop::Io(e)) => return Err(Stop::Io(e)),
            Err(Stop::Cannot(_)) => {
                cx.rewind(m);
                cx.zero(payload, "Exif metadata (unreadable, so all of it)")?;
                return Ok(());
            }
        }
    }
    cx.zero(payload, vendor_name(marker, &head))?;
    Ok(())
}

/// Skips entropy-coded data from `pos`: the offset of the next marker's FF (FF 00 is a
/// stuffed byte, FF D0..D7 a restart), or `None` if `w` ends first.
fn skip_scan<R: Read + Seek>(cx: &mut Cx<'_, R>, w: Win, mut pos: u64) -> Res<Option<u64>> {
    const CHUNK: u64 = 64 * 1024;
    loop {
        let n = w.len.saturating_sub(pos).min(CHUNK);
        if n < 2 {
            return Ok(None);
        }
        let Some(buf) = cx.bytes(w, pos, n)? else {
            return Ok(None);
        };
        let mut i = 0usize;
        while let Some(off) = buf.get(i..).and_then(|b| b.iter().position(|&x| x == 0xFF)) {
            let at = i + off;
            match buf.get(at + 1) {
                // FF as the chunk's last byte: read on from it.
                None => break,
                Some(0x00 | 0xD0..=0xD7 | 0xFF) => i = at + 1,
                Some(_) => return Ok(Some(pos + at as u64)),
            }
        }
        // Start the next chunk at the last byte, which may be an FF.
        pos += n - 1;
    }
}
