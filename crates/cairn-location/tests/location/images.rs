//! Photos: JPEG, PNG, WebP, TIFF, GIF and HEIC with location written by exiftool.

use std::fs;
use std::path::{Path, PathBuf};

use cairn_location::Outcome;

use crate::{
    bytes, clean_and_check, exiftool_write, outcome, patches, run, tmp, write_copy, EXIF_GPS,
};

/// A 64×48 picture saved by the `image` crate in the format its extension names.
fn picture(dir: &Path, name: &str) -> PathBuf {
    let img = image::RgbImage::from_fn(64, 48, |x, y| {
        image::Rgb([(x * 4) as u8, (y * 5) as u8, 90])
    });
    let path = dir.join(name);
    img.save(&path).expect("save picture");
    path
}

/// The copy decodes to a picture of the same size.
fn same_picture(original: &Path, copy: &Path) {
    let a = image::open(original).expect("decode original");
    let b = image::open(copy).expect("decode copy");
    assert_eq!((a.width(), a.height()), (b.width(), b.height()));
}

/// exiftool's value of one tag.
fn tag(path: &Path, name: &str) -> String {
    let p = path.to_str().expect("UTF-8 path");
    let out = run("exiftool", &["-s3", &format!("-{name}"), p]);
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn jpeg_exif_gps_goes_and_the_evidence_stays() {
    let d = tmp();
    let p = picture(d.path(), "photo.jpg");
    let mut args = EXIF_GPS.to_vec();
    args.extend([
        "-DateTimeOriginal=2024:03:04 05:06:07",
        "-Make=Acme",
        "-Model=Phone 9",
    ]);
    exiftool_write(&p, &args);
    let copy = clean_and_check(&p, &["Exif GPS position"]);
    same_picture(&p, &copy);
    assert_eq!(tag(&copy, "DateTimeOriginal"), "2024:03:04 05:06:07");
    assert_eq!(tag(&copy, "Make"), "Acme");
    assert_eq!(tag(&copy, "Model"), "Phone 9");
}

#[test]
fn jpeg_xmp_only_gps() {
    let d = tmp();
    let p = picture(d.path(), "xmp.jpg");
    exiftool_write(
        &p,
        &["-xmp:GPSLatitude=51.5074", "-xmp:GPSLongitude=-0.1278"],
    );
    let copy = clean_and_check(&p, &["XMP metadata"]);
    same_picture(&p, &copy);
}

#[test]
fn jpeg_iptc_place_names() {
    let d = tmp();
    let p = picture(d.path(), "iptc.jpg");
    exiftool_write(
        &p,
        &["-iptc:City=London", "-iptc:Country-PrimaryLocationName=UK"],
    );
    let copy = clean_and_check(&p, &["IPTC place names and other Photoshop metadata"]);
    same_picture(&p, &copy);
}

#[test]
fn jpeg_with_everything_and_a_geotagged_trailer() {
    let d = tmp();
    let p = picture(d.path(), "all.jpg");
    let mut args = EXIF_GPS.to_vec();
    args.extend([
        "-xmp:GPSLatitude=51.5074",
        "-xmp:City=London",
        "-iptc:City=London",
        "-Make=Acme",
    ]);
    exiftool_write(&p, &args);
    // A second geotagged picture after the end, as MPF and Samsung's trailers put one.
    let second = picture(d.path(), "second.jpg");
    exiftool_write(&second, &EXIF_GPS);
    let mut all = bytes(&p);
    all.extend(bytes(&second));
    fs::write(&p, &all).expect("write");
    let copy = clean_and_check(
        &p,
        &[
            "Exif GPS position",
            "XMP metadata",
            "IPTC place names and other Photoshop metadata",
            "data after the picture",
        ],
    );
    same_picture(&p, &copy);
    let c = bytes(&copy);
    let tail = &c[c.len() - bytes(&second).len()..];
    assert!(tail.iter().all(|&b| b == 0), "the trailer is zeroed");
}

#[test]
fn jpeg_without_metadata_needs_nothing() {
    let d = tmp();
    let p = picture(d.path(), "plain.jpg");
    assert_eq!(outcome(&p), Outcome::NoLocation);
    // A comment is evidence, not location.
    exiftool_write(&p, &["-Comment=bruise on the left arm"]);
    assert_eq!(outcome(&p), Outcome::NoLocation);
}

#[test]
fn jpeg_progressive_with_gps() {
    // exiftool cannot make a progressive JPEG; the `image` crate reads them, so a
    // baseline one stands in for the decoder check, and a hand-made progressive
    // stream (several SOS with tables between) checks the walk past each scan.
    let d = tmp();
    let p = picture(d.path(), "prog.jpg");
    exiftool_write(&p, &EXIF_GPS);
    let mut b = bytes(&p);
    // Insert a second scan's worth of tables and data before EOI: DHT, SOS, data.
    let eoi = b.len() - 2;
    let extra: Vec<u8> = [
        &[0xFF, 0xC4, 0x00, 0x03, 0x00][..],
        &[0xFF, 0xDA, 0x00, 0x03, 0x00][..],
        &[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD3, 0x56][..],
    ]
    .concat();
    b.splice(eoi..eoi, extra);
    let end = b.len();
    b.extend_from_slice(b"Exif\0\0MM\0*\0\0\0\x08 appended");
    let q = d.path().join("twoscans.jpg");
    fs::write(&q, &b).expect("write");
    let (patches, found) = patches(&q);
    assert!(found.contains(&"Exif GPS position".to_string()));
    assert!(
        found.contains(&"data after the picture".to_string()),
        "{found:?}"
    );
    let copy = d.path().join("twoscans.clean.jpg");
    write_copy(&q, patches, &copy);
    let c = bytes(&copy);
    assert_eq!(&c[end - 2..end], &[0xFF, 0xD9], "the end marker stays");
    assert!(c[end..].iter().all(|&x| x == 0), "what follows is zeroed");
}

#[test]
fn png_exif_and_xmp() {
    let d = tmp();
    let p = picture(d.path(), "exif.png");
    let mut args = EXIF_GPS.to_vec();
    args.push("-Make=Acme");
    exiftool_write(&p, &args);
    assert!(
        bytes(&p).windows(4).any(|w| w == b"eXIf"),
        "exiftool writes eXIf"
    );
    let copy = clean_and_check(&p, &["Exif GPS position"]);
    same_picture(&p, &copy);
    assert_eq!(tag(&copy, "Make"), "Acme");

    let x = picture(d.path(), "xmp.png");
    exiftool_write(
        &x,
        &[
            "-xmp:GPSLatitude=51.5074",
            "-xmp:City=London",
            "-Title=Kitchen",
        ],
    );
    let copy = clean_and_check(&x, &["XMP metadata"]);
    same_picture(&x, &copy);
    assert_eq!(tag(&copy, "Title"), "Kitchen", "kept text stays");
}

#[test]
fn webp_exif_and_xmp() {
    let d = tmp();
    let p = picture(d.path(), "photo.webp");
    let mut args = EXIF_GPS.to_vec();
    args.extend(["-xmp:GPSLatitude=51.5074", "-Make=Acme"]);
    exiftool_write(&p, &args);
    let copy = clean_and_check(&p, &["Exif GPS position", "XMP metadata"]);
    same_picture(&p, &copy);
    assert_eq!(tag(&copy, "Make"), "Acme");
}

#[test]
fn tiff_gps_xmp_and_iptc() {
    let d = tmp();
    let p = picture(d.path(), "scan.tif");
    let mut args = EXIF_GPS.to_vec();
    args.extend(["-xmp:City=London", "-iptc:City=London", "-Make=Acme"]);
    exiftool_write(&p, &args);
    let copy = clean_and_check(&p, &["Exif GPS position", "XMP metadata", "IPTC metadata"]);
    same_picture(&p, &copy);
    assert_eq!(tag(&copy, "Make"), "Acme");
}

#[test]
fn gif_xmp() {
    let d = tmp();
    let p = picture(d.path(), "anim.gif");
    exiftool_write(
        &p,
        &["-xmp:GPSLatitude=51.5074", "-xmp:GPSLongitude=-0.1278"],
    );
    let copy = clean_and_check(&p, &["XMP metadata"]);
    same_picture(&p, &copy);
}

#[test]
fn heic_exif_and_xmp_items() {
    let d = tmp();
    let png = picture(d.path(), "src.png");
    let p = d.path().join("photo.heic");
    run(
        "heif-enc",
        &[
            "-q",
            "50",
            png.to_str().expect("UTF-8"),
            "-o",
            p.to_str().expect("UTF-8"),
        ],
    );
    let mut args = EXIF_GPS.to_vec();
    args.extend(["-xmp:City=London", "-Make=Acme"]);
    exiftool_write(&p, &args);
    let copy = clean_and_check(&p, &["Exif GPS position", "XMP metadata"]);
    assert_eq!(tag(&copy, "Make"), "Acme");
    // libheif still decodes it.
    let out = d.path().join("decoded.png");
    run(
        "heif-convert",
        &[copy.to_str().expect("UTF-8"), out.to_str().expect("UTF-8")],
    );
    same_picture(&png, &out);
}

#[test]
fn jpeg_thumbnail_with_its_own_xmp() {
    let d = tmp();
    let thumb = picture(d.path(), "thumb.jpg");
    exiftool_write(
        &thumb,
        &["-xmp:GPSLatitude=51.5074", "-xmp:GPSLongitude=-0.1278"],
    );
    let p = picture(d.path(), "main.jpg");
    let arg = format!("-ThumbnailImage<={}", thumb.to_str().expect("UTF-8"));
    exiftool_write(&p, &[arg.as_str(), "-Make=Acme"]);
    let has = |b: &[u8]| b.windows(11).any(|w| w == b"GPSLatitude");
    assert!(has(&bytes(&p)), "the thumbnail carries XMP GPS");
    let (patches, found) = patches(&p);
    assert_eq!(found, ["XMP metadata"]);
    let copy = d.path().join("main.clean.jpg");
    write_copy(&p, patches, &copy);
    assert!(!has(&bytes(&copy)));
    assert_eq!(tag(&copy, "Make"), "Acme");
    same_picture(&p, &copy);
    assert_eq!(outcome(&copy), Outcome::NoLocation);
}
