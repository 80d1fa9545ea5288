//! A WhatsApp export zip ("Export chat" → "Attach media" on Android, "Export chat"
//! on iOS): the chat's text and the media its messages name, read with limits, since
//! a zip can claim anything about itself.
//!
//! Nothing inside a zip is ever written to disk by its name: the chat text is read
//! into memory, and each attachment is streamed into an encrypted blob. Names are
//! still checked, and a zip that names a file outside itself (`../x`, `/etc/x`,
//! `C:\x`) is refused whole: no app writes such a zip, so someone made it to attack.

use std::collections::HashMap;
use std::io::{self, Read, Seek};
use std::path::Path;

use cairn_core::{Error, StagedFile, Vault};

use crate::vault::MAX_EXPORT_BYTES;

/// The most entries a zip may have; a chat with a few thousand photos has a few
/// thousand, so more than this is not an export.
pub const MAX_ENTRIES: usize = 100_000;

/// An entry larger than this that inflates more than [`MAX_RATIO`] times is a zip
/// bomb: photos, videos and voice notes are compressed already and barely shrink.
pub const BOMB_MIN_BYTES: u64 = 16 << 20;
/// See [`BOMB_MIN_BYTES`].
pub const MAX_RATIO: u64 = 100;

/// Why a zip was refused. Each is one sentence saying nothing was imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ZipError {
    /// The zip's directory cannot be read: cut short, or not a zip.
    #[error("The zip is damaged or incomplete (it may have been cut short while copying), so nothing was imported.")]
    Damaged,
    /// More than [`MAX_ENTRIES`] entries.
    #[error("The zip holds more files than any chat export has, so nothing was imported.")]
    TooManyEntries,
    /// An entry's name leaves the zip's folder.
    #[error("The zip names a file outside itself (entry {entry}), so nothing was imported.")]
    UnsafeName {
        /// 1-based position of the entry in the zip.
        entry: usize,
    },
    /// No chat text in the zip.
    #[error("The zip has no WhatsApp chat text in it (_chat.txt or \"WhatsApp Chat with ….txt\"), so nothing was imported.")]
    NoChat,
    /// An entry inflates far more than media can: a zip bomb.
    #[error("The zip's entry {entry} would inflate to far more than it holds, which exports never do, so nothing was imported.")]
    Bomb {
        /// 1-based position of the entry in the zip.
        entry: usize,
    },
    /// An entry holds more bytes than its header says, or fails its checksum.
    #[error("The zip's entry {entry} does not match what the zip says about it (its size or checksum), so nothing was imported.")]
    EntryDamaged {
        /// 1-based position of the entry in the zip.
        entry: usize,
    },
    /// The zip's files would not fit on the vault's disk.
    #[error("The zip's files need {need_mib} MiB and the vault's disk has {free_mib} MiB free, so nothing was imported.")]
    NoRoom {
        /// What the entries add up to, in MiB.
        need_mib: u64,
        /// Free space on the vault's disk, in MiB.
        free_mib: u64,
    },
    /// The zip is encrypted.
    #[error(
        "The zip is protected with a password, which WhatsApp never does, so nothing was imported."
    )]
    Encrypted,
}

impl ZipError {
    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            ZipError::Damaged => "import_zip_damaged",
            ZipError::TooManyEntries => "import_zip_too_many_entries",
            ZipError::UnsafeName { .. } => "import_zip_unsafe_name",
            ZipError::NoChat => "import_zip_no_chat",
            ZipError::Bomb { .. } => "import_zip_bomb",
            ZipError::EntryDamaged { .. } => "import_zip_entry_damaged",
            ZipError::NoRoom { .. } => "import_zip_no_room",
            ZipError::Encrypted => "import_zip_encrypted",
        }
    }
}

impl From<ZipError> for Error {
    fn from(e: ZipError) -> Error {
        Error::ImportRefused {
            code: e.code(),
            message: e.to_string(),
        }
    }
}

/// What the directory says about one entry.
#[derive(Debug, Clone)]
struct Entry {
    /// Its name, `/`-separated.
    name: String,
    size: u64,
}

/// An open export zip whose directory has been checked.
pub struct ZipExport<R: Read + Seek> {
    archive: zip::ZipArchive<R>,
    entries: Vec<Entry>,
    /// File name (last path part) → its entry; `None` when entries in two folders
    /// share it, so a message naming it cannot be matched to one for sure.
    by_file_name: HashMap<String, Option<usize>>,
}

/// True when a zip entry name stays inside the zip's folder.
pub fn name_is_safe(name: &str) -> bool {
    if name.is_empty() || name.contains('\0') || name.contains('\\') {
        return false;
    }
    if name.starts_with('/') || name.as_bytes().get(1) == Some(&b':') {
        return false;
    }
    name.split('/').all(|part| part != "..")
}

fn last_part(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

impl<R: Read + Seek + Send> ZipExport<R> {
    /// Opens a zip (the file at `path`, read through `reader`) and checks every
    /// entry's name, size and ratio. With `room_for: Some(extra)`, also checks that
    /// the entries, plus `extra` bytes (the zip itself, kept as the original), fit in
    /// the free space of the disk holding `vault_dir`.
    pub fn open(
        reader: R,
        path: &Path,
        vault_dir: &Path,
        room_for: Option<u64>,
    ) -> Result<ZipExport<R>, Error> {
        let mut archive = zip::ZipArchive::new(reader).map_err(|e| match e {
            zip::result::ZipError::Io(e) if e.kind() != io::ErrorKind::UnexpectedEof => {
                Error::io("read", path, e)
            }
            _ => ZipError::Damaged.into(),
        })?;
        if archive.len() > MAX_ENTRIES {
            return Err(ZipError::TooManyEntries.into());
        }
        let mut entries = Vec::with_capacity(archive.len());
        let mut by_file_name = HashMap::new();
        let mut total: u64 = 0;
        for i in 0..archive.len() {
            let entry = i + 1;
            let f = archive.by_index_raw(i).map_err(|_| ZipError::Damaged)?;
            if f.encrypted() {
                return Err(ZipError::Encrypted.into());
            }
            let name = f.name().map_err(|_| ZipError::Damaged)?.into_owned();
            if !name_is_safe(&name) || f.enclosed_name().is_none() {
                return Err(ZipError::UnsafeName { entry }.into());
            }
            let (size, compressed) = (f.size(), f.compressed_size());
            if size > BOMB_MIN_BYTES && size / compressed.max(1) > MAX_RATIO {
                return Err(ZipError::Bomb { entry }.into());
            }
            total = total.saturating_add(size);
            if !f.is_dir() {
                let here = entries.len();
                by_file_name
                    .entry(last_part(&name).to_string())
                    .and_modify(|seen: &mut Option<usize>| *seen = None)
                    .or_insert(Some(here));
            }
            entries.push(Entry { name, size });
        }
        let free = match room_for {
            Some(_) => fs4::available_space(vault_dir).ok(),
            None => None,
        };
        if let Some(free) = free {
            // Blobs are the bytes plus 16 in 64 Ki, and the disk needs some to spare.
            let total = total.saturating_add(room_for.unwrap_or(0));
            let need = total.saturating_add(total / 1024).saturating_add(16 << 20);
            if need > free {
                return Err(ZipError::NoRoom {
                    need_mib: need.div_ceil(1 << 20),
                    free_mib: free >> 20,
                }
                .into());
            }
        }
        Ok(ZipExport {
            archive,
            entries,
            by_file_name,
        })
    }

    /// The chat's text: `_chat.txt` (iOS), else a `WhatsApp Chat….txt` (Android),
    /// else the zip's only `.txt`, at the top of the zip. Returns its name and bytes.
    pub fn chat_text(&mut self, path: &Path) -> Result<(String, Vec<u8>), Error> {
        let top_txt: Vec<usize> = (0..self.entries.len())
            .filter(|&i| {
                let n = &self.entries[i].name;
                !n.contains('/') && n.to_ascii_lowercase().ends_with(".txt")
            })
            .collect();
        let pick = top_txt
            .iter()
            .copied()
            .find(|&i| self.entries[i].name == "_chat.txt")
            .or_else(|| {
                top_txt
                    .iter()
                    .copied()
                    .find(|&i| self.entries[i].name.starts_with("WhatsApp Chat"))
            })
            .or(if top_txt.len() == 1 {
                top_txt.first().copied()
            } else {
                None
            })
            .ok_or(ZipError::NoChat)?;
        let e = self.entries[pick].clone();
        if e.size > MAX_EXPORT_BYTES {
            return Err(Error::Invalid(format!(
                "The chat text in {} is larger than any chat export Cairn reads ({} MiB), so nothing was imported.",
                path.display(),
                MAX_EXPORT_BYTES >> 20
            )));
        }
        let bytes = self.read_entry(pick, |r| {
            let mut bytes = Vec::with_capacity(e.size as usize);
            r.read_to_end(&mut bytes)
                .map_err(|_| ZipError::EntryDamaged { entry: pick + 1 })?;
            Ok(bytes)
        })?;
        Ok((e.name, bytes))
    }

    /// Reads entry `index` through `f`, refusing it (whatever `f` made of it) when it
    /// holds more bytes than its header says, fewer, or fails its checksum.
    fn read_entry<T>(
        &mut self,
        index: usize,
        f: impl FnOnce(&mut (dyn Read + Send)) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let entry = index + 1;
        let declared = self.entries.get(index).map_or(0, |e| e.size);
        let file = self
            .archive
            .by_index(index)
            .map_err(|_| ZipError::EntryDamaged { entry })?;
        let mut capped = Capped::new(file, declared);
        let out = f(&mut capped);
        if capped.bad || (out.is_ok() && capped.left != 0) {
            return Err(ZipError::EntryDamaged { entry }.into());
        }
        out
    }

    /// Stages the file a message names (its last path part, as WhatsApp writes it),
    /// or `None` when the zip does not hold it.
    pub fn stage_entry(&mut self, vault: &Vault, name: &str) -> Result<Option<StagedFile>, Error> {
        let Some(&Some(index)) = self.by_file_name.get(name) else {
            return Ok(None);
        };
        let mut staged = None;
        let read = self.read_entry(index, |r| {
            let f = vault.stage_file(
                std::ffi::OsStr::new(last_part(name)),
                r,
                None,
                "Attached to a WhatsApp message, from the chat export",
            )?;
            Ok(staged.insert(f).size())
        });
        match read {
            Ok(_) => Ok(staged),
            Err(e) => {
                // Staged, then found damaged (too short, a bad checksum at its end).
                if let Some(f) = staged {
                    vault.discard(f);
                }
                Err(e)
            }
        }
    }
}

/// A reader over a zip entry that remembers when the entry itself failed (a bad
/// checksum, broken compressed data) and errors past `left` bytes: an entry that
/// inflates to more than its header declares is refused rather than trusted.
struct Capped<R> {
    inner: R,
    left: u64,
    /// The entry failed or overran: the zip is at fault, not the vault.
    bad: bool,
}

impl<R> Capped<R> {
    fn new(inner: R, left: u64) -> Capped<R> {
        Capped {
            inner,
            left,
            bad: false,
        }
    }
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // At the declared end, read one more byte: any means the header lied.
        let mut probe = [0u8; 1];
        let at_end = self.left == 0;
        let target = if at_end {
            &mut probe[..]
        } else {
            let want = buf
                .len()
                .min(usize::try_from(self.left).unwrap_or(usize::MAX));
            &mut buf[..want]
        };
        let n = self.inner.read(target).inspect_err(|_| self.bad = true)?;
        if at_end && n > 0 {
            self.bad = true;
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "entry larger than declared",
            ));
        }
        self.left -= n as u64;
        Ok(n)
    }
}
