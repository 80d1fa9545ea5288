//! The TIFF structure of Exif (in JPEG, PNG, WebP and HEIF) and of whole TIFF files.
//!
//! Followed: the IFD0 chain (IFD1, further pages), and from any of them the Exif (0x8769),
//! Interop (0xA005), SubIFDs (0x014A) and GPS (0x8825) pointers. A GPS pointer is
//! removed from its IFD: the entries after it move up 12 bytes, the count drops by one
//! and the freed 12 bytes at the end of the table become zeros, so the table stays
//! sorted and valid and no reader finds a GPS directory; the GPS directory and its
//! values become zeros. MakerNote, XMP, IPTC, Photoshop and DNGPrivateData entries go
//! the same way, their data zeroed. Anything that cannot be followed with certainty (a
//! bad byte order, an offset out of range, a loop, a count too large, an unknown type
//! where a size is needed) stops with [`Stop::Cannot`]: the caller blanks the whole
//! block or refuses.

use std::collections::BTreeSet;
use std::io::{Read, Seek};

use crate::edits::{cannot, Cx, Res, Stop, Win};

const GPS: u16 = 0x8825;
const EXIF: u16 = 0x8769;
const INTEROP: u16 = 0xA005;
const SUB_IFDS: u16 = 0x014A;
const THUMB_AT: u16 = 0x0201;
const THUMB_LEN: u16 = 0x0202;

/// Tags removed with their data, and the plain name of what they hold.
const DROPPED: [(u16, &str); 5] = [
    (0x927C, "maker notes"),
    (0xC634, "maker notes"),
    (0x02BC, "XMP metadata"),
    (0x83BB, "IPTC metadata"),
    (0x8649, "Photoshop metadata"),
];

/// What the Exif GPS position is called in `found`.
pub(crate) const GPS_FOUND: &str = "Exif GPS position";

/// More IFDs than any camera writes; past this the structure is not trusted.
const MAX_IFDS: usize = 256;
/// More entries in one IFD than any real file has.
const MAX_ENTRIES: u64 = 2048;
const WHY: &str = "its Exif metadata cannot be followed";

/// The byte order, read from the header.
#[derive(Clone, Copy)]
struct Order {
    little: bool,
}

impl Order {
    fn u16(self, b: [u8; 2]) -> u16 {
        if self.little {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        }
    }
    fn u32(self, b: [u8; 4]) -> u32 {
        if self.little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        }
    }
    fn put16(self, v: u16) -> [u8; 2] {
        if self.little {
            v.to_le_bytes()
        } else {
            v.to_be_bytes()
        }
    }
}

/// One 12-byte IFD entry.
#[derive(Clone, Copy)]
struct Entry {
    tag: u16,
    kind: u16,
    count: u32,
    /// The value field as stored (an offset when the value is over 4 bytes).
    raw: [u8; 4],
}

/// Byte size of one value of a TIFF type; `None` for a type with no defined size.
fn type_size(kind: u16) -> Option<u64> {
    Some(match kind {
        1 | 2 | 6 | 7 => 1,
        3 | 8 => 2,
        4 | 9 | 11 | 13 => 4,
        5 | 10 | 12 => 8,
        16..=18 => 8,
        _ => return None,
    })
}

/// The TIFF header at the start of `w`: its byte order, or `None` if it has none.
fn header<R: Read + Seek>(cx: &mut Cx<'_, R>, w: Win) -> Res<Option<(Order, u32)>> {
    let Some(h) = cx.array::<8>(w, 0)? else {
        return Ok(None);
    };
    let order = match h {
        [b'I', b'I', 42, 0, ..] => Order { little: true },
        [b'M', b'M', 0, 42, ..] => Order { little: false },
        _ => return Ok(None),
    };
    let [_, _, _, _, a, b, c, d] = h;
    Ok(Some((order, order.u32([a, b, c, d]))))
}

/// Where a value lives: `None` when inline (4 bytes or fewer), else its range in `w`.
fn value_range(o: Order, e: &Entry, w: Win) -> Res<Option<Win>> {
    let Some(size) = type_size(e.kind).and_then(|s| s.checked_mul(u64::from(e.count))) else {
        return cannot(WHY);
    };
    if size <= 4 {
        return Ok(None);
    }
    match w.sub(u64::from(o.u32(e.raw)), size) {
        Some(v) => Ok(Some(v)),
        None => cannot(WHY),
    }
}

/// Reads the IFD at `off`: its entries, and the range its table takes (count, entries
/// and, when present, the next-IFD offset) with that offset.
fn read_ifd<R: Read + Seek>(
    cx: &mut Cx<'_, R>,
    w: Win,
    o: Order,
    off: u64,
) -> Res<(Vec<Entry>, Win, u32)> {
    let Some(n) = cx.array::<2>(w, off)? else {
        return cannot(WHY);
    };
    let n = u64::from(o.u16(n));
    if n > MAX_ENTRIES {
        return cannot(WHY);
    }
    let body = 2 + 12 * n;
    // A last IFD that ends at the end of the block sometimes lacks its next offset.
    let (table, has_next) = match w.sub(off, body + 4) {
        Some(t) => (t, true),
        None => match w.sub(off, body) {
            Some(t) => (t, false),
            None => return cannot(WHY),
        },
    };
    let Some(bytes) = cx.bytes(table, 0, table.len)? else {
        return cannot(WHY);
    };
    let mut entries = Vec::with_capacity(n as usize);
    for c in bytes
        .get(2..)
        .unwrap_or(&[])
        .chunks_exact(12)
        .take(n as usize)
    {
        let &[t0, t1, k0, k1, c0, c1, c2, c3, v0, v1, v2, v3] = c else {
            return cannot(WHY);
        };
        entries.push(Entry {
            tag: o.u16([t0, t1]),
            kind: o.u16([k0, k1]),
            count: o.u32([c0, c1, c2, c3]),
            raw: [v0, v1, v2, v3],
        });
    }
    let next = match (has_next, bytes.get(bytes.len().saturating_sub(4)..)) {
        (true, Some(&[a, b, c, d])) => o.u32([a, b, c, d]),
        _ => 0,
    };
    Ok((entries, table, next))
}

/// Cleans the TIFF structure that starts at the start of `w` (see the module's docs).
/// `Stop::Cannot` if it cannot be followed with certainty; the caller decides what then.
pub(crate) fn clean<R: Read + Seek>(cx: &mut Cx<'_, R>, w: Win) -> Res<()> {
    let Some((o, ifd0)) = header(cx, w)? else {
        return cannot(WHY);
    };
    let mut todo: Vec<(u64, bool)> = vec![(u64::from(ifd0), true)];
    let mut seen = BTreeSet::new();
    let mut gps_dirs = Vec::new();
    while let Some((off, chain)) = todo.pop() {
        if !seen.insert(off) || seen.len() > MAX_IFDS {
            return cannot(WHY);
        }
        let (entries, table, next) = read_ifd(cx, w, o, off)?;
        let mut kept = Vec::with_capacity(entries.len());
        let mut dropped = None;
        for e in &entries {
            let v = u64::from(o.u32(e.raw));
            match e.tag {
                GPS => {
                    if v != 0 {
                        gps_dirs.push(v);
                    }
                    dropped = Some(GPS_FOUND);
                    continue;
                }
                EXIF | INTEROP if v != 0 => todo.push((v, false)),
                SUB_IFDS => {
                    if e.count > 64 {
                        return cannot(WHY);
                    }
                    if e.count == 1 {
                        todo.push((v, false));
                    } else if let Some(r) = value_range(o, e, w)? {
                        let Some(list) = cx.bytes(r, 0, r.len)? else {
                            return cannot(WHY);
                        };
                        for c in list.chunks_exact(4) {
                            if let &[a, b, c, d] = c {
                                todo.push((u64::from(o.u32([a, b, c, d])), false));
                            }
                        }
                    }
                }
                _ => {}
            }
            if let Some((_, what)) = DROPPED.iter().find(|(t, _)| *t == e.tag) {
                if let Some(r) = value_range(o, e, w)? {
                    cx.zero(r, what)?;
                }
                dropped = Some(what);
                continue;
            }
            kept.push(*e);
        }
        if let Some(what) = dropped {
            rewrite(cx, o, table, &kept, next, what)?;
        }
        thumbnail(cx, w, o, &kept)?;
        if chain && next != 0 {
            todo.push((u64::from(next), true));
        }
    }
    for off in gps_dirs {
        if !seen.insert(off) {
            return cannot(WHY);
        }
        let (entries, table, _) = read_ifd(cx, w, o, off)?;
        for e in &entries {
            if let Some(r) = value_range(o, e, w)? {
                cx.zero(r, GPS_FOUND)?;
            }
        }
        cx.zero(table, GPS_FOUND)?;
    }
    Ok(())
}

/// The JPEG thumbnail an IFD points to (IFD1's, usually) is a JPEG like any other,
/// and may carry metadata of its own: it is cleaned too. One that is not there, or is
/// not a JPEG, holds nothing to clean.
fn thumbnail<R: Read + Seek>(cx: &mut Cx<'_, R>, w: Win, o: Order, entries: &[Entry]) -> Res<()> {
    let value = |tag| {
        entries
            .iter()
            .find(|e| e.tag == tag)
            .map(|e| u64::from(o.u32(e.raw)))
    };
    let (Some(at), Some(len)) = (value(THUMB_AT), value(THUMB_LEN)) else {
        return Ok(());
    };
    let Some(t) = w.sub(at, len) else {
        return Ok(());
    };
    if cx.array::<3>(t, 0)? != Some([0xFF, 0xD8, 0xFF]) {
        return Ok(());
    }
    // A thumbnail inside a thumbnail is not followed further.
    if cx.nesting >= 2 {
        return cannot(WHY);
    }
    cx.nesting += 1;
    let r = crate::jpeg::clean(cx, t);
    cx.nesting -= 1;
    r
}

/// Writes an IFD's table again with only `kept`: the count, the entries, the next
/// offset, and zeros where the dropped entries were.
fn rewrite<R: Read + Seek>(
    cx: &mut Cx<'_, R>,
    o: Order,
    table: Win,
    kept: &[Entry],
    next: u32,
    what: &str,
) -> Res<()> {
    let Ok(n) = u16::try_from(kept.len()) else {
        return cannot(WHY);
    };
    let mut out = Vec::with_capacity(table.len as usize);
    out.extend_from_slice(&o.put16(n));
    for e in kept {
        out.extend_from_slice(&o.put16(e.tag));
        out.extend_from_slice(&o.put16(e.kind));
        let count = if o.little {
            e.count.to_le_bytes()
        } else {
            e.count.to_be_bytes()
        };
        out.extend_from_slice(&count);
        out.extend_from_slice(&e.raw);
    }
    // The next offset only if the table had one (2 + 12n bytes without it, 2 + 12n + 4 with).
    if table.len % 12 == 6 {
        let b = if o.little {
            next.to_le_bytes()
        } else {
            next.to_be_bytes()
        };
        out.extend_from_slice(&b);
    }
    out.resize(table.len as usize, 0);
    cx.put(table.base, out, what)?;
    Ok(())
}

/// True if the TIFF at the start of `w` points to a GPS directory (from any IFD that
/// [`clean`] follows), or if it cannot be read to its end (a directory not read may
/// be the GPS one); false only if every directory was read and none is.
pub(crate) fn has_gps<R: Read + Seek>(cx: &mut Cx<'_, R>, w: Win) -> Res<bool> {
    let m = cx.mark();
    let r = clean(cx, w);
    let found = cx.found_since(m).iter().any(|f| f == GPS_FOUND);
    cx.rewind(m);
    match r {
        Ok(()) => Ok(found),
        Err(Stop::Io(e)) => Err(Stop::Io(e)),
        // A directory it cannot read may be the GPS one: fail closed.
        Err(Stop::Cannot(_)) => Ok(true),
    }
}
