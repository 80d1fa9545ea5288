//! Canonical JSON: the byte form every hash in Cairn is computed over.
//!
//! Objects have their keys sorted by Unicode code point, there is no white space,
//! strings are UTF-8 with only `"`, `\` and control characters escaped (as
//! `\n \r \t \b \f` or `\u00xx`), and numbers are integers. This is exactly what
//! Python prints with `json.dumps(v, sort_keys=True, separators=(",", ":"),
//! ensure_ascii=False)`, so a verifier needs nothing beyond the standard library.

use serde_json::Value;

use crate::error::{Error, Result};

/// Serializes `v` canonically. Fails on floating-point numbers, which Cairn never hashes.
pub fn to_canonical(v: &Value) -> Result<String> {
    let mut out = String::with_capacity(256);
    write(v, &mut out)?;
    Ok(out)
}

/// The SHA-256 of `v`'s canonical form, computed as it is written (a record of many
/// MiB is not held twice).
pub fn sha256_of(v: &Value) -> Result<[u8; 32]> {
    let mut out = Hashing {
        h: sha2::Sha256::default(),
        buf: String::with_capacity(Hashing::FLUSH + 64),
    };
    write(v, &mut out)?;
    out.flush();
    Ok(sha2::Digest::finalize(out.h).into())
}

/// Where canonical text goes: a string, or a hash.
trait Out {
    fn push(&mut self, c: char);
    fn push_str(&mut self, s: &str);
}

impl Out for String {
    fn push(&mut self, c: char) {
        String::push(self, c);
    }
    fn push_str(&mut self, s: &str) {
        String::push_str(self, s);
    }
}

/// Hashes what is written, a buffer at a time.
struct Hashing {
    h: sha2::Sha256,
    buf: String,
}

impl Hashing {
    const FLUSH: usize = 64 * 1024;

    fn flush(&mut self) {
        sha2::Digest::update(&mut self.h, self.buf.as_bytes());
        self.buf.clear();
    }
}

impl Out for Hashing {
    fn push(&mut self, c: char) {
        self.buf.push(c);
        if self.buf.len() >= Self::FLUSH {
            self.flush();
        }
    }
    fn push_str(&mut self, s: &str) {
        if self.buf.len() + s.len() > Self::FLUSH {
            self.flush();
            sha2::Digest::update(&mut self.h, s.as_bytes());
        } else {
            self.buf.push_str(s);
        }
    }
}

fn write(v: &Value, out: &mut impl Out) -> Result<()> {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if n.is_f64() {
                return Err(Error::Invalid(
                    "Canonical JSON holds only whole numbers.".into(),
                ));
            }
            out.push_str(&n.to_string());
        }
        Value::String(s) => write_str(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, out)?;
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut fields: Vec<(&String, &Value)> = map.iter().collect();
            // Rust's `str` order is byte order of UTF-8, which equals code-point order.
            // (Usually sorted already, which this sort checks in one pass.)
            fields.sort_unstable_by_key(|(k, _)| *k);
            out.push('{');
            for (i, (k, v)) in fields.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(k, out);
                out.push(':');
                write(v, out)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

fn write_str(s: &str, out: &mut impl Out) {
    out.push('"');
    // Copy runs that need no escape whole; every byte that does is ASCII, so the
    // slices between them fall on character boundaries.
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let escaped = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            b if b < 0x20 => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if escaped.is_empty() {
            out.push_str(&format!("\\u{b:04x}"));
        } else {
            out.push_str(escaped);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// Serializes any `Serialize` value canonically.
pub fn canonical_of<T: serde::Serialize>(v: &T) -> Result<String> {
    Ok(Record::of(v)?.text)
}

/// An item's record as it is about to be stored: its canonical text (what is hashed
/// and kept) and the value it was written from, so indexing it needs no second parse.
pub(crate) struct Record {
    /// The record as JSON.
    pub value: Value,
    /// Its canonical text.
    pub text: String,
}

impl Record {
    /// The record of `v`.
    pub fn of<T: serde::Serialize>(v: &T) -> Result<Record> {
        let value = serde_json::to_value(v)
            .map_err(|e| Error::Invalid(format!("Could not encode a record ({e}).")))?;
        let text = to_canonical(&value)?;
        Ok(Record { value, text })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_streamed_hash_is_the_hash_of_the_text() {
        use sha2::Digest;
        let long = format!("{}\n\"é\u{1}", "x".repeat(200_000));
        for v in [
            serde_json::json!({"b": [1, "two", null], "a": {"z": true, "y": long}}),
            serde_json::json!("short"),
            serde_json::json!([]),
        ] {
            let text = to_canonical(&v).unwrap_or_default();
            let want: [u8; 32] = sha2::Sha256::digest(text.as_bytes()).into();
            assert_eq!(sha256_of(&v).ok(), Some(want));
        }
    }
    use serde_json::json;

    #[test]
    fn sorts_keys_and_escapes_like_python() {
        let v = json!({"b": 1, "a": [true, null, "x\"\\\n\u{1}é"], "A": {"z": -3, "y": ""}});
        assert_eq!(
            to_canonical(&v).unwrap(),
            "{\"A\":{\"y\":\"\",\"z\":-3},\"a\":[true,null,\"x\\\"\\\\\\n\\u0001é\"],\"b\":1}"
        );
    }

    #[test]
    fn escapes_between_runs_like_python() {
        // Python: json.dumps("\t\x1f\x7f😀\r", ensure_ascii=False)
        assert_eq!(
            to_canonical(&json!("\t\u{1f}\u{7f}😀\r")).unwrap(),
            "\"\\t\\u001f\u{7f}😀\\r\""
        );
    }

    #[test]
    fn refuses_floats() {
        assert!(to_canonical(&json!({"x": 1.5})).is_err());
    }
}
