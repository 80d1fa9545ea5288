//! Encrypted blob files: every original file (and every thumbnail) lives in
//! `blobs/<2 hex>/<32 hex>` as chunked XChaCha20-Poly1305 under a random key that is
//! kept only in the encrypted database.
//!
//! Layout (see docs/FORMAT.md): a 48-byte header — `CAIRNBLB`, version 1, log2 of the
//! chunk size (16), two zero bytes, the 16-byte blob id, a 19-byte nonce prefix, one
//! zero byte — then 64 KiB plaintext chunks, each followed by its 16-byte tag. Chunk
//! `i` uses the nonce `prefix ‖ u32be(i) ‖ last` (`last` = 1 only on the final chunk,
//! which may be empty) and the whole header as associated data. So chunks cannot be
//! reordered, dropped, appended, or moved to another blob, and the file cannot be cut
//! short at a chunk boundary without detection.
//!
//! Writing streams in one pass on two threads: one reads and hashes the plaintext,
//! the other encrypts and writes. Memory stays bounded by a few 1 MiB batches.

use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use sha2::{Digest, Sha256};

use crate::chunkcipher::{ChunkCipher, TAG};
use crate::error::{Error, Result};
use crate::fsutil;
use crate::keys::hex;
use crate::secret::{random_array, SecretKey};

/// Plaintext bytes per chunk.
pub const CHUNK: usize = 1 << 16;
const CHUNK_LOG2: u8 = 16;
/// Bytes of the blob header.
pub const HEADER_LEN: usize = 48;
const MAGIC: &[u8; 8] = b"CAIRNBLB";
const VERSION: u8 = 1;
/// Chunks per batch handed between the threads.
const BATCH_CHUNKS: usize = 16;
const BATCH: usize = CHUNK * BATCH_CHUNKS;
/// Start writing to disk after this many new bytes (see `store_inner`).
const FLUSH_EVERY: usize = 32 << 20;
/// Batches in flight between the threads (bounds memory).
const IN_FLIGHT: usize = 3;
/// Chunks per batch in [`BlobReader::decrypt_ahead`], and batches in flight: small
/// batches are still in the cache when the other thread reads them.
const AHEAD_CHUNKS: usize = 2;
const AHEAD_IN_FLIGHT: usize = 8;

/// Where blobs live inside the vault folder.
pub(crate) const BLOB_DIR: &str = "blobs";
/// Where blobs are written before they are complete.
pub(crate) const TMP_DIR: &str = "blobs/tmp";

/// What was stored.
#[derive(Debug)]
pub(crate) struct StoredBlob {
    /// Plaintext length.
    pub size: u64,
    /// SHA-256 of the plaintext.
    pub sha256: [u8; 32],
    /// What the raw scan for signs of location found as the bytes passed, and whether
    /// the file is one only that scan decides ([`cairn_location::raw_scan_only`]);
    /// `None` if the scan was upset by what it read (counted as holding location).
    pub scanned: Option<(bool, cairn_location::Signs)>,
}

/// A new random blob id (32 lower-case hex digits).
pub(crate) fn new_id() -> Result<String> {
    Ok(hex(&random_array::<16>()?))
}

fn id_bytes(id: &str) -> Option<[u8; 16]> {
    if id.len() != 32
        || !id
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&id[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

/// The final path of blob `id`. Ids come from the database, which a damaged or
/// tampered vault may fill with anything, so they are checked before use in a path.
pub(crate) fn path(vault: &Path, id: &str) -> Result<PathBuf> {
    if id_bytes(id).is_none() {
        return Err(damaged(id, "its id is not valid"));
    }
    Ok(vault.join(BLOB_DIR).join(&id[..2]).join(id))
}

fn too_large() -> Error {
    Error::Invalid("Files larger than 256 TiB cannot be stored.".into())
}

/// Streams `src` into a new blob `id` encrypted under `key`; returns size and SHA-256.
/// The file is written under `blobs/tmp`, fsynced and renamed into place; on any error
/// or cancel the temporary file is removed.
pub(crate) fn store(
    vault: &Path,
    id: &str,
    key: &SecretKey,
    src: &mut (dyn Read + Send),
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<StoredBlob> {
    let tmp_dir = vault.join(TMP_DIR);
    // A copied or restored vault may lack the empty tmp folder.
    fsutil::create_private_dir(&tmp_dir)?;
    let tmp = tmp_dir.join(format!("{id}.part"));
    let result = store_inner(vault, id, key, src, &tmp, progress, cancel);
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[allow(clippy::too_many_arguments)]
fn store_inner(
    vault: &Path,
    id: &str,
    key: &SecretKey,
    src: &mut (dyn Read + Send),
    tmp: &Path,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<StoredBlob> {
    let idb = id_bytes(id).ok_or_else(|| Error::Invalid("Bad blob id.".into()))?;
    let prefix: [u8; 19] = random_array()?;
    let mut header = [0u8; HEADER_LEN];
    header[..8].copy_from_slice(MAGIC);
    header[8] = VERSION;
    header[9] = CHUNK_LOG2;
    header[12..28].copy_from_slice(&idb);
    header[28..47].copy_from_slice(&prefix);

    let file = fsutil::create_private(tmp)?;
    // A second handle lets a helper thread push written data to disk while encryption
    // goes on, so the final fsync has little left to do (the kernel would otherwise
    // hold it all in memory until then on a machine with plenty of RAM).
    let flusher = file.try_clone().map_err(|e| Error::io("open", tmp, e))?;
    let mut out = BufWriter::with_capacity(BATCH + BATCH_CHUNKS * TAG, file);
    out.write_all(&header)
        .map_err(|e| Error::io("write to", tmp, e))?;
    let cipher = ChunkCipher::new(key, &prefix);

    // Reader/hasher thread → (batch, len) → this thread encrypts and writes.
    let (full_tx, full_rx) = mpsc::sync_channel::<io::Result<Vec<u8>>>(IN_FLIGHT);
    let (free_tx, free_rx) = mpsc::sync_channel::<Vec<u8>>(IN_FLIGHT + 2);
    let mut size: u64 = 0;
    let mut chunk_index: u64 = 0;

    type Scanned = Option<(bool, cairn_location::Signs)>;
    let (digest, scanned) = std::thread::scope(|s| -> Result<([u8; 32], Scanned)> {
        let (flush_tx, flush_rx) = mpsc::sync_channel::<()>(1);
        s.spawn(move || {
            for () in flush_rx.iter() {
                // Best effort: the final sync_all below is what guarantees durability.
                let _ = flusher.sync_data();
            }
        });
        let mut unflushed = 0usize;
        let reader = s.spawn(move || -> ([u8; 32], Scanned) {
            let mut hasher = Sha256::new();
            // The raw scan for signs of location rides on this pass, so no file is read
            // again for it: it decides a file no parser takes apart, and finds position
            // tracks in a video's media data, where no parser looks (a crafted file that
            // upsets the scan counts as holding location: it is left out of bundles).
            let mut scan = cairn_location::Scan::new();
            let mut raw_only: Option<bool> = None;
            let mut scan_broke = false;
            loop {
                if cancel.load(Ordering::Relaxed) {
                    break;
                }
                let mut buf = free_rx.try_recv().unwrap_or_else(|_| vec![0u8; BATCH]);
                buf.resize(BATCH, 0);
                let mut filled = 0;
                let mut failed = None;
                while filled < BATCH {
                    match src.read(&mut buf[filled..]) {
                        Ok(0) => break,
                        Ok(n) => filled += n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => {
                            failed = Some(e);
                            break;
                        }
                    }
                }
                if let Some(e) = failed {
                    let _ = full_tx.send(Err(e));
                    break;
                }
                if filled == 0 {
                    break;
                }
                buf.truncate(filled);
                hasher.update(&buf);
                raw_only.get_or_insert_with(|| {
                    cairn_location::raw_scan_only(buf.get(..16).unwrap_or(&buf))
                });
                if !scan_broke {
                    let pushed =
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| scan.push(&buf)));
                    scan_broke |= !matches!(pushed, Ok(Ok(())));
                }
                let eof = filled < BATCH;
                if full_tx.send(Ok(buf)).is_err() || eof {
                    break;
                }
            }
            let signs = if scan_broke {
                None
            } else {
                match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| scan.signs())) {
                    Ok(Ok(signs)) => Some((raw_only.unwrap_or(true), signs)),
                    _ => None,
                }
            };
            (hasher.finalize().into(), signs)
        });

        // Hold one batch back: only when the channel closes do we know which chunk is last.
        let mut held: Option<Vec<u8>> = None;
        let mut write_batch =
            |buf: &mut Vec<u8>, last_batch: bool, out: &mut BufWriter<File>| -> Result<()> {
                let len = buf.len();
                let n_chunks = if len == 0 { 1 } else { len.div_ceil(CHUNK) };
                for c in 0..n_chunks {
                    let start = c * CHUNK;
                    let end = (start + CHUNK).min(len);
                    let last = last_batch && c + 1 == n_chunks;
                    let i = u32::try_from(chunk_index).map_err(|_| too_large())?;
                    let tag = cipher.seal(i, last, &header, &mut buf[start..end])?;
                    out.write_all(&buf[start..end])
                        .and_then(|_| out.write_all(&tag))
                        .map_err(|e| Error::io("write to", tmp, e))?;
                    chunk_index += 1;
                }
                size += len as u64;
                unflushed += len;
                if unflushed >= FLUSH_EVERY {
                    // If a flush is still running, skip this one rather than wait.
                    let _ = flush_tx.try_send(());
                    unflushed = 0;
                }
                progress(size);
                Ok(())
            };
        let outcome = (|| -> Result<()> {
            for msg in full_rx.iter() {
                let buf =
                    msg.map_err(|e| Error::io("read", Path::new("the file being added"), e))?;
                if cancel.load(Ordering::Relaxed) {
                    return Err(Error::Cancelled);
                }
                if let Some(mut prev) = held.take() {
                    write_batch(&mut prev, false, &mut out)?;
                    let _ = free_tx.try_send(prev);
                }
                held = Some(buf);
            }
            if cancel.load(Ordering::Relaxed) {
                return Err(Error::Cancelled);
            }
            let mut last = held.take().unwrap_or_default();
            write_batch(&mut last, true, &mut out)
        })();
        drop(full_rx);
        // Lets the flusher thread finish (the scope waits for it).
        drop(flush_tx);
        let digest = reader
            .join()
            .map_err(|_| Error::Invalid("The file reader stopped unexpectedly.".into()))?;
        outcome.map(|_| digest)
    })?;

    let file = out
        .into_inner()
        .map_err(|e| Error::io("write to", tmp, e.into_error()))?;
    file.sync_all().map_err(|e| Error::io("flush", tmp, e))?;
    drop(file);
    let final_path = path(vault, id)?;
    let parent = final_path.parent().unwrap_or(vault).to_path_buf();
    if !parent.is_dir() {
        fsutil::create_private_dir(&parent)?;
        // The new subfolder's own entry must be durable too, or a power cut could lose it.
        fsutil::sync_dir(&vault.join(BLOB_DIR))?;
    }
    fs::rename(tmp, &final_path).map_err(|e| Error::io("move into place", &final_path, e))?;
    fsutil::sync_dir(&parent)?;
    Ok(StoredBlob {
        size,
        sha256: digest,
        scanned,
    })
}

fn damaged(id: &str, detail: impl Into<String>) -> Error {
    Error::BlobDamaged {
        blob: id.to_string(),
        detail: detail.into(),
    }
}

/// Reads a blob's plaintext with random access; every chunk is authenticated before
/// any of its bytes are returned.
pub struct BlobReader {
    file: File,
    id: String,
    cipher: ChunkCipher,
    header: [u8; HEADER_LEN],
    size: u64,
    n_chunks: u64,
    pos: u64,
    buf: Vec<u8>,
    buf_chunk: Option<u64>,
}

impl std::fmt::Debug for BlobReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobReader")
            .field("id", &self.id)
            .field("size", &self.size)
            .finish()
    }
}

impl BlobReader {
    /// Opens blob `id`, checking its header and that its length matches `expected_size`.
    pub(crate) fn open(
        vault: &Path,
        id: &str,
        key: &SecretKey,
        expected_size: u64,
    ) -> Result<Self> {
        let p = path(vault, id)?;
        fsutil::check_parents(vault, &p)?;
        let mut file = match fsutil::open_plain(&p, false) {
            Ok(f) => f,
            Err(e) if fsutil::is_not_found(&e) => return Err(Error::BlobMissing(id.into())),
            Err(e) => return Err(e),
        };
        let len = file.metadata().map_err(|e| Error::io("read", &p, e))?.len();
        let mut header = [0u8; HEADER_LEN];
        if len < (HEADER_LEN + TAG) as u64 {
            return Err(damaged(id, "it is cut short"));
        }
        file.read_exact(&mut header)
            .map_err(|e| Error::io("read", &p, e))?;
        if &header[..8] != MAGIC || header[8] != VERSION || header[9] != CHUNK_LOG2 {
            return Err(damaged(id, "its header is not a Cairn blob header"));
        }
        if header[10..12] != [0, 0] || header[47] != 0 {
            return Err(damaged(id, "its header is damaged"));
        }
        if Some(&header[12..28]) != id_bytes(id).as_ref().map(|b| &b[..]) {
            return Err(damaged(id, "it holds another stored file's data"));
        }
        let body = len - HEADER_LEN as u64;
        let stride = (CHUNK + TAG) as u64;
        let n_chunks = body.div_ceil(stride);
        let last_ct = body - (n_chunks - 1) * stride;
        if last_ct < TAG as u64 {
            return Err(damaged(id, "its length is wrong"));
        }
        let size = (n_chunks - 1) * CHUNK as u64 + last_ct - TAG as u64;
        if size != expected_size {
            return Err(damaged(
                id,
                if size < expected_size {
                    "it is cut short"
                } else {
                    "it is longer than it should be"
                },
            ));
        }
        let mut prefix = [0u8; 19];
        prefix.copy_from_slice(&header[28..47]);
        Ok(BlobReader {
            file,
            id: id.to_string(),
            cipher: ChunkCipher::new(key, &prefix),
            header,
            size,
            n_chunks,
            pos: 0,
            buf: Vec::with_capacity(CHUNK + TAG),
            buf_chunk: None,
        })
    }

    /// Plaintext length.
    pub fn size(&self) -> u64 {
        self.size
    }

    fn load_chunk(&mut self, i: u64) -> Result<()> {
        if self.buf_chunk == Some(i) {
            return Ok(());
        }
        self.buf_chunk = None;
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        let r = self.append_chunk(i, &mut buf);
        self.buf = buf;
        r?;
        self.buf_chunk = Some(i);
        Ok(())
    }

    /// Reads chunk `i`, authenticates it and appends its plaintext to `dst`.
    fn append_chunk(&mut self, i: u64, dst: &mut Vec<u8>) -> Result<()> {
        let stride = (CHUNK + TAG) as u64;
        let offset = HEADER_LEN as u64 + i * stride;
        let last = i + 1 == self.n_chunks;
        let ct_len = if last {
            (self.size - i * CHUNK as u64) as usize + TAG
        } else {
            CHUNK + TAG
        };
        let start = dst.len();
        dst.resize(start + ct_len, 0);
        self.file
            .seek(SeekFrom::Start(offset))
            .and_then(|_| self.file.read_exact(&mut dst[start..]))
            .map_err(|_| damaged(&self.id, "it could not be read back"))?;
        let (data, tag) = dst[start..].split_at_mut(ct_len - TAG);
        let mut t = [0u8; TAG];
        t.copy_from_slice(tag);
        let i32 = u32::try_from(i).map_err(|_| damaged(&self.id, "it is too long"))?;
        if !self.cipher.open(i32, last, &self.header, data, &t)? {
            dst.truncate(start);
            return Err(damaged(
                &self.id,
                format!("chunk {i} failed authentication"),
            ));
        }
        dst.truncate(start + ct_len - TAG);
        Ok(())
    }

    /// Reads the whole plaintext through `sink` in one pass, decrypting on a second
    /// thread ([`BlobReader::decrypt_ahead`]) while this one hashes and writes;
    /// returns the SHA-256. Used by verify and extract.
    pub(crate) fn stream_to(self, sink: &mut (dyn Write + Send)) -> Result<[u8; 32]> {
        let never = AtomicBool::new(false);
        let mut h = Sha256::new();
        let out = |e| Error::io("write", Path::new("the output"), e);
        self.decrypt_ahead(&never, &mut |batch| {
            h.update(batch);
            sink.write_all(batch).map_err(out)
        })?;
        sink.flush().map_err(out)?;
        Ok(h.finalize().into())
    }
}

impl BlobReader {
    /// Hands the whole plaintext to `each`, 128 KiB at a time, on the calling thread,
    /// while a second thread decrypts the batches that follow. Every chunk is
    /// authenticated before it is handed over, so the bytes are the ones written when
    /// the file was added (whose SHA-256 was taken then). Stops with
    /// [`Error::Cancelled`] once `cancel` is set, and with the first error of `each`.
    /// Used by export, where encrypting the bundle fills the calling thread.
    pub fn decrypt_ahead(
        mut self,
        cancel: &AtomicBool,
        each: &mut dyn FnMut(&[u8]) -> Result<()>,
    ) -> Result<()> {
        let (tx, rx) = mpsc::sync_channel::<Result<Vec<u8>>>(AHEAD_IN_FLIGHT);
        let (free_tx, free_rx) = mpsc::sync_channel::<Vec<u8>>(AHEAD_IN_FLIGHT + 2);
        // `move`: the receiver must drop when this closure returns (before the scope
        // joins), or a decrypting thread blocked on a full channel would never end.
        std::thread::scope(move |s| -> Result<()> {
            s.spawn(move || {
                let mut i = 0;
                while i < self.n_chunks {
                    if cancel.load(Ordering::Relaxed) {
                        let _ = tx.send(Err(Error::Cancelled));
                        return;
                    }
                    let mut batch = free_rx
                        .try_recv()
                        .unwrap_or_else(|_| Vec::with_capacity(AHEAD_CHUNKS * (CHUNK + TAG)));
                    batch.clear();
                    let end = (i + AHEAD_CHUNKS as u64).min(self.n_chunks);
                    while i < end {
                        if let Err(e) = self.append_chunk(i, &mut batch) {
                            let _ = tx.send(Err(e));
                            return;
                        }
                        i += 1;
                    }
                    // A closed channel means the caller stopped early: nothing to do.
                    if tx.send(Ok(batch)).is_err() {
                        return;
                    }
                }
            });
            for batch in rx.iter() {
                let batch = batch?;
                each(&batch)?;
                let _ = free_tx.try_send(batch);
            }
            Ok(())
        })
    }
}

impl Read for BlobReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.size || out.is_empty() {
            return Ok(0);
        }
        let i = self.pos / CHUNK as u64;
        self.load_chunk(i).map_err(io::Error::other)?;
        let off = (self.pos - i * CHUNK as u64) as usize;
        let n = (self.buf.len() - off).min(out.len());
        out[..n].copy_from_slice(&self.buf[off..off + n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for BlobReader {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let new = match to {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.size.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        match new {
            Some(p) => {
                self.pos = p;
                Ok(p)
            }
            None => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek before start",
            )),
        }
    }
}

/// Overwrites blob `id` with zeros, flushes, and removes it. (On SSDs and journaling
/// file systems old sectors may survive; they stay encrypted under a key that the
/// database no longer holds once the row is deleted.)
pub(crate) fn destroy(vault: &Path, id: &str) -> Result<()> {
    let p = path(vault, id)?;
    // Never through a link or into a file with another name: a link planted on a
    // backup stick would otherwise zero-fill whatever it points at.
    fsutil::check_parents(vault, &p)?;
    match fsutil::open_plain(&p, true) {
        Ok(mut f) => {
            let len = f.metadata().map_err(|e| Error::io("read", &p, e))?.len();
            let zeros = vec![0u8; CHUNK];
            let mut left = len;
            while left > 0 {
                let n = left.min(CHUNK as u64) as usize;
                f.write_all(&zeros[..n])
                    .map_err(|e| Error::io("overwrite", &p, e))?;
                left -= n as u64;
            }
            f.sync_all().map_err(|e| Error::io("flush", &p, e))?;
            drop(f);
            fs::remove_file(&p).map_err(|e| Error::io("remove", &p, e))?;
            if let Some(parent) = p.parent() {
                fsutil::sync_dir(parent)?;
            }
            Ok(())
        }
        Err(e) if fsutil::is_not_found(&e) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Every blob id that has a file under `blobs/` (temporary files excluded).
pub(crate) fn list_files(vault: &Path) -> Result<Vec<String>> {
    let root = vault.join(BLOB_DIR);
    let mut ids = Vec::new();
    let rd = match fs::read_dir(&root) {
        Ok(r) => r,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(ids),
        Err(e) => return Err(Error::io("list", &root, e)),
    };
    for sub in rd {
        let sub = sub.map_err(|e| Error::io("list", &root, e))?;
        let name = sub.file_name();
        if name == "tmp" || !sub.path().is_dir() {
            continue;
        }
        for f in fs::read_dir(sub.path()).map_err(|e| Error::io("list", &sub.path(), e))? {
            let f = f.map_err(|e| Error::io("list", &sub.path(), e))?;
            ids.push(f.file_name().to_string_lossy().into_owned());
        }
    }
    ids.sort();
    Ok(ids)
}

/// Where a backup puts a stored file, whole and checked, before the database that
/// names it is in place (see [`adopt_staged`]).
pub(crate) fn staged_path(vault: &Path, id: &str) -> PathBuf {
    vault.join(TMP_DIR).join(id)
}

/// Moves into place each staged file (named by its id alone, under `blobs/tmp`) that
/// the database has as stored but that is not in place: a backup cut short after its
/// database went in and before its new files were moved. Anything else under
/// `blobs/tmp` is left for [`sweep_tmp`]. Returns how many were moved.
pub(crate) fn adopt_staged(vault: &Path, stored: &dyn Fn(&str) -> Result<bool>) -> Result<usize> {
    let Ok(rd) = fs::read_dir(vault.join(TMP_DIR)) else {
        return Ok(0);
    };
    let mut n = 0;
    for f in rd.flatten() {
        let name = f.file_name().to_string_lossy().into_owned();
        if id_bytes(&name).is_none() {
            continue;
        }
        let dest = path(vault, &name)?;
        if dest.exists() || !stored(&name)? {
            continue;
        }
        let parent = dest.parent().unwrap_or(vault).to_path_buf();
        fsutil::create_private_dir(&parent)?;
        fs::rename(f.path(), &dest).map_err(|e| Error::io("move", &dest, e))?;
        fsutil::sync_dir(&parent)?;
        n += 1;
    }
    Ok(n)
}

/// The stored files' ids: [`list_files`] without names that are not ids (a
/// `.DS_Store` or `Thumbs.db` a file manager left on a stick), which verify reports.
pub(crate) fn list_ids(vault: &Path) -> Result<Vec<String>> {
    let mut ids = list_files(vault)?;
    ids.retain(|id| id_bytes(id).is_some());
    Ok(ids)
}

/// Removes files under `blobs/<xx>/` whose names are not ids (what a file manager
/// leaves on a stick it was browsing), in a backup folder, which only Cairn writes.
pub(crate) fn remove_litter(vault: &Path) -> Result<()> {
    let root = vault.join(BLOB_DIR);
    let Ok(rd) = fs::read_dir(&root) else {
        return Ok(());
    };
    for sub in rd.flatten() {
        if sub.file_name() == "tmp" || !sub.path().is_dir() {
            continue;
        }
        for f in fs::read_dir(sub.path())
            .map_err(|e| Error::io("list", &sub.path(), e))?
            .flatten()
        {
            if id_bytes(&f.file_name().to_string_lossy()).is_none() && f.path().is_file() {
                fs::remove_file(f.path()).map_err(|e| Error::io("remove", &f.path(), e))?;
            }
        }
    }
    Ok(())
}

/// Ids of the files staged under `blobs/tmp` (named by their id alone).
pub(crate) fn staged_ids(vault: &Path) -> Result<Vec<String>> {
    let Ok(rd) = fs::read_dir(vault.join(TMP_DIR)) else {
        return Ok(Vec::new());
    };
    Ok(rd
        .flatten()
        .map(|f| f.file_name().to_string_lossy().into_owned())
        .filter(|n| id_bytes(n).is_some())
        .collect())
}

/// Removes half-written blobs left by a crash (everything under `blobs/tmp`).
pub(crate) fn sweep_tmp(vault: &Path) -> Result<usize> {
    let dir = vault.join(TMP_DIR);
    let mut n = 0;
    if let Ok(rd) = fs::read_dir(&dir) {
        for f in rd.flatten() {
            if fs::remove_file(f.path()).is_ok() {
                n += 1;
            }
        }
    }
    Ok(n)
}
