//! Signs of location in bytes Cairn cannot take apart (PDF, text, audio, unknown):
//! an XMP packet that names a place or a position, an Exif block with a GPS
//! directory, an ISO 6709 position string. Streams; matches that straddle two reads
//! are found because each read keeps the tail of the last one.

use std::io::{self, Cursor, Read};

use crate::edits::{Cx, Stop, Win};
use crate::{pdf, tiff};

/// Bytes read at a time.
const CHUNK: usize = 256 * 1024;
/// Bytes kept past the last position examined: the longest look-ahead any sign needs
/// (an Exif block, at most 64 KiB in a JPEG segment, after its header).
const LOOK: usize = 64 * 1024 + 64;

const XMP_OPEN: [&[u8]; 4] = [
    b"<x:xmpmeta",
    b"<x:xapmeta",
    b"<?xpacket begin",
    b"<rdf:RDF",
];
const XMP_CLOSE: [&[u8]; 3] = [b"</x:xmpmeta>", b"</x:xapmeta>", b"<?xpacket end"];
/// Words that, inside an XMP packet, say where.
const PLACE_WORDS: [&[u8]; 9] = [
    b"GPS",
    b"drone-dji",
    b"Iptc4xmpCore:Location",
    b"Iptc4xmpExt:Location",
    b"photoshop:City",
    b"photoshop:State",
    b"photoshop:Country",
    b"Latitude",
    b"Longitude",
];

/// Why a scan found location.
pub(crate) const FOUND: &str = "it holds location data Cairn cannot remove from this kind of file";

/// Reads `r` to its end: which signs of location it shows.
pub(crate) fn signs_of<R: Read>(r: &mut R) -> io::Result<Signs> {
    read_signs(r, false)
}

/// Reads `r` to its end (or to the first sign); true if it shows any sign of location.
pub(crate) fn has_location<R: Read>(r: &mut R) -> io::Result<bool> {
    Ok(read_signs(r, true)?.any())
}

/// Scans `r` a chunk at a time; with `first`, stops at the first sign.
fn read_signs<R: Read>(r: &mut R, first: bool) -> io::Result<Signs> {
    let mut scan = Scan::new();
    let mut chunk = vec![0u8; CHUNK];
    loop {
        let n = r.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        scan.push(chunk.get(..n).unwrap_or(&[]))?;
        if first && scan.signs.any() {
            return Ok(scan.signs);
        }
    }
    scan.signs()
}

/// Why a file's bytes show a position track.
pub(crate) const FOUND_TRACK: &str =
    "it holds a recorded position track (a dashcam's or a GPS logger's) that Cairn cannot remove";
/// Why a file with an archive inside cannot be checked.
pub(crate) const FOUND_ARCHIVE: &str =
    "it holds compressed or encoded parts that Cairn cannot look into for location";
/// Why a message file cannot be checked.
pub(crate) const FOUND_ATTACHED: &str =
    "it holds attached files, encoded inside its messages, that Cairn cannot check for location";

/// What the raw scan found.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Signs {
    /// A place or position in metadata: an XMP packet naming one, Exif with GPS, an
    /// ISO 6709 position.
    pub place: bool,
    /// A recorded position track: NMEA sentences (`$GPRMC`…), a dashcam's `freeGPS`
    /// blocks — in a video's media data, where no metadata parser looks.
    pub track: bool,
    /// Files attached inside messages in an encoding (base64 in an email, an SMS
    /// backup's MMS parts) Cairn does not take apart here.
    pub attached: bool,
    /// Compressed or encoded parts the scan cannot look into: a ZIP member inside (a
    /// self-extracting or embedded archive), a PDF stream it cannot decode or whose
    /// structure is in doubt, more than it will unpack or read.
    pub archive: bool,
}

impl Signs {
    fn merge(&mut self, other: Signs) {
        self.place |= other.place;
        self.track |= other.track;
        self.attached |= other.attached;
        self.archive |= other.archive;
    }

    /// Any sign at all.
    pub fn any(self) -> bool {
        self.place || self.track || self.attached || self.archive
    }

    /// Why a file with these signs cannot be cleaned, if it cannot.
    pub fn reason(self) -> Option<&'static str> {
        if self.track {
            Some(FOUND_TRACK)
        } else if self.attached {
            Some(FOUND_ATTACHED)
        } else if self.archive {
            Some(FOUND_ARCHIVE)
        } else if self.place {
            Some(FOUND)
        } else {
            None
        }
    }
}

/// The raw scan, fed as bytes arrive (a file being written elsewhere can be scanned in
/// the same pass): [`Scan::push`] each piece in order, then [`Scan::finish`] or
/// [`Scan::signs`].
///
/// In a PDF, streams compressed with Flate (an attached file, compressed XMP, a
/// picture) are inflated as they pass and their bytes scanned too, up to 2 GiB in all,
/// in a PDF and in one attached to it. A stream encoded any other way (but a picture's
/// pixels), or whose structure is in doubt, makes the file one the scan cannot check
/// (the crate's rules table says which).
#[derive(Debug)]
pub struct Scan {
    buf: Vec<u8>,
    /// Where `buf` starts in the file.
    pos: u64,
    /// 0 for the file itself; 1 and 2 for what is inflated from its streams.
    depth: u8,
    /// What kind of file its first KiB says it is; decided at the first step.
    mode: Option<Mode>,
    /// The last bytes dropped from `buf` (a PDF's stream dictionary may start there).
    tail: Vec<u8>,
    /// A stream being inflated, and up to where in the file its bytes run (a `stream`
    /// keyword before there is inside compressed data, not a new stream).
    inflating: Option<Box<Inflating>>,
    busy_until: u64,
    /// Exif blocks read so far.
    exif_reads: u64,
    /// Places a PDF stream's dictionary was looked for so far.
    plan_tries: u64,
    /// Bytes this scan may still inflate, and has.
    limit: u64,
    spent: u64,
    in_xmp: bool,
    /// Nothing more can be learnt: a position track was found (the strongest reason,
    /// [`Signs::reason`]). Other signs do not stop the scan, or a track later in the
    /// file would go unseen behind a position in its metadata.
    done: bool,
    signs: Signs,
    /// Markers of attached files seen: a media type, an encoding.
    attached_type: bool,
    attached_data: bool,
}

impl Default for Scan {
    fn default() -> Scan {
        Scan::at_depth(0, MAX_INFLATED)
    }
}

impl Scan {
    /// A scan at the start of a file.
    pub fn new() -> Scan {
        Scan::default()
    }

    fn at_depth(depth: u8, limit: u64) -> Scan {
        Scan {
            buf: Vec::new(),
            pos: 0,
            depth,
            mode: None,
            tail: Vec::new(),
            inflating: None,
            busy_until: 0,
            exif_reads: 0,
            plan_tries: 0,
            limit,
            spent: 0,
            in_xmp: false,
            done: false,
            signs: Signs::default(),
            attached_type: false,
            attached_data: false,
        }
    }

    /// The next bytes of the file.
    pub fn push(&mut self, data: &[u8]) -> io::Result<()> {
        if self.done {
            return Ok(());
        }
        let mut data = data;
        while !data.is_empty() {
            let room = (CHUNK + LOOK).saturating_sub(self.buf.len()).max(1);
            let (now, rest) = data.split_at(room.min(data.len()));
            self.buf.extend_from_slice(now);
            data = rest;
            if self.buf.len() >= CHUNK + LOOK {
                self.step(false)?;
                if self.done {
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// True if what was pushed shows any sign of location.
    pub fn finish(self) -> io::Result<bool> {
        Ok(self.signs()?.any())
    }

    /// Which signs what was pushed shows.
    pub fn signs(mut self) -> io::Result<Signs> {
        if !self.done {
            self.step(true)?;
        }
        // A stream cut short by the end of the file: what was inflated of it counts,
        // and the rest cannot be seen.
        if let Some(inf) = self.inflating.take() {
            self.signs.merge(inf.inner.signs()?);
            self.signs.archive = true;
        }
        Ok(self.signs)
    }

    /// Examines every position that has all the look-ahead it needs, then drops them.
    fn step(&mut self, eof: bool) -> io::Result<()> {
        let upto = if eof {
            self.buf.len()
        } else {
            self.buf.len().saturating_sub(LOOK)
        };
        if self.mode.is_none() {
            self.mode = Some(Mode::of(self.buf.get(..1024).unwrap_or(&self.buf)));
        }
        // Out of `self` while examined, which may feed an inflating stream from it.
        let buf = std::mem::take(&mut self.buf);
        let examined = self.examine(&buf, upto);
        self.buf = buf;
        examined?;
        self.signs.attached |= self.attached_type && self.attached_data;
        self.done = self.signs.track;
        if self.mode == Some(Mode::Pdf) {
            let gone = self.buf.get(..upto).unwrap_or(&[]);
            let keep = gone.len().min(pdf::DICT_BACK);
            self.tail
                .extend_from_slice(gone.get(gone.len() - keep..).unwrap_or(&[]));
            let over = self.tail.len().saturating_sub(pdf::DICT_BACK);
            self.tail.drain(..over);
        }
        self.buf.drain(..upto);
        self.pos += upto as u64;
        Ok(())
    }

    /// Signs starting before `upto` (later bytes are look-ahead).
    ///
    /// One SIMD search finds every sign's fixed part ([`needles`]); only there are
    /// the bytes around compared. (A general multi-pattern search, case-blind for mail
    /// headers, read three times slower than encrypting the file.) A sign whose fixed
    /// part is not at its start (`…/`, `base64`) may be looked at again in the next
    /// step: those checks give the same answer twice.
    fn examine(&mut self, b: &[u8], upto: usize) -> io::Result<()> {
        // A sign starting before `upto` has its fixed part before this.
        let near = b.get(..(upto + BACK).min(b.len())).unwrap_or(&[]);
        let mut xmp_from = 0;
        let mode = self.mode.unwrap_or(Mode::Other);
        let pdf = mode == Mode::Pdf;
        if matches!(mode, Mode::Text | Mode::Xml) && !self.signs.attached {
            self.signs.attached = mail_attachment(b, upto);
        }
        let Some(finder) = needles(mode) else {
            // Fixed patterns always build; were they ever not to, fail closed.
            self.signs.place = true;
            return Ok(());
        };
        // A stream still being inflated takes the bytes that arrived since.
        self.feed(b)?;
        for (at, kind) in finder.find_iter(near) {
            let rest = b.get(at..).unwrap_or(&[]);
            match kind {
                // Once the file is refused, its streams need not be read.
                Kind::PdfStream if pdf && at < upto && !self.signs.archive => {
                    // Up to DICT_BACK bytes before the keyword, some from `tail`.
                    let ctx: std::borrow::Cow<'_, [u8]> = match at.checked_sub(pdf::DICT_BACK) {
                        Some(from) => b.get(from..at).unwrap_or(&[]).into(),
                        None => {
                            let need = pdf::DICT_BACK - at;
                            let t = self.tail.get(self.tail.len().saturating_sub(need)..);
                            [t.unwrap_or(&[]), b.get(..at).unwrap_or(&[])]
                                .concat()
                                .into()
                        }
                    };
                    let start = match pdf::keyword(&ctx, rest) {
                        pdf::Keyword::Not => continue,
                        pdf::Keyword::Doubt => {
                            self.signs.archive = true;
                            continue;
                        }
                        pdf::Keyword::Data(start) => start,
                    };
                    if self.pos + (at as u64) < self.busy_until {
                        // A stream's start inside another's compressed data: one of
                        // the two is not what it seems.
                        self.signs.archive = true;
                        continue;
                    }
                    // Where a dictionary may start is tried a bounded number of times
                    // in all (4,096, and one more for every 64 bytes).
                    let allowed = (4096 + self.pos / 64).saturating_sub(self.plan_tries);
                    let (plan, tried) = pdf::plan(&ctx, allowed);
                    self.plan_tries += tried;
                    match plan {
                        pdf::Plan::Pass => {}
                        pdf::Plan::Refuse => self.signs.archive = true,
                        // A PDF inside a PDF inside a PDF: not unpacked further.
                        pdf::Plan::Inflate(_) if self.depth >= 2 => self.signs.archive = true,
                        pdf::Plan::Inflate(len) => {
                            let limit = self.limit.saturating_sub(self.spent);
                            let mut inner = Scan::at_depth(self.depth + 1, limit);
                            // Exif reads count across the file and all it holds.
                            inner.exif_reads = self.exif_reads;
                            self.inflating = Some(Box::new(Inflating {
                                z: flate2::Decompress::new(true),
                                next: self.pos + (at + start) as u64,
                                left: len,
                                inner,
                            }));
                            self.busy_until = u64::MAX;
                            self.feed(b)?;
                        }
                    }
                }
                Kind::PdfOutside if at < upto => self.signs.archive = true,
                Kind::SmsData if at < upto => {
                    let before = at.checked_sub(1).and_then(|i| b.get(i));
                    let after = rest.get(4..).unwrap_or(&[]);
                    let eq = after.iter().find(|c| !c.is_ascii_whitespace());
                    if before.is_some_and(u8::is_ascii_whitespace) && eq == Some(&b'=') {
                        self.signs.attached = true;
                    }
                }
                Kind::XmpOpen if at < upto && !self.in_xmp => {
                    self.in_xmp = true;
                    xmp_from = at;
                }
                Kind::XmpClose if at < upto && self.in_xmp => {
                    let packet = b.get(xmp_from..at).unwrap_or(&[]);
                    self.signs.place |= has_place_word(packet, xmp_from, upto);
                    self.in_xmp = false;
                }
                Kind::Exif | Kind::ExifChunk(_) if at < upto && !self.signs.place => {
                    let skip = match kind {
                        Kind::ExifChunk(n) => n,
                        _ => EXIF_HEADER.len(),
                    };
                    let tiff = rest.get(skip..).unwrap_or(&[]);
                    let is_tiff = tiff.starts_with(b"II*\0") || tiff.starts_with(b"MM\0*");
                    if matches!(kind, Kind::ExifChunk(_)) && !is_tiff {
                        continue;
                    }
                    // Each read of a TIFF costs; a file packed with Exif headers is not
                    // read for ever (one for every 64 KiB, beyond the first 256).
                    self.exif_reads += 1;
                    if self.exif_reads > 256 + self.pos / (64 * 1024) {
                        self.signs.archive = true;
                        continue;
                    }
                    self.signs.place |= exif_has_gps(tiff)?;
                }
                Kind::Track if at < upto => self.signs.track = true,
                // The fixed part is a digit and the `/`.
                Kind::PositionEnd => self.signs.place |= iso6709_ending(b, at + 1, upto),
                // The fixed part is the last two letters of the type and the `/`.
                Kind::TypeEnd => self.attached_type |= attached_type(b, at + 2),
                // The fixed part is `se64`.
                Kind::Base64 => self.attached_data |= base64_header(b, at),
                Kind::Data if at < upto => {
                    self.attached_data = true;
                    // In an SMS backup, encoded bytes are an MMS part whatever its type.
                    self.signs.attached |= mode == Mode::Xml;
                }
                Kind::Archive if at < upto => self.signs.archive |= zip_member(rest),
                _ => {}
            }
        }
        // Inside a packet still open at the end of what is examined.
        if self.in_xmp {
            let packet = b.get(xmp_from..).unwrap_or(&[]);
            self.signs.place |= has_place_word(packet, xmp_from, upto);
        }
        Ok(())
    }
}

impl Scan {
    /// Feeds the stream being inflated the bytes of `b` (the buffer) it has not had; when
    /// it ends, what was inflated from it adds to the signs.
    fn feed(&mut self, b: &[u8]) -> io::Result<()> {
        let Some(inf) = self.inflating.as_mut() else {
            return Ok(());
        };
        let skip = inf.next.saturating_sub(self.pos) as usize;
        let mut input = b.get(skip..).unwrap_or(&[]);
        // No further than the stream's length, when its dictionary gives it.
        if let Some(left) = inf.left {
            input = input.get(..(left as usize).min(input.len())).unwrap_or(&[]);
        }
        let mut out = vec![0u8; 64 * 1024];
        let ended = loop {
            if input.is_empty() {
                break None;
            }
            let (before_in, before_out) = (inf.z.total_in(), inf.z.total_out());
            let status = inf
                .z
                .decompress(input, &mut out, flate2::FlushDecompress::None);
            let used = (inf.z.total_in() - before_in) as usize;
            let made = (inf.z.total_out() - before_out) as usize;
            input = input.get(used..).unwrap_or(&[]);
            inf.next += used as u64;
            if let Some(left) = inf.left.as_mut() {
                *left -= used as u64;
            }
            self.spent += made as u64;
            if self.spent > self.limit {
                // More than Cairn will unpack (a compression bomb, or simply huge).
                self.signs.archive = true;
                break Some(inf.next);
            }
            inf.inner.push(out.get(..made).unwrap_or(&[]))?;
            match status {
                Ok(flate2::Status::StreamEnd) => break Some(inf.next),
                // Damaged, or not Flate after all (encrypted): what it holds cannot be
                // seen.
                Err(_) => {
                    self.signs.archive = true;
                    break Some(inf.next);
                }
                // Its length reached before its end: cut short, or a stream that
                // would run on into the next.
                Ok(_) if inf.left == Some(0) => {
                    self.signs.archive = true;
                    break Some(inf.next);
                }
                Ok(_) if used == 0 && made == 0 => break None,
                Ok(_) => {}
            }
        };
        if let Some(end) = ended {
            if let Some(inf) = self.inflating.take() {
                let spent_inside = inf.inner.spent;
                self.exif_reads = self.exif_reads.max(inf.inner.exif_reads);
                self.signs.merge(inf.inner.signs()?);
                self.spent += spent_inside;
            }
            self.busy_until = end;
        }
        Ok(())
    }
}

/// A PDF stream being inflated.
#[derive(Debug)]
struct Inflating {
    z: flate2::Decompress,
    /// Where in the file the next byte to give it is.
    next: u64,
    /// Bytes of the stream not yet given, if its dictionary says how long it is.
    left: Option<u64>,
    /// The scan of what it inflates.
    inner: Scan,
}

/// Bytes a scan inflates from a PDF's streams at most (pictures excepted) before it
/// refuses the file as one it cannot check.
pub(crate) const MAX_INFLATED: u64 = 2 << 30;

/// How far before its fixed part a sign may start (an ISO 6709 position is at most
/// 40 bytes; every fixed part is shorter).
const BACK: usize = 64;

/// The header of an Exif block in any container (a JPEG APP1 segment, a PNG chunk…).
const EXIF_HEADER: &[u8] = b"Exif\0\0";

/// What a fixed part found by [`needles`] belongs to.
#[derive(Debug, Clone, Copy)]
enum Kind {
    XmpOpen,
    XmpClose,
    Exif,
    /// A chunk type whose TIFF (Exif without its header) starts this many bytes on.
    ExifChunk(usize),
    /// NMEA sentences that carry a position; a Novatek dashcam's `freeGPS` blocks.
    Track,
    /// A digit and `/`: the end of an ISO 6709 position.
    PositionEnd,
    /// `ge/`, `eo/`, `on/`, `io/` in any case: the end of `image/`, `message/`,
    /// `video/`, `application/`, `audio/`.
    TypeEnd,
    /// `se64` in any case: the end of `base64`.
    Base64,
    /// An SMS backup part's encoded bytes (XML: its case is fixed).
    Data,
    /// `PK\x03\x04`: a ZIP member's local header.
    Archive,
    /// PDF syntax: `stream` (and `endstream`), `/FlateDecode`, `/Image`, `endobj`.
    PdfStream,
    /// `endstream` in a file not taken for a PDF (its header missing or late).
    PdfOutside,
    /// `data` in an SMS backup: an attribute holding an MMS part's encoded bytes.
    SmsData,
}

/// Every sign's fixed part, case variants spelt out, searched for together.
struct Needles {
    kinds: Vec<Kind>,
    packed: Option<aho_corasick::packed::Searcher>,
    general: aho_corasick::AhoCorasick,
}

impl Needles {
    /// Where each fixed part in `b` starts, in order, and what it belongs to.
    fn find_iter<'a>(&'a self, b: &'a [u8]) -> Box<dyn Iterator<Item = (usize, Kind)> + 'a> {
        let kind = |i: usize| self.kinds.get(i).copied().unwrap_or(Kind::Track);
        match &self.packed {
            // Teddy, on x86-64 and ARM: several times the general automaton's speed.
            Some(p) => Box::new(
                p.find_iter(b)
                    .map(move |m| (m.start(), kind(m.pattern().as_usize()))),
            ),
            None => Box::new(
                self.general
                    .find_iter(b)
                    .map(move |m| (m.start(), kind(m.pattern().as_usize()))),
            ),
        }
    }
}

/// The fixed parts searched for: with PDF syntax for a PDF, an SMS backup's `data`
/// for one (more patterns make the search slower, so other files do without them).
fn needles(mode: Mode) -> Option<&'static Needles> {
    static N: [std::sync::OnceLock<Option<Needles>>; 4] = [const { std::sync::OnceLock::new() }; 4];
    let pdf = mode == Mode::Pdf;
    N.get(mode as usize)?
        .get_or_init(|| {
            let mut pats: Vec<Vec<u8>> = Vec::new();
            let mut kinds = Vec::new();
            let mut add = |p: &[u8], k: Kind| {
                pats.push(p.to_vec());
                kinds.push(k);
            };
            for t in XMP_OPEN {
                add(t, Kind::XmpOpen);
            }
            for t in XMP_CLOSE {
                add(t, Kind::XmpClose);
            }
            add(EXIF_HEADER, Kind::Exif);
            // Exif with no header: a PNG's `eXIf` chunk, a WebP's `EXIF` chunk.
            add(b"eXIf", Kind::ExifChunk(4));
            add(b"EXIF", Kind::ExifChunk(8));
            for t in TRACK {
                add(t, Kind::Track);
            }
            for d in b'0'..=b'9' {
                add(&[d, b'/'], Kind::PositionEnd);
            }
            for (w, k) in [
                (b"ge/", Kind::TypeEnd),
                (b"eo/", Kind::TypeEnd),
                (b"on/", Kind::TypeEnd),
                (b"io/", Kind::TypeEnd),
                (b"se6", Kind::Base64),
            ] {
                // Every case of the two letters.
                for m in 0..4u8 {
                    let mut v = w.to_vec();
                    for (i, c) in v.iter_mut().take(2).enumerate() {
                        if m >> i & 1 == 1 {
                            c.make_ascii_uppercase();
                        }
                    }
                    if matches!(k, Kind::Base64) {
                        v.push(b'4');
                    }
                    add(&v, k);
                }
            }
            add(b" data=\"", Kind::Data);
            add(b" data='", Kind::Data);
            add(b"PK\x03\x04", Kind::Archive);
            if pdf {
                add(b"stream", Kind::PdfStream);
            } else {
                add(b"endstream", Kind::PdfOutside);
            }
            if mode == Mode::Xml {
                add(b"data", Kind::SmsData);
            }
            let mut packed = aho_corasick::packed::Config::new().builder();
            packed.extend(&pats);
            let general = aho_corasick::AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::LeftmostFirst)
                .build(&pats)
                .ok()?;
            Some(Needles {
                kinds,
                packed: packed.build(),
                general,
            })
        })
        .as_ref()
}

/// What kind of file the raw scan reads, from its first KiB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Other = 0,
    /// `%PDF-`: streams are decoded ([`crate::pdf`]).
    Pdf = 1,
    /// Text (an email, a mailbox, a chat export): any mail part that is not text is an
    /// attached file.
    Text = 2,
    /// Text that is XML (an SMS backup): also, any `data` attribute is an MMS part's
    /// encoded bytes.
    Xml = 3,
}

impl Mode {
    /// From the first KiB: a PDF by its header; text if it holds no NUL and nearly
    /// nothing but printable characters (an email, however long its first header, is
    /// text from its first byte).
    fn of(head: &[u8]) -> Mode {
        if memchr::memmem::find(head, b"%PDF-").is_some() {
            return Mode::Pdf;
        }
        let printable = head
            .iter()
            .filter(|&&c| c >= 0x20 || matches!(c, b'\t' | b'\n' | b'\r' | 0x0c))
            .count();
        if head.is_empty() || head.contains(&0) || printable * 100 < head.len() * 95 {
            return Mode::Other;
        }
        let start = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
        if start.trim_ascii_start().starts_with(b"<") {
            Mode::Xml
        } else {
            Mode::Text
        }
    }
}

/// True if mail headers before `upto` in `b` name an attached file: a part whose type
/// is not text or multipart (a forwarded message too) or that has a name, a
/// disposition of `attachment` or with a file name, a uuencoded file (`begin 644
/// name`). Any case, any folding, comments skipped.
fn mail_attachment(b: &[u8], upto: usize) -> bool {
    static AC: std::sync::OnceLock<Option<aho_corasick::AhoCorasick>> = std::sync::OnceLock::new();
    let Some(ac) = AC
        .get_or_init(|| {
            aho_corasick::AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build([&b"content-type"[..], b"content-disposition", b"begin "])
                .ok()
        })
        .as_ref()
    else {
        // Fixed patterns always build; were they not to, fail closed.
        return true;
    };
    for m in ac.find_iter(b.get(..upto).unwrap_or(&[])) {
        let after = b.get(m.end()..).unwrap_or(&[]);
        let line_start = m.start() == 0 || b.get(m.start() - 1) == Some(&b'\n');
        match m.pattern().as_usize() {
            2 => {
                let digits = after
                    .iter()
                    .take_while(|c| (b'0'..=b'7').contains(c))
                    .count();
                if line_start && digits >= 1 && after.get(digits) == Some(&b' ') {
                    return true;
                }
            }
            p => {
                let Some(value) = header_value(after) else {
                    continue;
                };
                let attached = if p == 0 {
                    let ty = value
                        .split(|c| *c == b'/' || *c == b';')
                        .next()
                        .unwrap_or(&[]);
                    // A text part with a name is a file too.
                    (ty != b"text" && ty != b"multipart")
                        || memchr::memmem::find(&value, b"name=").is_some()
                } else {
                    value.starts_with(b"attachment")
                        || memchr::memmem::find(&value, b"filename").is_some()
                };
                if attached {
                    return true;
                }
            }
        }
    }
    false
}

/// The value of a header whose name ends where `after` starts: `None` if no `:` follows
/// (not a header). Unfolded, comments and white space removed, lower case, at most
/// 1 KiB.
fn header_value(after: &[u8]) -> Option<Vec<u8>> {
    let mut i = after
        .iter()
        .take_while(|c| **c == b' ' || **c == b'\t')
        .count();
    if after.get(i) != Some(&b':') {
        return None;
    }
    i += 1;
    let mut out = Vec::new();
    let mut comment = 0usize;
    while let Some(&c) = after.get(i) {
        if out.len() > 1024 || i > 4096 {
            break;
        }
        if c == b'\n' && !matches!(after.get(i + 1), Some(b' ' | b'\t')) {
            break;
        }
        match c {
            // A quoted character, in a comment or a quoted string: it ends neither.
            b'\\' => {
                if comment == 0 {
                    if let Some(&q) = after.get(i + 1) {
                        out.push(q.to_ascii_lowercase());
                    }
                }
                i += 1;
            }
            b'(' => comment += 1,
            b')' => comment = comment.saturating_sub(1),
            _ if comment > 0 || c.is_ascii_whitespace() || c == b'"' => {}
            _ => out.push(c.to_ascii_lowercase()),
        }
        i += 1;
    }
    Some(out)
}

/// A recorded position track: NMEA sentences, a Novatek dashcam's `freeGPS` blocks.
const TRACK: [&[u8]; 6] = [
    b"$GPRMC,", b"$GNRMC,", b"$GPGGA,", b"$GNGGA,", b"$GPGLL,", b"freeGPS",
];
/// Media types of an attached file, before the `/` (email MIME headers, SMS backup
/// parts; a voice memo's audio can say where it was recorded); `message/` counts only
/// as `message/rfc822`, a forwarded email.
const ATTACHED_TYPES: [&[u8]; 5] = [b"image", b"video", b"audio", b"application", b"message"];

/// True if `b` starts with `p`, whatever the case of its ASCII letters.
fn starts_with_ci(b: &[u8], p: &[u8]) -> bool {
    b.get(..p.len()).is_some_and(|h| h.eq_ignore_ascii_case(p))
}

/// True if `b` ends with `p`, whatever the case of its ASCII letters.
fn ends_with_ci(b: &[u8], p: &[u8]) -> bool {
    b.len() >= p.len()
        && b.get(b.len() - p.len()..)
            .is_some_and(|t| t.eq_ignore_ascii_case(p))
}

/// `b` without the spaces, tabs and line breaks it ends with (a folded mail header).
fn trim_end_space(b: &[u8]) -> &[u8] {
    let n = b
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_whitespace())
        .count();
    b.get(..b.len() - n).unwrap_or(&[])
}

/// True if the `/` at `slash` ends an ISO 6709 position starting before `upto`.
fn iso6709_ending(b: &[u8], slash: usize, upto: usize) -> bool {
    if slash == 0 || !b.get(slash - 1).is_some_and(u8::is_ascii_digit) {
        return false;
    }
    (slash.saturating_sub(40)..slash.min(upto)).any(|start| {
        matches!(b.get(start), Some(b'+' | b'-')) && iso6709(b.get(start..).unwrap_or(&[]))
    })
}

/// True if the `/` at `slash` is in an attached file's media type:
/// `Content-Type: image/…`, `ct="video/…"`, `content-type: message/rfc822`.
fn attached_type(b: &[u8], slash: usize) -> bool {
    let head = b.get(..slash).unwrap_or(&[]);
    let Some(word) = ATTACHED_TYPES.iter().find(|w| ends_with_ci(head, w)) else {
        return false;
    };
    if *word == b"message" && !starts_with_ci(b.get(slash + 1..).unwrap_or(&[]), b"rfc822") {
        return false;
    }
    let before = head.get(..head.len() - word.len()).unwrap_or(&[]);
    ends_with_ci(before, b"ct=\"")
        || ends_with_ci(before, b"ct='")
        || ends_with_ci(trim_end_space(before), b"content-type:")
}

/// True if the `se64` at `at` ends `Content-Transfer-Encoding: base64` (any case,
/// any spacing).
fn base64_header(b: &[u8], at: usize) -> bool {
    let Some(head) = at.checked_sub(2).and_then(|i| b.get(..i)) else {
        return false;
    };
    let ba = b.get(head.len()..at).unwrap_or(&[]);
    let head = trim_end_space(head);
    ba.eq_ignore_ascii_case(b"ba")
        && head.last() == Some(&b':')
        && ends_with_ci(
            trim_end_space(head.get(..head.len() - 1).unwrap_or(&[])),
            b"content-transfer-encoding",
        )
}

/// True if `b` starts with a plausible ZIP local file header (not four bytes that
/// happen to match in compressed data): a version a ZIP reader knows, a compression
/// method in use, a name of a sane length.
fn zip_member(b: &[u8]) -> bool {
    let u16_at = |i: usize| {
        b.get(i..i + 2)
            .and_then(|x| <[u8; 2]>::try_from(x).ok())
            .map(u16::from_le_bytes)
    };
    let (Some(version), Some(method), Some(name)) = (u16_at(4), u16_at(8), u16_at(26)) else {
        return false;
    };
    version <= 63
        && matches!(method, 0 | 8 | 9 | 12 | 14 | 93 | 95 | 98 | 99)
        && (1..=1024).contains(&name)
}

/// True if `region` (starting at `at` in the buffer) holds a place word starting
/// before `upto`.
fn has_place_word(region: &[u8], at: usize, upto: usize) -> bool {
    static W: std::sync::OnceLock<Option<aho_corasick::AhoCorasick>> = std::sync::OnceLock::new();
    match W.get_or_init(|| aho_corasick::AhoCorasick::new(PLACE_WORDS).ok()) {
        Some(w) => w.find_iter(region).any(|m| at + m.start() < upto),
        // Cannot happen with fixed words; if it did, any packet counts as naming a place.
        None => !region.is_empty(),
    }
}

/// True if the TIFF at the start of `b` points to a GPS directory, or cannot be read
/// to its end (fail closed: a directory not read may be the GPS one). A TIFF with no
/// Exif header before it (a bare TIFF inside another file) is not looked for.
fn exif_has_gps(b: &[u8]) -> io::Result<bool> {
    let mut c = Cursor::new(b);
    let mut cx = Cx::new(&mut c, b.len() as u64, 0);
    let w = Win {
        base: 0,
        len: b.len() as u64,
    };
    match tiff::has_gps(&mut cx, w) {
        Ok(v) => Ok(v),
        Err(Stop::Io(e)) => Err(e),
        Err(Stop::Cannot(_)) => Ok(false),
    }
}

/// True if `b` starts with an ISO 6709 position ending in `/`, as phones and ffmpeg
/// write it: `+51.5074-000.1278/`, `+40.7484-073.9857+015.000/`, `+4029-07400/`.
fn iso6709(b: &[u8]) -> bool {
    let mut i = 0;
    // Latitude: degrees (2), degrees-minutes (4) or degrees-minutes-seconds (6).
    if !part(b, &mut i, &[2, 4, 6]) {
        return false;
    }
    // Longitude: 3, 5 or 7.
    if !part(b, &mut i, &[3, 5, 7]) {
        return false;
    }
    // Optional altitude, any number of digits.
    if matches!(b.get(i), Some(b'+' | b'-')) {
        let mut j = i;
        if part(b, &mut j, &[]) {
            i = j;
        }
    }
    b.get(i) == Some(&b'/')
}

/// A sign, a run of digits (of one of `lens`, or any non-zero length if empty) and an
/// optional fraction; advances `i` past it.
fn part(b: &[u8], i: &mut usize, lens: &[usize]) -> bool {
    if !matches!(b.get(*i), Some(b'+' | b'-')) {
        return false;
    }
    let start = *i + 1;
    let digits = b
        .get(start..)
        .unwrap_or(&[])
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    if digits == 0 || (!lens.is_empty() && !lens.contains(&digits)) {
        return false;
    }
    let mut j = start + digits;
    if b.get(j) == Some(&b'.') {
        let frac = b
            .get(j + 1..)
            .unwrap_or(&[])
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if frac == 0 {
            return false;
        }
        j += 1 + frac;
    }
    *i = j;
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(b: &[u8]) -> bool {
        has_location(&mut Cursor::new(b)).unwrap_or(true)
    }

    /// `data` compressed with zlib, as a PDF's Flate streams are.
    fn zlib(data: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(data).unwrap_or_default();
        z.finish().unwrap_or_default()
    }

    /// A PDF of the given objects (dictionary text, stream bytes), after `pad` bytes
    /// of an uncompressed stream (so the others straddle reads).
    fn pdf(objects: &[(&str, Vec<u8>)], pad: usize) -> Vec<u8> {
        let mut b = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
        b.extend_from_slice(format!("1 0 obj\n<< /Length {pad} >>\nstream\n").as_bytes());
        b.extend(vec![b'.'; pad]);
        b.extend_from_slice(b"\nendstream\nendobj\n");
        for (i, (dict, data)) in objects.iter().enumerate() {
            b.extend_from_slice(
                format!(
                    "{} 0 obj\n<< {dict} /Length {} >>\nstream\r\n",
                    i + 2,
                    data.len()
                )
                .as_bytes(),
            );
            b.extend_from_slice(data);
            b.extend_from_slice(b"\r\nendstream\nendobj\n");
        }
        b.extend_from_slice(b"trailer\n<< /Root 1 0 R >>\n%%EOF\n");
        b
    }

    /// An Exif block whose TIFF points to a GPS directory.
    fn exif_with_gps() -> Vec<u8> {
        let mut t = b"\xff\xd8\xff\xe1\x00\x30Exif\0\0II*\0\x08\0\0\0".to_vec();
        // One entry: GPS pointer (0x8825, LONG, 1) to offset 26; no next IFD.
        t.extend_from_slice(&[1, 0, 0x25, 0x88, 4, 0, 1, 0, 0, 0, 26, 0, 0, 0, 0, 0, 0, 0]);
        // The GPS directory: no entries.
        t.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
        t.extend_from_slice(b"\xff\xd9");
        t
    }

    #[test]
    fn a_pdfs_compressed_streams_are_looked_into() {
        let xmp = b"<x:xmpmeta><rdf:RDF><exif:GPSLatitude>51,30.4N</exif:GPSLatitude></rdf:RDF></x:xmpmeta>";
        let flate = "/Filter /FlateDecode";
        for pad in [10, CHUNK - 40, CHUNK + LOOK + 7] {
            // Compressed XMP metadata.
            let p = pdf(&[(&format!("/Type /Metadata {flate}"), zlib(xmp))], pad);
            assert!(signs(&p).place, "xmp, pad {pad}");
            // An attached photo with GPS, compressed.
            let p = pdf(
                &[(
                    &format!("/Type /EmbeddedFile {flate}"),
                    zlib(&exif_with_gps()),
                )],
                pad,
            );
            assert!(signs(&p).place, "attached photo, pad {pad}");
            // A PDF attached inside, whose own metadata is compressed.
            let inner = pdf(&[(&format!("/Type /Metadata {flate}"), zlib(xmp))], 5);
            let p = pdf(
                &[(&format!("/Type/EmbeddedFile{flate}"), zlib(&inner))],
                pad,
            );
            assert!(signs(&p).place, "attached pdf, pad {pad}");
            // A ZIP attached.
            let mut z = b"PK\x03\x04\x14\0\0\0\x08\0".to_vec();
            z.extend(vec![0u8; 16]);
            z.extend_from_slice(b"\x09\0\0\0photo.jpg");
            let p = pdf(&[(&format!("/Type /EmbeddedFile {flate}"), zlib(&z))], pad);
            assert!(signs(&p).archive, "attached zip, pad {pad}");
        }
        // Pixels, a JPEG as it is and text that say nothing are clean.
        let pixels = b"\x10\x20\x30 pixels".repeat(100);
        let clean = pdf(
            &[
                (
                    &format!("/Type /XObject /Subtype /Image {flate}"),
                    zlib(&pixels),
                ),
                ("/Filter /DCTDecode", b"\xff\xd8\xff\xd9".to_vec()),
                (flate, zlib(b"BT /F1 12 Tf (He was there at nine) Tj ET")),
            ],
            100,
        );
        assert_eq!(signs(&clean), Signs::default());
        // The same compressed XMP outside a PDF is only compressed bytes.
        let mut not_pdf = b"just bytes\n".to_vec();
        not_pdf.extend_from_slice(&pdf(&[(flate, zlib(xmp))], 10)[8..]);
        assert!(!signs(&not_pdf).place);
    }

    #[test]
    fn a_pdf_stream_it_cannot_decode_or_trust_is_refused() {
        let photo = zlib(&exif_with_gps());
        let refused = |dict: &str, data: Vec<u8>| {
            let found = signs(&pdf(&[(dict, data)], 10));
            found.place || found.archive
        };
        // Written however a reader accepts it, the attached photo is found or refused.
        for dict in [
            "/Filter /Fl#61teDecode",
            "/Filter /Fl",
            "/Filter 7 0 R",
            "/Filter [/FlateDecode /FlateDecode]",
            "/Filter [/ASCII85Decode /FlateDecode]",
            "/Filter /LZWDecode",
            "/Image 1 /Filter /FlateDecode",
            "/Subtype /Image /Filter [/FlateDecode /DCTDecode]",
            "/Filter /FlateDecode /DecodeParms << /Predictor 12 >>",
        ] {
            assert!(refused(dict, photo.clone()), "{dict}");
        }
        // Not zlib at all (an encrypted PDF's streams): refused.
        assert!(
            signs(&pdf(
                &[("/Filter /FlateDecode", b"\x01\x02\x03 not zlib".to_vec())],
                10
            ))
            .archive
        );
        // A stream whose zlib data runs on past its length, over the next stream (a
        // stored block), does not hide it.
        let mut swallow = vec![0x78, 0x01, 0x01, 0xff, 0x7f, 0x00, 0x80];
        swallow.extend(vec![0u8; 3]);
        let p = pdf(
            &[
                ("/Filter /FlateDecode", swallow),
                ("/Type /EmbeddedFile /Filter /FlateDecode", photo.clone()),
            ],
            10,
        );
        let found = signs(&p);
        assert!(found.place || found.archive, "{found:?}");
        // A PDF whose header is missing or late is not passed as something else.
        let mut late = vec![b' '; 2000];
        late.extend(pdf(&[("/Filter /FlateDecode", photo.clone())], 10));
        assert!(signs(&late).archive);
        // Three PDFs deep: refused, not passed.
        let inner = pdf(&[("/Filter /FlateDecode", photo.clone())], 5);
        let middle = pdf(&[("/Filter /FlateDecode", zlib(&inner))], 5);
        let outer = pdf(&[("/Filter /FlateDecode", zlib(&middle))], 5);
        let found = signs(&outer);
        assert!(found.place || found.archive, "{found:?}");
    }

    #[test]
    fn exif_without_its_header_and_a_flood_of_headers() {
        // A PNG's eXIf chunk holds the TIFF with no `Exif\0\0` before it.
        let exif = exif_with_gps();
        let tiff = &exif[12..exif.len() - 2];
        let mut png = b"\x89PNG....\0\0\0\x20eXIf".to_vec();
        png.extend_from_slice(tiff);
        assert!(signs(&png).place);
        // Thousands of Exif headers cost a bounded number of reads, then refuse.
        let mut flood = Vec::new();
        let mut readable = b"Exif\0\0II*\0\x08\0\0\0".to_vec();
        readable.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
        for _ in 0..5000 {
            flood.extend_from_slice(&readable);
        }
        let found = signs(&flood);
        assert!(found.archive && !found.place, "{found:?}");
    }

    #[test]
    fn inflating_stops_at_its_limit_and_says_so() {
        let zeros = zlib(&vec![0u8; 4 << 20]);
        let p = pdf(&[("/Filter /FlateDecode", zeros)], 10);
        let mut s = Scan::at_depth(0, 1 << 20);
        s.push(&p).unwrap_or_default();
        let found = s.signs().unwrap_or_default();
        assert!(found.archive, "{found:?}");
        assert!(!signs(&p).any());
    }

    #[test]
    fn iso6709_forms() {
        assert!(iso6709(b"+51.5074-000.1278/"));
        assert!(iso6709(b"+40.7484-073.9857+015.000/"));
        assert!(iso6709(b"-3355+15113/"));
        assert!(!iso6709(b"+51.5074-000.1278"));
        assert!(!iso6709(b"+5-000.1278/"));
        assert!(!iso6709(b"-1+2/"));
    }

    #[test]
    fn finds_signs_across_reads() {
        let mut b = vec![b'x'; CHUNK + LOOK - 5];
        b.extend_from_slice(b"+51.5074-000.1278/");
        b.extend(vec![b'y'; 3 * CHUNK]);
        assert!(scan(&b));
        let mut b = vec![b'x'; CHUNK - 3];
        b.extend_from_slice(b"<x:xmpmeta><exif:GPSLatitude>1</exif:GPSLatitude></x:xmpmeta>");
        assert!(scan(&b));
        assert!(!scan(b"a GPS unit, in plain text, 12-123/ and +1.5"));
        assert!(!scan(
            b"<x:xmpmeta><dc:title>Trip</dc:title></x:xmpmeta> GPS"
        ));
        assert!(!scan(b""));
    }

    fn signs(b: &[u8]) -> Signs {
        signs_of(&mut Cursor::new(b)).unwrap_or(Signs {
            place: true,
            track: true,
            attached: true,
            archive: true,
        })
    }

    #[test]
    fn attached_files_in_any_case_and_spacing() {
        let mails: [&[u8]; 4] = [
            b"Content-Type: image/jpeg\r\nContent-Transfer-Encoding: base64\r\n\r\n/9j/",
            b"CONTENT-TYPE:\r\n\tIMAGE/JPEG\r\ncontent-transfer-encoding :BASE64\r\n",
            b"Content-Transfer-Encoding: bAsE64\nContent-Type: Application/pdf\n",
            b"<part ct=\"video/mp4\" name=\"x\" data=\"AAAA\"/>",
        ];
        for m in mails {
            assert!(signs(m).attached, "{}", String::from_utf8_lossy(m));
        }
        // A forwarded email, or part of one; a text type is no attached file; base64
        // alone is not one.
        assert!(signs(b"Content-Type: message/RFC822\nContent-Transfer-Encoding: base64").attached);
        assert!(
            signs(b"Content-Type: message/partial\nContent-Transfer-Encoding: base64").attached
        );
        assert!(!signs(b"Content-Type: text/plain\nContent-Transfer-Encoding: base64").attached);
        assert!(!signs(b"an image/ of base64 data").attached);
        // A ZIP behind a prefix (a self-extracting archive); four bytes alone are not.
        let mut z = b"MZ\x90\0 stub ".to_vec();
        z.extend_from_slice(
            b"PK\x03\x04\x14\0\0\0\x08\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x09\0\0\0photo.jpg",
        );
        assert!(signs(&z).archive);
        assert!(!signs(b"PK\x03\x04\xff\xff random").archive);
        assert!(signs(b"Content-Type: audio/mp4\nContent-Transfer-Encoding: base64").attached);
        // The type and the encoding in different reads, far apart.
        let mut b = b"Content-Type: image/png\n".to_vec();
        b.extend(vec![b'x'; 3 * CHUNK]);
        b.extend_from_slice(b"Content-Transfer-Encoding: base64\n");
        assert!(signs(&b).attached);
    }

    #[test]
    fn an_email_with_any_attached_file_however_written() {
        let mail = |part: &str| {
            format!(
                "From: a@example.org\nTo: b@example.org\nSubject: photo\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"XX\"\n\n--XX\nContent-Type: text/plain\n\nsee attached\n--XX\n{part}\n\nAAAA\n--XX--\n"
            )
            .into_bytes()
        };
        for part in [
            "Content-Type: image/jpeg\nContent-Transfer-Encoding: quoted-printable",
            "Content-Type: binary/octet-stream; name=photo.jpg",
            "Content-Type: model/vnd.x",
            "Content-Type : image/jpeg",
            "Content-Type:\n image\n /jpeg",
            "Content-Type: (a comment) image/jpeg",
            "Content-Transfer-Encoding: base64\nContent-Disposition: attachment; filename=photo.jpg",
            "Content-Type: message/rfc822",
            "\nbegin 644 photo.jpg\nM_]C_X``02D9)1@`!`0``\n`\nend",
        ] {
            assert!(signs(&mail(part)).attached, "{part}");
        }
        // Text alone, in any of its forms, is not an attached file.
        let text = mail(
            "Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable",
        );
        assert!(!signs(&text).attached);
        // An SMS backup's encoded part, however its type is written.
        let sms = |attr: &str| {
            format!("<?xml version=\"1.0\"?>\n<smses count=\"1\">\n<mms><parts><part ct=\"image&#47;jpeg\"{attr}\"/9j/4AAQ\"/></parts></mms></smses>")
                .into_bytes()
        };
        for attr in [" data=", "\ndata=", "\tdata =", " data= "] {
            assert!(signs(&sms(attr)).attached, "{attr:?}");
        }
        assert!(!signs(&sms(" text=")).attached);
    }

    #[test]
    fn tracks_and_exif_across_reads() {
        for t in TRACK {
            let mut b = vec![0u8; CHUNK + LOOK - 3];
            b.extend_from_slice(t);
            b.extend(vec![0u8; 100]);
            assert!(signs(&b).track, "{}", String::from_utf8_lossy(t));
        }
        assert!(!signs(b"$GPXYZ, freeGP S").track);
        // A position in the metadata first does not hide a track further on.
        let mut b = b"\xa9xyz+51.5074-000.1278/".to_vec();
        b.extend(vec![0u8; 3 * CHUNK]);
        b.extend_from_slice(b"freeGPS ");
        let found = signs(&b);
        assert!(found.place && found.track, "{found:?}");
    }

    #[test]
    fn an_exif_block_it_cannot_read_counts_as_location() {
        // A TIFF header whose first directory lies past the block.
        let mut b = b"xx Exif\0\0II*\0\xff\xff\x00\x00".to_vec();
        b.extend(vec![0u8; 64]);
        assert!(signs(&b).place);
        // Not a TIFF at all after the header.
        assert!(signs(b"Exif\0\0 not a tiff").place);
        // A readable TIFF with no GPS directory is not a sign.
        let mut t = b"Exif\0\0II*\0\x08\0\0\0".to_vec();
        t.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
        assert!(!signs(&t).place, "{:?}", signs(&t));
    }

    #[test]
    #[cfg(target_arch = "x86_64")]
    fn the_fast_searcher_builds_where_it_can() {
        if std::arch::is_x86_feature_detected!("ssse3") {
            for mode in [Mode::Other, Mode::Pdf, Mode::Text, Mode::Xml] {
                assert!(needles(mode).is_some_and(|n| n.packed.is_some()));
            }
        }
    }

    #[test]
    fn both_searchers_agree() {
        let Some(n) = needles(Mode::Pdf) else {
            panic!("the patterns build");
        };
        let mut b = Vec::new();
        for (i, p) in [
            &b"<x:xmpmeta"[..],
            b"</x:xmpmeta>",
            b"Exif\0\0",
            b"$GNGGA,",
            b"12/",
            b"IMaGe/",
            b"bASE64",
            b" data=\"",
            b"freeGPS",
            b"<?xpacket end",
            b"Video/",
            b"applicatiON/",
            b"PK\x03\x04",
            b"endstream",
        ]
        .iter()
        .enumerate()
        {
            b.extend(vec![b'a' + i as u8; 37 * i + 1]);
            b.extend_from_slice(p);
        }
        let general: Vec<(usize, String)> = n
            .general
            .find_iter(&b)
            .map(|m| (m.start(), format!("{:?}", n.kinds[m.pattern().as_usize()])))
            .collect();
        let used: Vec<(usize, String)> = n
            .find_iter(&b)
            .map(|(at, k)| (at, format!("{k:?}")))
            .collect();
        assert_eq!(general, used);
        assert_eq!(used.len(), 14);
    }
}
