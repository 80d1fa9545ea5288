//! ISO base media files: MP4, MOV, 3GP, M4A/M4V, and HEIF/HEIC/AVIF (whose image items
//! are in [`crate::heif`]). Boxes are walked from the top; location boxes are renamed
//! `free` and zeroed in place, so every size and offset stays as it was.

use std::io::{Read, Seek, SeekFrom};

use crate::edits::{cannot, Cx, Res, Win};
use crate::{heif, scan};

const BROKEN: &str = "its video structure is broken (a box runs past its end)";
/// Boxes whose children are boxes.
const CONTAINERS: [&[u8; 4]; 16] = [
    b"moov", b"trak", b"mdia", b"minf", b"dinf", b"udta", b"edts", b"moof", b"traf", b"mvex",
    b"mfra", b"meco", b"iprp", b"ipco", b"tapt", b"sinf",
];
/// Boxes never scanned: media data, padding, sample tables (offsets and sizes only).
const SKIPPED: [&[u8; 4]; 6] = [b"mdat", b"free", b"skip", b"wide", b"stbl", b"idat"];
/// Track handlers whose samples are pictures or sound, never a position.
const MEDIA_HANDLERS: [&[u8; 4]; 6] = [b"vide", b"soun", b"tmcd", b"hint", b"pict", b"auxv"];
/// The UUID of an XMP box (Adobe's XMP specification, part 3).
const XMP_UUID: [u8; 16] = [
    0xBE, 0x7A, 0xCF, 0xCB, 0x97, 0xA9, 0x42, 0xE8, 0x9C, 0x71, 0x99, 0x94, 0x91, 0xE3, 0xAF, 0xAC,
];
/// Deeper nesting than any real file has.
const MAX_NESTING: u32 = 24;

/// One box.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bx {
    /// Its type.
    pub kind: [u8; 4],
    /// All of it, header included.
    pub whole: Win,
    /// Everything after its size and type (and largesize): a `uuid` box's user type
    /// is its first 16 bytes.
    pub body: Win,
}

/// Cleans the ISO base media file in `w`.
pub(crate) fn clean<R: Read + Seek>(cx: &mut Cx<'_, R>, w: Win) -> Res<()> {
    walk(cx, w, 0)
}

/// The boxes that fill `w`, in order.
pub(crate) fn children<R: Read + Seek>(cx: &mut Cx<'_, R>, w: Win) -> Res<Vec<Bx>> {
    let mut out = Vec::new();
    let mut pos = 0u64;
    while pos < w.len {
        let left = w.len - pos;
        if left < 8 {
            // QuickTime ends some lists with a 32-bit zero.
            let tail = cx.bytes(w, pos, left)?.unwrap_or_default();
            if tail.iter().all(|&b| b == 0) {
                break;
            }
            return cannot(BROKEN);
        }
        let Some([a, b, c, d, t0, t1, t2, t3]) = cx.array::<8>(w, pos)? else {
            return cannot(BROKEN);
        };
        let (size, head) = match u32::from_be_bytes([a, b, c, d]) {
            0 => (left, 8),
            1 => match cx.array::<8>(w, pos + 8)? {
                Some(l) => (u64::from_be_bytes(l), 16),
                None => return cannot(BROKEN),
            },
            n => (u64::from(n), 8),
        };
        if size < head {
            return cannot(BROKEN);
        }
        let Some(whole) = w.sub(pos, size) else {
            return cannot(BROKEN);
        };
        let Some(body) = whole.from(head) else {
            return cannot(BROKEN);
        };
        out.push(Bx {
            kind: [t0, t1, t2, t3],
            whole,
            body,
        });
        pos += size;
    }
    Ok(out)
}

/// Walks the boxes in `w`.
fn walk<R: Read + Seek>(cx: &mut Cx<'_, R>, w: Win, nesting: u32) -> Res<()> {
    if nesting > MAX_NESTING {
        return cannot("its video structure is nested too deeply to check");
    }
    for b in children(cx, w)? {
        one(cx, b, nesting)?;
    }
    Ok(())
}

/// What one box is, and what is done with it.
fn one<R: Read + Seek>(cx: &mut Cx<'_, R>, b: Bx, nesting: u32) -> Res<()> {
    match &b.kind {
        b"ftyp" => {
            if cx.array::<4>(b.body, 0)? == Some(*b"crx ") {
                return cannot("it is a camera raw file, which Cairn cannot clean");
            }
            Ok(())
        }
        b"trak" => {
            let handler = track_handler(cx, b.body)?;
            match handler {
                Some(h) if MEDIA_HANDLERS.contains(&&h) => walk(cx, b.body, nesting + 1),
                Some(h) => cannot(format!(
                    "it has a data track Cairn cannot read ({})",
                    printable(&h)
                )),
                None => cannot("it has a track Cairn cannot identify"),
            }
        }
        b"meta" => meta(cx, b, nesting),
        [0xA9, b'x', b'y', b'z'] => neutralise(cx, b, "QuickTime location"),
        b"loci" => neutralise(cx, b, "3GPP location"),
        b"XMP_" | b"xml " => neutralise(cx, b, "XMP metadata"),
        b"uuid" if cx.array::<16>(b.body, 0)? == Some(XMP_UUID) => {
            neutralise(cx, b, "XMP metadata")
        }
        k if CONTAINERS.contains(&k) => walk(cx, b.body, nesting + 1),
        k if SKIPPED.contains(&k) => Ok(()),
        k => scan_box(cx, b.body, k),
    }
}

/// The raw scan of one box Cairn does not take apart.
pub(crate) fn scan_box<R: Read + Seek>(cx: &mut Cx<'_, R>, w: Win, kind: &[u8; 4]) -> Res<()> {
    let r = cx.reader();
    r.seek(SeekFrom::Start(w.base))?;
    if scan::has_location(&mut r.take(w.len))? {
        return cannot(format!(
            "it holds location data Cairn cannot remove (in its '{}' box)",
            printable(kind)
        ));
    }
    Ok(())
}

/// A box type as text, anything unprintable as `?`.
pub(crate) fn printable(kind: &[u8; 4]) -> String {
    kind.iter()
        .map(|&c| {
            if c.is_ascii_graphic() || c == b' ' {
                c as char
            } else {
                '?'
            }
        })
        .collect()
}

/// Renames a box `free` and zeros all after its type.
pub(crate) fn neutralise<R: Read + Seek>(cx: &mut Cx<'_, R>, b: Bx, what: &str) -> Res<()> {
    cx.put(b.whole.base + 4, b"free".to_vec(), what)?;
    let after_type = b.whole.from(8).unwrap_or(b.body);
    cx.zero(after_type, what)?;
    Ok(())
}

/// The handler type in a track's `mdia`/`hdlr`.
fn track_handler<R: Read + Seek>(cx: &mut Cx<'_, R>, trak: Win) -> Res<Option<[u8; 4]>> {
    for m in children(cx, trak)? {
        if &m.kind == b"mdia" {
            for h in children(cx, m.body)? {
                if &h.kind == b"hdlr" {
                    return cx.array::<4>(h.body, 8);
                }
            }
        }
    }
    Ok(None)
}

/// A `meta` box: its handler says whether it lists image items (HEIF), QuickTime keys
/// or iTunes items.
fn meta<R: Read + Seek>(cx: &mut Cx<'_, R>, b: Bx, nesting: u32) -> Res<()> {
    // ISO's meta is a full box (a zero version and flags first); QuickTime's is not.
    let kids_at = if cx.be32(b.body, 0)? == Some(0) { 4 } else { 0 };
    let Some(inner) = b.body.from(kids_at) else {
        return cannot(BROKEN);
    };
    let kids = children(cx, inner)?;
    let mut handler = None;
    for k in &kids {
        if &k.kind == b"hdlr" {
            handler = cx.array::<4>(k.body, 8)?;
        }
    }
    let mut located_keys = Vec::new();
    for k in &kids {
        if &k.kind == b"keys" {
            located_keys = keys(cx, k.body)?;
        }
    }
    let pict = handler == Some(*b"pict");
    let listed = kids
        .iter()
        .filter(|k| matches!(&k.kind, b"iinf" | b"iloc"))
        .count();
    if pict {
        heif::items(cx, &kids)?;
    } else if listed > 0 {
        // Items listed under another handler: readers may still take them as HEIF's.
        return cannot("its items are listed in a way Cairn cannot follow");
    }
    for k in kids {
        match &k.kind {
            b"hdlr" | b"keys" => {}
            b"iinf" | b"iloc" | b"idat" if pict => {}
            b"ilst" => ilst(cx, k.body, handler == Some(*b"mdta"), &located_keys)?,
            _ => one(cx, k, nesting + 1)?,
        }
    }
    Ok(())
}

/// True if a QuickTime key's name says it holds a place.
fn locates(name: &[u8]) -> bool {
    let n = String::from_utf8_lossy(name).to_ascii_lowercase();
    [
        "location",
        "gps",
        "iso6709",
        "coordinates",
        "latitude",
        "longitude",
        "xyz",
    ]
    .iter()
    .any(|w| n.contains(w))
}

/// A `keys` box: the 1-based indexes of keys that name a place; their names are zeroed.
fn keys<R: Read + Seek>(cx: &mut Cx<'_, R>, w: Win) -> Res<Vec<u32>> {
    let Some(count) = cx.be32(w, 4)? else {
        return cannot(BROKEN);
    };
    let mut out = Vec::new();
    let mut pos = 8u64;
    for i in 1..=count {
        let Some(size) = cx.be32(w, pos)? else {
            return cannot(BROKEN);
        };
        let Some(name) = u64::from(size)
            .checked_sub(8)
            .and_then(|n| w.sub(pos + 8, n))
        else {
            return cannot(BROKEN);
        };
        let Some(text) = cx.bytes(name, 0, name.len)? else {
            return cannot(BROKEN);
        };
        if locates(&text) {
            out.push(i);
            cx.zero(name, "QuickTime location")?;
        }
        pos += u64::from(size);
    }
    Ok(out)
}

/// An `ilst` box: items that hold a place are renamed `free` and zeroed; the others
/// scanned.
fn ilst<R: Read + Seek>(cx: &mut Cx<'_, R>, w: Win, by_key: bool, located: &[u32]) -> Res<()> {
    for item in children(cx, w)? {
        let index = u32::from_be_bytes(item.kind);
        let hit = (by_key && located.contains(&index))
            || item.kind == [0xA9, b'x', b'y', b'z']
            || &item.kind == b"loci";
        if hit {
            neutralise(cx, item, "QuickTime location")?;
        } else if &item.kind != b"free" {
            scan_box(cx, item.body, &item.kind)?;
        }
    }
    Ok(())
}
