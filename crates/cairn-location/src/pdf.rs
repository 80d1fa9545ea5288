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
    /// Nothing: the raw scan sees them as they are, or they are a picture's pixels
    /// under a filter the scan does not decode.
    Pass,
    /// Inflate them (zlib) and scan what comes out; `Some(n)`: the stream is `n` bytes.
    Inflate(Option<u64>),
    /// They are encoded in a way the scan does not decode: the file cannot be checked.
    Refuse,
}

/// What a `stream` found in a PDF is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Keyword {
    /// Part of another word (`endstream`, `streams`).
    Not,
    /// The keyword after a dictionary: its data starts this far into `after`.
    Data(usize),
    /// The keyword after a dictionary but with no end of line: a reader may still
    /// take it for a stream, so the file cannot be checked.
    Doubt,
}

/// What the `stream` that starts `after` is (`before`: the bytes just before it). A
/// reader takes it for the keyword when a delimiter or white space is on each side and
/// a dictionary's `>>` comes before it (white space and comments between); its data
/// starts after the next end of line (CR LF, LF, a lone CR). The word elsewhere (a
/// title's text, XMP) is not the keyword.
pub(crate) fn keyword(before: &[u8], after: &[u8]) -> Keyword {
    let word = b"stream".len();
    let regular = |c: &u8| !is_space(*c) && !is_delim(*c);
    if before.last().is_some_and(regular) {
        return Keyword::Not;
    }
    match after.get(word) {
        None => return Keyword::Not,
        Some(c) if regular(c) => return Keyword::Not,
        Some(_) => {}
    }
    if !after_dictionary(before) {
        return Keyword::Not;
    }
    let rest = after.get(word..).unwrap_or(&[]);
    match rest
        .iter()
        .take(256)
        .position(|c| matches!(c, b'\r' | b'\n'))
    {
        Some(i) if rest.get(i..i + 2) == Some(b"\r\n") => Keyword::Data(word + i + 2),
        Some(i) => Keyword::Data(word + i + 1),
        None => Keyword::Doubt,
    }
}

/// True if `before` ends with `>>`, after white space and comments are taken off its
/// end (a `%` in a string on the last line is taken for a comment only if the line
/// does not end with `>>` as it is).
fn after_dictionary(before: &[u8]) -> bool {
    let mut end = before.len();
    loop {
        end -= before
            .get(..end)
            .unwrap_or(&[])
            .iter()
            .rev()
            .take_while(|c| is_space(**c))
            .count();
        let head = before.get(..end).unwrap_or(&[]);
        if head.ends_with(b">>") {
            return true;
        }
        let line = head
            .iter()
            .rposition(|c| matches!(c, b'\r' | b'\n'))
            .map_or(0, |i| i + 1);
        match head
            .get(line..)
            .and_then(|l| l.iter().position(|c| *c == b'%'))
        {
            Some(p) => end = line + p,
            None => return false,
        }
    }
}

/// The plan for a stream whose keyword ends `ctx` (the bytes before it, at most
/// [`DICT_BACK`]), trying at most `tries` places its dictionary may start; and how many
/// it tried. A dictionary it cannot find, or that more than one start could be (a
/// `<<` in a comment), is refused.
pub(crate) fn plan(ctx: &[u8], tries: u64) -> (Plan, u64) {
    let end = ctx.len() - ctx.iter().rev().take_while(|c| is_space(**c)).count();
    let Some(ctx) = ctx.get(..end) else {
        return (Plan::Refuse, 0);
    };
    let mut found = None;
    let mut tried = 0;
    let mut p = ctx.len();
    while p >= 2 {
        p -= 1;
        if ctx.get(p - 1..=p) != Some(b"<<") {
            continue;
        }
        tried += 1;
        if tried > tries {
            return (Plan::Refuse, tried);
        }
        let mut i = p - 1;
        if let Some(Tok::Dict(d)) = value(ctx, &mut i, 0) {
            if i == ctx.len() {
                if found.is_some() {
                    return (Plan::Refuse, tried);
                }
                found = Some(d);
            }
        }
    }
    (found.map_or(Plan::Refuse, |d| decide(&d)), tried)
}

/// The plan for a stream with dictionary `d`. Flate is always inflated, whatever the
/// dictionary calls the stream (an attached file may call itself a picture); a
/// picture's other encodings are taken for pixels.
fn decide(d: &[(Vec<u8>, Tok)]) -> Plan {
    // Readers differ on which of two same names they keep.
    for (i, (k, _)) in d.iter().enumerate() {
        if d.iter().skip(i + 1).any(|(n, _)| n == k) {
            return Plan::Refuse;
        }
    }
    let get = |k: &[u8]| d.iter().find(|(n, _)| n == k).map(|(_, v)| v);
    let is_name = |t: Option<&Tok>, n: &[u8]| matches!(t, Some(Tok::Name(x)) if x == n);
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
    let image = is_name(get(b"Subtype"), b"Image");
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
    // A predictor reorders the inflated bytes of a picture or a cross-reference
    // table; elsewhere it could hide what the scan looks for.
    let predicted_ok = image || is_name(get(b"Type"), b"XRef");
    let length = match get(b"Length") {
        Some(Tok::Num(n)) if *n >= 0 => Some(*n as u64),
        _ => None,
    };
    match f.as_slice() {
        [] => Plan::Pass,
        [b"DCTDecode" | b"JPXDecode"] => Plan::Pass,
        [b"FlateDecode"] | [b"FlateDecode", b"DCTDecode" | b"JPXDecode"]
            if !predictor || predicted_ok =>
        {
            Plan::Inflate(length)
        }
        _ if image
            && f.iter().all(|n| PIXEL_FILTERS.contains(n))
            && !f.contains(&&b"FlateDecode"[..]) =>
        {
            Plan::Pass
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
        let p = |d: &str| plan(d.as_bytes(), 100).0;
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
        // Whatever the stream calls itself, Flate is inflated.
        assert_eq!(
            p("<< /Subtype /Image /Filter /FlateDecode >>"),
            Plan::Inflate(None)
        );
        assert_eq!(
            p("<< /Type /XRef /Filter /FlateDecode /DecodeParms << /Predictor 12 >> >>"),
            Plan::Inflate(None)
        );
        assert_eq!(
            p("<< /Subtype /Image /Filter /CCITTFaxDecode >>"),
            Plan::Pass
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
        // A name twice; a `<<` in a comment that could start another dictionary.
        assert_eq!(
            p("<< /Filter null /Length 5 /Filter /FlateDecode >>"),
            Plan::Refuse
        );
        assert_eq!(
            p("<< /Filter /FlateDecode /Length 9\n% << /Type /XRef\n>>"),
            Plan::Refuse
        );
        // A string that looks like a dictionary does not stand for one.
        assert_eq!(
            p("<< /Filter /FlateDecode /T (<< /Filter /DCTDecode >>) >>"),
            Plan::Inflate(None)
        );
        assert_eq!(p("no dictionary here"), Plan::Refuse);
        // Too many places to try: refused.
        assert_eq!(
            plan(format!("{}<< >>", "<<(".repeat(200)).as_bytes(), 50).0,
            Plan::Refuse
        );
    }

    #[test]
    fn keyword() {
        use super::keyword as k;
        assert_eq!(k(b"<< >>", b"stream\r\nxx"), Keyword::Data(8));
        assert_eq!(k(b"<< >>\n", b"stream  \nxx"), Keyword::Data(9));
        assert_eq!(k(b"<< >>", b"stream%x\nxx"), Keyword::Data(9));
        assert_eq!(k(b"<< >>", b"stream\x0c\nxx"), Keyword::Data(8));
        assert_eq!(k(b"<< >> %c\n", b"stream\nxx"), Keyword::Data(7));
        assert_eq!(k(b"<< >>\n% a\n %b\n", b"stream\nxx"), Keyword::Data(7));
        assert_eq!(k(b"<< >>", b"stream"), Keyword::Not);
        assert_eq!(k(b"<< >>", b"stream   "), Keyword::Doubt);
        assert_eq!(k(b"<dc:title>Live ", b"stream</dc:title>"), Keyword::Not);
        assert_eq!(k(b"(50% up) ", b"stream\n"), Keyword::Not);
        assert_eq!(k(b"<< >> ", b"streams\n"), Keyword::Not);
        assert_eq!(k(b"<< >>\nend", b"stream\n"), Keyword::Not);
    }
}
