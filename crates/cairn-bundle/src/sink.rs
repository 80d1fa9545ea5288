//! Writing the bundle file: sealed bytes go out in batches, hashed on a second thread
//! and pushed to disk on a third as they go; a temporary name beside the destination is
//! removed unless the export completes.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;

use cairn_core::Error;
use sha2::{Digest, Sha256};

/// Reads through to `inner`, stopping with [`Error::Cancelled`] when asked.
pub(crate) struct Cancellable<'a, R> {
    pub inner: R,
    pub cancel: &'a AtomicBool,
}

impl<R: Read> Read for Cancellable<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.cancel.load(Ordering::Relaxed) {
            return Err(io::Error::other(Error::Cancelled));
        }
        self.inner.read(buf)
    }
}

/// The bundle file, written 128 KiB at a time from this thread (the bytes just sealed
/// are still in its cache), then handed to a second thread that takes its SHA-256 (the
/// handover records it; hashing costs nearly as much as sealing). A third handle asks
/// the kernel to start writing to disk as it goes, as the vault does when a file is
/// added, so the final fsync has little left to wait for.
pub(crate) struct HashedFile {
    file: File,
    buf: Vec<u8>,
    unflushed: usize,
    to_hasher: Option<mpsc::SyncSender<Vec<u8>>>,
    free: mpsc::Receiver<Vec<u8>>,
    to_flusher: Option<mpsc::SyncSender<()>>,
    hasher: Option<thread::JoinHandle<[u8; 32]>>,
    /// Set once the export has failed: what the ZIP writer then writes as it is
    /// dropped (it finishes the archive, and prints when it cannot) is thrown away.
    pub discard: Arc<AtomicBool>,
}

/// Sets [`HashedFile::discard`] when dropped: declared after the bag, so that on an
/// early return it drops first.
pub(crate) struct Discard(pub Arc<AtomicBool>);

impl Drop for Discard {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Small batches are still in the cache when the hashing thread reads them.
const OUT_BATCH: usize = 1 << 17;
/// Batches queued for the hashing thread (bounds memory to a few MiB).
const OUT_IN_FLIGHT: usize = 16;
/// Ask the kernel to start writing to disk after this many bytes.
const FLUSH_EVERY: usize = 32 << 20;

impl HashedFile {
    pub fn new(file: File) -> HashedFile {
        let (to_hasher, rx) = mpsc::sync_channel::<Vec<u8>>(OUT_IN_FLIGHT);
        let (free_tx, free) = mpsc::sync_channel::<Vec<u8>>(OUT_IN_FLIGHT + 2);
        let hasher = thread::spawn(move || {
            let mut h = Sha256::new();
            for b in rx.iter() {
                h.update(&b);
                let _ = free_tx.try_send(b);
            }
            h.finalize().into()
        });
        let to_flusher = file.try_clone().ok().map(|f| {
            let (tx, rx) = mpsc::sync_channel::<()>(1);
            thread::spawn(move || {
                for () in rx.iter() {
                    // Best effort: the export's own sync_all is what makes it durable.
                    let _ = f.sync_data();
                }
            });
            tx
        });
        HashedFile {
            file,
            buf: Vec::with_capacity(OUT_BATCH),
            unflushed: 0,
            to_hasher: Some(to_hasher),
            free,
            to_flusher,
            hasher: Some(hasher),
            discard: Arc::new(AtomicBool::new(false)),
        }
    }

    fn write_out(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        if let Err(e) = self.file.write_all(&self.buf) {
            self.discard.store(true, Ordering::Relaxed);
            return Err(e);
        }
        self.unflushed += self.buf.len();
        if self.unflushed >= FLUSH_EVERY {
            if let Some(tx) = &self.to_flusher {
                // A flush still running is left to finish rather than waited for.
                let _ = tx.try_send(());
            }
            self.unflushed = 0;
        }
        let mut next = self
            .free
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(OUT_BATCH));
        next.clear();
        let full = std::mem::replace(&mut self.buf, next);
        match &self.to_hasher {
            Some(tx) if tx.send(full).is_ok() => Ok(()),
            _ => Err(io::Error::other("the thread hashing the bundle stopped")),
        }
    }

    /// Writes what is buffered and returns the file with the SHA-256 of all of it.
    pub fn finish(mut self) -> io::Result<(File, [u8; 32])> {
        self.write_out()?;
        drop(self.to_hasher.take());
        drop(self.to_flusher.take());
        let digest = self
            .hasher
            .take()
            .and_then(|h| h.join().ok())
            .ok_or_else(|| io::Error::other("the thread hashing the bundle stopped"))?;
        Ok((self.file, digest))
    }
}

impl Write for HashedFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.discard.load(Ordering::Relaxed) {
            return Ok(buf.len());
        }
        let n = (OUT_BATCH - self.buf.len()).min(buf.len());
        self.buf.extend_from_slice(&buf[..n]);
        if self.buf.len() == OUT_BATCH {
            self.write_out()?;
        }
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.write_out()
    }
}

/// The temporary file beside the destination; removed unless kept.
pub(crate) struct Partial {
    pub path: PathBuf,
    pub keep: bool,
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.keep {
            let _ = fs::remove_file(&self.path);
        }
    }
}
