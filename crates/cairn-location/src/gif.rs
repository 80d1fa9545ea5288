//! GIF: blocks; application extensions other than looping and colour are blanked.

use std::io::{Read, Seek};

use crate::edits::{cannot, Cx, Res, Win};

/// Application identifiers (8 bytes and a 3-byte code) kept: looping and colour.
const KEPT_APPS: [&[u8; 11]; 3] = [b"NETSCAPE2.0", b"ANIMEXTS1.0", b"ICCRGBG1012"];
const BROKEN: &str = "its GIF structure is broken";

/// Cleans the GIF in `w`.
pub(crate) fn clean<R: Read + Seek>(cx: &mut Cx<'_, R>, w: Win) -> Res<()> {
    let Some(lsd) = cx.array::<7>(w, 6)? else {
        return cannot(BROKEN);
    };
    let mut pos = 13u64 + table_len(lsd[4]);
    loop {
        let Some([block]) = cx.array::<1>(w, pos)? else {
            // A cut-short GIF: nothing after it to clear.
            return Ok(());
        };
        match block {
            0x3B => {
                if let Some(rest) = w.from(pos + 1) {
                    cx.zero(rest, "data after the picture")?;
                }
                return Ok(());
            }
            0x2C => {
                let Some(desc) = cx.array::<9>(w, pos + 1)? else {
                    return cannot(BROKEN);
                };
                // Descriptor, local colour table, LZW code size, then sub-blocks.
                pos = skip_blocks(cx, w, pos + 10 + table_len(desc[8]) + 1)?;
            }
            0x21 => {
                let Some([label]) = cx.array::<1>(w, pos + 1)? else {
                    return cannot(BROKEN);
                };
                let start = pos + 2;
                if label == 0xFF {
                    pos = application(cx, w, start)?;
                } else {
                    pos = skip_blocks(cx, w, start)?;
                }
            }
            _ => return cannot(BROKEN),
        }
    }
}

/// Bytes in a colour table, from a packed field whose top bit says there is one.
fn table_len(packed: u8) -> u64 {
    if packed & 0x80 == 0 {
        0
    } else {
        3 * (2u64 << (packed & 7))
    }
}

/// Skips sub-blocks from `pos`; the offset after their terminator.
fn skip_blocks<R: Read + Seek>(cx: &mut Cx<'_, R>, w: Win, mut pos: u64) -> Res<u64> {
    loop {
        let Some([n]) = cx.array::<1>(w, pos)? else {
            return cannot(BROKEN);
        };
        pos += 1 + u64::from(n);
        if n == 0 {
            return Ok(pos);
        }
    }
}

/// An application extension whose sub-blocks start at `start`: kept if known, else its
/// identifier and data become zero-filled sub-blocks of the same total length.
fn application<R: Read + Seek>(cx: &mut Cx<'_, R>, w: Win, start: u64) -> Res<u64> {
    let end = skip_blocks(cx, w, start)?;
    let id = cx.array::<12>(w, start)?;
    if let Some([11, rest @ ..]) = id {
        if KEPT_APPS.contains(&&rest) {
            return Ok(end);
        }
    }
    let what = match id {
        Some([11, b'X', b'M', b'P', b' ', b'D', b'a', b't', b'a', ..]) => "XMP metadata",
        _ => "GIF application data",
    };
    // XMP in GIF is raw text that only parses as sub-blocks thanks to a trailer; zeroing
    // the data inside the lengths it seems to have would leave stray characters, so the
    // whole run is written again.
    let Some(body) = w.sub(start, end - start) else {
        return cannot(BROKEN);
    };
    if body.len > crate::edits::MAX_BLOCK {
        return cannot("a block of its metadata is too large to remove (over 16 MiB)");
    }
    // An 11-byte identifier of zeros first, as readers expect one, where it fits.
    let fill = match (id, body.len.checked_sub(12).and_then(zero_blocks)) {
        (Some([11, ..]), Some(rest)) => [vec![11], vec![0; 11], rest].concat(),
        _ => match zero_blocks(body.len) {
            Some(f) => f,
            None => return cannot(BROKEN),
        },
    };
    cx.put(body.base, fill, what)?;
    Ok(end)
}

/// `n` bytes of sub-blocks holding zeros, the last byte the terminator; `None` when no
/// such run exists (n is 2: one length byte cannot hold an empty block).
fn zero_blocks(n: u64) -> Option<Vec<u8>> {
    let n = usize::try_from(n).ok()?;
    let mut out = Vec::with_capacity(n);
    let mut left = n.checked_sub(1)?;
    while left > 0 {
        // Each block is a length byte and 1..=255 zeros; never leave 1 byte over.
        let mut k = (left - 1).min(255);
        if k == 0 {
            return None;
        }
        if left - (k + 1) == 1 {
            k -= 1;
        }
        if k == 0 {
            return None;
        }
        out.push(u8::try_from(k).ok()?);
        out.resize(out.len() + k, 0);
        left -= k + 1;
    }
    out.push(0);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::zero_blocks;

    #[test]
    fn zero_blocks_fill_exactly() {
        for n in 1..2000u64 {
            if let Some(b) = zero_blocks(n) {
                assert_eq!(b.len() as u64, n);
                // It parses as sub-blocks ending at the last byte.
                let mut i = 0usize;
                loop {
                    let len = b[i] as usize;
                    i += 1 + len;
                    if len == 0 {
                        break;
                    }
                }
                assert_eq!(i, b.len());
            } else {
                assert!(n == 2, "{n}");
            }
        }
    }
}
