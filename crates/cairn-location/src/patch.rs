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
