//! ZIP-based files (a zip, DOCX, XLSX, ODT): each member is inspected in turn, with
//! limits; Cairn does not rewrite archives, so any location inside refuses the whole.

use std::io::{self, Cursor, Read, Seek, SeekFrom};

use zip::result::ZipError;

use crate::edits::{cannot, Cx, Res, Stop, Win, MAX_BLOCK};
use crate::{decide, scan, Outcome};

/// More members than any document has.
const MAX_MEMBERS: usize = 10_000;
/// Bytes decompressed in all, past which the archive is not checked.
const MAX_TOTAL: u64 = 2 << 30;
const TOO_LARGE: &str = "it is too large to check";

/// Checks every member of the archive in `cx`.
pub(crate) fn check<R: Read + Seek>(cx: &mut Cx<'_, R>, _w: Win) -> Res<()> {
    let depth = cx.depth;
    let r = cx.reader();
    r.seek(SeekFrom::Start(0))?;
    let mut z = match zip::ZipArchive::new(&mut *r) {
        Ok(z) => z,
        Err(ZipError::Io(e)) if e.kind() != io::ErrorKind::UnexpectedEof => return Err(e.into()),
        Err(_) => return cannot("it looks like a ZIP archive, but Cairn cannot read it"),
    };
    if z.len() > MAX_MEMBERS {
        return cannot(TOO_LARGE);
    }
    // Every local entry the directory's, nothing before the first: a tool that unpacks
    // as it streams (reading local headers) would otherwise find files not checked here.
    if z.offset() != 0 || z.validate_header_consistency().is_err() {
        return cannot("it holds parts its index does not list, which Cairn cannot check");
    }
    let mut budget = MAX_TOTAL;
    for i in 0..z.len() {
        let mut f = match z.by_index(i) {
            Ok(f) => f,
            Err(ZipError::UnsupportedArchive(m)) if m == ZipError::PASSWORD_REQUIRED => {
                return cannot("it has encrypted parts Cairn cannot check")
            }
            Err(_) => return cannot("it has a part Cairn cannot read"),
        };
        if f.is_dir() {
            continue;
        }
        let name: String = f
            .name()
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect();
        let unreadable = || Stop::Cannot(format!("it has a part Cairn cannot read ({name})"));
        // Members up to 16 MiB are inspected fully; larger ones stream through the
        // raw scan, as they cannot be held.
        let mut head = Vec::new();
        (&mut f)
            .take(MAX_BLOCK + 1)
            .read_to_end(&mut head)
            .map_err(|_| unreadable())?;
        budget = budget.saturating_sub(head.len() as u64);
        if budget == 0 {
            return cannot(TOO_LARGE);
        }
        let verdict = if head.len() as u64 <= MAX_BLOCK {
            let len = head.len() as u64;
            decide(&mut Cursor::new(head), len, depth + 1).map_err(|_| unreadable())?
        } else {
            let mut rest = Counted(Cursor::new(head).chain((&mut f).take(budget)), 0);
            let found = scan::has_location(&mut rest).map_err(|_| unreadable())?;
            budget = budget.saturating_sub(rest.1.saturating_sub(MAX_BLOCK + 1));
            if budget == 0 {
                return cannot(TOO_LARGE);
            }
            if found {
                Outcome::CannotClean(String::new())
            } else {
                Outcome::NoLocation
            }
        };
        if verdict != Outcome::NoLocation {
            return cannot(format!("it holds a file with location data ({name})"));
        }
    }
    Ok(())
}

/// A reader that counts what it gives.
struct Counted<R>(R, u64);

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.0.read(buf)?;
        self.1 += n as u64;
        Ok(n)
    }
}
