//! Small file-system helpers: private files and folders, and durable renames.

use std::fs::{self, File, OpenOptions};
use std::path::Path;

use crate::error::{Error, Result};

/// Creates a new file readable only by the owner; fails if it exists.
pub(crate) fn create_private(path: &Path) -> Result<File> {
    let mut o = OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path).map_err(|e| Error::io("create", path, e))
}

/// Creates a folder (and parents) readable only by the owner.
pub(crate) fn create_private_dir(path: &Path) -> Result<()> {
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(path)
        .map_err(|e| Error::io("create the folder", path, e))
}

/// Flushes a folder's entries to disk so a rename inside it survives a crash.
pub(crate) fn sync_dir(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        File::open(path)
            .and_then(|d| d.sync_all())
            .map_err(|e| Error::io("flush the folder", path, e))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Replaces `path` atomically with `bytes`: a private temporary file beside it, fsync,
/// rename, fsync of the folder. A leftover temporary file from a crash is replaced.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = std::path::PathBuf::from(tmp);
    let _ = fs::remove_file(&tmp);
    let mut f = create_private(&tmp)?;
    f.write_all(bytes)
        .and_then(|_| f.sync_all())
        .map_err(|e| Error::io("write", &tmp, e))?;
    drop(f);
    fs::rename(&tmp, path).map_err(|e| Error::io("replace", path, e))?;
    sync_dir(dir)
}

/// What `meta` (from `symlink_metadata`, never following a link) says is unsafe to
/// touch: anything but a folder or a plain file with one name.
fn unsafe_kind(meta: &fs::Metadata) -> Option<&'static str> {
    let t = meta.file_type();
    if t.is_symlink() {
        return Some("a link");
    }
    if t.is_dir() {
        return None;
    }
    if !t.is_file() {
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if t.is_fifo() {
                return Some("a named pipe");
            }
            if t.is_block_device() || t.is_char_device() {
                return Some("a device");
            }
            if t.is_socket() {
                return Some("a socket");
            }
        }
        return Some("neither a file nor a folder");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // A second name for the same file, which may be anywhere on that drive:
        // overwriting or removing "ours" would change the other too.
        if meta.nlink() > 1 {
            return Some("a file hard-linked to another name");
        }
    }
    None
}

/// Refuses what `meta` (from `symlink_metadata` or an opened file) shows is not a
/// folder or a plain file with one name.
pub(crate) fn refuse(path: &Path, meta: &fs::Metadata) -> Result<()> {
    match unsafe_kind(meta) {
        Some(what) => Err(Error::UnsafeFile {
            path: path.to_path_buf(),
            what,
        }),
        None => Ok(()),
    }
}

/// Deepest folder level inside a vault Cairn writes (`blobs/<xx>/<id>`, a decoy's own
/// vault one level down); anything deeper is not ours and is refused.
const MAX_DEPTH: usize = 6;

/// Checks that everything under the folder `root` (a vault or a backup) is a plain
/// folder or a plain file with one name: no link, named pipe, device or hard link. Run
/// before a backup or restore touches anything, so a planted link is refused before
/// any file is read, written or removed through it. Nothing is opened.
pub(crate) fn check_tree(root: &Path) -> Result<()> {
    let meta = fs::symlink_metadata(root).map_err(|e| Error::io("read", root, e))?;
    if !meta.is_dir() {
        refuse(root, &meta)?;
        return Err(Error::UnsafeFile {
            path: root.to_path_buf(),
            what: "not a folder",
        });
    }
    check_below(root, 0)
}

fn check_below(dir: &Path, depth: usize) -> Result<()> {
    for e in fs::read_dir(dir).map_err(|e| Error::io("list", dir, e))? {
        let e = e.map_err(|e| Error::io("list", dir, e))?;
        let p = e.path();
        let meta = fs::symlink_metadata(&p).map_err(|e| Error::io("read", &p, e))?;
        refuse(&p, &meta)?;
        if meta.is_dir() {
            if depth >= MAX_DEPTH {
                return Err(Error::UnsafeFile {
                    path: p,
                    what: "a folder nested deeper than Cairn makes them",
                });
            }
            check_below(&p, depth + 1)?;
        }
    }
    Ok(())
}

/// Checks that each folder between `root` and `path` (exclusive of both) is a real
/// folder, not a link to somewhere else.
pub(crate) fn check_parents(root: &Path, path: &Path) -> Result<()> {
    let Ok(rel) = path.strip_prefix(root) else {
        return Ok(());
    };
    let mut at = root.to_path_buf();
    let parts: Vec<_> = rel.components().collect();
    for c in parts.iter().take(parts.len().saturating_sub(1)) {
        at.push(c);
        match fs::symlink_metadata(&at) {
            Ok(m) if m.is_dir() => {}
            Ok(m) => {
                refuse(&at, &m)?;
                return Err(Error::UnsafeFile {
                    path: at,
                    what: "not a folder",
                });
            }
            // Missing: opening the file will say so.
            Err(_) => return Ok(()),
        }
    }
    Ok(())
}

/// Opens an existing plain file without following a link at its name and without
/// waiting on a named pipe; refuses anything that is not a plain file with one name.
/// `write` opens it for writing in place (never created, never truncated). A missing
/// file is an [`Error::Io`] of kind `NotFound` (see [`is_not_found`]).
pub(crate) fn open_plain(path: &Path, write: bool) -> Result<File> {
    let mut o = OpenOptions::new();
    o.read(!write).write(write);
    open_checked(path, o, if write { "open" } else { "read" })
}

/// Opens `path` with `o` never through a link at its name (`O_NOFOLLOW`), without
/// waiting on a pipe (`O_NONBLOCK`), and checks that what was opened is a plain file
/// with one name. The one way Cairn opens a file in a folder someone else may write.
fn open_checked(path: &Path, mut o: OpenOptions, action: &'static str) -> Result<File> {
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::OFlags;
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags((OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::NOCTTY).bits() as i32);
    }
    #[cfg(not(target_os = "linux"))]
    {
        // Without O_NOFOLLOW, look first (a link would be followed at open).
        match fs::symlink_metadata(path) {
            Ok(meta) => refuse(path, &meta)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(action, path, e)),
        }
    }
    let f = o.open(path).map_err(|e| {
        // ELOOP: the name is a link (O_NOFOLLOW); ENXIO: a pipe with no reader.
        if matches!(e.raw_os_error(), Some(40) | Some(6)) && cfg!(target_os = "linux") {
            if let Ok(m) = fs::symlink_metadata(path) {
                if let Err(u) = refuse(path, &m) {
                    return u;
                }
            }
        }
        Error::io(action, path, e)
    })?;
    let meta = f.metadata().map_err(|e| Error::io(action, path, e))?;
    refuse(path, &meta)?;
    if !meta.is_file() {
        return Err(Error::UnsafeFile {
            path: path.to_path_buf(),
            what: "a folder",
        });
    }
    Ok(f)
}

/// True for the error [`open_plain`] gives when there is no file at all.
pub(crate) fn is_not_found(e: &Error) -> bool {
    matches!(e, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
}

/// Reads a plain file of at most `cap` bytes (see [`open_plain`]); a missing file is
/// `Ok(None)`. For small files a planted link, pipe or device must neither redirect
/// nor hang nor flood (`attempts`, `settings.json`).
pub(crate) fn read_small(path: &Path, cap: u64) -> Result<Option<Vec<u8>>> {
    use std::io::Read;
    let f = match open_plain(path, false) {
        Ok(f) => f,
        Err(e) if is_not_found(&e) => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut out = Vec::new();
    f.take(cap)
        .read_to_end(&mut out)
        .map_err(|e| Error::io("read", path, e))?;
    Ok(Some(out))
}

/// Opens `path` for appending, creating it private if absent, never through a link at
/// its name or into anything but a plain file with one name (see [`open_checked`]).
pub(crate) fn open_append(path: &Path) -> Result<File> {
    let mut o = OpenOptions::new();
    o.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    open_checked(path, o, "open")
}

/// Refuses a folder the user named (a backup, a restore's source or target) that is
/// itself a link. `a/b/` names the link's target on every platform, so the trailing
/// separator is dropped first; folders above it may be links (`/media` often is).
pub(crate) fn not_a_link(path: &Path) -> Result<()> {
    let plain: std::path::PathBuf = path.components().collect();
    match fs::symlink_metadata(&plain) {
        Ok(meta) if meta.file_type().is_symlink() => Err(Error::UnsafeFile {
            path: plain,
            what: "a link",
        }),
        Ok(meta) if !meta.is_dir() => refuse(&plain, &meta).and(Err(Error::UnsafeFile {
            path: plain,
            what: "not a folder",
        })),
        _ => Ok(()),
    }
}

/// Checks what a vault folder holds where Cairn writes without looking file by file:
/// its own entries, the folders under `blobs/` and what `blobs/tmp` holds must be plain
/// folders or plain files with one name. Run at every opening, before anything in it is
/// opened, swept or removed; stored files themselves are opened without following
/// links ([`open_plain`]). A few hundred `lstat`s.
pub(crate) fn check_vault_shape(dir: &Path) -> Result<()> {
    let shallow = |d: &Path| -> Result<()> {
        let rd = match fs::read_dir(d) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(Error::io("list", d, e)),
        };
        for e in rd {
            let e = e.map_err(|e| Error::io("list", d, e))?;
            let p = e.path();
            let meta = fs::symlink_metadata(&p).map_err(|e| Error::io("read", &p, e))?;
            refuse(&p, &meta)?;
        }
        Ok(())
    };
    shallow(dir)?;
    shallow(&dir.join("blobs"))?;
    shallow(&dir.join("blobs").join("tmp"))
}
