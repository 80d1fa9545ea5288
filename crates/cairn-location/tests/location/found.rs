//! What a red-team review found getting through, each now caught: a JFXX thumbnail with
//! its own Exif, a position in a JPEG comment, HEIF items under another handler, an
//! archive inside an archive, files attached inside an email or an SMS backup, and a
//! recorded position track (NMEA sentences, a dashcam's freeGPS blocks).

use std::fs;
use std::path::Path;

use cairn_location::{Outcome, Scan};

use crate::{bytes, clean_and_check, exiftool_write, outcome, place_tags, tmp, EXIF_GPS};

fn plain_jpeg(dir: &Path, name: &str) -> Vec<u8> {
    let p = dir.join(name);
    image::RgbImage::from_pixel(24, 16, image::Rgb([90, 140, 30]))
        .save(&p)
        .expect("save");
    bytes(&p)
}

/// `jpeg` with one more segment after its SOI.
fn with_segment(jpeg: &[u8], marker: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, marker]);
    out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn is_cannot(o: &Outcome) -> bool {
    matches!(o, Outcome::CannotClean(_))
}

#[test]
fn a_jfxx_thumbnail_with_its_own_gps_is_blanked() {
    let d = tmp();
    let thumb_path = d.path().join("thumb.jpg");
    fs::write(&thumb_path, plain_jpeg(d.path(), "t0.jpg")).expect("write");
    exiftool_write(&thumb_path, &EXIF_GPS);
    let mut jfxx = b"JFXX\0\x10".to_vec();
    jfxx.extend_from_slice(&bytes(&thumb_path));
    let p = d.path().join("jfxx.jpg");
    fs::write(
        &p,
        with_segment(&plain_jpeg(d.path(), "main.jpg"), 0xE0, &jfxx),
    )
    .expect("write");
    // The sample: exiftool reads the thumbnail out, and it holds a position.
    let out = crate::run(
        "exiftool",
        &["-b", "-JFXX:ThumbnailImage", p.to_str().expect("path")],
    );
    let thumb_out = d.path().join("thumb-out.jpg");
    fs::write(&thumb_out, &out.stdout).expect("write");
    assert!(
        !place_tags(&thumb_out).is_empty(),
        "the sample's thumbnail holds a position"
    );
    let Outcome::Patched { patches, .. } = outcome(&p) else {
        panic!("{:?}", outcome(&p));
    };
    let copy = d.path().join("copy.jpg");
    crate::write_copy(&p, patches, &copy);
    assert!(
        !bytes(&copy).windows(6).any(|w| w == b"JFXX\0\x10"),
        "the thumbnail is gone"
    );
    assert_eq!(outcome(&copy), Outcome::NoLocation);
}

#[test]
fn a_comment_naming_a_position_is_blanked_and_a_plain_one_kept() {
    let d = tmp();
    let base = plain_jpeg(d.path(), "base.jpg");
    let p = d.path().join("comment.jpg");
    fs::write(
        &p,
        with_segment(&base, 0xFE, b"taken at +51.5074-000.1278/ by the door"),
    )
    .expect("write");
    assert!(!place_tags(&p).is_empty() || bytes(&p).windows(9).any(|w| w == b"+51.5074-"));
    let copy = clean_and_check(&p, &[]);
    assert!(!bytes(&copy).windows(9).any(|w| w == b"+51.5074-"));
    let plain = d.path().join("plain-comment.jpg");
    fs::write(&plain, with_segment(&base, 0xFE, b"bruise on the left arm")).expect("write");
    assert_eq!(
        outcome(&plain),
        Outcome::NoLocation,
        "a comment is evidence"
    );
}

#[test]
fn heif_items_under_another_handler_cannot_be_cleaned() {
    let d = tmp();
    let src = d.path().join("src.png");
    image::RgbImage::from_pixel(32, 32, image::Rgb([1, 2, 3]))
        .save(&src)
        .expect("png");
    let heic = d.path().join("p.heic");
    crate::run(
        "heif-enc",
        &[
            "-q",
            "50",
            "-o",
            heic.to_str().expect("path"),
            src.to_str().expect("path"),
        ],
    );
    exiftool_write(&heic, &EXIF_GPS);
    let mut b = bytes(&heic);
    let at = b
        .windows(4)
        .position(|w| w == b"pict")
        .expect("a pict handler");
    b[at..at + 4].copy_from_slice(b"pics");
    let swapped = d.path().join("swapped.heic");
    fs::write(&swapped, &b).expect("write");
    assert!(is_cannot(&outcome(&swapped)), "{:?}", outcome(&swapped));
}

#[test]
fn an_archive_inside_an_archive_cannot_be_cleaned() {
    let d = tmp();
    let geo = d.path().join("geo.jpg");
    fs::write(&geo, plain_jpeg(d.path(), "g0.jpg")).expect("write");
    exiftool_write(&geo, &EXIF_GPS);
    let pack = |members: &[(&str, Vec<u8>)]| -> Vec<u8> {
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (n, b) in members {
            z.start_file(*n, zip::write::SimpleFileOptions::default())
                .expect("start");
            std::io::Write::write_all(&mut z, b).expect("write");
        }
        z.finish().expect("finish").into_inner()
    };
    let inner = pack(&[("IMG-0001.jpg", bytes(&geo))]);
    let outer = d.path().join("chat.zip");
    fs::write(
        &outer,
        pack(&[("chat.txt", b"hi".to_vec()), ("media.zip", inner)]),
    )
    .expect("write");
    assert!(is_cannot(&outcome(&outer)), "{:?}", outcome(&outer));
}

#[test]
fn files_attached_inside_messages_cannot_be_checked() {
    let d = tmp();
    let eml = d.path().join("fwd.eml");
    fs::write(
        &eml,
        "From: a@example.org\r\nSubject: look\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee this\r\n--b\r\nContent-Type: IMAGE/JPEG; name=a.jpg\r\nContent-Transfer-Encoding: BASE64\r\n\r\n/9j/4AAQSkZJRgABAQ==\r\n--b--\r\n",
    )
    .expect("write");
    assert!(is_cannot(&outcome(&eml)), "{:?}", outcome(&eml));
    let sms = d.path().join("sms.xml");
    fs::write(
        &sms,
        r#"<?xml version='1.0'?><smses count="1"><mms date="1"><parts><part seq="0" ct="image/jpeg" name="a.jpg" data="/9j/4AAQ" /></parts></mms></smses>"#,
    )
    .expect("write");
    assert!(is_cannot(&outcome(&sms)), "{:?}", outcome(&sms));
    let text_only = d.path().join("plain.eml");
    fs::write(&text_only, "From: a@example.org\r\nSubject: hi\r\nContent-Type: text/plain\r\n\r\nI know where you live.\r\n").expect("write");
    assert_eq!(outcome(&text_only), Outcome::NoLocation);
}

#[test]
fn a_recorded_position_track_is_found_wherever_it_is() {
    let mut s = Scan::new();
    let mut bytes = vec![0u8; 300_000];
    bytes.extend_from_slice(
        b"freeGPS \x00\x00$GPRMC,214000.00,A,5130.44,N,00007.67,W,0.0,0.0,031126,,,A*6C\r\n",
    );
    bytes.extend(vec![7u8; 300_000]);
    for piece in bytes.chunks(4096) {
        s.push(piece).expect("push");
    }
    let signs = s.signs().expect("signs");
    assert!(signs.track && !signs.place, "{signs:?}");
    let mut clean = Scan::new();
    clean.push(&vec![0u8; 600_000]).expect("push");
    assert!(!clean.signs().expect("signs").any());
}
