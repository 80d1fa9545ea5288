//! Where she was, through the built programs: photos and videos that say where they
//! were made, in every place the issue names — Exif GPS (and Exif Cairn cannot parse),
//! XMP only, IPTC place names, PNG eXIf and XMP, WebP, TIFF, HEIC, MP4 and MOV location
//! atoms (ffmpeg's, QuickTime keys, user data, XMP), 3GP — and documents that hold one
//! (a PDF's XMP, a photo inside a DOCX) are added with `cairn file add`, exported with
//! the defaults, and unpacked: exiftool finds no position in any exhibit, and what
//! could not be cleaned is left out, named, with its reason. With `--include-location`
//! the originals go and exiftool finds the positions again. A WhatsApp export holding
//! a geotagged photo, or a message she redacted, stays behind (its messages and the
//! photo's clean copy go) unless she sends exports whole.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use cairn_e2e::{describe, find_program_or_panic, Cli};
use serde_json::Value;

fn run(program: &str, args: &[&str]) {
    let out = Command::new(find_program_or_panic(program, "scripts/setup.sh test"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        describe(&out)
    );
}

fn exiftool(path: &Path, args: &[&str]) {
    let mut all = vec!["-q", "-q", "-overwrite_original"];
    all.extend_from_slice(args);
    all.push(path.to_str().expect("path"));
    run("exiftool", &all);
}

const GPS: [&str; 4] = [
    "-GPSLatitude=51.5074",
    "-GPSLatitudeRef=N",
    "-GPSLongitude=0.1278",
    "-GPSLongitudeRef=W",
];
const XMP_GPS: [&str; 2] = ["-XMP:GPSLatitude=51.5074 N", "-XMP:GPSLongitude=0.1278 W"];

fn picture(dir: &Path, name: &str, format: image::ImageFormat) -> PathBuf {
    let mut img = image::RgbImage::new(32, 24);
    for (i, p) in img.pixels_mut().enumerate() {
        *p = image::Rgb([(i * 11) as u8, (i * 5) as u8, 120]);
    }
    let p = dir.join(name);
    img.save_with_format(&p, format).expect("picture");
    p
}

fn video(dir: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let p = dir.join(name);
    let mut args = vec![
        "-v",
        "error",
        "-y",
        "-f",
        "lavfi",
        "-i",
        "testsrc=duration=1:size=64x64:rate=10",
        "-f",
        "lavfi",
        "-i",
        "sine=duration=1",
    ];
    args.extend_from_slice(extra);
    args.extend(["-shortest", p.to_str().expect("path")]);
    run("ffmpeg", &args);
    p
}

/// Every tag exiftool reports that names a place or a position.
fn place_tags(path: &Path) -> Vec<String> {
    let p = path.to_str().expect("path");
    let mut text = String::new();
    for args in [
        vec![
            "-j",
            "-a",
            "-G1",
            "-gps:all",
            "-xmp:all",
            "-iptc:all",
            "-Keys:all",
            "-UserData:all",
            "-ItemList:all",
            p,
        ],
        vec!["-j", "-a", "-G1", "-ee", p],
    ] {
        let out = Command::new("exiftool")
            .args(&args)
            .output()
            .expect("exiftool");
        text.push_str(&String::from_utf8_lossy(&out.stdout));
    }
    let words = [
        "gps",
        "location",
        "coordinat",
        "latitude",
        "longitude",
        "city",
        "country",
        "london",
        "51.5",
        "51 deg",
    ];
    text.lines()
        .filter(|l| !l.contains("\"SourceFile\"") && !l.contains("\"System:"))
        .filter(|l| words.iter().any(|w| l.to_ascii_lowercase().contains(w)))
        .map(str::to_string)
        .collect()
}

/// The samples, each with a position somewhere: name → file.
fn samples(dir: &Path) -> Vec<PathBuf> {
    use image::ImageFormat as F;
    let mut out = Vec::new();
    let p = picture(dir, "exif.jpg", F::Jpeg);
    exiftool(
        &p,
        &[
            &GPS[..],
            &["-DateTimeOriginal=2026:11:03 21:40:00", "-Make=Acme"],
        ]
        .concat(),
    );
    out.push(p);
    let p = picture(dir, "xmp-only.jpg", F::Jpeg);
    exiftool(&p, &XMP_GPS);
    out.push(p);
    let p = picture(dir, "iptc.jpg", F::Jpeg);
    exiftool(
        &p,
        &[
            "-IPTC:City=London",
            "-IPTC:Country-PrimaryLocationName=United Kingdom",
        ],
    );
    out.push(p);
    let p = picture(dir, "exif.png", F::Png);
    exiftool(&p, &GPS);
    out.push(p);
    let p = picture(dir, "xmp.png", F::Png);
    exiftool(&p, &XMP_GPS);
    out.push(p);
    let p = picture(dir, "exif.webp", F::WebP);
    exiftool(&p, &GPS);
    out.push(p);
    let p = picture(dir, "exif.tiff", F::Tiff);
    exiftool(&p, &GPS);
    out.push(p);
    let src = picture(dir, "for-heic.png", F::Png);
    let heic = dir.join("photo.heic");
    run(
        "heif-enc",
        &[
            "-q",
            "50",
            "-o",
            heic.to_str().expect("path"),
            src.to_str().expect("path"),
        ],
    );
    fs::remove_file(&src).expect("rm");
    exiftool(&heic, &GPS);
    out.push(heic);
    out.push(video(
        dir,
        "phone.mp4",
        &["-metadata", "location=+51.5074-000.1278/"],
    ));
    out.push(video(
        dir,
        "phone.mov",
        &["-metadata", "location=+51.5074-000.1278/"],
    ));
    let keys = video(dir, "keys.mov", &[]);
    exiftool(&keys, &["-Keys:GPSCoordinates=51.5074, -0.1278"]);
    out.push(keys);
    let ud = video(dir, "userdata.mp4", &[]);
    exiftool(&ud, &["-UserData:GPSCoordinates=51.5074, -0.1278"]);
    out.push(ud);
    let xmp = video(dir, "xmp.mp4", &[]);
    exiftool(&xmp, &XMP_GPS);
    out.push(xmp);
    out.push(video(
        dir,
        "old-phone.3gp",
        &[
            "-c:v",
            "h263",
            "-s",
            "176x144",
            "-c:a",
            "aac",
            "-ar",
            "8000",
            "-ac",
            "1",
            "-metadata",
            "location=+51.5074-000.1278/",
        ],
    ));
    // Exif Cairn cannot follow: the GPS directory points past the end of the segment.
    let bad = dir.join("broken-exif.jpg");
    let mut b = fs::read(&out[0]).expect("read");
    if let Some(i) = b.windows(6).position(|w| w == b"Exif\0\0") {
        // Point IFD0's first entry's value past the end.
        let tiff = i + 6;
        let le = &b[tiff..tiff + 2] == b"II";
        let ifd0 = if le {
            u32::from_le_bytes([b[tiff + 4], b[tiff + 5], b[tiff + 6], b[tiff + 7]])
        } else {
            u32::from_be_bytes([b[tiff + 4], b[tiff + 5], b[tiff + 6], b[tiff + 7]])
        } as usize;
        let count_at = tiff + ifd0;
        let n = if le {
            u16::from_le_bytes([b[count_at], b[count_at + 1]])
        } else {
            u16::from_be_bytes([b[count_at], b[count_at + 1]])
        } as usize;
        for k in 0..n {
            let e = count_at + 2 + 12 * k;
            let tag = if le {
                u16::from_le_bytes([b[e], b[e + 1]])
            } else {
                u16::from_be_bytes([b[e], b[e + 1]])
            };
            if tag == 0x8825 {
                let far = 0x00FF_FFF0u32;
                let v = if le {
                    far.to_le_bytes()
                } else {
                    far.to_be_bytes()
                };
                b[e + 8..e + 12].copy_from_slice(&v);
            }
        }
    }
    fs::write(&bad, &b).expect("write");
    out.push(bad);
    // Documents.
    let pdf = dir.join("letter.pdf");
    fs::write(
        &pdf,
        b"%PDF-1.4\n1 0 obj << /Type /Metadata /Subtype /XML >> stream\n<?xpacket begin='' id='W5M0MpCehiHzreSzNTczkc9d'?><x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF><rdf:Description exif:GPSLatitude='51,30.44N' exif:GPSLongitude='0,7.67W'/></rdf:RDF></x:xmpmeta><?xpacket end='w'?>\nendstream endobj\n%%EOF\n",
    )
    .expect("pdf");
    out.push(pdf);
    let docx = dir.join("statement.docx");
    let mut z = zip::ZipWriter::new(fs::File::create(&docx).expect("docx"));
    let o = zip::write::SimpleFileOptions::default();
    z.start_file("[Content_Types].xml", o).expect("zip");
    z.write_all(b"<Types/>").expect("zip");
    z.start_file("word/media/image1.jpeg", o).expect("zip");
    z.write_all(&fs::read(&out[0]).expect("read")).expect("zip");
    z.finish().expect("zip");
    out.push(docx);
    out
}

fn unzip(zip: &Path, dir: &Path) -> PathBuf {
    let _ = fs::remove_dir_all(dir);
    zip::ZipArchive::new(fs::File::open(zip).expect("open"))
        .expect("zip")
        .extract(dir)
        .expect("extract");
    fs::read_dir(dir)
        .expect("dir")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.is_dir())
        .expect("bag")
}

fn exhibits(bag: &Path) -> Vec<Value> {
    let t = fs::read_to_string(bag.join("data/record/exhibits.json")).expect("exhibits.json");
    serde_json::from_str::<Vec<Value>>(&t).expect("json")
}

fn export(cli: &Cli, out: &Path, extra: &[&str]) -> PathBuf {
    let mut args = vec![
        "export",
        "--all",
        "--initials",
        "AB",
        "--no-encrypt",
        "--out",
        out.to_str().expect("path"),
    ];
    args.extend_from_slice(extra);
    cli.ok(args);
    let bag = unzip(out, &out.with_extension("d"));
    let v = cli.run(["verify-bundle", out.to_str().expect("path")]);
    assert_eq!(v.status.code(), Some(0), "{}", describe(&v));
    bag
}

#[test]
fn no_position_survives_in_any_exhibit() {
    let (cli, _) = Cli::with_vault();
    let dir = cli.scratch().join("samples");
    fs::create_dir_all(&dir).expect("mkdir");
    let files = samples(&dir);
    for f in &files {
        // (exiftool does not look inside the hand-made PDF or DOCX; the photo inside
        // the DOCX is the first sample, and the PDF's XMP names the position.)
        let document = f.extension().is_some_and(|e| e == "pdf" || e == "docx");
        assert!(
            document || !place_tags(f).is_empty(),
            "the sample {} holds a position",
            f.display()
        );
        cli.ok(["file", "add", f.to_str().expect("path")]);
    }
    let bag = export(&cli, &cli.scratch().join("clean.zip"), &[]);
    let ex = exhibits(&bag);
    assert_eq!(ex.len(), files.len());
    let mut left: Vec<String> = Vec::new();
    for e in &ex {
        let name = e["name"].as_str().expect("name");
        match e["path"].as_str() {
            Some(p) => {
                let tags = place_tags(&bag.join(p));
                assert!(tags.is_empty(), "{name}: a position survives: {tags:?}");
                assert_eq!(
                    e["location_removed"], true,
                    "{name} was sent as it was: {e}"
                );
            }
            None => {
                let why = e["left_out"].as_str().expect("a reason");
                assert!(why.contains("location"), "{name}: {why}");
                left.push(name.to_string());
            }
        }
    }
    left.sort();
    // What Cairn cannot clean with certainty stays behind: the PDF's XMP and the photo
    // inside the DOCX.
    assert_eq!(left, ["letter.pdf", "statement.docx"], "{ex:?}");

    // With location included the originals go, positions and all.
    let bag = export(
        &cli,
        &cli.scratch().join("with.zip"),
        &["--include-location"],
    );
    for e in exhibits(&bag) {
        let p = e["path"].as_str().expect("every file goes");
        assert_eq!(e["location_removed"], false);
        assert_eq!(e["sha256"], e["original_sha256"], "{e}");
        let name = e["name"].as_str().expect("name");
        if !(name.ends_with(".pdf") || name.ends_with(".docx")) {
            assert!(
                !place_tags(&bag.join(p)).is_empty(),
                "{name}: the original keeps its position"
            );
        }
    }
}

#[test]
fn an_export_with_a_geotagged_photo_or_a_redacted_message_stays_behind() {
    let (cli, _) = Cli::with_vault();
    let dir = cli.scratch().to_path_buf();
    let photo = picture(&dir, "IMG-20231231-WA0001.jpg", image::ImageFormat::Jpeg);
    exiftool(&photo, &GPS);
    let chat = "31/12/2023, 21:41 - Sam: IMG-20231231-WA0001.jpg (file attached)\nthe car\n31/12/2023, 21:42 - Sam: I know where you are\n";
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default();
    zip.start_file("WhatsApp Chat with Sam.txt", o)
        .expect("zip");
    zip.write_all(chat.as_bytes()).expect("zip");
    zip.start_file("IMG-20231231-WA0001.jpg", o).expect("zip");
    zip.write_all(&fs::read(&photo).expect("read"))
        .expect("zip");
    let bytes = zip.finish().expect("zip").into_inner();
    let f = cli.write_file("WhatsApp Chat with Sam.zip", &bytes);
    cli.ok(["import", "whatsapp", f.to_str().expect("path")]);

    let bag = export(&cli, &dir.join("a.zip"), &[]);
    let ex = exhibits(&bag);
    let zip_ex = ex
        .iter()
        .find(|e| e["name"].as_str().is_some_and(|n| n.ends_with(".zip")))
        .expect("the export");
    assert!(zip_ex["path"].is_null(), "{zip_ex}");
    assert!(
        zip_ex["left_out"].as_str().expect("why").contains("where"),
        "{zip_ex}"
    );
    let photo_ex = ex
        .iter()
        .find(|e| e["name"] == "IMG-20231231-WA0001.jpg")
        .expect("the photo");
    assert_eq!(photo_ex["location_removed"], true);
    assert!(place_tags(&bag.join(photo_ex["path"].as_str().expect("path"))).is_empty());
    let items = fs::read_to_string(bag.join("data/record/items.json")).expect("items");
    assert!(items.contains("I know where you are"), "the messages go");

    // Sent whole at her choice.
    let bag = export(&cli, &dir.join("b.zip"), &["--whole-exports"]);
    let zip_ex = exhibits(&bag)
        .into_iter()
        .find(|e| e["name"].as_str().is_some_and(|n| n.ends_with(".zip")))
        .expect("export");
    assert_eq!(
        fs::read(bag.join(zip_ex["path"].as_str().expect("sent whole"))).expect("read"),
        bytes
    );

    // A message she redacted keeps the export back too, even with location included.
    let list = cli.json(["list", "--json"]);
    let msg = list
        .as_array()
        .expect("list")
        .iter()
        .find(|i| i["kind"] == "message")
        .and_then(|i| i["id"].as_str())
        .expect("a message")
        .to_string();
    cli.ok(["redact", &msg, "--reason", "not relevant"]);
    let bag = export(&cli, &dir.join("c.zip"), &["--include-location"]);
    let zip_ex = exhibits(&bag)
        .into_iter()
        .find(|e| e["name"].as_str().is_some_and(|n| n.ends_with(".zip")))
        .expect("export");
    assert!(
        zip_ex["left_out"]
            .as_str()
            .is_some_and(|w| w.contains("redacted")),
        "{zip_ex}"
    );
}

#[test]
fn what_a_red_team_found_stays_behind() {
    let (cli, _) = Cli::with_vault();
    let dir = cli.scratch().to_path_buf();
    // A WhatsApp export in German: the importer does not read its photo's marker, so
    // the photo is no attachment, but it is in the zip, with its position.
    let photo = picture(&dir, "IMG-20231231-WA0001.jpg", image::ImageFormat::Jpeg);
    exiftool(&photo, &GPS);
    let chat = "31.12.23, 21:41 - Sam: IMG-20231231-WA0001.jpg (Datei angehängt)\n31.12.23, 21:42 - Sam: Ich weiß, wo du bist\n";
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default();
    zip.start_file("WhatsApp Chat mit Sam.txt", o).expect("zip");
    zip.write_all(chat.as_bytes()).expect("zip");
    zip.start_file("IMG-20231231-WA0001.jpg", o).expect("zip");
    zip.write_all(&fs::read(&photo).expect("read"))
        .expect("zip");
    let f = cli.write_file(
        "WhatsApp Chat mit Sam.zip",
        &zip.finish().expect("zip").into_inner(),
    );
    cli.ok(["import", "whatsapp", f.to_str().expect("path")]);
    // A dashcam's video whose position track sits where no metadata parser looks.
    let cam = video(&dir, "dashcam.mp4", &[]);
    let mut b = fs::read(&cam).expect("read");
    let track =
        b"freeGPS \x00\x00$GPRMC,214000.00,A,5130.44,N,00007.67,W,0.0,0.0,031126,,,A*6C\r\n";
    b.extend_from_slice(&((track.len() + 8) as u32).to_be_bytes());
    b.extend_from_slice(b"free");
    b.extend_from_slice(track);
    fs::write(&cam, &b).expect("write");
    cli.ok(["file", "add", cam.to_str().expect("path")]);
    let bag = export(&cli, &dir.join("found.zip"), &[]);
    let ex = exhibits(&bag);
    for name in ["WhatsApp Chat mit Sam.zip", "dashcam.mp4"] {
        let e = ex
            .iter()
            .find(|e| e["name"] == name)
            .unwrap_or_else(|| panic!("{name}: {ex:?}"));
        assert!(e["path"].is_null(), "{name} went out: {e}");
        assert!(e["left_out"].is_string(), "{e}");
    }
    // At her choice, the video goes whole, track and all (an export once wrote its
    // bundle over and over: the track it found did not change what went).
    let bag = export(&cli, &dir.join("whole.zip"), &["--include-location"]);
    let ex = exhibits(&bag);
    let cam = ex
        .iter()
        .find(|e| e["name"] == "dashcam.mp4")
        .unwrap_or_else(|| panic!("{ex:?}"));
    let path = cam["path"]
        .as_str()
        .unwrap_or_else(|| panic!("left out: {cam}"));
    assert_eq!(fs::read(bag.join(path)).expect("read"), b);
}
