//! Patches, and the patched view of a file that the copy is read from.

use std::io::{self, Read, Seek, SeekFrom};

/// A byte range of the original to overwrite, with bytes of the same length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patch {
    /// Where the range starts, from the start of the file.
    pub offset: u64,
    /// What the range holds in the copy; its length is the range's.
    pub bytes: Vec<u8>,
}

impl Patch {
    /// One past the last byte the patch covers (saturating: a patch from `inspect` never
    /// reaches `u64::MAX`).
    pub fn end(&self) -> u64 {
        self.offset.saturating_add(self.bytes.len() as u64)
    }
}

/// Reads `inner` with `patches` applied: the location-free copy, to hash or write in one
/// streaming pass. Its length is `inner`'s.
#[derive(Debug)]
pub struct Patched<R> {
    inner: R,
    patches: Vec<Patch>,
    pos: u64,
    /// Where `inner`'s cursor is, when known (saves a seek per read).
    inner_pos: Option<u64>,
    /// The original's length, once asked.
    end: Option<u64>,
}

impl<R: Read + Seek> Patched<R> {
    /// A view of `inner` with `patches` applied. They must be in order of offset and must
    /// not overlap, as [`crate::inspect`] gives them; anything else is an
    /// `InvalidInput` error. Reading starts at offset 0.
    pub fn new(inner: R, patches: Vec<Patch>) -> io::Result<Self> {
        let ordered = patches.windows(2).all(|w| match w {
            [a, b] => a.end() <= b.offset,
            _ => true,
        });
        if !ordered
            || patches
                .iter()
                .any(|p| p.offset.checked_add(p.bytes.len() as u64).is_none())
        {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "patches must be in order of offset and must not overlap",
            ));
        }
        Ok(Self {
            inner,
            patches,
            pos: 0,
            inner_pos: None,
            end: None,
        })
    }

    /// The reader and the patches back.
    pub fn into_parts(self) -> (R, Vec<Patch>) {
        (self.inner, self.patches)
    }
}

impl<R: Read + Seek> Read for Patched<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        // The first patch that ends after `pos`.
        let i = self.patches.partition_point(|p| p.end() <= self.pos);
        let total = self.original_len()?;
        let limit = match self.patches.get(i) {
            Some(p) if p.offset <= self.pos => {
                // Inside a patch: its bytes, but only as far as the original goes.
                let from = usize::try_from(self.pos - p.offset).unwrap_or(usize::MAX);
                let rest = p.bytes.get(from..).unwrap_or(&[]);
                let n = rest.len().min(buf.len());
                let avail = total.saturating_sub(self.pos);
                let n = n.min(usize::try_from(avail).unwrap_or(usize::MAX));
                let (dst, src) = (buf.get_mut(..n), rest.get(..n));
                if let (Some(dst), Some(src)) = (dst, src) {
                    dst.copy_from_slice(src);
                }
                self.pos += n as u64;
                return Ok(n);
            }
            Some(p) => p.offset - self.pos,
            None => u64::MAX,
        };
        let want = buf.len().min(usize::try_from(limit).unwrap_or(usize::MAX));
        if self.inner_pos != Some(self.pos) {
            self.inner.seek(SeekFrom::Start(self.pos))?;
        }
        let dst = buf.get_mut(..want).unwrap_or(&mut []);
        let n = match self.inner.read(dst) {
            Ok(n) => n,
            Err(e) => {
                self.inner_pos = None;
                return Err(e);
            }
        };
        self.pos += n as u64;
        self.inner_pos = Some(self.pos);
        Ok(n)
    }
}

impl<R: Read + Seek> Patched<R> {
    /// The original's length (a patch never makes the copy longer).
    fn original_len(&mut self) -> io::Result<u64> {
        if let Some(end) = self.end {
            return Ok(end);
        }
        let end = self.inner.seek(SeekFrom::End(0))?;
        self.inner_pos = Some(end);
        self.end = Some(end);
        Ok(end)
    }
}

impl<R: Read + Seek> Seek for Patched<R> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let new = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
            SeekFrom::End(d) => self.original_len()?.checked_add_signed(d),
        };
        match new {
            Some(n) => {
                self.pos = n;
                Ok(n)
            }
            None => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek before the start of the file",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn patch(offset: u64, bytes: &[u8]) -> Patch {
        Patch {
            offset,
            bytes: bytes.to_vec(),
        }
    }

    fn view() -> (Patched<Cursor<Vec<u8>>>, Vec<u8>) {
        let original: Vec<u8> = (0..100).collect();
        let patches = vec![patch(0, b"abc"), patch(50, b"vwxyz"), patch(98, b"!!")];
        let mut expect = original.clone();
        for p in &patches {
            let at = p.offset as usize;
            expect[at..at + p.bytes.len()].copy_from_slice(&p.bytes);
        }
        (
            Patched::new(Cursor::new(original), patches).unwrap(),
            expect,
        )
    }

    #[test]
    fn reads_the_patched_bytes_whatever_the_buffer() {
        for size in [1, 2, 7, 64, 200] {
            let (mut v, expect) = view();
            let mut got = Vec::new();
            let mut buf = vec![0; size];
            loop {
                let n = v.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..n]);
            }
            assert_eq!(got, expect, "buffer of {size}");
        }
    }

    #[test]
    fn seeks_anywhere() {
        let (mut v, expect) = view();
        for (to, at) in [
            (SeekFrom::Start(52), 52usize),
            (SeekFrom::End(-3), 97),
            (SeekFrom::Current(-50), 50),
            (SeekFrom::Start(1), 1),
        ] {
            assert_eq!(v.seek(to).unwrap(), at as u64);
            let mut buf = [0; 3];
            v.read_exact(&mut buf).unwrap();
            assert_eq!(&buf, &expect[at..at + 3]);
        }
        assert!(v.seek(SeekFrom::Current(-1000)).is_err());
        v.seek(SeekFrom::End(5)).unwrap();
        assert_eq!(v.read(&mut [0; 4]).unwrap(), 0);
    }

    #[test]
    fn refuses_patches_out_of_order() {
        let c = Cursor::new(vec![0u8; 10]);
        assert!(Patched::new(c.clone(), vec![patch(4, b"ab"), patch(5, b"c")]).is_err());
        assert!(Patched::new(c.clone(), vec![patch(6, b"ab"), patch(1, b"c")]).is_err());
        assert!(Patched::new(c, vec![patch(u64::MAX, b"ab")]).is_err());
    }
}
