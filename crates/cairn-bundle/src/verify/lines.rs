//! Reading a record file a line at a time, within limits: a line may be at most
//! [`MAX_LINE`] bytes and hold at most [`MAX_VALUES`] JSON values, so no line a bundle
//! holds can make the verifier build more than a few tens of MiB.

use std::io::{BufRead, BufReader, Read};

use serde::de::DeserializeOwned;

/// The longest line read: the largest record Cairn writes is one email message (its
/// importer takes messages of up to 64 MiB) with JSON's escapes.
pub const MAX_LINE: usize = 72 << 20;
/// The most JSON values (objects, arrays, strings, numbers…) on one line; a record
/// holds tens, a message with many recipients a few thousand.
pub const MAX_VALUES: usize = 200_000;

/// Why a line could not be read.
#[derive(Debug)]
pub enum LineError {
    /// Longer than [`MAX_LINE`].
    TooLong,
    /// More values than [`MAX_VALUES`].
    TooComplex,
    /// Not the JSON expected (the message says why).
    Json(String),
    /// The archive could not be read.
    Io(String),
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LineError::TooLong => write!(f, "it is longer than any record Cairn writes"),
            LineError::TooComplex => {
                write!(f, "it holds far more values than any record Cairn writes")
            }
            LineError::Json(e) => write!(f, "it is not what Cairn writes ({e})"),
            LineError::Io(e) => write!(f, "it cannot be read ({e})"),
        }
    }
}

/// Lines of a file in the archive.
pub struct Lines<R: Read> {
    r: BufReader<R>,
    buf: Vec<u8>,
    /// 1-based number of the line last read.
    pub number: usize,
}

impl<R: Read> Lines<R> {
    /// Reads `r` a line at a time.
    pub fn new(r: R) -> Lines<R> {
        Lines {
            r: BufReader::with_capacity(1 << 16, r),
            buf: Vec::new(),
            number: 0,
        }
    }

    /// The next line without its `\n` (and `\r`), or `None` at the end.
    pub fn next_line(&mut self) -> Result<Option<&[u8]>, LineError> {
        self.buf.clear();
        loop {
            let avail = self
                .r
                .fill_buf()
                .map_err(|e| LineError::Io(e.to_string()))?;
            if avail.is_empty() {
                if self.buf.is_empty() {
                    return Ok(None);
                }
                break;
            }
            let (take, done) = match avail.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (avail.len(), false),
            };
            if self.buf.len() + take > MAX_LINE + 1 {
                return Err(LineError::TooLong);
            }
            self.buf.extend_from_slice(&avail[..take]);
            self.r.consume(take);
            if done {
                break;
            }
        }
        self.number += 1;
        while matches!(self.buf.last(), Some(b'\n' | b'\r')) {
            self.buf.pop();
        }
        Ok(Some(&self.buf))
    }
}

/// An upper bound on the JSON values in `line`: structural characters outside strings.
fn values(line: &[u8]) -> usize {
    let (mut n, mut in_str, mut esc) = (1usize, false, false);
    for &b in line {
        if in_str {
            match (esc, b) {
                (true, _) => esc = false,
                (false, b'\\') => esc = true,
                (false, b'"') => in_str = false,
                _ => {}
            }
        } else {
            match b {
                b'"' => in_str = true,
                b'[' | b'{' | b',' | b':' => n += 1,
                _ => {}
            }
        }
    }
    n
}

/// Parses one line as `T`, within [`MAX_VALUES`].
pub fn parse<T: DeserializeOwned>(line: &[u8]) -> Result<T, LineError> {
    if values(line) > MAX_VALUES {
        return Err(LineError::TooComplex);
    }
    serde_json::from_slice(line).map_err(|e| LineError::Json(e.to_string()))
}

/// One element of a JSON array written a line an element (`[`, elements each ending
/// in `,` but the last, `]`): the element without its comma, or `None` for the
/// brackets.
pub fn element(line: &[u8]) -> Option<&[u8]> {
    let t = line.trim_ascii();
    if t == b"[" || t == b"]" || t.is_empty() {
        return None;
    }
    Some(t.strip_suffix(b",").unwrap_or(t))
}
