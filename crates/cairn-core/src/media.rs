//! What a file is: media type from its first bytes, and for photos the EXIF fields
//! and a small JPEG thumbnail. Everything here reads from the stored (decrypted) blob,
//! so it describes exactly the bytes that were kept.

use std::io::{BufRead, Cursor, Seek};

use image::{ImageDecoder, ImageReader, Limits};

use crate::items::Exif;

/// Thumbnails fit in this square.
const THUMB_PX: u32 = 320;
/// Decoding a photo for its thumbnail may use at most this much memory.
const DECODE_LIMIT: u64 = 512 * 1024 * 1024;

/// Media type from the first bytes of a file.
pub(crate) fn sniff(head: &[u8]) -> String {
    if let Some(t) = infer::get(head) {
        return t.mime_type().to_string();
    }
    let looks_text = !head.contains(&0)
        && match std::str::from_utf8(head) {
            Ok(_) => true,
            // A multi-byte character may be cut at the end of the sample.
            Err(e) => e.error_len().is_none() && e.valid_up_to() + 4 > head.len(),
        };
    if head.is_empty() {
        "application/octet-stream".into()
    } else if looks_text {
        "text/plain".into()
    } else {
        "application/octet-stream".into()
    }
}

fn ascii(f: &exif::Field) -> Option<String> {
    match &f.value {
        exif::Value::Ascii(v) => v.first().map(|b| {
            String::from_utf8_lossy(b)
                .trim_matches(char::from(0))
                .trim()
                .to_string()
        }),
        _ => None,
    }
    .filter(|s| !s.is_empty())
}

fn degrees(f: &exif::Field, reference: Option<&exif::Field>, neg: &str) -> Option<String> {
    let exif::Value::Rational(r) = &f.value else {
        return None;
    };
    if r.len() < 3 || r.iter().any(|x| x.denom == 0) {
        return None;
    }
    let mut d = r[0].to_f64() + r[1].to_f64() / 60.0 + r[2].to_f64() / 3600.0;
    if reference
        .and_then(ascii)
        .is_some_and(|s| s.eq_ignore_ascii_case(neg))
    {
        d = -d;
    }
    d.is_finite().then(|| format!("{d:.6}"))
}

/// EXIF fields of a photo, if it has any.
pub(crate) fn exif<R: BufRead + Seek>(r: &mut R) -> Option<Exif> {
    let ex = exif::Reader::new().read_from_container(r).ok()?;
    let get = |t| ex.get_field(t, exif::In::PRIMARY);
    let taken_at = get(exif::Tag::DateTimeOriginal)
        .or_else(|| get(exif::Tag::DateTime))
        .and_then(|f| match &f.value {
            exif::Value::Ascii(v) => v.first().and_then(|b| exif::DateTime::from_ascii(b).ok()),
            _ => None,
        })
        .map(|d| {
            let base = format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
                d.year, d.month, d.day, d.hour, d.minute, d.second
            );
            let offset = get(exif::Tag::OffsetTimeOriginal).and_then(ascii);
            match offset {
                Some(o) if o.len() == 6 => format!("{base}{o}"),
                _ => base,
            }
        });
    let out = Exif {
        taken_at,
        camera_make: get(exif::Tag::Make).and_then(ascii),
        camera_model: get(exif::Tag::Model).and_then(ascii),
        gps_latitude: get(exif::Tag::GPSLatitude)
            .and_then(|f| degrees(f, get(exif::Tag::GPSLatitudeRef), "S")),
        gps_longitude: get(exif::Tag::GPSLongitude)
            .and_then(|f| degrees(f, get(exif::Tag::GPSLongitudeRef), "W")),
        orientation: get(exif::Tag::Orientation).and_then(|f| f.value.get_uint(0)),
    };
    (out != Exif::default()).then_some(out)
}

/// A JPEG thumbnail (upright, at most 320×320) and its size, or `None` if the image
/// cannot be decoded within the memory limit.
pub(crate) fn thumbnail<R: BufRead + Seek>(r: R) -> Option<(Vec<u8>, u32, u32)> {
    let mut reader = ImageReader::new(r).with_guessed_format().ok()?;
    let mut limits = Limits::default();
    limits.max_alloc = Some(DECODE_LIMIT);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().ok()?;
    let orientation = decoder.orientation().ok();
    let mut img = image::DynamicImage::from_decoder(decoder).ok()?;
    if let Some(o) = orientation {
        img.apply_orientation(o);
    }
    let thumb = img.thumbnail(THUMB_PX, THUMB_PX).to_rgb8();
    let (w, h) = thumb.dimensions();
    let mut out = Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
        .encode_image(&thumb)
        .ok()?;
    Some((out.into_inner(), w, h))
}
