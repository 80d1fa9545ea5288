//! What every format's reader shares: bounded reads from the file, and the patches
//! collected so far.

use std::io::{self, Read, Seek, SeekFrom};

use crate::patch::Patch;

/// The most of one metadata block that is ever held in memory, and the longest one patch.
pub(crate) const MAX_BLOCK: u64 = 16 << 20;
/// The most patch bytes one file may need (several blocks, a trailer).
const MAX_TOTAL: u64 = 64 << 20;

/// Why reading stopped early.
#[derive(Debug)]
pub(crate) enum Stop {
    /// The reader failed: returned to the caller as it is.
    Io(io::Error),
    /// The file holds, or may hold, location that cannot be removed with certainty.
    Cannot(String),
}

impl From<io::Error> for Stop {
    fn from(e: io::Error) -> Self {
        Stop::Io(e)
    }
}

/// Shorthand for the result of every reader.
pub(crate) type Res<T> = Result<T, Stop>;

/// A `Stop::Cannot` with its reason.
pub(crate) fn cannot<T>(why: impl Into<String>) -> Res<T> {
    Err(Stop::Cannot(why.into()))
}

/// A range of the file, as offsets from the start of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Win {
    /// Where it starts.
    pub base: u64,
    /// How long it is.
    pub len: u64,
}

impl Win {
    /// One past its last byte.
    pub fn end(self) -> u64 {
        self.base.saturating_add(self.len)
    }

    /// The part `off..off + len` of it, if it lies inside.
    pub fn sub(self, off: u64, len: u64) -> Option<Win> {
        let end = off.checked_add(len)?;
        (end <= self.len).then(|| Win {
            base: self.base + off,
            len,
        })
    }

    /// Everything from `off` on, if `off` lies inside (or at its end).
    pub fn from(self, off: u64) -> Option<Win> {
        self.sub(off, self.len.checked_sub(off)?)
    }
}

/// The reader, the patches so far and the plain names of what they remove.
pub(crate) struct Cx<'r, R> {
    r: &'r mut R,
    /// The file's length: nothing past it is ever read.
    len: u64,
    /// How many containers deep this reading is (a photo inside a zip is 1).
    pub depth: u8,
    /// How many pictures deep inside this file's metadata (an Exif thumbnail is 1).
    pub nesting: u8,
    patches: Vec<Patch>,
    found: Vec<String>,
    total: u64,
}

/// How far the patches had got, to go back to when a part cannot be cleaned after all.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mark {
    patches: usize,
    found: usize,
    total: u64,
}

impl<'r, R: Read + Seek> Cx<'r, R> {
    /// A fresh reading of `r`, whose length is `len`.
    pub fn new(r: &'r mut R, len: u64, depth: u8) -> Self {
        Self {
            r,
            len,
            depth,
            nesting: 0,
            patches: Vec::new(),
            found: Vec::new(),
            total: 0,
        }
    }

    /// All of the file.
    pub fn file(&self) -> Win {
        Win {
            base: 0,
            len: self.len,
        }
    }

    /// The reader itself (for readers that stream, such as the raw scan).
    pub fn reader(&mut self) -> &mut R {
        self.r
    }

    /// Reads exactly `buf.len()` bytes at `off` of `w`; false (and nothing read) if they
    /// are not all inside `w`.
    pub fn read_at(&mut self, w: Win, off: u64, buf: &mut [u8]) -> Res<bool> {
        match w.sub(off, buf.len() as u64) {
            Some(r) if r.end() <= self.len => {}
            _ => return Ok(false),
        }
        self.r.seek(SeekFrom::Start(w.base + off))?;
        self.r.read_exact(buf)?;
        Ok(true)
    }

    /// `n` bytes at `off` of `w`, if inside it; a block over [`MAX_BLOCK`] cannot be held.
    pub fn bytes(&mut self, w: Win, off: u64, n: u64) -> Res<Option<Vec<u8>>> {
        if n > MAX_BLOCK {
            return cannot("a block of its metadata is too large to check (over 16 MiB)");
        }
        let mut buf = vec![0; n as usize];
        Ok(self.read_at(w, off, &mut buf)?.then_some(buf))
    }

    /// `N` bytes at `off` of `w`, if inside it.
    pub fn array<const N: usize>(&mut self, w: Win, off: u64) -> Res<Option<[u8; N]>> {
        let mut buf = [0; N];
        Ok(self.read_at(w, off, &mut buf)?.then_some(buf))
    }

    /// A big-endian u32 at `off` of `w`, if inside it.
    pub fn be32(&mut self, w: Win, off: u64) -> Res<Option<u32>> {
        Ok(self.array::<4>(w, off)?.map(u32::from_be_bytes))
    }

    /// Overwrites `bytes.len()` bytes at `abs` (from the start of the file) with `bytes`,
    /// naming what that removes. A patch that would change nothing is dropped (and its
    /// name not recorded), so a clean copy inspects as clean. True if it changes bytes.
    pub fn put(&mut self, abs: u64, bytes: Vec<u8>, what: &str) -> Res<bool> {
        let n = bytes.len() as u64;
        if n == 0 {
            return Ok(false);
        }
        let Some(old) = self.bytes(self.file(), abs, n)? else {
            return Ok(false);
        };
        if old == bytes {
            return Ok(false);
        }
        self.total = self.total.saturating_add(n);
        if self.total > MAX_TOTAL {
            return cannot("it has too much metadata to remove (over 64 MiB)");
        }
        self.patches.push(Patch { offset: abs, bytes });
        // A checksum or a flag that follows another patch has no name of its own.
        if !what.is_empty() && !self.found.iter().any(|f| f == what) {
            self.found.push(what.to_string());
        }
        Ok(true)
    }

    /// Zeros all of `w`, naming what that removes. True if it changes bytes.
    pub fn zero(&mut self, w: Win, what: &str) -> Res<bool> {
        if w.len > MAX_BLOCK {
            return cannot("a block of its metadata is too large to remove (over 16 MiB)");
        }
        self.put(w.base, vec![0; w.len as usize], what)
    }

    /// Where the patches are now.
    pub fn mark(&self) -> Mark {
        Mark {
            patches: self.patches.len(),
            found: self.found.len(),
            total: self.total,
        }
    }

    /// Drops every patch made since `m`.
    pub fn rewind(&mut self, m: Mark) {
        self.patches.truncate(m.patches);
        self.found.truncate(m.found);
        self.total = m.total;
    }

    /// The patches made since `m` that fall inside `w`, with `w`'s original bytes under
    /// them, as `w`'s bytes in the copy (for a checksum over a patched block).
    pub fn patched_bytes(&mut self, w: Win, since: Mark) -> Res<Option<Vec<u8>>> {
        let Some(mut buf) = self.bytes(w, 0, w.len)? else {
            return Ok(None);
        };
        for p in self.patches.get(since.patches..).unwrap_or(&[]) {
            for (i, b) in p.bytes.iter().enumerate() {
                let at = p.offset.checked_add(i as u64);
                if let Some(at) = at.and_then(|a| a.checked_sub(w.base)) {
                    if let Some(slot) = usize::try_from(at).ok().and_then(|a| buf.get_mut(a)) {
                        *slot = *b;
                    }
                }
            }
        }
        Ok(Some(buf))
    }

    /// The names of what was found since `m`.
    pub fn found_since(&self, m: Mark) -> &[String] {
        self.found.get(m.found..).unwrap_or(&[])
    }

    /// True if any patch was made since `m`.
    pub fn changed_since(&self, m: Mark) -> bool {
        self.patches.len() > m.patches
    }

    /// The patches in order of offset, where two that overlap are joined if they agree
    /// on the bytes they share; `None` if two disagree.
    pub fn finish(self) -> Option<(Vec<Patch>, Vec<String>)> {
        let mut patches = self.patches;
        patches.sort_by_key(|p| p.offset);
        let mut out: Vec<Patch> = Vec::with_capacity(patches.len());
        for p in patches {
            let Some(last) = out.last_mut() else {
                out.push(p);
                continue;
            };
            if p.offset >= last.end() {
                out.push(p);
                continue;
            }
            let skip = usize::try_from(p.offset - last.offset).ok()?;
            for (i, b) in p.bytes.iter().enumerate() {
                let at = skip.checked_add(i)?;
                match last.bytes.get(at) {
                    Some(old) if old != b => return None,
                    Some(_) => {}
                    None => last.bytes.push(*b),
                }
            }
        }
        Some((out, self.found))
    }
}
