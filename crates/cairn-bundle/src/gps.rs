//! Removing location data from a JPEG while copying it: the Exif GPS directory is
//! blanked and unlinked, XMP packets (which can repeat the position) are dropped, and
//! every other byte — the picture itself included — is copied unchanged.
//!
//! The copy is made in one streaming pass; only a metadata segment (at most 64 KiB) is
//! held in memory. Anything the parser cannot follow is an error, never a guess: a
//! file we cannot be sure is clean is left out of the bundle instead.

use std::io::{self, Read, Write};

/// Why a JPEG could not be cleaned.
#[derive(Debug)]
pub(crate) struct NotCleaned(pub String);

fn bad(s: &str) -> NotCleaned {
    NotCleaned(s.to_string())
}

impl From<io::Error> for NotCleaned {
    fn from(e: io::Error) -> Self {
        NotCleaned(format!("it could not be read ({e})"))
    }
}

/// XMP segment signatures (the main packet and extended parts).
const XMP_SIGNATURES: [&[u8]; 2] = [
    b"http://ns.adobe.com/xap/1.0/\0",
    b"http://ns.adobe.com/xmp/extension/\0",
];

/// Copies the JPEG in `r` to `w` without its location data.
pub(crate) fn strip_jpeg_location(r: &mut impl Read, w: &mut impl Write) -> Result<(), NotCleaned> {
    let mut soi = [0u8; 2];
    r.read_exact(&mut soi)?;
    if soi != [0xFF, 0xD8] {
        return Err(bad("it is not a JPEG"));
    }
    w.write_all(&soi)?;
    loop {
        let mut b = [0u8; 1];
        r.read_exact(&mut b)?;
        if b[0] != 0xFF {
            return Err(bad("its structure is not one Cairn can follow"));
        }
        // Fill bytes: any number of 0xFF before the marker code.
        let mut m = 0xFF;
        while m == 0xFF {
            r.read_exact(&mut b)?;
            m = b[0];
        }
        // Markers without a length.
        if m == 0x01 || (0xD0..=0xD7).contains(&m) {
            w.write_all(&[0xFF, m])?;
            continue;
        }
        if m == 0xD9 {
            w.write_all(&[0xFF, m])?;
            io::copy(r, w)?;
            return Ok(());
        }
        let mut len = [0u8; 2];
        r.read_exact(&mut len)?;
        let len = u16::from_be_bytes(len) as usize;
        if len < 2 {
            return Err(bad("a segment has an impossible length"));
        }
        let mut data = vec![0u8; len - 2];
        r.read_exact(&mut data)?;
        if m == 0xE1 && data.starts_with(b"Exif\0\0") {
            blank_gps(&mut data[6..])?;
        } else if m == 0xE1 && XMP_SIGNATURES.iter().any(|s| data.starts_with(s)) {
            continue;
        }
        w.write_all(&[0xFF, m])?;
        w.write_all(&(len as u16).to_be_bytes())?;
        w.write_all(&data)?;
        if m == 0xDA {
            // Start of scan: the rest is picture data (and the end marker).
            io::copy(r, w)?;
            return Ok(());
        }
    }
}

/// TIFF byte order.
#[derive(Clone, Copy)]
struct Order(bool);

impl Order {
    fn u16(self, d: &[u8], at: usize) -> Result<u16, NotCleaned> {
        let s = d
            .get(at..at + 2)
            .ok_or_else(|| bad("its Exif data is cut short"))?;
        let a = [s[0], s[1]];
        Ok(if self.0 {
            u16::from_le_bytes(a)
        } else {
            u16::from_be_bytes(a)
        })
    }
    fn u32(self, d: &[u8], at: usize) -> Result<u32, NotCleaned> {
        let s = d
            .get(at..at + 4)
            .ok_or_else(|| bad("its Exif data is cut short"))?;
        let a = [s[0], s[1], s[2], s[3]];
        Ok(if self.0 {
            u32::from_le_bytes(a)
        } else {
            u32::from_be_bytes(a)
        })
    }
}

/// Size in bytes of one value of a TIFF field type.
fn type_size(t: u16) -> Option<usize> {
    Some(match t {
        1 | 2 | 6 | 7 => 1,
        3 | 8 => 2,
        4 | 9 | 11 | 13 => 4,
        5 | 10 | 12 => 8,
        _ => return None,
    })
}

fn zero(d: &mut [u8], from: usize, len: usize) -> Result<(), NotCleaned> {
    let end = from
        .checked_add(len)
        .ok_or_else(|| bad("its Exif data is malformed"))?;
    d.get_mut(from..end)
        .ok_or_else(|| bad("its Exif data points outside itself"))?
        .fill(0);
    Ok(())
}

/// Zeroes the GPS directory of the TIFF structure in `d` (with the values it points
/// to) and removes its entry from the first directory. No offsets move.
fn blank_gps(d: &mut [u8]) -> Result<(), NotCleaned> {
    let order = match d.get(0..2) {
        Some(b"II") => Order(true),
        Some(b"MM") => Order(false),
        _ => return Err(bad("its Exif data has an unknown byte order")),
    };
    if order.u16(d, 2)? != 42 {
        return Err(bad("its Exif data is not TIFF"));
    }
    let ifd0 = order.u32(d, 4)? as usize;
    let n = order.u16(d, ifd0)? as usize;
    let entries = ifd0 + 2;
    let mut gps = None;
    for i in 0..n {
        let e = entries + 12 * i;
        if order.u16(d, e)? == 0x8825 {
            gps = Some((i, order.u32(d, e + 8)? as usize));
        }
    }
    let Some((k, gps_off)) = gps else {
        return Ok(());
    };
    // Zero every value the GPS directory points to, then the directory itself.
    let m = order.u16(d, gps_off)? as usize;
    for j in 0..m {
        let e = gps_off + 2 + 12 * j;
        let t = order.u16(d, e + 2)?;
        let count = order.u32(d, e + 4)? as usize;
        let size = type_size(t)
            .and_then(|s| s.checked_mul(count))
            .ok_or_else(|| bad("its GPS data has an unknown field type"))?;
        if size > 4 {
            let at = order.u32(d, e + 8)? as usize;
            zero(d, at, size)?;
        }
    }
    zero(d, gps_off, 2 + 12 * m + 4)?;
    // Unlink: shift the later entries up, move the next-directory offset after them.
    let next = order.u32(d, entries + 12 * n)?;
    let start = entries + 12 * k;
    let end = entries + 12 * n;
    d.copy_within(start + 12..end, start);
    let new_n = (n - 1) as u16;
    let count_bytes = if order.0 {
        new_n.to_le_bytes()
    } else {
        new_n.to_be_bytes()
    };
    d[ifd0..ifd0 + 2].copy_from_slice(&count_bytes);
    let next_at = entries + 12 * (n - 1);
    let next_bytes = if order.0 {
        next.to_le_bytes()
    } else {
        next.to_be_bytes()
    };
    d[next_at..next_at + 4].copy_from_slice(&next_bytes);
    zero(d, next_at + 4, 12)?;
    Ok(())
}
