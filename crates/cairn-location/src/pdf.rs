//! What the raw scan needs to know of a PDF stream: how its bytes are encoded, read from
//! the dictionary just before its `stream` keyword. The scan inflates what is Flate
//! alone (or Flate before a JPEG's own encoding), lets through what it can already see
//! (no filter, a JPEG as it is) and a picture's pixels (they cannot say where), and
//! refuses the rest: a stream it cannot decode could hold a geotagged photo.

/// How far back from a `stream` keyword its dictionary is looked for.
pub(crate) const DICT_BACK: usize = 8 * 1024;

/// What to do with a stream's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Plan {
    /// Nothing: the raw scan sees them as they are, or they are a picture's pixels or
    /// a cross-reference table.
    Pass,
    /// Inflate them (zlib) and scan what comes out; `Some(n)`: the stream is `n` bytes.
    Inflate(Option<u64>),
    /// They are encoded in a way the scan does not decode: the file cannot be checked.
    Refuse,
}

/// If the `stream` that starts `after` (with `before` the bytes just before it) is the
/// keyword that starts a stream's data: how far into `after` the data starts. The
/// keyword follows a dictionary's `>>` (and white space) and is followed by an end of
/// line (CR LF, LF, a lone CR), after any spaces some writers put.
pub(crate) fn data_start(before: &[u8], after: &[u8]) -> Option<usize> {
    let trimmed = before.len() - before.iter().rev().take_while(|c| is_space(**c)).count();
    if !before.get(..trimmed)?.ends_with(b">>") {
        return None;
    }
    let b = after;
    let mut i = b"stream".len();
    while matches!(b.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    match (b.get(i), b.get(i + 1)) {
        (Some(b'\r'), Some(b'\n')) => Some(i + 2),
        (Some(b'\n' | b'\r'), _) => Some(i + 1),
        _ => None,
    }
}

/// The plan for a stream whose keyword ends `ctx` (the bytes before it, at most
/// [`DICT_BACK`]). A dictionary it cannot find or read is refused.
pub(crate) fn plan(ctx: &[u8]) -> Plan {
    let end = ctx.len() - ctx.iter().rev().take_while(|c| is_space(**c)).count();
    let Some(ctx) = ctx.get(..end) else {
        return Plan::Refuse;
    };
    // The nearest `<<` whose dictionary runs exactly to the end (an inner one, or one
    // in a string, ends sooner).
    let mut p = ctx.len();
    while p >= 2 {
        p -= 1;
        if ctx.get(p - 1..=p) != Some(b"<<") {
            continue;
        }
        let mut i = p - 1;
        if let Some(Tok::Dict(d)) = value(ctx, &mut i, 0) {
            if i == ctx.len() {
                return decide(&d);
            }
        }
    }
    Plan::Refuse
}

/// The plan for a stream with dictionary `d`.
fn decide(d: &[(Vec<u8>, Tok)]) -> Plan {
    let get = |k: &[u8]| d.iter().find(|(n, _)| n == k).map(|(_, v)| v);
    let is_name = |t: Option<&Tok>, n: &[u8]| matches!(t, Some(Tok::Name(x)) if x == n);
    if is_name(get(b"Type"), b"XRef") {
        return Plan::Pass;
    }
    let filters: Vec<Vec<u8>> = match get(b"Filter") {
        None | Some(Tok::Null) => Vec::new(),
        Some(Tok::Name(n)) => vec![full_name(n)],
        Some(Tok::Array(a)) => {
            let mut out = Vec::new();
            for t in a {
                match t {
                    Tok::Name(n) => out.push(full_name(n)),
                    _ => return Plan::Refuse,
                }
            }
            out
        }
        // An indirect filter (or anything else) cannot be read here.
        Some(_) => return Plan::Refuse,
    };
    let f: Vec<&[u8]> = filters.iter().map(Vec::as_slice).collect();
    let pixels_only = f.iter().all(|n| PIXEL_FILTERS.contains(n));
    if is_name(get(b"Subtype"), b"Image") && pixels_only {
        return Plan::Pass;
    }
    let predictor = match get(b"DecodeParms").or_else(|| get(b"DP")) {
        None | Some(Tok::Null) => false,
        Some(Tok::Dict(p)) => p
            .iter()
            .any(|(k, v)| k == b"Predictor" && !matches!(v, Tok::Num(1))),
        Some(Tok::Array(a)) => a.iter().any(|t| match t {
            Tok::Null => false,
            Tok::Dict(p) => p
                .iter()
                .any(|(k, v)| k == b"Predictor" && !matches!(v, Tok::Num(1))),
            _ => true,
        }),
        Some(_) => true,
    };
    let length = match get(b"Length") {
        Some(Tok::Num(n)) if *n >= 0 => Some(*n as u64),
        _ => None,
    };
    match f.as_slice() {
        [] => Plan::Pass,
        [b"DCTDecode" | b"JPXDecode"] => Plan::Pass,
        [b"FlateDecode"] | [b"FlateDecode", b"DCTDecode" | b"JPXDecode"] if !predictor => {
            Plan::Inflate(length)
        }
        _ => Plan::Refuse,
    }
}

/// Filters whose output is only a picture's pixels.
const PIXEL_FILTERS: [&[u8]; 7] = [
    b"FlateDecode",
    b"LZWDecode",
    b"RunLengthDecode",
    b"ASCIIHexDecode",
    b"ASCII85Decode",
    b"CCITTFaxDecode",
    b"JBIG2Decode",
];

/// A filter's full name (inline images' abbreviations, which readers accept anywhere).
fn full_name(n: &[u8]) -> Vec<u8> {
    let full: &[u8] = match n {
        b"Fl" => b"FlateDecode",
        b"LZW" => b"LZWDecode",
        b"RL" => b"RunLengthDecode",
        b"AHx" => b"ASCIIHexDecode",
        b"A85" => b"ASCII85Decode",
        b"CCF" => b"CCITTFaxDecode",
        b"DCT" => b"DCTDecode",
        other => other,
    };
    full.to_vec()
}

/// A PDF value, as far as a stream's dictionary needs.
#[derive(Debug)]
enum Tok {
    Name(Vec<u8>),
    Num(i64),
    Ref,
    Array(Vec<Tok>),
    Dict(Vec<(Vec<u8>, Tok)>),
    Null,
    /// A string, a real number, a boolean, a keyword.
    Other,
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0')
}

fn is_delim(c: u8) -> bool {
    matches!(
        c,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

/// Skips white space and comments.
fn skip(b: &[u8], i: &mut usize) {
    while let Some(&c) = b.get(*i) {
        if is_space(c) {
            *i += 1;
        } else if c == b'%' {
            while !matches!(b.get(*i), None | Some(b'\r' | b'\n')) {
                *i += 1;
            }
        } else {
            break;
        }
    }
}

/// The value at `i` (after white space), advancing past it; `None` if it is not one.
fn value(b: &[u8], i: &mut usize, depth: u8) -> Option<Tok> {
    if depth > 32 {
        return None;
    }
    skip(b, i);
    let c = *b.get(*i)?;
    match c {
        b'/' => {
            *i += 1;
            let mut name = Vec::new();
            while let Some(&c) = b.get(*i) {
                if is_space(c) || is_delim(c) {
                    break;
                }
                if c == b'#' {
                    let hex = b.get(*i + 1..*i + 3)?;
                    let s = std::str::from_utf8(hex).ok()?;
                    name.push(u8::from_str_radix(s, 16).ok()?);
                    *i += 3;
                } else {
                    name.push(c);
                    *i += 1;
                }
            }
            Some(Tok::Name(name))
        }
        b'<' if b.get(*i + 1) == Some(&b'<') => {
            *i += 2;
            let mut d = Vec::new();
            loop {
                skip(b, i);
                if b.get(*i..*i + 2) == Some(b">>") {
                    *i += 2;
                    return Some(Tok::Dict(d));
                }
                let Tok::Name(k) = value(b, i, depth + 1)? else {
                    return None;
                };
                let v = value(b, i, depth + 1)?;
                d.push((k, v));
            }
        }
        b'<' => {
            let close = b.get(*i..)?.iter().position(|&c| c == b'>')?;
            *i += close + 1;
            Some(Tok::Other)
        }
        b'[' => {
            *i += 1;
            let mut a = Vec::new();
            loop {
                skip(b, i);
                if b.get(*i) == Some(&b']') {
                    *i += 1;
                    return Some(Tok::Array(a));
                }
                a.push(value(b, i, depth + 1)?);
            }
        }
        b'(' => {
            let mut nest = 0usize;
            while let Some(&c) = b.get(*i) {
                *i += 1;
                match c {
                    b'\\' => *i += 1,
                    b'(' => nest += 1,
                    b')' => {
                        nest -= 1;
                        if nest == 0 {
                            return Some(Tok::Other);
                        }
                    }
                    _ => {}
                }
            }
            None
        }
        _ => {
            let start = *i;
            while b.get(*i).is_some_and(|&c| !is_space(c) && !is_delim(c)) {
                *i += 1;
            }
            let word = b.get(start..*i)?;
            if word.is_empty() {
                return None;
            }
            if word == b"null" {
                return Some(Tok::Null);
            }
            let Some(n) = std::str::from_utf8(word)
                .ok()
                .and_then(|s| s.parse::<i64>().ok())
            else {
                return Some(Tok::Other);
            };
            // `n g R`: a reference.
            let mut j = *i;
            skip(b, &mut j);
            let g_start = j;
            while b.get(j).is_some_and(u8::is_ascii_digit) {
                j += 1;
            }
            if j > g_start {
                let mut k = j;
                skip(b, &mut k);
                if b.get(k) == Some(&b'R')
                    && b.get(k + 1).is_none_or(|&c| is_space(c) || is_delim(c))
                {
                    *i = k + 1;
                    return Some(Tok::Ref);
                }
            }
            Some(Tok::Num(n))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans() {
        let p = |d: &str| plan(d.as_bytes());
        assert_eq!(p("1 0 obj\n<< /Length 5 >>\n"), Plan::Pass);
        assert_eq!(
            p("<</Filter/FlateDecode/Length 12>>"),
            Plan::Inflate(Some(12))
        );
        assert_eq!(
            p("<< /Filter /Fl#61teDecode /Length 3 0 R >>"),
            Plan::Inflate(None)
        );
        assert_eq!(p("<< /Filter /Fl >>"), Plan::Inflate(None));
        assert_eq!(
            p("<< /Filter [/FlateDecode /DCTDecode] >>"),
            Plan::Inflate(None)
        );
        assert_eq!(
            p("<< /Subtype /Image /Filter [/FlateDecode /DCTDecode] >>"),
            Plan::Inflate(None)
        );
        assert_eq!(p("<< /Subtype /Image /Filter /FlateDecode >>"), Plan::Pass);
        assert_eq!(
            p("<< /Image 1 /Filter /FlateDecode >>"),
            Plan::Inflate(None)
        );
        assert_eq!(p("<< /Filter /DCTDecode >>"), Plan::Pass);
        assert_eq!(p("<< /Filter 7 0 R >>"), Plan::Refuse);
        assert_eq!(p("<< /Filter [/FlateDecode /FlateDecode] >>"), Plan::Refuse);
        assert_eq!(
            p("<< /Filter [/ASCII85Decode /FlateDecode] >>"),
            Plan::Refuse
        );
        assert_eq!(p("<< /Filter /LZWDecode >>"), Plan::Refuse);
        assert_eq!(
            p("<< /Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 4 >> >>"),
            Plan::Refuse
        );
        assert_eq!(
            p("<< /Type /XRef /Filter /FlateDecode /DecodeParms << /Predictor 12 >> >>"),
            Plan::Pass
        );
        // A string that looks like a dictionary does not stand for one.
        assert_eq!(
            p("<< /Filter /FlateDecode /T (<< /Filter /DCTDecode >>) >>"),
            Plan::Inflate(None)
        );
        assert_eq!(p("no dictionary here"), Plan::Refuse);
    }

    #[test]
    fn keyword() {
        assert_eq!(data_start(b"<< >>", b"stream\r\nxx"), Some(8));
        assert_eq!(data_start(b"<< >>\n", b"stream  \nxx"), Some(9));
        assert_eq!(data_start(b"the ", b"stream\nof"), None);
        assert_eq!(data_start(b"<< >> ", b"streams\n"), None);
        assert_eq!(data_start(b"<< >>\nend", b"stream\n"), None);
    }
}
