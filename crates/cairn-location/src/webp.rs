//! WebP: RIFF chunks; EXIF cleaned, XMP and unknown chunks renamed and zeroed.

use std::io::{Read, Seek};

use crate::edits::{cannot, Cx, Res, Stop, Win};
use crate::tiff;

/// Chunks that hold the picture, never a place.
const KEPT: [&[u8; 4]; 7] = [
    b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF", b"ICCP",
];
/// What a neutralised chunk is renamed to: RIFF's padding chunk, which readers skip.
const CLEANED: &[u8; 4] = b"JUNK";
/// VP8X flag bits (in its first byte).
const FLAG_EXIF: u8 = 0x08;
const FLAG_XMP: u8 = 0x04;

/// Cleans the WebP in `w`.
pub(crate) fn clean<R: Read + Seek>(cx: &mut Cx<'_, R>, w: Win) -> Res<()> {
    let Some(size) = cx.array::<4>(w, 4)? else {
        return cannot("its WebP structure is broken");
    };
    let Some(riff) = w.sub(0, u64::from(u32::from_le_bytes(size)) + 8) else {
        return cannot("its WebP structure is broken (it is cut short)");
    };
    let mut pos = 12u64;
    let mut vp8x_flags = None;
    let mut clear = 0u8;
    while pos < riff.len {
        let Some([a, b, c, d, e, f, g, h]) = cx.array::<8>(riff, pos)? else {
            return cannot("its WebP structure is broken");
        };
        let kind = [a, b, c, d];
        let len = u64::from(u32::from_le_bytes([e, f, g, h]));
        let Some(data) = riff.sub(pos + 8, len) else {
            return cannot("its WebP structure is broken (a chunk runs past the end)");
        };
        if &kind == b"VP8X" && vp8x_flags.is_none() {
            vp8x_flags = Some(data.base);
        } else if KEPT.contains(&&kind) {
        } else if &kind == b"EXIF" {
            let m = cx.mark();
            let skip = match cx.array::<6>(data, 0)? {
                Some(h) if &h == b"Exif\0\0" => 6,
                _ => 0,
            };
            match tiff::clean(cx, data.from(skip).unwrap_or(data)) {
                Ok(()) => {}
                Err(Stop::Io(e)) => return Err(Stop::Io(e)),
                Err(Stop::Cannot(_)) => {
                    cx.rewind(m);
                    if neutralise(cx, data, "Exif metadata (unreadable, so all of it)")? {
                        clear |= FLAG_EXIF;
                    }
                }
            }
        } else {
            let what = if &kind == b"XMP " {
                "XMP metadata"
            } else {
                "other WebP metadata"
            };
            if neutralise(cx, data, what)? && &kind == b"XMP " {
                clear |= FLAG_XMP;
            }
        }
        // Chunks are padded to an even length.
        pos = data.end() - riff.base + (len & 1);
    }
    if let (Some(at), true) = (vp8x_flags, clear != 0) {
        let whole = cx.file();
        if let Some([flags]) = cx.array::<1>(whole, at)? {
            cx.put(at, vec![flags & !clear], "")?;
        }
    }
    if let Some(rest) = w.from(riff.len) {
        cx.zero(rest, "data after the picture")?;
    }
    Ok(())
}

/// Renames the chunk whose data is `data` to `JUNK` and zeros its data; true if that changed it.
fn neutralise<R: Read + Seek>(cx: &mut Cx<'_, R>, data: Win, what: &str) -> Res<bool> {
    let renamed = cx.put(data.base - 8, CLEANED.to_vec(), what)?;
    let zeroed = cx.zero(data, what)?;
    Ok(renamed || zeroed)
}
