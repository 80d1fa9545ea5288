//! `report.pdf`, the evidence schedule: A4, page numbers, embedded fonts (DejaVu
//! Sans, subset by krilla), selectable text. A small layout engine of our own places
//! wrapped paragraphs, tables and thumbnails; krilla writes the PDF.
//!
//! Text is measured with the same glyph advances it is drawn with (skrifa), so what
//! is wrapped is exactly what is printed.

use std::io::Read;
use std::sync::{Arc, OnceLock};

use cairn_core::{Error, ItemKind, Result};
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Size, Transform};
use krilla::image::Image;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, GlyphId, KrillaGlyph};
use krilla::Document;
use serde_json::Value;
use skrifa::instance::{LocationRef, Size as FontSize};
use skrifa::raw::TableProvider;
use skrifa::{FontRef, MetadataProvider};

use crate::howto;
use crate::schedule::{
    self, agency_words, left_out_words, pretty_time, tags, text, Schedule, NARRATIVE_FIELDS,
    POLICE_FIELDS,
};

// Deflated by build.rs from assets/fonts; inflated once, on the first PDF made.
static REGULAR_Z: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/DejaVuSans.ttf.deflate"));
static BOLD_Z: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/DejaVuSans-Bold.ttf.deflate"));

/// The regular and bold fonts, inflated.
fn fonts() -> Result<&'static (Vec<u8>, Vec<u8>)> {
    static FONTS: OnceLock<(Vec<u8>, Vec<u8>)> = OnceLock::new();
    if let Some(f) = FONTS.get() {
        return Ok(f);
    }
    let inflate = |z: &[u8]| -> Result<Vec<u8>> {
        let mut out = Vec::new();
        flate2::read::DeflateDecoder::new(z)
            .read_to_end(&mut out)
            .map_err(|_| Error::Invalid("The schedule's font could not be loaded.".into()))?;
        Ok(out)
    };
    let both = (inflate(REGULAR_Z)?, inflate(BOLD_Z)?);
    Ok(FONTS.get_or_init(|| both))
}

/// A4 in points, and the margins.
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 56.0;
const TOP: f32 = 70.0;
const BOTTOM: f32 = PAGE_H - 60.0;
const WIDTH: f32 = PAGE_W - 2.0 * MARGIN;
/// Hashes in fields: 64 hex digits fit the value column on one line.
const HASH_SIZE: f32 = 8.0;

/// One face: krilla's font (for drawing) and skrifa's view (for measuring).
struct Face {
    font: Font,
    data: FontRef<'static>,
    upem: f32,
}

impl Face {
    fn load(bytes: &'static [u8]) -> Result<Face> {
        let bad = || Error::Invalid("The schedule's font could not be loaded.".into());
        let data = FontRef::new(bytes).map_err(|_| bad())?;
        let upem = data
            .head()
            .map(|h| h.units_per_em() as f32)
            .map_err(|_| bad())?;
        let font = Font::new(Arc::new(bytes.to_vec()).into(), 0).ok_or_else(bad)?;
        Ok(Face { font, data, upem })
    }

    /// Glyphs of `s` with advances in em, and the total width at `size`.
    fn shape(&self, s: &str, size: f32) -> (Vec<KrillaGlyph>, f32) {
        let cmap = self.data.charmap();
        let metrics = self
            .data
            .glyph_metrics(FontSize::unscaled(), LocationRef::default());
        let mut out = Vec::with_capacity(s.len());
        let mut w = 0.0;
        for (i, c) in s.char_indices() {
            let c = if c.is_control() { ' ' } else { c };
            let gid = cmap.map(c).unwrap_or_default();
            let adv = metrics.advance_width(gid).unwrap_or(0.0) / self.upem;
            w += adv;
            out.push(KrillaGlyph::new(
                GlyphId::new(gid.to_u32()),
                adv,
                0.0,
                0.0,
                0.0,
                i..i + c.len_utf8(),
                None,
            ));
        }
        (out, w * size)
    }

    fn width(&self, s: &str, size: f32) -> f32 {
        self.shape(s, size).1
    }
}

/// What goes on a page.
enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        grey: bool,
        s: String,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
    },
    Image {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        jpeg: Arc<Vec<u8>>,
    },
}

struct Layout {
    regular: Face,
    bold: Face,
    pages: Vec<Vec<Op>>,
    y: f32,
}

/// Breaks `s` into lines no wider than `width` (long words are split).
fn wrap(face: &Face, s: &str, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for para in s.split('\n') {
        let mut line = String::new();
        for word in para.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if face.width(&candidate, size) <= width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // A word wider than the line: cut it by characters.
            let mut piece = String::new();
            for c in word.chars() {
                piece.push(c);
                if face.width(&piece, size) > width && piece.chars().count() > 1 {
                    piece.pop();
                    lines.push(std::mem::take(&mut piece));
                    piece.push(c);
                }
            }
            line = piece;
        }
        lines.push(line);
    }
    lines
}

impl Layout {
    fn new() -> Result<Layout> {
        let (regular, bold) = fonts()?;
        Ok(Layout {
            regular: Face::load(regular)?,
            bold: Face::load(bold)?,
            pages: vec![Vec::new()],
            y: TOP,
        })
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let n = self.pages.len() - 1;
        &mut self.pages[n]
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    fn ensure(&mut self, h: f32) {
        if self.y + h > BOTTOM && self.y > TOP {
            self.new_page();
        }
    }

    fn face(&self, bold: bool) -> &Face {
        if bold {
            &self.bold
        } else {
            &self.regular
        }
    }

    fn text_at(&mut self, x: f32, y: f32, size: f32, bold: bool, grey: bool, s: &str) {
        self.ops().push(Op::Text {
            x,
            y,
            size,
            bold,
            grey,
            s: s.to_string(),
        });
    }

    /// A wrapped paragraph at `indent`.
    fn para(&mut self, s: &str, size: f32, bold: bool, indent: f32) {
        let lh = size * 1.35;
        for line in wrap(self.face(bold), s, size, WIDTH - indent) {
            self.ensure(lh);
            self.y += lh;
            self.text_at(
                MARGIN + indent,
                self.y - size * 0.3,
                size,
                bold,
                false,
                &line,
            );
        }
    }

    /// A line of preformatted text: its leading spaces kept as an indent (the
    /// instructions' commands and code), wrapped lines indented alike.
    fn pre(&mut self, s: &str, size: f32) {
        let spaces = s.len() - s.trim_start_matches(' ').len();
        let indent = (spaces as f32 * size * 0.5).min(WIDTH / 2.0);
        self.para(s.trim_start_matches(' '), size, false, indent);
    }

    fn gap(&mut self, h: f32) {
        self.y += h;
    }

    fn heading(&mut self, s: &str, size: f32) {
        // With room for a few lines of what it heads.
        self.ensure(size * 3.0 + 40.0);
        self.gap(size * 0.6);
        self.para(s, size, true, 0.0);
        self.gap(size * 0.3);
    }

    fn rule(&mut self) {
        let y = self.y + 4.0;
        self.ops().push(Op::Line {
            x1: MARGIN,
            y1: y,
            x2: PAGE_W - MARGIN,
            y2: y,
        });
        self.gap(8.0);
    }

    /// A label and its (wrapped) value side by side.
    fn field(&mut self, label: &str, value: &str) {
        self.field_parts(label, &[(value, 9.5)]);
    }

    /// A label and a hash (small enough that 64 hex digits fit on one line).
    fn field_hash(&mut self, label: &str, hash: &str) {
        self.field_parts(label, &[(hash, HASH_SIZE)]);
    }

    /// A label and its value in parts, each wrapped at its own size, one under the
    /// other (a sentence at the body size, a hash on a line of its own).
    fn field_parts(&mut self, label: &str, parts: &[(&str, f32)]) {
        let size = 9.5;
        let lw = 150.0;
        let labels = wrap(&self.bold, label, size, lw - 8.0);
        let mut values: Vec<(String, f32)> = Vec::new();
        for (v, s) in parts.iter().filter(|(v, _)| !v.trim().is_empty()) {
            for line in wrap(&self.regular, v, *s, WIDTH - lw) {
                values.push((line, *s));
            }
        }
        if values.is_empty() {
            return;
        }
        let n = labels.len().max(values.len());
        let height = |i: usize| {
            let vs = values.get(i).map(|v| v.1).unwrap_or(0.0);
            let ls = if i < labels.len() { size } else { 0.0 };
            ls.max(vs) * 1.35
        };
        // A short field is kept on one page.
        if n <= 8 {
            self.ensure((0..n).map(height).sum());
        }
        for i in 0..n {
            let vs = values.get(i).map(|v| v.1).unwrap_or(0.0);
            let ls = if i < labels.len() { size } else { 0.0 };
            let lh = ls.max(vs) * 1.35;
            self.ensure(lh);
            self.y += lh;
            if let Some(l) = labels.get(i) {
                self.text_at(MARGIN, self.y - size * 0.3, size, true, false, l);
            }
            if let Some((v, vs)) = values.get(i) {
                self.text_at(MARGIN + lw, self.y - vs * 0.3, *vs, false, false, v);
            }
        }
        self.gap(2.0);
    }

    /// A table: columns as (title, width in points), rows of cells; the header row is
    /// repeated on each new page.
    fn table(&mut self, cols: &[(&str, f32)], rows: &[Vec<String>]) {
        let size = 8.0;
        let lh = size * 1.3;
        let pad = 3.0;
        let draw_header = |l: &mut Layout| {
            let cells: Vec<String> = cols.iter().map(|c| c.0.to_string()).collect();
            l.row(cols, &cells, true, size, lh, pad);
        };
        self.ensure(lh * 4.0);
        draw_header(self);
        for r in rows {
            let wrapped: Vec<Vec<String>> = cols
                .iter()
                .zip(r.iter())
                .map(|((_, w), c)| wrap(&self.regular, c, size, w - 2.0 * pad))
                .collect();
            let n = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let h = n as f32 * lh + 2.0 * pad;
            if self.y + h > BOTTOM {
                self.new_page();
                draw_header(self);
            }
            self.row(cols, r, false, size, lh, pad);
        }
        self.gap(6.0);
    }

    fn row(
        &mut self,
        cols: &[(&str, f32)],
        cells: &[String],
        bold: bool,
        size: f32,
        lh: f32,
        pad: f32,
    ) {
        let wrapped: Vec<Vec<String>> = cols
            .iter()
            .zip(cells.iter())
            .map(|((_, w), c)| wrap(self.face(bold), c, size, w - 2.0 * pad))
            .collect();
        let n = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let h = n as f32 * lh + 2.0 * pad;
        let top = self.y;
        let mut x = MARGIN;
        for ((_, w), lines) in cols.iter().zip(wrapped.iter()) {
            for (i, l) in lines.iter().enumerate() {
                let base = top + pad + (i as f32 + 1.0) * lh - size * 0.3;
                self.text_at(x + pad, base, size, bold, false, l);
            }
            x += w;
        }
        let total: f32 = cols.iter().map(|c| c.1).sum();
        self.ops().push(Op::Line {
            x1: MARGIN,
            y1: top + h,
            x2: MARGIN + total,
            y2: top + h,
        });
        self.y = top + h;
    }

    fn image(&mut self, jpeg: Vec<u8>, w: f32, h: f32) {
        self.ensure(h + 6.0);
        let y = self.y + 3.0;
        self.ops().push(Op::Image {
            x: MARGIN,
            y,
            w,
            h,
            jpeg: Arc::new(jpeg),
        });
        self.y = y + h + 3.0;
    }
}

/// Size in pixels of a JPEG, from its frame header.
fn jpeg_size(d: &[u8]) -> Option<(u32, u32)> {
    let mut i = 2;
    while i + 9 < d.len() {
        if d[i] != 0xFF {
            return None;
        }
        let m = d[i + 1];
        let len = u16::from_be_bytes([d[i + 2], d[i + 3]]) as usize;
        if matches!(m, 0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF) {
            let h = u16::from_be_bytes([d[i + 5], d[i + 6]]) as u32;
            let w = u16::from_be_bytes([d[i + 7], d[i + 8]]) as u32;
            return Some((w, h));
        }
        i += 2 + len;
    }
    None
}

fn render(layout: Layout) -> Result<Vec<u8>> {
    let total = layout.pages.len();
    let mut doc = Document::new();
    let black = Fill {
        paint: rgb::Color::new(20, 20, 20).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    };
    let grey = Fill {
        paint: rgb::Color::new(90, 90, 90).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    };
    for (n, ops) in layout.pages.iter().enumerate() {
        let settings = PageSettings::from_wh(PAGE_W, PAGE_H)
            .ok_or_else(|| Error::Invalid("The schedule's page size is invalid.".into()))?;
        let mut page = doc.start_page_with(settings);
        let mut s = page.surface();
        let draw = |s: &mut krilla::surface::Surface<'_>,
                    x: f32,
                    y: f32,
                    size: f32,
                    bold: bool,
                    g: bool,
                    t: &str| {
            let face = if bold { &layout.bold } else { &layout.regular };
            let (glyphs, _) = face.shape(t, size);
            s.set_fill(Some(if g { grey.clone() } else { black.clone() }));
            s.draw_glyphs(
                Point::from_xy(x, y),
                &glyphs,
                face.font.clone(),
                t,
                size,
                false,
            );
        };
        // Running header and footer.
        draw(
            &mut s,
            MARGIN,
            38.0,
            8.0,
            true,
            true,
            "CONFIDENTIAL — EVIDENCE SCHEDULE",
        );
        let footer = format!("Page {} of {total}", n + 1);
        let fw = layout.regular.width(&footer, 8.0);
        draw(
            &mut s,
            PAGE_W - MARGIN - fw,
            PAGE_H - 30.0,
            8.0,
            false,
            true,
            &footer,
        );
        for op in ops {
            match op {
                Op::Text {
                    x,
                    y,
                    size,
                    bold,
                    grey,
                    s: t,
                } => draw(&mut s, *x, *y, *size, *bold, *grey, t),
                Op::Line { x1, y1, x2, y2 } => {
                    let mut pb = PathBuilder::new();
                    pb.move_to(*x1, *y1);
                    pb.line_to(*x2, *y2);
                    if let Some(path) = pb.finish() {
                        s.set_fill(None);
                        s.set_stroke(Some(Stroke {
                            paint: rgb::Color::new(160, 160, 160).into(),
                            width: 0.5,
                            ..Default::default()
                        }));
                        s.draw_path(&path);
                        s.set_stroke(None);
                    }
                }
                Op::Image { x, y, w, h, jpeg } => {
                    if let (Ok(img), Some(size)) = (
                        Image::from_jpeg(Arc::clone(jpeg).into(), true),
                        Size::from_wh(*w, *h),
                    ) {
                        s.push_transform(&Transform::from_translate(*x, *y));
                        s.draw_image(img, size);
                        s.pop();
                    }
                }
            }
        }
        s.finish();
        page.finish();
    }
    doc.finish()
        .map_err(|e| Error::Invalid(format!("The schedule could not be written ({e:?}).")))
}

/// The cells of a two-column "label: value" list of `rows` as a table.
fn pairs(rows: &[(String, usize)]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|(k, n)| vec![k.clone(), n.to_string()])
        .collect()
}

/// A bar of `n` out of `max` for the month table (at most 30 blocks).
fn bar(n: usize, max: usize) -> String {
    let len = if max <= 30 { n } else { (n * 30).div_ceil(max) };
    "\u{2588}".repeat(len)
}

/// Renders the schedule; `thumb(item)` gives a photo's stored thumbnail (JPEG).
pub fn pdf(s: &Schedule<'_>, thumb: &dyn Fn(&str) -> Option<Vec<u8>>) -> Result<Vec<u8>> {
    let mut l = Layout::new()?;
    let chronology = s.chronology();
    let reports = s.reports();
    let people = s.people();
    let pattern = s.pattern();
    let count = |k: ItemKind| s.items.iter().filter(|i| i.kind == k).count();

    // Cover.
    l.gap(40.0);
    l.para("Evidence schedule", 26.0, true, 0.0);
    l.gap(10.0);
    l.para(
        "CONFIDENTIAL. Prepared for the purpose of legal advice and proceedings. It holds personal and sensitive information; do not copy or pass it on without the consent of the person it belongs to.",
        10.0,
        false,
        0.0,
    );
    l.gap(14.0);
    l.field("Generated", &pretty_time(&s.info.exported_at));
    l.field(
        "By",
        &format!("{} (an offline evidence vault)", s.info.software),
    );
    l.field(
        "Bundle format",
        &format!(
            "{}: signed by the vault's own key (see How to check this bundle, the last pages)",
            s.info.version
        ),
    );
    l.field_parts(
        "Bundle SHA-256",
        &[
            (s.evidence, HASH_SIZE),
            ("The evidence fingerprint: the SHA-256 of the manifest of every exhibit and record file in this bundle.", 9.5),
        ],
    );
    l.field("Vault", &s.info.vault_id);
    if s.info.chain_head.is_empty() {
        let entries = format!(
            "{} entries. The last is not named here: it may be one this bundle does not carry.",
            s.info.chain_size
        );
        l.field("Chain", &entries);
    } else {
        let entries = format!("{} entries. The last entry's hash:", s.info.chain_size);
        l.field_parts("Chain", &[(&entries, 9.5), (&s.info.chain_head, HASH_SIZE)]);
    }
    let over = format!(
        "Over all {} entries (RFC 6962), signed by the vault.",
        s.info.chain_size
    );
    l.field_parts(
        "Merkle tree head",
        &[(&s.info.tree_root, HASH_SIZE), (&over, 9.5)],
    );
    l.field("Entries carried", &s.disclosure_words());
    l.field(
        "Contents",
        &format!(
            "{} in the chronology, {}, {}, {}, {}; {} items in all",
            schedule::count_words(chronology.len(), "incident", "incidents"),
            schedule::count_words(reports.len(), "report or handover", "reports and handovers"),
            schedule::count_words(count(ItemKind::Person), "person", "people"),
            schedule::count_words(s.exhibits.len(), "exhibit", "exhibits"),
            schedule::count_words(count(ItemKind::Message), "message", "messages"),
            s.items.len()
        ),
    );
    let left = s.left_out().len();
    l.field(
        "Left out",
        &format!(
            "No address is given in this schedule. Private notes: {}. Photo location data: {}.{}",
            if s.info.private_notes_included {
                "included at her choice"
            } else {
                "left out"
            },
            if s.info.location_included {
                "included at her choice"
            } else {
                "removed from the copies sent"
            },
            if left == 0 {
                String::new()
            } else {
                format!(
                    " {} left out (the audit annex says why).",
                    schedule::count_words(left, "exhibit was", "exhibits were")
                )
            }
        ),
    );
    l.gap(10.0);
    l.para(
        "This schedule is a view of the records in the bundle, made by software. It is not a statement of truth; that is for her and her solicitor to prepare.",
        9.0,
        false,
        0.0,
    );

    // Pattern.
    l.new_page();
    l.heading("Pattern of behaviour", 16.0);
    l.para(&pattern.summary(), 10.0, false, 0.0);
    l.gap(4.0);
    if !pattern.categories.is_empty() {
        l.table(
            &[("Kind of abuse", 300.0), ("Incidents", 80.0)],
            &pairs(&pattern.categories),
        );
    }
    if !pattern.months.is_empty() {
        l.heading("Incidents by month", 12.0);
        let max = pattern.months.iter().map(|m| m.1).max().unwrap_or(0);
        let rows: Vec<Vec<String>> = pattern
            .months
            .iter()
            .map(|(m, n)| vec![m.clone(), n.to_string(), bar(*n, max)])
            .collect();
        l.table(&[("Month", 120.0), ("Incidents", 60.0), ("", 200.0)], &rows);
    }
    if !pattern.features.is_empty() {
        l.heading("What the incidents record", 12.0);
        let rows: Vec<(String, usize)> = pattern
            .features
            .iter()
            .map(|(k, n)| (k.to_string(), *n))
            .collect();
        l.table(&[("Recorded", 300.0), ("Incidents", 80.0)], &pairs(&rows));
    }

    // Chronology.
    l.heading("Chronology", 16.0);
    if chronology.is_empty() {
        l.para("There are no incidents in this bundle.", 9.5, false, 0.0);
    } else {
        let rows: Vec<Vec<String>> = chronology
            .iter()
            .map(|r| {
                let mut who: Vec<String> = r.people.iter().map(|p| p.describe()).collect();
                if !r.witnesses.trim().is_empty() {
                    who.push(format!("Witnesses: {}", r.witnesses.trim()));
                }
                vec![
                    r.number.to_string(),
                    r.when.clone(),
                    r.summary.clone(),
                    r.categories.join(", "),
                    who.join("\n"),
                    r.exhibits.join(", "),
                    r.references.join("; "),
                ]
            })
            .collect();
        l.table(
            &[
                ("No.", 22.0),
                ("When", 66.0),
                ("Summary", 98.0),
                ("Category", 62.0),
                ("People and witnesses", 118.0),
                ("Exhibits", 44.0),
                ("Agency refs", 73.28),
            ],
            &rows,
        );
    }

    let conversations = s.conversations();
    let mut messages_of: std::collections::BTreeMap<usize, Vec<String>> = Default::default();
    for c in &conversations {
        for m in &c.listed {
            for n in &m.linked_to {
                messages_of
                    .entry(*n)
                    .or_default()
                    .push(format!("M{}", m.number));
            }
        }
    }

    // Narratives.
    if !chronology.is_empty() {
        l.new_page();
        l.heading("Incidents in full", 16.0);
    }
    for r in &chronology {
        let Some(it) = s.item(&r.id) else { continue };
        let rec = it.record.as_ref();
        l.heading(&format!("{}. {}", r.number, r.summary), 12.0);
        if it.redaction.is_none() {
            l.field("When it happened", &r.when);
        }
        l.field(
            "Recorded by Cairn",
            &format!(
                "first {}; this is version {}, saved {} (item {})",
                pretty_time(&it.recorded_at),
                it.version,
                pretty_time(&it.updated_at),
                it.id
            ),
        );
        for (k, label) in NARRATIVE_FIELDS {
            l.field(label, &text(rec, k));
        }
        if let Some(c) = rec
            .and_then(|x| x.get("children_present"))
            .and_then(Value::as_bool)
        {
            l.field("Children present", if c { "Yes" } else { "No" });
        }
        let people: Vec<String> = r.people.iter().map(|p| p.describe()).collect();
        l.field("People linked", &people.join("\n"));
        if let Some(ags) = rec
            .and_then(|x| x.get("agencies"))
            .and_then(Value::as_array)
        {
            for a in ags {
                l.field("Agency contacted", &agency_words(a));
            }
        }
        let police = rec.and_then(|x| x.get("police"));
        for (k, label) in POLICE_FIELDS {
            l.field(label, &text(police, k));
        }
        l.field("Categories", &r.categories.join(", "));
        l.field("Tags", &tags(rec));
        l.field("Exhibits", &r.exhibits.join(", "));
        if !r.reports.is_empty() {
            l.field(
                "Reports and handovers",
                &format!(
                    "{} (see Reports and handovers)",
                    schedule::numbered("", &r.reports, "R").trim()
                ),
            );
        }
        if let Some(ms) = messages_of.get(&r.number) {
            l.field(
                "Linked messages",
                &format!("{} (see Messages)", ms.join(", ")),
            );
        }
        l.field("Left out", &left_out_words(&it.withheld));
        if let Some(red) = &it.redaction {
            l.field(
                "Removed by redaction",
                &format!(
                    "{} — reason given: {}",
                    pretty_time(&red.recorded_at),
                    red.reason
                ),
            );
        }
        l.rule();
    }

    // Reports and handovers (a page of their own when there are any).
    if !reports.is_empty() {
        l.new_page();
    }
    l.heading("Reports and handovers", 16.0);
    if reports.is_empty() {
        l.para(
            "No reports to agencies or handovers of evidence are in this bundle.",
            9.5,
            false,
            0.0,
        );
    } else {
        l.para("Each report to an agency and each handover of evidence on record, in the order made. What was handed over is named by exhibit reference; the SHA-256 of each is given under the report, so anyone can match what was handed over byte for byte.", 9.0, false, 0.0);
        l.gap(4.0);
        let rows: Vec<Vec<String>> = reports
            .iter()
            .map(|r| {
                vec![
                    format!("R{}", r.number),
                    r.when.clone(),
                    r.agency.clone(),
                    r.person_words(),
                    r.reference.clone(),
                    r.references().join(", "),
                    r.outcome.clone(),
                ]
            })
            .collect();
        l.table(
            &[
                ("No.", 24.0),
                ("When", 64.0),
                ("Agency", 82.0),
                ("Person", 80.0),
                ("Reference", 70.0),
                ("Handed over", 66.0),
                ("Outcome", 97.28),
            ],
            &rows,
        );
        for r in &reports {
            let Some(it) = s.item(&r.id) else { continue };
            l.heading(&format!("R{}. {}", r.number, r.title), 12.0);
            l.field("When", &r.when);
            l.field(
                "Recorded by Cairn",
                &format!(
                    "first {}; this is version {}, saved {} (item {})",
                    pretty_time(&it.recorded_at),
                    it.version,
                    pretty_time(&it.updated_at),
                    it.id
                ),
            );
            l.field("Agency", &r.agency);
            l.field("Person", &r.person);
            l.field("Collar number", &r.collar_number);
            l.field("Reference", &r.reference);
            l.field("Outcome", &r.outcome);
            for (n, h) in r.handed_over.iter().enumerate() {
                let what = match (h.sha256.is_empty(), h.original_sha256.is_empty()) {
                    (true, _) => h.reference.clone(),
                    (false, true) => format!("{}, SHA-256:", h.reference),
                    (false, false) => {
                        format!("{}, a copy without location data, SHA-256:", h.reference)
                    }
                };
                let original = if h.original_sha256.is_empty() {
                    String::new()
                } else {
                    "The original's SHA-256:".to_string()
                };
                l.field_parts(
                    if n == 0 { "Handed over" } else { "" },
                    &[
                        (&what, 9.5),
                        (&h.sha256, HASH_SIZE),
                        (&original, 9.5),
                        (&h.original_sha256, HASH_SIZE),
                    ],
                );
            }
            l.field_hash("Bundle file SHA-256", &r.bundle_sha256);
            l.field_hash("Evidence fingerprint", &r.evidence_sha256);
            let people: Vec<String> = r.people.iter().map(|p| p.describe()).collect();
            l.field("People linked", &people.join("\n"));
            if !r.entries.is_empty() {
                l.field(
                    "About",
                    &schedule::numbered(
                        if r.entries.len() == 1 {
                            "Incident"
                        } else {
                            "Incidents"
                        },
                        &r.entries,
                        "",
                    ),
                );
            }
            l.field("Notes", &r.notes);
            if let Some(why) = &r.redaction {
                l.field("Removed by redaction", &format!("reason given: {why}"));
            }
            l.rule();
        }
    }

    // People.
    if !people.is_empty() {
        l.heading("People", 16.0);
        l.para(
            "Everyone in this bundle, with the incidents and reports each is linked to.",
            9.0,
            false,
            0.0,
        );
        l.gap(4.0);
        let rows: Vec<Vec<String>> = people
            .iter()
            .map(|p| {
                let details: Vec<String> = p
                    .person
                    .details()
                    .iter()
                    .map(|d| schedule::capitalised(d))
                    .collect();
                let mut d = details.join("\n");
                if !p.person.notes.trim().is_empty() {
                    d = format!("{d}\nNotes: {}", p.person.notes.trim());
                }
                vec![p.person.name_words(), d.trim().to_string(), p.appears()]
            })
            .collect();
        l.table(
            &[
                ("Name", 120.0),
                ("Role and details", 223.28),
                ("Linked to", 140.0),
            ],
            &rows,
        );
    }

    // Messages.
    if !conversations.is_empty() {
        l.new_page();
        l.heading("Messages", 16.0);
        l.para("Each message was read from an original export (a chat export, a phone backup, a mailbox), which is an exhibit, kept byte for byte: its reference and line show where. Times are as the export recorded them: WhatsApp gives the phone's own clock with no time zone; SMS backups, email and Telegram give the time zone. The whole of every message is in data/record/items.json.", 9.0, false, 0.0);
        for c in &conversations {
            l.heading(&c.name, 12.0);
            l.field("In this bundle", &c.span());
            l.field("Read from", &c.exports.join(", "));
            if c.listed.is_empty() {
                l.para("None of them is linked to an entry above, so they are not listed one by one here.", 9.0, false, 0.0);
                continue;
            }
            if c.listed.len() < c.count {
                l.para(
                    "Listed below: the messages linked to an entry above.",
                    9.0,
                    false,
                    0.0,
                );
            }
            let rows: Vec<Vec<String>> = c
                .listed
                .iter()
                .map(|m| {
                    let linked = if m.linked_to.is_empty() {
                        String::new()
                    } else {
                        let n: Vec<String> =
                            m.linked_to.iter().map(|n| format!("entry {n}")).collect();
                        format!("\n(linked to {})", n.join(", "))
                    };
                    vec![
                        format!("M{}", m.number),
                        m.when.clone(),
                        m.from.clone(),
                        format!("{}{linked}", m.text),
                        m.read_from.clone(),
                    ]
                })
                .collect();
            l.table(
                &[
                    ("No.", 34.0),
                    ("Sent", 104.0),
                    ("From", 70.0),
                    ("Message", 195.28),
                    ("Read from", 80.0),
                ],
                &rows,
            );
        }
    }

    // Exhibits.
    l.new_page();
    l.heading("Exhibits", 16.0);
    l.para("Each exhibit is in the bundle's data/exhibits/ folder under its reference. Its SHA-256 identifies the exact bytes: anyone can recompute it.", 9.0, false, 0.0);
    for e in s.exhibits {
        let it = s.item(&e.item);
        let rec = it.and_then(|i| i.record.as_ref());
        l.heading(&format!("{}  {}", e.reference, e.name), 11.0);
        l.field("Type", &e.media_type);
        if let Some(t) = rec
            .and_then(|r| r.pointer("/exif/taken_at"))
            .and_then(Value::as_str)
        {
            l.field("Captured (camera clock)", &pretty_time(t));
        }
        if let Some(i) = it {
            l.field("Added to Cairn", &pretty_time(&i.recorded_at));
        }
        l.field("How acquired", &text(rec, "acquired"));
        match e.sha256.as_deref() {
            Some(h) => l.field_hash("SHA-256", h),
            None => l.field_parts(
                "SHA-256",
                &[
                    ("Not in this bundle. The original's:", 9.5),
                    (&e.original_sha256, HASH_SIZE),
                ],
            ),
        }
        if e.location_removed {
            l.field_parts(
                "Location data",
                &[
                    ("Removed from this copy. The original's SHA-256:", 9.5),
                    (&e.original_sha256, HASH_SIZE),
                ],
            );
        }
        if let Some(why) = &e.left_out {
            l.field("Left out", why);
        }
        if it.map(|i| i.kind) == Some(ItemKind::File)
            && e.media_type.starts_with("image/")
            && e.path.is_some()
        {
            if let Some(j) = thumb(&e.item) {
                if let Some((w, h)) = jpeg_size(&j) {
                    let scale = (120.0 / w.max(h).max(1) as f32).min(1.0);
                    l.image(j, w as f32 * scale, h as f32 * scale);
                }
            }
        }
        l.rule();
    }

    // Audit annex.
    l.new_page();
    l.heading("Audit annex", 16.0);
    l.para("What this bundle leaves out and why, what was removed by redaction, and when each entry was written and changed.", 9.0, false, 0.0);
    l.heading("The chain entries in this bundle", 12.0);
    l.para(&s.disclosure_words(), 9.0, false, 0.0);

    l.heading("Left out of this bundle, and why", 12.0);
    let withheld = s.withheld();
    if withheld.is_empty() {
        l.para(
            "No field of any record in this bundle was left out.",
            9.0,
            false,
            0.0,
        );
    } else {
        let rows: Vec<Vec<String>> = withheld
            .iter()
            .flat_map(|w| {
                w.fields.iter().enumerate().map(move |(n, (f, why))| {
                    vec![
                        if n == 0 {
                            format!("{}\n{}", w.item, w.id)
                        } else {
                            String::new()
                        },
                        f.clone(),
                        why.clone(),
                    ]
                })
            })
            .collect();
        l.table(
            &[("Item", 170.0), ("Left out", 120.0), ("Why", 193.28)],
            &rows,
        );
    }
    let left_out = s.left_out();
    if !left_out.is_empty() {
        l.para(
            "Exhibits left out (their records and SHA-256 are still in the bundle):",
            9.0,
            true,
            0.0,
        );
        l.gap(3.0);
        let rows: Vec<Vec<String>> = left_out
            .iter()
            .map(|(r, n, why)| vec![r.clone(), n.clone(), why.clone()])
            .collect();
        l.table(
            &[("Exhibit", 50.0), ("File", 140.0), ("Why", 293.28)],
            &rows,
        );
    }
    let unverifiable = s.unverifiable();
    if !unverifiable.is_empty() {
        l.para(
            "Versions that cannot be checked from this bundle alone:",
            9.0,
            true,
            0.0,
        );
        l.para(schedule::UNVERIFIABLE_WORDS, 9.0, false, 0.0);
        l.gap(3.0);
        let rows: Vec<Vec<String>> = unverifiable
            .iter()
            .map(|u| {
                vec![
                    format!("{}\n{}", u.item, u.id),
                    u.version.to_string(),
                    u.fields.join(", "),
                ]
            })
            .collect();
        l.table(
            &[
                ("Item", 200.0),
                ("Version", 60.0),
                ("Left out of it", 223.28),
            ],
            &rows,
        );
    }

    let reds: Vec<Vec<String>> = s
        .redactions()
        .into_iter()
        .map(|a| {
            vec![
                a.seq.to_string(),
                pretty_time(&a.recorded_at),
                format!("{}\n{}", a.label, a.item).trim().to_string(),
                a.what,
            ]
        })
        .collect();
    l.heading("Redactions", 12.0);
    if reds.is_empty() {
        l.para(
            if s.info.disclosure == crate::record::Disclosure::FullChain {
                "Nothing in this vault has been removed by redaction."
            } else {
                "Nothing in this bundle has been removed by redaction."
            },
            9.5,
            false,
            0.0,
        );
    } else {
        l.table(
            &[
                ("Entry", 40.0),
                ("Recorded", 110.0),
                ("Item", 130.0),
                ("Reason", 203.28),
            ],
            &reds,
        );
    }

    l.heading("When each entry was written and changed", 12.0);
    l.para("Times are Cairn's recording times from the computer's clock (UTC); they cannot be typed in. Every edit is a new version; earlier versions are kept.", 9.0, false, 0.0);
    let audit: Vec<Vec<String>> = s
        .audit()
        .into_iter()
        .map(|a| {
            vec![
                a.seq.to_string(),
                pretty_time(&a.recorded_at),
                a.what,
                format!("{}\n{}", a.label, a.item).trim().to_string(),
            ]
        })
        .collect();
    l.table(
        &[
            ("Entry", 40.0),
            ("Recorded", 110.0),
            ("What", 160.0),
            ("Item", 173.28),
        ],
        &audit,
    );

    // Index of references.
    l.heading("Index of reference numbers", 16.0);
    let idx: Vec<Vec<String>> = s
        .reference_index()
        .into_iter()
        .map(|(k, v)| vec![k, v.join("; ")])
        .collect();
    if idx.is_empty() {
        l.para(
            "No crime, incident or complaint references were recorded.",
            9.5,
            false,
            0.0,
        );
    } else {
        l.table(&[("Reference", 200.0), ("Where it appears", 283.28)], &idx);
    }

    // How to verify.
    l.new_page();
    l.heading("How to check this bundle", 16.0);
    instructions(&mut l, &howto::for_schedule(s));
    render(l)
}

/// The instructions as the schedule prints them: the text file's lines (wrapped at 80
/// columns) joined into paragraphs, commands and code kept line by line with their
/// indent, the closing heading in bold.
fn instructions(l: &mut Layout, text: &str) {
    let size = 8.5;
    let mut para = String::new();
    let mut indent = 0.0;
    let flush = |l: &mut Layout, para: &mut String, indent: f32| {
        if !para.is_empty() {
            l.para(para, size, false, indent);
            para.clear();
        }
    };
    // The title is the page's heading.
    let body = text.split_once("=\n").map(|(_, b)| b).unwrap_or(text);
    for line in body.lines() {
        let lead = line.len() - line.trim_start_matches(' ').len();
        let t = line.trim();
        if t.is_empty() {
            flush(l, &mut para, indent);
            l.gap(5.0);
        } else if lead >= 4 {
            flush(l, &mut para, indent);
            l.pre(line, 8.0);
        } else if t.len() > 12 && !t.chars().any(|c| c.is_lowercase()) {
            flush(l, &mut para, indent);
            l.gap(3.0);
            l.para(t, 9.0, true, 0.0);
        } else {
            let starts_step = t
                .split_once(". ")
                .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
            if starts_step || para.ends_with('.') || para.ends_with(':') {
                flush(l, &mut para, indent);
            }
            if para.is_empty() {
                indent = if lead > 0 { 12.0 } else { 0.0 };
            } else {
                para.push(' ');
            }
            para.push_str(t);
        }
    }
    flush(l, &mut para, indent);
}
