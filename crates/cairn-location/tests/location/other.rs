//! Everything else: ZIP-based files, PDF, text; the raw scan and the archive check.

use std::fs::{self, File};
use std::io::Write;
use std::path::Path;

use cairn_location::Outcome;

use crate::{bytes, exiftool_write, outcome, tmp, EXIF_GPS};

/// A small JPEG, geotagged or not.
fn jpeg(dir: &Path, geotag: bool) -> Vec<u8> {
    let p = dir.join(if geotag { "geo.jpg" } else { "plain.jpg" });
    image::RgbImage::from_pixel(16, 16, image::Rgb([200, 10, 10]))
        .save(&p)
        .expect("save");
    if geotag {
        exiftool_write(&p, &EXIF_GPS);
    }
    bytes(&p)
}

/// A zip of `members`, deflated.
fn zip(path: &Path, members: &[(&str, &[u8])]) {
    let mut z = zip::ZipWriter::new(File::create(path).expect("create zip"));
    let opts = zip::write::SimpleFileOptions::default();
    for (name, data) in members {
        z.start_file(*name, opts).expect("start member");
        z.write_all(data).expect("write member");
    }
    z.finish().expect("finish zip");
}

fn cannot(path: &Path) -> String {
    match outcome(path) {
        Outcome::CannotClean(why) => why,
        other => panic!("{} should not be cleanable: {other:?}", path.display()),
    }
}

#[test]
fn docx_with_a_geotagged_photo_cannot_be_cleaned() {
    let d = tmp();
    let geo = jpeg(d.path(), true);
    let plain = jpeg(d.path(), false);
    let docx = d.path().join("statement.docx");
    zip(
        &docx,
        &[
            ("[Content_Types].xml", b"<Types/>"),
            (
                "word/document.xml",
                b"<w:document>He was there.</w:document>",
            ),
            ("word/media/image1.jpeg", &plain),
            ("word/media/image2.jpeg", &geo),
        ],
    );
    let why = cannot(&docx);
    assert_eq!(
        why,
        "it holds a file with location data (word/media/image2.jpeg)"
    );

    let clean = d.path().join("clean.zip");
    zip(&clean, &[("a.txt", b"hello"), ("photo.jpg", &plain)]);
    assert_eq!(outcome(&clean), Outcome::NoLocation);
}

#[test]
fn zip_with_a_video_with_location_cannot_be_cleaned() {
    let d = tmp();
    let mut mp4 = vec![0, 0, 0, 16];
    mp4.extend_from_slice(b"ftypisom\0\0\0\0");
    // moov/udta/©xyz
    let xyz = [
        &[0, 0, 0, 30][..],
        b"\xa9xyz",
        &[0, 18, 0x15, 0xc7],
        b"+51.5074-000.1278/",
    ]
    .concat();
    let udta = [&(8 + xyz.len() as u32).to_be_bytes()[..], b"udta", &xyz].concat();
    let moov = [&(8 + udta.len() as u32).to_be_bytes()[..], b"moov", &udta].concat();
    mp4.extend_from_slice(&moov);
    let p = d.path().join("v.mp4");
    fs::write(&p, &mp4).expect("write");
    assert!(matches!(outcome(&p), Outcome::Patched { .. }));
    let z = d.path().join("videos.zip");
    zip(&z, &[("v.mp4", &mp4)]);
    assert_eq!(cannot(&z), "it holds a file with location data (v.mp4)");
}

#[test]
fn pdf_with_xmp_gps_cannot_be_cleaned() {
    let d = tmp();
    let xmp = "<?xpacket begin=\"\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF><rdf:Description xmlns:exif=\"http://ns.adobe.com/exif/1.0/\" exif:GPSLatitude=\"51,30.4N\"/></rdf:RDF></x:xmpmeta>\n<?xpacket end=\"w\"?>";
    let pdf = format!(
        "%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Metadata 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Metadata /Subtype /XML /Length {} >>\nstream\n{xmp}\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n",
        xmp.len()
    );
    let p = d.path().join("report.pdf");
    fs::write(&p, &pdf).expect("write");
    assert_eq!(
        cannot(&p),
        "it holds location data Cairn cannot remove from this kind of file"
    );
    // The same PDF whose XMP names no place is fine, even if its text says "GPS".
    let plain =
        pdf.replace("exif:GPSLatitude=\"51,30.4N\"", "dc:format=\"pdf\"") + "(GPS tracker found)";
    fs::write(&p, plain).expect("write");
    assert_eq!(outcome(&p), Outcome::NoLocation);
}

#[test]
fn pdf_with_an_embedded_geotagged_jpeg_cannot_be_cleaned() {
    let d = tmp();
    let mut pdf = b"%PDF-1.4\n1 0 obj\n<< /Subtype /Image /Filter /DCTDecode >>\nstream\n".to_vec();
    pdf.extend(jpeg(d.path(), true));
    pdf.extend_from_slice(b"\nendstream\nendobj\n%%EOF\n");
    let p = d.path().join("photos.pdf");
    fs::write(&p, &pdf).expect("write");
    cannot(&p);
}

#[test]
fn text_files() {
    let d = tmp();
    let p = d.path().join("notes.txt");
    fs::write(&p, "He said he would find me. 12-123/ is not a place.\n").expect("write");
    assert_eq!(outcome(&p), Outcome::NoLocation);
    fs::write(&p, "pinned at +51.5074-000.1278/ by the app\n").expect("write");
    cannot(&p);
    let empty = d.path().join("empty");
    fs::write(&empty, b"").expect("write");
    assert_eq!(outcome(&empty), Outcome::NoLocation);
}

#[test]
fn compressed_and_prefixed_archives_are_refused_not_scanned_blind() {
    // The raw scan sees only compressed bytes in these: a geotagged photo inside is
    // invisible to it, so they are refused whatever they hold.
    let d = tmp();
    let geo = jpeg(d.path(), true);
    let photo = d.path().join("photo.jpg");
    fs::write(&photo, &geo).expect("write photo");
    for (tool, args, out) in [
        ("gzip", vec!["-kc"], "photo.jpg.gz"),
        ("xz", vec!["-kc"], "photo.jpg.xz"),
    ] {
        let mut a: Vec<&str> = args.clone();
        let p = photo.to_str().expect("utf-8 path");
        a.push(p);
        let o = crate::run(tool, &a);
        let path = d.path().join(out);
        fs::write(&path, &o.stdout).expect("write archive");
        assert!(cannot(&path).contains("compressed archive"), "{tool}");
    }
    // A ZIP behind a stub, as a self-extracting archive is: not sniffed as a ZIP.
    let z = d.path().join("inner.zip");
    zip(&z, &[("photo.jpg", &geo)]);
    let mut sfx = b"MZ\x90\0 a self-extracting stub ".to_vec();
    sfx.extend(bytes(&z));
    let sfx_path = d.path().join("archive.exe");
    fs::write(&sfx_path, sfx).expect("write sfx");
    assert!(cannot(&sfx_path).contains("compressed or encoded"));
}

#[test]
fn a_zip_member_its_directory_does_not_list_is_not_passed() {
    // A geotagged photo's local entry first, then an archive whose directory lists
    // only a note: a streaming unzip (bsdtar reading a pipe) extracts the photo.
    let d = tmp();
    let geo = jpeg(d.path(), true);
    let hidden = d.path().join("hidden-only.zip");
    zip(&hidden, &[("photo.jpg", &geo)]);
    let whole = bytes(&hidden);
    let cd = whole
        .windows(4)
        .position(|w| w == b"PK\x01\x02")
        .expect("a central directory");
    let mut cur = std::io::Cursor::new(whole[..cd].to_vec());
    cur.set_position(cd as u64);
    let mut z = zip::ZipWriter::new(cur);
    z.start_file("note.txt", zip::write::SimpleFileOptions::default())
        .expect("start member");
    z.write_all(b"nothing here").expect("write member");
    let out = z.finish().expect("finish zip").into_inner();
    let path = d.path().join("hidden.zip");
    fs::write(&path, out).expect("write zip");
    assert!(cannot(&path).contains("index does not list"));
}
