//! Videos: MP4, MOV and 3GP with location written by ffmpeg and exiftool; data tracks.

use std::path::{Path, PathBuf};

use cairn_location::Outcome;

use crate::{bytes, clean_and_check, exiftool_write, outcome, run};

/// A one-second video (picture and sound) made by ffmpeg, with extra arguments before
/// the output name.
fn video(dir: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let path = dir.join(name);
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
    args.push("-shortest");
    args.push(path.to_str().expect("UTF-8 path"));
    run("ffmpeg", &args);
    path
}

/// How many streams ffprobe finds (and that it reads the file without error).
fn streams(path: &Path) -> usize {
    let p = path.to_str().expect("UTF-8 path");
    let out = run(
        "ffprobe",
        &[
            "-v",
            "error",
            "-show_entries",
            "stream=index",
            "-of",
            "csv=p=0",
            p,
        ],
    );
    assert!(
        out.stderr.is_empty(),
        "ffprobe: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).lines().count()
}

/// Cleans a video and checks it still plays as before.
fn clean_video(path: &Path, expect: &[&str]) {
    let copy = clean_and_check(path, expect);
    assert_eq!(streams(path), streams(&copy), "same streams");
    // Every frame still decodes.
    let p = copy.to_str().expect("UTF-8 path");
    run("ffmpeg", &["-v", "error", "-i", p, "-f", "null", "-"]);
}

#[test]
fn mp4_location_from_ffmpeg() {
    let d = tempfile::tempdir().expect("tmp");
    let p = video(
        d.path(),
        "phone.mp4",
        &["-metadata", "location=+51.5074-000.1278/"],
    );
    clean_video(&p, &["3GPP location"]);
}

#[test]
fn mov_location_from_ffmpeg() {
    let d = tempfile::tempdir().expect("tmp");
    let p = video(
        d.path(),
        "phone.mov",
        &["-metadata", "location=+51.5074-000.1278/"],
    );
    assert!(
        bytes(&p).windows(4).any(|w| w == b"\xa9xyz"),
        "ffmpeg writes a ©xyz box"
    );
    clean_video(&p, &["QuickTime location"]);
}

#[test]
fn three_gp_loci() {
    let d = tempfile::tempdir().expect("tmp");
    let p = video(
        d.path(),
        "clip.3gp",
        &[
            "-c:v",
            "h263",
            "-s",
            "176x144",
            "-c:a",
            "aac",
            "-ar",
            "16000",
            "-metadata",
            "location=+51.5074-000.1278/",
        ],
    );
    assert!(
        bytes(&p).windows(4).any(|w| w == b"loci"),
        "ffmpeg writes a loci box"
    );
    clean_video(&p, &["3GPP location"]);
}

#[test]
fn mov_apple_keys() {
    let d = tempfile::tempdir().expect("tmp");
    let p = video(d.path(), "iphone.mov", &[]);
    exiftool_write(
        &p,
        &[
            "-Keys:GPSCoordinates=51.5074, -0.1278, 10",
            "-Keys:LocationName=Refuge",
            "-Keys:Make=Apple",
        ],
    );
    clean_video(&p, &["QuickTime location"]);
}

#[test]
fn mov_user_data_gps() {
    let d = tempfile::tempdir().expect("tmp");
    let p = video(d.path(), "cam.mov", &[]);
    exiftool_write(&p, &["-UserData:GPSCoordinates=51.5074, -0.1278"]);
    clean_video(&p, &["QuickTime location"]);
}

#[test]
fn mp4_item_list_and_xmp() {
    let d = tempfile::tempdir().expect("tmp");
    let p = video(d.path(), "item.mp4", &[]);
    exiftool_write(&p, &["-ItemList:GPSCoordinates=51.5074, -0.1278"]);
    clean_video(&p, &["QuickTime location"]);
    let x = video(d.path(), "xmp.mp4", &[]);
    exiftool_write(
        &x,
        &["-XMP:GPSLatitude=51.5074", "-XMP:GPSLongitude=-0.1278"],
    );
    assert!(
        bytes(&x).windows(4).any(|w| w == b"uuid"),
        "exiftool writes a uuid box"
    );
    clean_video(&x, &["XMP metadata"]);
}

#[test]
fn subtitle_track_cannot_be_cleaned() {
    // DJI drones write their position in a subtitle track.
    let d = tempfile::tempdir().expect("tmp");
    let srt = d.path().join("gps.srt");
    std::fs::write(
        &srt,
        "1\n00:00:00,000 --> 00:00:01,000\nGPS(51.5074,-0.1278,10)\n\n",
    )
    .expect("write srt");
    let p = video(
        d.path(),
        "drone.mp4",
        &[
            "-i",
            srt.to_str().expect("UTF-8"),
            "-map",
            "0",
            "-map",
            "1",
            "-map",
            "2",
            "-c:s",
            "mov_text",
        ],
    );
    match outcome(&p) {
        Outcome::CannotClean(why) => assert!(why.contains("data track"), "{why}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn gopro_style_data_track_cannot_be_cleaned() {
    // A track whose handler is gpmd (GoPro's GPS): the sound track's handler renamed.
    let d = tempfile::tempdir().expect("tmp");
    let p = video(d.path(), "gopro.mp4", &[]);
    let mut b = bytes(&p);
    let at = b
        .windows(8)
        .position(|w| w == b"hdlrsoun" || w == b"\0\0\0\0soun")
        .expect("the sound track's handler");
    let soun = at + 4;
    b[soun..soun + 4].copy_from_slice(b"gpmd");
    std::fs::write(&p, &b).expect("write");
    assert_eq!(
        outcome(&p),
        Outcome::CannotClean("it has a data track Cairn cannot read (gpmd)".into())
    );
}

#[test]
fn video_without_location_needs_nothing() {
    let d = tempfile::tempdir().expect("tmp");
    let p = video(d.path(), "plain.mp4", &["-metadata", "title=Kitchen"]);
    assert_eq!(outcome(&p), Outcome::NoLocation);
    let m = video(d.path(), "plain.mov", &[]);
    assert_eq!(outcome(&m), Outcome::NoLocation);
}
