//! Items: history, redaction, links, photos, the clock, checkpoints, and that no
//! plaintext ever reaches the vault folder.

use std::fs;
use std::io::Cursor;

use cairn_core::chain::Entry;
use cairn_core::{Error, ItemKind, Vault};
use serde_json::{json, Value};

use crate::common::*;

/// A 640×480 JPEG with an EXIF block (date taken, camera, GPS) right after SOI.
pub fn photo_with_exif() -> Vec<u8> {
    let img = image::RgbImage::from_fn(640, 480, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) / 5 % 256) as u8])
    });
    let mut jpeg = Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85)
        .encode_image(&img)
        .unwrap();
    let jpeg = jpeg.into_inner();
    let tiff = exif_tiff();
    let mut app1 = vec![0xFF, 0xE1];
    app1.extend_from_slice(&u16::try_from(2 + 6 + tiff.len()).unwrap().to_be_bytes());
    app1.extend_from_slice(b"Exif\0\0");
    app1.extend_from_slice(&tiff);
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// An EXIF block (TIFF): date taken, camera, GPS.
fn exif_tiff() -> Vec<u8> {
    use exif::{Field, In, Rational, Tag};
    let ascii = |s: &[u8]| exif::Value::Ascii(vec![s.to_vec()]);
    let dms = |d, m, s| {
        exif::Value::Rational(vec![
            Rational { num: d, denom: 1 },
            Rational { num: m, denom: 1 },
            Rational { num: s, denom: 1 },
        ])
    };
    let field = |tag, value| Field {
        tag,
        ifd_num: In::PRIMARY,
        value,
    };
    let fields = [
        field(Tag::Make, ascii(b"Cairn Test Co")),
        field(Tag::Model, ascii(b"Model 7")),
        field(Tag::DateTimeOriginal, ascii(b"2024:05:06 07:08:09")),
        field(Tag::GPSLatitudeRef, ascii(b"N")),
        field(Tag::GPSLatitude, dms(51, 30, 26)),
        field(Tag::GPSLongitudeRef, ascii(b"W")),
        field(Tag::GPSLongitude, dms(0, 7, 39)),
    ];
    let mut w = exif::experimental::Writer::new();
    for f in &fields {
        w.push_field(f);
    }
    let mut tiff = Cursor::new(Vec::new());
    w.write(&mut tiff, false).unwrap();
    tiff.into_inner()
}

/// An iPhone-style HEIC container (ISO/IEC 23008-12) holding only an EXIF item: the
/// boxes a reader walks to find a photo's details. Its image data is a stand-in (no
/// HEVC encoder is at hand), which is all a vault that cannot decode HEVC ever sees.
pub fn heic_with_exif() -> Vec<u8> {
    fn bx(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut b = u32::try_from(8 + body.len())
            .unwrap()
            .to_be_bytes()
            .to_vec();
        b.extend_from_slice(kind);
        b.extend_from_slice(body);
        b
    }
    let full = |v: u8| vec![v, 0, 0, 0];
    let ftyp = bx(b"ftyp", b"heic\0\0\0\0mif1heic");
    // One item, id 1, of type Exif.
    let mut infe = full(2);
    infe.extend_from_slice(&[0, 1, 0, 0]);
    infe.extend_from_slice(b"Exif\0");
    let mut iinf = full(0);
    iinf.extend_from_slice(&[0, 1]);
    iinf.extend_from_slice(&bx(b"infe", &infe));
    let mut payload = 0u32.to_be_bytes().to_vec(); // no bytes before the TIFF header
    payload.extend_from_slice(&exif_tiff());
    let hdlr = bx(
        b"hdlr",
        &[
            0, 0, 0, 0, 0, 0, 0, 0, b'p', b'i', b'c', b't', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ],
    );
    // iloc v0: 4-byte offsets and lengths, no base offset; one extent in the mdat.
    let iloc_len = 4 + 2 + 2 + 2 + 2 + 2 + 4 + 4;
    let meta_len = 8 + 4 + hdlr.len() + 8 + iinf.len() + 8 + iloc_len;
    let data_at = ftyp.len() + meta_len + 8 + 8; // after the mdat header and the stand-in
    let mut iloc = full(0);
    iloc.extend_from_slice(&[0x44, 0x00, 0, 1, 0, 1, 0, 0, 0, 1]);
    iloc.extend_from_slice(&u32::try_from(data_at).unwrap().to_be_bytes());
    iloc.extend_from_slice(&u32::try_from(payload.len()).unwrap().to_be_bytes());
    assert_eq!(iloc.len(), iloc_len);
    let mut meta = full(0);
    meta.extend_from_slice(&hdlr);
    meta.extend_from_slice(&bx(b"iinf", &iinf));
    meta.extend_from_slice(&bx(b"iloc", &iloc));
    let meta = bx(b"meta", &meta);
    assert_eq!(meta.len(), meta_len);
    let mut mdat = b"notHEVC!".to_vec();
    mdat.extend_from_slice(&payload);
    let mut out = ftyp;
    out.extend_from_slice(&meta);
    out.extend_from_slice(&bx(b"mdat", &mdat));
    assert_eq!(&out[data_at..data_at + 4], &[0, 0, 0, 0]);
    out
}

/// An iPhone photo (HEIC): Cairn reads its details (date taken, camera, place) but has
/// no HEVC decoder, so it keeps the original exactly, with no thumbnail; the app shows a
/// placeholder.
#[test]
fn iphone_photo_keeps_its_details_and_has_no_thumbnail() {
    let mut tv = TestVault::new();
    let bytes = heic_with_exif();
    let src = tv.scratch("IMG_0042.HEIC");
    fs::write(&src, &bytes).unwrap();
    let added = tv.v().add_file(&src, &add_opts()).unwrap();
    assert_eq!(added.media_type, "image/heif");
    let rec = tv.r().show(&added.id).unwrap().record.unwrap();
    let ex = &rec["exif"];
    assert_eq!(ex["taken_at"], "2024-05-06T07:08:09", "{rec:#}");
    assert_eq!(ex["camera_model"], "Model 7");
    assert_eq!(ex["gps_latitude"], "51.507222");
    assert!(rec.get("thumbnail").is_none_or(Value::is_null), "{rec:#}");
    assert!(tv.r().thumbnail(&added.id).unwrap().is_none());
    let out = tv.scratch("IMG_0042.out.HEIC");
    tv.r().extract(&added.id, &out).unwrap();
    assert_eq!(fs::read(&out).unwrap(), bytes);
    assert_ok(tv.r());
}

#[test]
fn photo_gets_media_type_exif_and_thumbnail() {
    let mut tv = TestVault::new();
    let bytes = photo_with_exif();
    let src = tv.scratch("photo.jpg");
    fs::write(&src, &bytes).unwrap();
    let added = tv.v().add_file(&src, &add_opts()).unwrap();
    assert_eq!(added.media_type, "image/jpeg");
    assert_eq!(added.sha256, sha_hex(&bytes));

    let rec = tv.r().show(&added.id).unwrap().record.unwrap();
    assert_eq!(rec["media_type"], "image/jpeg");
    let ex = &rec["exif"];
    assert_eq!(ex["taken_at"], "2024-05-06T07:08:09", "{rec:#}");
    assert_eq!(ex["camera_make"], "Cairn Test Co");
    assert_eq!(ex["camera_model"], "Model 7");
    assert_eq!(ex["gps_latitude"], "51.507222");
    assert_eq!(ex["gps_longitude"], "-0.127500");
    let th = &rec["thumbnail"];
    let (w, h) = (
        th["width"].as_u64().unwrap(),
        th["height"].as_u64().unwrap(),
    );
    assert!(w <= 320 && h <= 320, "{w}x{h}");
    assert_eq!((w, h), (320, 240), "aspect ratio kept");

    let thumb = tv.r().thumbnail(&added.id).unwrap().expect("a thumbnail");
    assert_eq!(&thumb[..3], &[0xFF, 0xD8, 0xFF], "JPEG");
    assert_eq!(sha_hex(&thumb), th["sha256"].as_str().unwrap());
    let decoded = image::load_from_memory(&thumb).unwrap();
    assert_eq!((decoded.width() as u64, decoded.height() as u64), (w, h));

    // The list shows when the photo was taken.
    let list = tv.r().list().unwrap();
    assert_eq!(list[0].occurred.as_deref(), Some("2024-05-06T07:08:09"));
    assert_eq!(list[0].kind, ItemKind::File);

    // The original, EXIF and all, comes back byte for byte.
    let out = tv.scratch("photo.out.jpg");
    tv.r().extract(&added.id, &out).unwrap();
    assert_eq!(fs::read(&out).unwrap(), bytes);

    // Two blobs (original and thumbnail), both checked.
    assert_eq!(blob_files(&tv.dir).len(), 2);
    let r = assert_ok(tv.r());
    assert_eq!(r.blobs_checked, 2);
    assert_eq!(r.bytes_checked, bytes.len() as u64 + thumb.len() as u64);
}

#[test]
fn undecodable_photo_is_kept_without_thumbnail() {
    let mut tv = TestVault::new();
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
    bytes.extend_from_slice(b"JFIF\0 but then nothing sensible");
    let added = add_bytes(tv.v(), "broken.jpg", &bytes);
    assert_eq!(added.media_type, "image/jpeg");
    let rec = tv.r().show(&added.id).unwrap().record.unwrap();
    assert!(rec.get("thumbnail").is_none(), "{rec:#}");
    assert!(tv.r().thumbnail(&added.id).unwrap().is_none());
    assert_eq!(blob_files(&tv.dir).len(), 1);
    assert_ok(tv.r());
    // A thumbnail of something that is not a file is simply absent.
    let inc = tv.v().add_incident(incident("t", "b")).unwrap();
    assert!(tv.r().thumbnail(&inc.id).unwrap().is_none());
}

#[test]
fn edits_make_versions_and_history_says_what_changed() {
    let mut tv = TestVault::new();
    let v = tv.v();
    let first = v
        .add_incident(incident("Kitchen", "first account"))
        .unwrap();
    assert_eq!(first.version, 1);
    let mut edited = incident("Kitchen", "second account");
    edited.location = "home".into();
    let second = v.edit_incident(&first.id, edited.clone()).unwrap();
    assert_eq!(second.version, 2);
    assert_eq!(second.id, first.id);
    assert_eq!(second.seq, first.seq + 1);
    match v.edit_incident(&first.id, edited) {
        Err(e @ Error::Unchanged) => assert_eq!(e.code(), "unchanged"),
        other => panic!("an unchanged edit was recorded: {other:?}"),
    }
    match v.edit_incident("inc-nothere00", incident("x", "y")) {
        Err(Error::NotFound(_)) => {}
        other => panic!("edit of a missing item: {other:?}"),
    }
    match v.edit_incident(&first.id, incident("   ", "no title")) {
        Err(Error::Invalid(_)) => {}
        other => panic!("edit without a title: {other:?}"),
    }

    let h = v.history(&first.id).unwrap();
    assert_eq!(h.kind, ItemKind::Incident);
    assert_eq!(h.versions.len(), 2);
    assert_eq!(h.versions[0].entry_kind, "incident.create");
    assert_eq!(h.versions[1].entry_kind, "incident.edit");
    assert_eq!(h.versions[0].changed, ["body", "title"]);
    assert_eq!(h.versions[1].changed, ["body", "location"]);
    assert_eq!(
        h.versions[0].record.as_ref().unwrap()["body"],
        "first account"
    );
    assert_eq!(
        h.versions[1].record.as_ref().unwrap()["body"],
        "second account"
    );
    assert_eq!(h.versions[0].content_sha256, first.content_sha256);
    assert_eq!(h.versions[1].content_sha256, second.content_sha256);
    assert!(h.redaction.is_none());

    let shown = v.show(&first.id).unwrap();
    assert_eq!(shown.version, 2);
    assert_eq!(shown.created_seq, first.seq);
    assert_eq!(shown.current_seq, second.seq);
    assert_eq!(shown.content_sha256, second.content_sha256);
    assert_eq!(shown.record_sha256, second.content_sha256);
    let list = v.list().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!((list[0].version, list[0].redacted), (2, false));
    assert_ok(v);
}

#[test]
fn redaction_destroys_content_and_keeps_a_tombstone() {
    let mut tv = TestVault::new();
    let inc = tv
        .v()
        .add_incident(incident("Hallway", "v1 words"))
        .unwrap();
    tv.v()
        .edit_incident(&inc.id, incident("Hallway", "v2 words"))
        .unwrap();
    let photo = photo_with_exif();
    let mut src = Cursor::new(photo.clone());
    let file = tv
        .v()
        .add_file_from("p.jpg".as_ref(), &mut src, None, &add_opts_linked(&inc.id))
        .unwrap();
    let kept = tv.v().add_incident(incident("Kept", "stays")).unwrap();
    assert_eq!(blob_files(&tv.dir).len(), 2);
    let old_inc: Vec<(String, String)> = tv
        .r()
        .history(&inc.id)
        .unwrap()
        .versions
        .iter()
        .map(|v| (v.content_sha256.clone(), v.record_sha256.clone()))
        .collect();
    let old_file = tv.r().show(&file.id).unwrap();
    let entries_before = tv.r().chain().unwrap().len();

    match tv.v().authed().redact(&inc.id, "   ") {
        Err(Error::Invalid(_)) => {}
        other => panic!("redaction without a reason: {other:?}"),
    }
    let red = tv
        .v()
        .authed()
        .redact(&inc.id, "It names my new address")
        .unwrap();
    assert_eq!(red.seq as usize, entries_before + 1);
    tv.v().authed().redact(&file.id, "Shows my face").unwrap();
    let chain = tv.r().chain().unwrap();
    assert_eq!(chain.len(), entries_before + 2);
    assert_eq!(chain[entries_before].kind, "item.redact");
    assert_eq!(chain[entries_before].item, inc.id);

    // The incident: no record, a tombstone with the reason and the old hashes.
    let shown = tv.r().show(&inc.id).unwrap();
    assert!(shown.record.is_none());
    let t = shown.redaction.expect("a tombstone");
    assert_eq!(t.reason, "It names my new address");
    assert_eq!(t.seq, red.seq);
    let tomb: Vec<(String, String)> = t
        .versions
        .iter()
        .map(|v| {
            (
                v["content_sha256"].as_str().unwrap().to_string(),
                v["record_sha256"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(tomb, old_inc);
    let h = tv.r().history(&inc.id).unwrap();
    assert!(h.versions.iter().all(|v| v.record.is_none()));
    let hashes: Vec<String> = h
        .versions
        .iter()
        .map(|v| v.content_sha256.clone())
        .collect();
    assert_eq!(
        hashes,
        old_inc.iter().map(|p| p.0.clone()).collect::<Vec<_>>()
    );

    // The photo: the same, and both of its blob files are gone from disk.
    let shown = tv.r().show(&file.id).unwrap();
    assert!(shown.record.is_none());
    let t = shown.redaction.unwrap();
    assert_eq!(t.reason, "Shows my face");
    assert_eq!(t.versions[0]["content_sha256"], old_file.content_sha256);
    assert_eq!(old_file.content_sha256, sha_hex(&photo));
    assert!(blob_files(&tv.dir).is_empty(), "{:?}", blob_files(&tv.dir));
    let out = tv.scratch("out");
    match tv.r().extract(&file.id, &out) {
        Err(e @ Error::Redacted(_)) => assert_eq!(e.code(), "redacted"),
        other => panic!("extract of a redacted file: {other:?}"),
    }
    assert!(!out.exists());
    match tv.r().open_original(&file.id) {
        Err(Error::Redacted(_)) => {}
        other => panic!("open_original of a redacted file: {other:?}"),
    }
    match tv.r().thumbnail(&file.id) {
        Err(e @ Error::Redacted(_)) => assert_eq!(e.code(), "redacted"),
        other => panic!("thumbnail of a redacted photo: {other:?}"),
    }

    // Redacted items stay listed, without their titles.
    let list = tv.r().list().unwrap();
    let row = list.iter().find(|i| i.id == inc.id).unwrap();
    assert!(row.redacted);
    assert_eq!(row.title, "");
    assert!(!list.iter().find(|i| i.id == kept.id).unwrap().redacted);

    // Nothing more can be done to them.
    match tv.v().edit_incident(&inc.id, incident("Hallway", "v3")) {
        Err(e @ Error::Redacted(_)) => assert_eq!(e.code(), "redacted"),
        other => panic!("edit of a redacted incident: {other:?}"),
    }
    match tv.v().authed().redact(&inc.id, "again") {
        Err(e @ Error::Invalid(_)) => assert_eq!(e.code(), "invalid_input"),
        other => panic!("second redaction: {other:?}"),
    }
    assert_eq!(tv.r().chain().unwrap().len(), entries_before + 2);

    // The vault is still whole, and stays so across a reopen.
    let r = assert_ok(tv.r());
    assert_eq!(r.blobs_checked, 0);
    tv.reopen();
    assert_ok(tv.r());
    assert!(tv.r().show(&inc.id).unwrap().record.is_none());
    assert_eq!(
        tv.r().show(&kept.id).unwrap().record.unwrap()["body"],
        "stays"
    );
}

#[test]
fn no_plaintext_reaches_the_vault_folder() {
    const MARKERS: [&str; 5] = [
        "ZEBRA-kettle-4471-marker-body",
        "Quillon Marsh-Ashdown",
        "file-bytes-7f3a-HONEYCOMB",
        "secret-filename-PARSNIP",
        "reason-text-OSPREY",
    ];
    let mut tv = TestVault::new();
    let inc = tv.v().add_incident(incident("t", MARKERS[0])).unwrap();
    tv.v()
        .add_person(cairn_core::Person::new(
            MARKERS[1],
            cairn_core::Role::Harming,
        ))
        .unwrap();
    let content = MARKERS[2].repeat(1000);
    add_bytes(tv.v(), &format!("{}.txt", MARKERS[3]), content.as_bytes());
    let dir = tv.dir.clone();
    let check = |when: &str| {
        for f in all_files(&dir) {
            let bytes = fs::read(&f).unwrap();
            for m in MARKERS {
                assert!(
                    !bytes.windows(m.len()).any(|w| w == m.as_bytes()),
                    "{when}: {m:?} appears in plaintext in {}",
                    f.display()
                );
            }
        }
    };
    check("while open");
    tv.v().authed().redact(&inc.id, MARKERS[4]).unwrap();
    check("after redaction");
    tv.close();
    check("after closing");
    // Sanity: the markers are really in the vault.
    tv.reopen();
    assert_eq!(
        tv.r().show(&inc.id).unwrap().redaction.unwrap().reason,
        MARKERS[4]
    );
    let list = tv.r().list().unwrap();
    assert!(list.iter().any(|i| i.title == MARKERS[1]));
}

#[test]
fn links_connect_items_and_unlinking_is_recorded() {
    let mut tv = TestVault::new();
    let v = tv.v();
    let inc = v.add_incident(incident("i", "b")).unwrap();
    let per = v
        .add_person(cairn_core::Person::new("W", cairn_core::Role::Witness))
        .unwrap();
    let link = v.link(&inc.id, &per.id).unwrap();
    assert!(link.id.starts_with("lnk-"));
    let links = v.show(&inc.id).unwrap().links;
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].other, per.id);
    assert_eq!(links[0].other_kind, ItemKind::Person);
    assert_eq!(links[0].other_title, "W");
    assert_eq!(v.show(&per.id).unwrap().links[0].other, inc.id);

    for (a, b, what) in [
        (inc.id.as_str(), inc.id.as_str(), "itself"),
        (inc.id.as_str(), link.id.as_str(), "a link"),
    ] {
        match v.link(a, b) {
            Err(Error::Invalid(_)) => {}
            other => panic!("link to {what}: {other:?}"),
        }
    }
    match v.link(&inc.id, "per-missing000") {
        Err(Error::NotFound(_)) => {}
        other => panic!("link to a missing item: {other:?}"),
    }
    match v.unlink(&inc.id) {
        Err(Error::Invalid(_)) => {}
        other => panic!("unlink of a non-link: {other:?}"),
    }

    let un = v.unlink(&link.id).unwrap();
    assert_eq!(un.version, 2);
    assert!(v.show(&inc.id).unwrap().links.is_empty());
    let h = v.history(&link.id).unwrap();
    assert_eq!(h.kind, ItemKind::Link);
    let kinds: Vec<&str> = h.versions.iter().map(|x| x.entry_kind.as_str()).collect();
    assert_eq!(kinds, ["link.add", "link.change"]);
    assert_eq!(h.versions[1].changed, ["active"]);
    // Links are not listed as items.
    assert_eq!(v.list().unwrap().len(), 2);

    // A file added with a link: two entries, one write.
    let n = v.chain().unwrap().len();
    let mut src = Cursor::new(b"note".to_vec());
    let f = v
        .add_file_from("n.txt".as_ref(), &mut src, None, &add_opts_linked(&inc.id))
        .unwrap();
    let chain = v.chain().unwrap();
    assert_eq!(chain.len(), n + 2);
    assert_eq!(chain[n].kind, "file.add");
    assert_eq!(chain[n + 1].kind, "link.add");
    assert_eq!(v.show(&f.id).unwrap().links[0].other, inc.id);
    // Linking a file to a missing incident adds nothing at all.
    let mut src = Cursor::new(b"note".to_vec());
    match v.add_file_from(
        "n.txt".as_ref(),
        &mut src,
        None,
        &add_opts_linked("inc-missing000"),
    ) {
        Err(Error::NotFound(_)) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(v.chain().unwrap().len(), n + 2);
    assert_eq!(blob_files(&tv.dir).len(), 1);
    assert_ok(tv.r());
}

#[test]
fn clock_going_backwards_is_noted_and_warned() {
    let mut tv = TestVault::new();
    let first = tv.v().add_incident(incident("normal", "clock")).unwrap();
    let prev_at = tv.r().chain().unwrap()[first.seq as usize - 1].recorded_at;
    let earlier = prev_at - 3_600_000;
    tv.v().set_clock_for_tests(Box::new(move || earlier));
    let back = tv.v().add_incident(incident("earlier", "clock")).unwrap();
    let same = tv.v().add_incident(incident("same", "clock")).unwrap();

    let chain = tv.r().chain().unwrap();
    let e = &chain[back.seq as usize - 1];
    assert_eq!(e.recorded_at, earlier, "the clock is kept as read");
    assert_eq!(e.meta["clock_went_back_ms"], json!(3_600_000));
    assert_eq!(e.compute_hash().unwrap(), e.hash);
    // Equal times are not a step back.
    assert!(!chain[same.seq as usize - 1]
        .meta
        .contains_key("clock_went_back_ms"));

    let r = assert_ok(tv.r());
    let warns: Vec<_> = r
        .warnings
        .iter()
        .filter(|w| w.code == "clock_back")
        .collect();
    assert_eq!(warns.len(), 1, "{:#?}", r.warnings);
    assert_eq!(warns[0].seq, Some(back.seq));
    assert!(r.first_bad_seq.is_none());
}

/// Decodes lower-case hex.
fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn checkpoint_vault() -> (TestVault, usize) {
    let mut tv = TestVault::new();
    let v = tv.v();
    let a = v.add_incident(incident("a", "1")).unwrap();
    v.add_incident(incident("b", "2")).unwrap();
    let mut src = Cursor::new(b"x".to_vec());
    v.add_file_from("x.txt".as_ref(), &mut src, None, &add_opts_linked(&a.id))
        .unwrap();
    v.edit_incident(&a.id, incident("a", "1 again")).unwrap();
    // Writes: init, two incidents, the file (two entries), the edit.
    (tv, 5)
}

#[test]
fn checkpoints_are_signed_and_match_the_chain() {
    let (tv, writes) = checkpoint_vault();
    let v = tv.r();
    let chain = v.chain().unwrap();
    let note = v.latest_checkpoint().unwrap().expect("a checkpoint");
    let cp = cairn_core::checkpoint::verify(&note, &v.device_public_key()).expect("valid");
    assert_eq!(cp.size as usize, chain.len());
    assert_eq!(cp.head, chain.last().unwrap().hash);
    assert_eq!(cp.origin, format!("cairn/vault/{}", v.vault_id()));
    assert_eq!(cp.origin, cairn_core::checkpoint::origin(v.vault_id()));
    let r = assert_ok(v);
    assert_eq!(r.latest_checkpoint.as_ref(), Some(&cp));
    assert_eq!(r.checkpoints as usize, writes);
    assert_eq!(r.head.as_deref(), Some(cp.head.as_str()));

    // Another vault's key does not verify it.
    let other = TestVault::new();
    assert!(cairn_core::checkpoint::verify(&note, &other.r().device_public_key()).is_err());
    // Nor does an edited note.
    let edited = note.replacen(&format!("\n{}\n", cp.size), "\n99\n", 1);
    assert_ne!(edited, note);
    assert!(cairn_core::checkpoint::verify(&edited, &v.device_public_key()).is_err());
}

#[test]
fn tampered_checkpoint_note_is_reported() {
    let (tv, _) = checkpoint_vault();
    let v = tv.r();
    let size = v.chain().unwrap().len() as i64;
    let c = v.raw_connection_for_tests();
    let n = c
        .execute(
            "UPDATE checkpoints SET note = replace(note, 'time 2', 'time 1') WHERE size = ?1",
            [size],
        )
        .unwrap();
    assert_eq!(n, 1);
    let r = verify(v);
    assert!(!r.ok);
    assert!(
        r.problems
            .iter()
            .any(|f| f.code == "checkpoint_signature" && f.seq == Some(size as u64)),
        "{:#?}",
        r.problems
    );
    assert_eq!(r.first_bad_seq, Some(size as u64));
}

#[test]
fn checkpoint_moved_to_another_size_is_reported() {
    let (tv, _) = checkpoint_vault();
    let v = tv.r();
    let c = v.raw_connection_for_tests();
    c.execute(
        "UPDATE checkpoints SET note = (SELECT note FROM checkpoints WHERE size = 2) WHERE size = 3",
        [],
    )
    .unwrap();
    let r = verify(v);
    assert!(
        r.problems
            .iter()
            .any(|f| f.code == "checkpoint_mismatch" && f.seq == Some(3)),
        "{:#?}",
        r.problems
    );
}

#[test]
fn consistently_rewritten_history_is_caught_by_checkpoints() {
    let (tv, _) = checkpoint_vault();
    let v: &Vault = tv.r();
    let c = v.raw_connection_for_tests();
    c.execute_batch("DROP TRIGGER entries_no_update;").unwrap();
    // Rewrite entry 2's metadata and re-hash everything after it, so every hash and
    // link is consistent again: only the signed checkpoints can tell.
    let mut chain: Vec<Entry> = v.chain().unwrap();
    chain[1].meta.insert("forged".into(), Value::Bool(true));
    for i in 1..chain.len() {
        chain[i].prev = chain[i - 1].hash.clone();
        chain[i].hash = chain[i].compute_hash().unwrap();
        let e = &chain[i];
        let meta = cairn_core::canonical::to_canonical(&Value::Object(e.meta.clone())).unwrap();
        c.execute(
            "UPDATE entries SET prev = ?2, meta = ?3, hash = ?4 WHERE seq = ?1",
            rusqlite::params![e.seq as i64, unhex(&e.prev), meta, unhex(&e.hash)],
        )
        .unwrap();
    }
    let r = verify(v);
    assert!(!r.ok);
    let codes: Vec<&str> = problem_codes(&r);
    // The stored Merkle tree no longer matches either.
    assert!(codes.contains(&"tree_mismatch"), "{:#?}", r.problems);
    assert!(
        codes
            .iter()
            .all(|c| *c == "checkpoint_mismatch" || *c == "tree_mismatch"),
        "{:#?}",
        r.problems
    );
    let sizes: Vec<u64> = r
        .problems
        .iter()
        .filter(|f| f.code == "checkpoint_mismatch")
        .filter_map(|f| f.seq)
        .collect();
    let want: Vec<u64> = (2..=chain.len() as u64)
        .filter(|s| *s != 4) // the file and its link were one write: no checkpoint at 4
        .collect();
    assert_eq!(sizes, want);
    assert_eq!(r.first_bad_seq, Some(2));
}
