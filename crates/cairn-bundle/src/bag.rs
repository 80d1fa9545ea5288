//! A BagIt 1.0 bag (RFC 8493) written as a stream of ZIP entries under one top folder.
//!
//! Payload files are hashed as they are written; the manifests, `bag-info.txt` and the
//! tag manifest are written last. Entries are stored uncompressed (evidence is mostly
//! photos and recordings, already compressed, and a plain store keeps byte offsets
//! simple for anyone inspecting the archive).

use std::io::{self, Read, Write};

use sha2::{Digest, Sha256};
use zip::write::{SimpleFileOptions, StreamWriter};
use zip::{CompressionMethod, DateTime, ZipWriter};

use cairn_core::{Error, Result};

/// The fixed content of `bagit.txt`.
pub const BAGIT_TXT: &str = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n";

/// One file in a manifest.
#[derive(Debug, Clone)]
pub(crate) struct Listed {
    /// Path inside the bag (e.g. `data/exhibits/AB-1 photo.jpg`).
    pub path: String,
    /// SHA-256, hex.
    pub sha256: String,
    /// Bytes.
    pub size: u64,
}

/// Percent-encodes what RFC 8493 §2.1.3 requires in manifest paths (CR, LF, %).
pub fn encode_manifest_path(p: &str) -> String {
    p.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Decodes a manifest path.
pub fn decode_manifest_path(p: &str) -> String {
    p.replace("%0D", "\r")
        .replace("%0d", "\r")
        .replace("%0A", "\n")
        .replace("%0a", "\n")
        .replace("%25", "%")
}

/// Manifest text: `<sha256>  <path>` lines, sorted by path.
pub(crate) fn manifest_text(files: &[Listed]) -> String {
    let mut v: Vec<&Listed> = files.iter().collect();
    v.sort_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()));
    v.iter()
        .map(|f| format!("{}  {}\n", f.sha256, encode_manifest_path(&f.path)))
        .collect()
}

/// Lower-case hex digits of bytes (the core's spelling of every hash).
pub(crate) use cairn_core::keys::hex;

/// 32 bytes from 64 lower-case hex digits (any other form is refused: a bundle's hashes
/// have one spelling).
pub(crate) fn unhex(s: &str) -> Option<[u8; 32]> {
    fn digit(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        }
    }
    if s.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (o, pair) in out.iter_mut().zip(s.as_bytes().chunks_exact(2)) {
        let (hi, lo) = (pair.first().copied()?, pair.get(1).copied()?);
        *o = digit(hi)? << 4 | digit(lo)?;
    }
    Some(out)
}

fn zip_err(e: zip::result::ZipError) -> Error {
    match e {
        zip::result::ZipError::Io(io) => io_err(io),
        e => Error::Invalid(format!("The bundle could not be written ({e}).")),
    }
}

pub(crate) fn io_err(e: io::Error) -> Error {
    if e.kind() == io::ErrorKind::StorageFull {
        return Error::DiskFull;
    }
    // Errors from our own readers (a damaged blob, a cancel) travel inside io::Error.
    match e.into_inner().map(|inner| inner.downcast::<Error>()) {
        Some(Ok(inner)) => *inner,
        Some(Err(other)) => Error::Invalid(format!("The bundle could not be written ({other}).")),
        None => Error::Invalid("The bundle could not be written.".into()),
    }
}

/// Writes a bag into a ZIP stream.
pub(crate) struct BagWriter<W: Write> {
    zip: ZipWriter<StreamWriter<W>>,
    root: String,
    when: DateTime,
    payload: Vec<Listed>,
    tags: Vec<Listed>,
}

impl<W: Write> BagWriter<W> {
    /// Starts a bag whose files live under `root/` in the archive.
    pub fn new(w: W, root: &str, when: DateTime) -> BagWriter<W> {
        BagWriter {
            zip: ZipWriter::new_stream(w),
            root: root.to_string(),
            when,
            payload: Vec::new(),
            tags: Vec::new(),
        }
    }

    fn start(&mut self, path: &str, size: u64) -> Result<()> {
        let opts = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Stored)
            .last_modified_time(self.when)
            .unix_permissions(0o644)
            .large_file(size >= u32::MAX as u64 / 2);
        self.zip
            .start_file(format!("{}/{path}", self.root), opts)
            .map_err(zip_err)
    }

    /// Streams `r` into the bag at `path` (`size` is what it should hold), hashing it.
    pub fn add_reader(
        &mut self,
        path: &str,
        size: u64,
        r: &mut dyn Read,
        progress: &mut dyn FnMut(u64),
        payload: bool,
    ) -> Result<Listed> {
        self.start(path, size)?;
        let mut h = Sha256::new();
        let mut n = 0u64;
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let k = r.read(&mut buf).map_err(io_err)?;
            if k == 0 {
                break;
            }
            h.update(&buf[..k]);
            self.zip.write_all(&buf[..k]).map_err(io_err)?;
            n += k as u64;
            progress(k as u64);
        }
        let l = Listed {
            path: path.to_string(),
            sha256: hex(&h.finalize()),
            size: n,
        };
        if payload {
            self.payload.push(l.clone());
        } else {
            self.tags.push(l.clone());
        }
        Ok(l)
    }

    /// Adds a payload file whose SHA-256 is already known: an original from the vault,
    /// authenticated chunk by chunk as it is decrypted, so hashing it again would only
    /// repeat what was recorded when it was added (verify-bundle hashes it afresh).
    /// `fill` writes its bytes and must write exactly `size` of them.
    pub fn add_known(
        &mut self,
        path: &str,
        size: u64,
        sha256: &str,
        fill: impl FnOnce(&mut dyn Write) -> Result<()>,
    ) -> Result<Listed> {
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::DatabaseDamaged(format!(
                "{path} has no recorded SHA-256"
            )));
        }
        self.start(path, size)?;
        let mut counted = Counted {
            inner: &mut self.zip,
            n: 0,
        };
        fill(&mut counted)?;
        if counted.n != size {
            return Err(Error::DatabaseDamaged(format!(
                "{path} holds {} bytes where {size} were recorded",
                counted.n
            )));
        }
        let l = Listed {
            path: path.to_string(),
            sha256: sha256.to_ascii_lowercase(),
            size,
        };
        self.payload.push(l.clone());
        Ok(l)
    }

    /// Adds a payload file from memory.
    pub fn add_bytes(&mut self, path: &str, bytes: &[u8]) -> Result<Listed> {
        self.add_reader(path, bytes.len() as u64, &mut &bytes[..], &mut |_| {}, true)
    }

    /// The payload so far.
    pub fn payload(&self) -> &[Listed] {
        &self.payload
    }

    /// Writes the tag files (`bagit.txt`, `manifest-sha256.txt`, `bag-info.txt` with
    /// `info` plus Payload-Oxum, `tagmanifest-sha256.txt`), then the note `sign` makes
    /// from the SHA-256 of both manifests as the tag file `signature` (outside both
    /// manifests, since it signs them), and ends the archive.
    pub fn finish(
        mut self,
        info: &[(String, String)],
        signature: &str,
        sign: impl FnOnce(&str, &str) -> Result<String>,
    ) -> Result<W> {
        let octets: u64 = self.payload.iter().map(|f| f.size).sum();
        let mut bag_info = String::new();
        for (k, v) in info {
            bag_info.push_str(&format!("{k}: {}\n", v.replace(['\r', '\n'], " ")));
        }
        bag_info.push_str(&format!("Payload-Oxum: {octets}.{}\n", self.payload.len()));
        let manifest = manifest_text(&self.payload);
        for (name, text) in [
            ("bagit.txt", BAGIT_TXT.to_string()),
            ("manifest-sha256.txt", manifest),
            ("bag-info.txt", bag_info),
        ] {
            self.add_reader(
                name,
                text.len() as u64,
                &mut text.as_bytes(),
                &mut |_| {},
                false,
            )?;
        }
        let manifest_sha = self
            .tags
            .iter()
            .find(|t| t.path == "manifest-sha256.txt")
            .map(|t| t.sha256.clone())
            .unwrap_or_default();
        let tagmanifest = manifest_text(&self.tags);
        self.start("tagmanifest-sha256.txt", tagmanifest.len() as u64)?;
        self.zip.write_all(tagmanifest.as_bytes()).map_err(io_err)?;
        let note = sign(&manifest_sha, &hex(&Sha256::digest(tagmanifest.as_bytes())))?;
        self.start(signature, note.len() as u64)?;
        self.zip.write_all(note.as_bytes()).map_err(io_err)?;
        let inner = self.zip.finish().map_err(zip_err)?;
        Ok(inner.into_inner())
    }
}

/// Counts what passes through to `inner`.
struct Counted<'a, W: Write> {
    inner: &'a mut W,
    n: u64,
}

impl<W: Write> Write for Counted<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let k = self.inner.write(buf)?;
        self.n += k as u64;
        Ok(k)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
