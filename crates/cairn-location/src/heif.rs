//! HEIF image items (HEIC, AVIF): the item list (`iinf`) says what each item is, the
//! location list (`iloc`) where its bytes are, in the file or in `idat`.

use std::io::{Read, Seek};

use crate::bmff::{children, printable, Bx};
use crate::edits::{cannot, Cx, Res, Stop, Win, MAX_BLOCK};
use crate::{jpeg, tiff};

/// Item types that hold pictures (or how to lay them out), never a place.
const PICTURES: [&[u8; 4]; 13] = [
    b"hvc1", b"hvt1", b"lhv1", b"av01", b"avc1", b"grid", b"iden", b"iovl", b"tmap", b"unci",
    b"j2k1", b"vvc1", b"evc1",
];
const BROKEN: &str = "its image structure is broken";

/// One item from `iinf`.
struct Item {
    id: u32,
    kind: [u8; 4],
    content_type: Vec<u8>,
}

/// Where one item's bytes are, from `iloc`.
struct Loc {
    id: u32,
    method: u16,
    data_ref: u16,
    extents: Vec<(u64, u64)>,
}

/// Cleans the items listed in a `pict` meta box whose children are `kids`.
pub(crate) fn items<R: Read + Seek>(cx: &mut Cx<'_, R>, kids: &[Bx]) -> Res<()> {
    let mut list = Vec::new();
    let mut locs = Vec::new();
    let mut idat = None;
    // One list of items and one of their places: with two, readers differ on which
    // they take.
    for kind in [b"iinf", b"iloc", b"idat"] {
        if kids.iter().filter(|k| &k.kind == kind).count() > 1 {
            return cannot("it lists its items more than once");
        }
    }
    for k in kids {
        match &k.kind {
            b"iinf" => list = iinf(cx, k.body)?,
            b"iloc" => locs = iloc(cx, k.body)?,
            b"idat" => idat = Some(k.body),
            _ => {}
        }
    }
    for item in &list {
        let loc = locs.iter().find(|l| l.id == item.id);
        match &item.kind {
            k if PICTURES.contains(&k) => {}
            b"Exif" => {
                let w = one_extent(cx, loc, idat, "Exif")?;
                let Some(off) = cx.be32(w, 0)? else {
                    return cannot(BROKEN);
                };
                let Some(t) = w.from(4 + u64::from(off)) else {
                    return cannot("its Exif metadata cannot be followed");
                };
                tiff::clean(cx, t)?;
            }
            b"jpeg" => {
                let w = one_extent(cx, loc, idat, "JPEG")?;
                jpeg::clean(cx, w)?;
            }
            b"mime" if is_xmp(&item.content_type) => {
                for w in extents(cx, loc, idat, "XMP")? {
                    if w.len > MAX_BLOCK {
                        return cannot(
                            "a block of its metadata is too large to remove (over 16 MiB)",
                        );
                    }
                    cx.put(w.base, empty_xmp(w.len as usize), "XMP metadata")?;
                }
            }
            b"mime" => {
                let t = String::from_utf8_lossy(&item.content_type).into_owned();
                return cannot(format!("it has an image part Cairn cannot read ({t})"));
            }
            k => {
                return cannot(format!(
                    "it has an image part Cairn cannot read ({})",
                    printable(k)
                ))
            }
        }
    }
    Ok(())
}

/// An XMP packet with nothing in it, padded with spaces to `len` (zeros if it does not
/// fit): readers find valid, empty XMP where the item says there is XMP.
fn empty_xmp(len: usize) -> Vec<u8> {
    const EMPTY: &[u8] = b"<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"/>";
    if len < EMPTY.len() {
        return vec![0; len];
    }
    let mut out = EMPTY.to_vec();
    out.resize(len, b' ');
    out
}

fn is_xmp(content_type: &[u8]) -> bool {
    let t = String::from_utf8_lossy(content_type).to_ascii_lowercase();
    t.contains("xmp") || t.contains("rdf")
}

/// The ranges of the file an item's bytes are in: only this file's bytes (data
/// reference 0), by file offset or inside `idat`.
fn extents<R: Read + Seek>(
    cx: &mut Cx<'_, R>,
    loc: Option<&Loc>,
    idat: Option<Win>,
    what: &str,
) -> Res<Vec<Win>> {
    let why = || format!("its {what} metadata is stored in a way Cairn cannot clean");
    let Some(loc) = loc else {
        return Ok(Vec::new());
    };
    if loc.data_ref != 0 {
        return cannot(why());
    }
    let whole = cx.file();
    let mut out = Vec::new();
    for &(off, len) in &loc.extents {
        let base = match (loc.method, idat) {
            (0, _) => whole,
            (1, Some(idat)) => idat,
            _ => return cannot(why()),
        };
        // A length of 0 means "to the end", which is never how metadata is stored.
        let Some(w) = base.sub(off, len).filter(|_| len > 0) else {
            return cannot(why());
        };
        // It must be inside the file.
        if cx.array::<1>(w, len - 1)?.is_none() {
            return cannot(why());
        }
        out.push(w);
    }
    Ok(out)
}

/// The one range an item's bytes are in; several are refused.
fn one_extent<R: Read + Seek>(
    cx: &mut Cx<'_, R>,
    loc: Option<&Loc>,
    idat: Option<Win>,
    what: &str,
) -> Res<Win> {
    match extents(cx, loc, idat, what)?.as_slice() {
        [w] => Ok(*w),
        _ => cannot(format!(
            "its {what} metadata is stored in a way Cairn cannot clean"
        )),
    }
}

/// The item list.
fn iinf<R: Read + Seek>(cx: &mut Cx<'_, R>, w: Win) -> Res<Vec<Item>> {
    let Some([version, ..]) = cx.array::<4>(w, 0)? else {
        return cannot(BROKEN);
    };
    let start = if version == 0 { 6 } else { 8 };
    let Some(list) = w.from(start) else {
        return cannot(BROKEN);
    };
    let mut out = Vec::new();
    for b in children(cx, list)? {
        if &b.kind != b"infe" {
            continue;
        }
        let Some(body) = cx.bytes(b.body, 0, b.body.len)? else {
            return cannot(BROKEN);
        };
        let mut r = Bytes(&body, 0);
        let version = r.take(4)?.first().copied().unwrap_or(0);
        let id = match version {
            2 => u32::from(r.u16()?),
            3 => r.u32()?,
            _ => return cannot("its image items are listed in an old form Cairn cannot read"),
        };
        r.u16()?;
        let kind = r.array::<4>()?;
        r.cstr()?;
        let content_type = if &kind == b"mime" {
            r.cstr()?
        } else {
            Vec::new()
        };
        out.push(Item {
            id,
            kind,
            content_type,
        });
    }
    Ok(out)
}

/// The location list.
fn iloc<R: Read + Seek>(cx: &mut Cx<'_, R>, w: Win) -> Res<Vec<Loc>> {
    if w.len > MAX_BLOCK {
        return cannot("its image item list is too large to check");
    }
    let Some(body) = cx.bytes(w, 0, w.len)? else {
        return cannot(BROKEN);
    };
    let mut r = Bytes(&body, 0);
    let version = r.take(4)?.first().copied().unwrap_or(0);
    if version > 2 {
        return cannot(BROKEN);
    }
    let [a, b] = r.array::<2>()?;
    let (off_size, len_size, base_size) = (a >> 4, a & 15, b >> 4);
    let index_size = if version == 0 { 0 } else { b & 15 };
    let count = if version < 2 {
        u32::from(r.u16()?)
    } else {
        r.u32()?
    };
    let mut out = Vec::new();
    for _ in 0..count {
        let id = if version < 2 {
            u32::from(r.u16()?)
        } else {
            r.u32()?
        };
        let method = if version == 0 { 0 } else { r.u16()? & 15 };
        let data_ref = r.u16()?;
        let base = r.sized(base_size)?;
        let n = r.u16()?;
        let mut extents = Vec::new();
        for _ in 0..n {
            r.sized(index_size)?;
            let off = r.sized(off_size)?;
            let len = r.sized(len_size)?;
            let Some(off) = base.checked_add(off) else {
                return cannot(BROKEN);
            };
            extents.push((off, len));
        }
        out.push(Loc {
            id,
            method,
            data_ref,
            extents,
        });
    }
    Ok(out)
}

/// A reader over bytes already held, that fails as "broken" past their end.
struct Bytes<'a>(&'a [u8], usize);

impl Bytes<'_> {
    fn take(&mut self, n: usize) -> Res<&[u8]> {
        let end = self.1.checked_add(n).ok_or(Stop::Cannot(BROKEN.into()))?;
        let s = self.0.get(self.1..end).ok_or(Stop::Cannot(BROKEN.into()))?;
        self.1 = end;
        Ok(s)
    }
    fn array<const N: usize>(&mut self) -> Res<[u8; N]> {
        self.take(N)?
            .try_into()
            .map_err(|_| Stop::Cannot(BROKEN.into()))
    }
    fn u16(&mut self) -> Res<u16> {
        Ok(u16::from_be_bytes(self.array()?))
    }
    fn u32(&mut self) -> Res<u32> {
        Ok(u32::from_be_bytes(self.array()?))
    }
    /// A big-endian number of 0, 4 or 8 bytes.
    fn sized(&mut self, n: u8) -> Res<u64> {
        match n {
            0 => Ok(0),
            4 => Ok(u64::from(self.u32()?)),
            8 => Ok(u64::from_be_bytes(self.array()?)),
            _ => cannot(BROKEN),
        }
    }
    /// A NUL-terminated string (the rest, if it has no NUL).
    fn cstr(&mut self) -> Res<Vec<u8>> {
        let rest = self.0.get(self.1..).unwrap_or(&[]);
        let n = rest.iter().position(|&c| c == 0).unwrap_or(rest.len());
        let s = rest.get(..n).unwrap_or(&[]).to_vec();
        self.1 = self.1.saturating_add(n + 1).min(self.0.len());
        Ok(s)
    }
}
