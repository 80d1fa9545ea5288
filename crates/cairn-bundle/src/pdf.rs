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
use crate::schedule::{pretty_time, text, Schedule, NARRATIVE_FIELDS, POLICE_FIELDS};

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

    fn gap(&mut self, h: f32) {
        self.y += h;
    }

    fn heading(&mut self, s: &str, size: f32) {
        self.ensure(size * 3.0);
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
        if value.trim().is_empty() {
            return;
        }
        let size = 9.5;
        let lw = 150.0;
        let lh = size * 1.35;
        let labels = wrap(&self.bold, label, size, lw - 8.0);
        let values = wrap(&self.regular, value, size, WIDTH - lw);
        let n = labels.len().max(values.len());
        for i in 0..n {
            self.ensure(lh);
            self.y += lh;
            let base = self.y - size * 0.3;
            if let Some(l) = labels.get(i) {
                self.text_at(MARGIN, base, size, true, false, l);
            }
            if let Some(v) = values.get(i) {
                self.text_at(MARGIN + lw, base, size, false, false, v);
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

/// Renders the schedule; `thumb(item)` gives a photo's stored thumbnail (JPEG).
pub fn pdf(s: &Schedule<'_>, thumb: &dyn Fn(&str) -> Option<Vec<u8>>) -> Result<Vec<u8>> {
    let mut l = Layout::new()?;
    let chronology = s.chronology();

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
    l.field("Bundle SHA-256", &format!("{} (the evidence fingerprint: the SHA-256 of the manifest of every exhibit and record file in this bundle; see the last page)", s.evidence));
    l.field("Vault", &s.info.vault_id);
    l.field(
        "Chain",
        &format!(
            "{} entries; last entry hash {}",
            s.info.chain_size, s.info.chain_head
        ),
    );
    l.field(
        "Contents",
        &format!(
            "{} entries in the chronology, {} exhibits, {} items in all",
            chronology.len(),
            s.exhibits.len(),
            s.items.len()
        ),
    );
    l.field(
        "Left out",
        &format!(
            "No address is given in this schedule. Private notes: left out. Photo location data: {}.",
            if s.info.location_included { "included at her choice" } else { "removed from the copies sent" }
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
    let incidents: Vec<_> = chronology.iter().filter(|r| !r.is_report).collect();
    let first = incidents
        .first()
        .map(|r| r.when.clone())
        .unwrap_or_default();
    let last = incidents.last().map(|r| r.when.clone()).unwrap_or_default();
    l.para(
        &format!(
            "{} recorded{}. Every incident exported is listed below, not a selection of the worst.",
            if incidents.len() == 1 {
                "1 incident".to_string()
            } else {
                format!("{} incidents", incidents.len())
            },
            if incidents.is_empty() {
                String::new()
            } else {
                format!(", from {first} to {last}")
            }
        ),
        10.0,
        false,
        0.0,
    );
    l.gap(4.0);
    let pat: Vec<Vec<String>> = s
        .pattern()
        .into_iter()
        .map(|(c, n)| vec![c, n.to_string()])
        .collect();
    if !pat.is_empty() {
        l.table(&[("Kind of abuse", 300.0), ("Incidents", 80.0)], &pat);
    }

    // Chronology.
    l.heading("Chronology", 16.0);
    let rows: Vec<Vec<String>> = chronology
        .iter()
        .map(|r| {
            vec![
                r.number.to_string(),
                r.when.clone(),
                r.summary.clone(),
                r.categories.join(", "),
                r.exhibits.join(", "),
                r.witnesses.join("; "),
                r.references.join("; "),
            ]
        })
        .collect();
    l.table(
        &[
            ("No.", 26.0),
            ("When", 78.0),
            ("Summary", 120.0),
            ("Category", 70.0),
            ("Exhibits", 52.0),
            ("Witnesses", 68.0),
            ("Agency refs", 69.28),
        ],
        &rows,
    );

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
    l.new_page();
    l.heading("Entries in full", 16.0);
    for r in &chronology {
        let Some(it) = s.item(&r.id) else { continue };
        let rec = it.record.as_ref();
        l.heading(&format!("{}. {}", r.number, r.summary), 12.0);
        l.field("When it happened", &r.when);
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
        if let Some(ags) = rec
            .and_then(|x| x.get("agencies"))
            .and_then(Value::as_array)
        {
            for a in ags {
                let parts: Vec<String> = [
                    "agency",
                    "organisation",
                    "person",
                    "collar_number",
                    "reference",
                    "notes",
                ]
                .iter()
                .map(|k| text(Some(a), k))
                .filter(|v| !v.is_empty())
                .collect();
                l.field("Agency contacted", &parts.join(" · "));
            }
        }
        let police = rec.and_then(|x| x.get("police"));
        for (k, label) in POLICE_FIELDS {
            l.field(label, &text(police, k));
        }
        l.field("Categories", &r.categories.join(", "));
        l.field("Exhibits", &r.exhibits.join(", "));
        if let Some(ms) = messages_of.get(&r.number) {
            l.field(
                "Linked messages",
                &format!("{} (see Messages)", ms.join(", ")),
            );
        }
        if !it.withheld.is_empty() {
            l.field(
                "Left out",
                "Private notes were left out of this bundle at her choice.",
            );
        }
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
        l.field(
            "SHA-256",
            e.sha256.as_deref().unwrap_or("(not in this bundle)"),
        );
        if e.location_removed {
            l.field(
                "Location data",
                &format!(
                    "removed from this copy; the original's SHA-256 is {}",
                    e.original_sha256
                ),
            );
        }
        if let Some(why) = &e.left_out {
            l.field("Left out", why);
        }
        if it.map(|i| i.kind) == Some(ItemKind::File) && e.media_type.starts_with("image/") {
            if let Some(j) = thumb(&e.item) {
                if let Some((w, h)) = jpeg_size(&j) {
                    let scale = (120.0 / w.max(h).max(1) as f32).min(1.0) * 1.0;
                    l.image(j, w as f32 * scale, h as f32 * scale);
                }
            }
        }
        l.rule();
    }

    // Audit annex.
    l.new_page();
    l.heading("Audit annex: when each entry was written and changed", 16.0);
    l.para("Times are Cairn's recording times from the computer's clock (UTC); they cannot be typed in. Every edit is a new version; earlier versions are kept.", 9.0, false, 0.0);
    let audit: Vec<Vec<String>> = s
        .audit()
        .into_iter()
        .map(|a| {
            vec![
                a.seq.to_string(),
                pretty_time(&a.recorded_at),
                a.what,
                a.item,
            ]
        })
        .collect();
    l.table(
        &[
            ("Entry", 40.0),
            ("Recorded", 130.0),
            ("What", 180.0),
            ("Item", 133.28),
        ],
        &audit,
    );
    let reds: Vec<Vec<String>> = s
        .redactions()
        .into_iter()
        .map(|a| {
            vec![
                a.seq.to_string(),
                pretty_time(&a.recorded_at),
                a.item,
                a.what,
            ]
        })
        .collect();
    l.heading("Redactions", 12.0);
    if reds.is_empty() {
        l.para(
            "Nothing in this vault has been removed by redaction.",
            9.5,
            false,
            0.0,
        );
    } else {
        l.table(
            &[
                ("Entry", 40.0),
                ("Recorded", 130.0),
                ("Item", 110.0),
                ("Reason", 203.28),
            ],
            &reds,
        );
    }

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
    for line in howto::text(s, true).lines() {
        if line.trim().is_empty() {
            l.gap(5.0);
        } else {
            l.para(line, 8.5, false, 0.0);
        }
    }
    render(l)
}
