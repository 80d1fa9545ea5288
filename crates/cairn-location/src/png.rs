//! PNG: chunks, by an allow-list; everything else ancillary is renamed and zeroed.

use std::io::{Read, Seek};

use crate::edits::{cannot, Cx, Res, Stop, Win};
use crate::tiff;

/// Chunks that hold pixels, colour, display or animation, never a place.
const KEPT: [&[u8; 4]; 24] = [
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"cHRM", b"gAMA", b"iCCP", b"sBIT", b"sRGB",
    b"cICP", b"mDCV", b"cLLI", b"bKGD", b"hIST", b"pHYs", b"sPLT", b"tIME", b"acTL", b"fcTL",
    b"fdAT", b"oFFs", b"sCAL", b"sTER",
];
/// Text keywords kept: a person wrote them, and they are evidence.
const KEPT_KEYWORDS: [&[u8]; 10] = [
    b"Title",
    b"Author",
    b"Description",
    b"Copyright",
    b"Creation Time",
    b"Software",
    b"Disclaimer",
    b"Warning",
    b"Source",
    b"Comment",
];
/// What a neutralised chunk is renamed to: ancillary, private, safe to copy.
const CLEANED: &[u8; 4] = b"clEn";

/// Cleans the PNG in `w`.
pub(crate) fn clean<R: Read + Seek>(cx: &mut Cx<'_, R>, w: Win) -> Res<()> {
    let mut pos = 8u64;
    loop {
        let Some(h) = cx.array::<8>(w, pos)? else {
            // No IEND: a cut-short file; nothing after it to clear.
            return if pos == w.len {
                Ok(())
            } else {
                cannot("its PNG structure is broken")
            };
        };
        let [a, b, c, d, t0, t1, t2, t3] = h;
        let len = u64::from(u32::from_be_bytes([a, b, c, d]));
        let kind = [t0, t1, t2, t3];
        let Some(chunk) = w.sub(pos, len + 12) else {
            return cannot("its PNG structure is broken (a chunk runs past the end)");
        };
        let data = Win {
            base: chunk.base + 8,
            len,
        };
        if &kind == b"IEND" {
            if let Some(rest) = w.from(pos + 12 + len) {
                cx.zero(rest, "data after the picture")?;
            }
            return Ok(());
        }
        if !kind.iter().all(u8::is_ascii_alphabetic) {
            return cannot("its PNG structure is broken");
        }
        if KEPT.contains(&&kind) {
        } else if &kind == b"eXIf" {
            exif(cx, chunk, data)?;
        } else if [b"tEXt", b"zTXt", b"iTXt"].contains(&&kind) {
            let head = cx.bytes(data, 0, len.min(80))?.unwrap_or_default();
            let keyword = head.split(|&b| b == 0).next().unwrap_or(&[]);
            if !KEPT_KEYWORDS.contains(&keyword) {
                neutralise(cx, chunk, text_name(keyword))?;
            }
        } else if kind[0].is_ascii_uppercase() {
            let name = String::from_utf8_lossy(&kind).into_owned();
            return cannot(format!("it has a part Cairn cannot read ({name})"));
        } else {
            neutralise(cx, chunk, "other PNG metadata")?;
        }
        pos = chunk.end() - w.base;
    }
}

/// What a text chunk with this keyword holds, in plain words.
fn text_name(keyword: &[u8]) -> &'static str {
    let k = String::from_utf8_lossy(keyword).to_ascii_lowercase();
    if k.contains("xmp") {
        "XMP metadata"
    } else if k.contains("exif") || k.contains("app1") {
        "Exif metadata"
    } else if k.contains("iptc") {
        "IPTC metadata"
    } else {
        "PNG text metadata"
    }
}

/// An `eXIf` chunk: its TIFF cleaned and its CRC made right; if the TIFF cannot be
/// followed, the whole chunk neutralised.
fn exif<R: Read + Seek>(cx: &mut Cx<'_, R>, chunk: Win, data: Win) -> Res<()> {
    let m = cx.mark();
    // Some writers keep JPEG's "Exif\0\0" in front of the TIFF.
    let skip = match cx.array::<6>(data, 0)? {
        Some(h) if &h == b"Exif\0\0" => 6,
        _ => 0,
    };
    let tiff_win = data.from(skip).unwrap_or(data);
    match tiff::clean(cx, tiff_win) {
        Ok(()) => {}
        Err(Stop::Io(e)) => return Err(Stop::Io(e)),
        Err(Stop::Cannot(_)) => {
            cx.rewind(m);
            return neutralise(cx, chunk, "Exif metadata (unreadable, so all of it)");
        }
    }
    if cx.changed_since(m) {
        let Some(bytes) = cx.patched_bytes(
            Win {
                base: chunk.base + 4,
                len: data.len + 4,
            },
            m,
        )?
        else {
            return cannot("its PNG structure is broken");
        };
        cx.put(data.end(), crc32(&bytes).to_be_bytes().to_vec(), "")?;
    }
    Ok(())
}

/// Renames a chunk to `clEn`, zeros its data and writes its CRC.
fn neutralise<R: Read + Seek>(cx: &mut Cx<'_, R>, chunk: Win, what: &str) -> Res<()> {
    let len = chunk.len - 12;
    if len > crate::edits::MAX_BLOCK {
        return cannot("a block of its metadata is too large to remove (over 16 MiB)");
    }
    let mut body = Vec::with_capacity(len as usize + 8);
    body.extend_from_slice(CLEANED);
    body.resize(len as usize + 4, 0);
    let crc = crc32(&body);
    body.extend_from_slice(&crc.to_be_bytes());
    cx.put(chunk.base + 4, body, what)?;
    Ok(())
}

/// CRC-32 as PNG (and ZIP) use it.
pub(crate) fn crc32(bytes: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for &b in bytes {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
    }
    !c
}
