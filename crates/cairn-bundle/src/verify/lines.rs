//! Reading a record file a line at a time, within limits: a line may be at most
//! [`MAX_LINE`] bytes and hold at most [`MAX_VALUES`] JSON values, so no line a bundle
//! holds can make the verifier build more than a few tens of MiB.

use std::io::{BufRead, BufReader, Read};

use serde::de::{DeserializeOwned, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

/// The longest line read. A record is words: the longest Cairn writes is an email's
/// text (its attachments are files of their own); 16 MiB holds a message's text of
/// millions of words with JSON's escapes (mail services stop at 25–35 MB with
/// attachments, encoded), and keeps what one line can cost within the verifier's
/// bound: the line, JSON's scratch copy of a string with escapes, and the string are
/// three copies at once. Export refuses to write a longer one.
pub const MAX_LINE: usize = 16 << 20;
/// The longest line of a file of chain entries: a header, its meta and a proof of at
/// most 64 hashes are a few KiB.
pub const MAX_ENTRY_LINE: usize = 1 << 20;
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
    max: usize,
    /// 1-based number of the line last read.
    pub number: usize,
}

impl<R: Read> Lines<R> {
    /// Reads `r` a line at a time.
    pub fn new(r: R) -> Lines<R> {
        Lines::at_most(r, MAX_LINE)
    }

    /// Reads `r` a line at a time, lines of at most `max` bytes.
    pub fn at_most(r: R, max: usize) -> Lines<R> {
        Lines {
            r: BufReader::with_capacity(1 << 16, r),
            buf: Vec::new(),
            max: max.min(MAX_LINE),
            number: 0,
        }
    }

    /// Frees the line buffer if a long line made it large (the next line allocates
    /// again): the value parsed from it need not share memory with it.
    pub fn release(&mut self) {
        if self.buf.capacity() > 1 << 20 {
            self.buf = Vec::new();
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
            if self.buf.len() + take > self.max + 1 {
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

/// What an object counts for against [`MAX_VALUES`].
const OBJECT_WEIGHT: usize = 16;

/// An upper bound on the JSON values in `line`: structural characters outside strings
/// (an object weighing [`OBJECT_WEIGHT`]).
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
                // An object costs a map of its own (hundreds of bytes before its
                // names and values): it counts as many values.
                b'{' => n += OBJECT_WEIGHT,
                b'[' | b',' | b':' => n += 1,
                _ => {}
            }
        }
    }
    n
}

/// Parses one line as `T`, within [`MAX_VALUES`]. An object with a name twice is
/// refused: JSON readers differ on which one they keep, so a record could show one
/// title to a person and another to a hash.
pub fn parse<T: DeserializeOwned>(line: &[u8]) -> Result<T, LineError> {
    if values(line) > MAX_VALUES {
        return Err(LineError::TooComplex);
    }
    let mut de = serde_json::Deserializer::from_slice(line);
    let v = Strict::deserialize(&mut de).map_err(|e| LineError::Json(e.to_string()))?;
    de.end().map_err(|e| LineError::Json(e.to_string()))?;
    serde_json::from_value(v.0).map_err(|e| LineError::Json(e.to_string()))
}

/// A JSON value read with every object's names checked for repeats.
struct Strict(Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Strict, D::Error> {
        d.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JSON")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(Strict(v)) = a.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(k) = a.next_key::<String>()? {
            let Strict(v) = a.next_value()?;
            match out.entry(k) {
                serde_json::map::Entry::Vacant(e) => {
                    e.insert(v);
                }
                serde_json::map::Entry::Occupied(e) => {
                    return Err(serde::de::Error::custom(format!(
                        "the name {:?} is given twice",
                        e.key()
                    )));
                }
            }
        }
        Ok(Value::Object(out))
    }
}
