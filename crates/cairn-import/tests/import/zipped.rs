//! WhatsApp export zips imported into a real vault: media linked to their messages,
//! the zip kept byte-exact, and damaged or hostile zips refused whole with nothing
//! written.

use std::fs;
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};

use cairn_core::{Error, ItemKind, KdfCost, Passphrase, Vault};
use cairn_import::testing::{write, GenMessage, Style};
use cairn_import::whatsapp::{Clock, DateOrder, MessageKind, Platform};
use cairn_import::{Progress, Step};
use time::macros::datetime;
use zip::write::SimpleFileOptions;

struct Scratch {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    vault: Vault,
}

fn scratch() -> Scratch {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    let (vault, _) = Vault::init(
        &dir.join("vault"),
        &Passphrase::new("correct horse battery staple"),
        KdfCost::InsecureTestOnly,
    )
    .unwrap();
    Scratch {
        _tmp: tmp,
        dir,
        vault,
    }
}

/// Every file under the vault's blob folder (staged, stored or half-written).
fn blob_files(dir: &Path) -> usize {
    fn walk(d: &Path) -> usize {
        fs::read_dir(d)
            .map(|rd| {
                rd.flatten()
                    .map(|e| {
                        if e.path().is_dir() {
                            walk(&e.path())
                        } else {
                            1
                        }
                    })
                    .sum()
            })
            .unwrap_or(0)
    }
    walk(&dir.join("vault").join("blobs"))
}

fn msg(minute: u8, sender: &str, text: &str, kind: MessageKind) -> GenMessage {
    GenMessage {
        sent_at: datetime!(2023-12-31 21:00).replace_minute(minute).unwrap(),
        sender: Some(sender.into()),
        text: text.into(),
        kind,
    }
}

fn attached(name: &str) -> MessageKind {
    MessageKind::Attachment {
        file_name: name.into(),
    }
}

/// A zip of `entries` (name, bytes), deflated, in order.
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        w.start_file(*name, SimpleFileOptions::default()).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn photo() -> Vec<u8> {
    let mut b = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00".to_vec();
    b.extend((0..50_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    b
}

fn chain_len(v: &Vault) -> usize {
    v.chain().unwrap().len()
}

fn refused(e: Error) -> &'static str {
    match e {
        Error::ImportRefused { code, message } => {
            assert!(message.ends_with("so nothing was imported."), "{message}");
            code
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn media_in_an_android_zip_are_attached_to_their_messages() {
    let mut s = scratch();
    let style = Style::new(Platform::Android, Clock::H24, DateOrder::DayFirst);
    let chat = write(
        &[
            msg(1, "Sam", "Where are you?", MessageKind::Text),
            msg(
                2,
                "Sam",
                "I can see your car",
                attached("IMG-20231231-WA0001.jpg"),
            ),
            msg(3, "Sam", "", attached("PTT-20231231-WA0002.opus")),
            msg(4, "Sam", "", attached("VID-20231231-WA0003.mp4")),
            msg(5, "Me", "", attached("IMG-20231231-WA0001.jpg")),
        ],
        style,
    );
    let voice = b"OggS voice note".to_vec();
    let zip = zip_of(&[
        ("WhatsApp Chat with Sam.txt", chat.as_bytes()),
        ("IMG-20231231-WA0001.jpg", &photo()),
        ("PTT-20231231-WA0002.opus", &voice),
        ("unreferenced.txt.bak", b"x"),
    ]);
    let path = s.dir.join("WhatsApp Chat with Sam.zip");
    fs::write(&path, &zip).unwrap();
    let before = chain_len(&s.vault);

    let seen = std::sync::Mutex::new(Vec::new());
    let progress = |p: Progress| seen.lock().unwrap().push(p);
    let done = cairn_import::vault::whatsapp(&mut s.vault, &path, None, &progress).unwrap();
    assert_eq!(done.conversations, vec!["Sam".to_string()]);
    assert_eq!(done.chat.messages, 5);
    // Each step in order, each ending complete: the zip read, the zip kept, the
    // three files its messages name, the five messages.
    let seen = seen.into_inner().unwrap();
    let mut steps: Vec<Step> = seen.iter().map(|p| p.step).collect();
    steps.dedup();
    assert_eq!(
        steps,
        [Step::Reading, Step::Keeping, Step::Files, Step::Recording]
    );
    let last = |step| *seen.iter().rfind(|p| p.step == step).unwrap();
    let len = zip.len() as u64;
    assert_eq!(
        last(Step::Reading),
        Progress {
            step: Step::Reading,
            done: len,
            total: len
        }
    );
    assert_eq!(last(Step::Keeping).done, len);
    assert_eq!((last(Step::Files).done, last(Step::Files).total), (3, 3));
    assert_eq!(
        (last(Step::Recording).done, last(Step::Recording).total),
        (5, 5)
    );
    assert!(seen.iter().all(|p| p.done <= p.total));
    assert_eq!(
        done.chat.attachments, 2,
        "the photo once, and the voice note"
    );
    assert_eq!(done.attachments_missing, 1, "the video is not in the zip");
    assert_eq!(chain_len(&s.vault), before + 1 + 2 + 5);

    // The zip itself is the exhibit, byte-exact.
    let mut kept = Vec::new();
    s.vault
        .open_original(&done.chat.export)
        .unwrap()
        .read_to_end(&mut kept)
        .unwrap();
    assert_eq!(kept, zip);

    let messages: Vec<_> = s
        .vault
        .list()
        .unwrap()
        .into_iter()
        .filter(|i| i.kind == ItemKind::Message)
        .map(|i| s.vault.show(&i.id).unwrap().record.unwrap())
        .collect();
    let photo_item = messages[1]["attachments"][0].as_str().unwrap().to_string();
    assert_eq!(messages[1]["attachment"], "IMG-20231231-WA0001.jpg");
    assert_eq!(messages[4]["attachments"][0], photo_item.as_str(), "shared");
    assert!(
        messages[3].get("attachments").is_none(),
        "the missing video"
    );
    assert_eq!(messages[3]["kind"], "attachment");
    let mut got = Vec::new();
    s.vault
        .open_original(&photo_item)
        .unwrap()
        .read_to_end(&mut got)
        .unwrap();
    assert_eq!(got, photo());
    let file = s.vault.show(&photo_item).unwrap().record.unwrap();
    assert_eq!(file["name"], "IMG-20231231-WA0001.jpg");
    assert_eq!(file["media_type"], "image/jpeg");

    // The same zip again adds nothing, and stages nothing.
    let files = blob_files(&s.dir);
    let size = chain_len(&s.vault);
    let again =
        cairn_import::vault::whatsapp(&mut s.vault, &path, None, &cairn_import::progress::quiet)
            .unwrap();
    assert!(again.chat.already_imported);
    assert_eq!(again.chat.export, done.chat.export);
    assert_eq!((chain_len(&s.vault), blob_files(&s.dir)), (size, files));
    let report = s.vault.verify(Default::default(), &|_, _| {}).unwrap();
    assert!(report.ok, "{:?}", report.problems);
}

#[test]
fn an_ios_zip_names_its_chat_underscore_chat() {
    let mut s = scratch();
    let style = Style::new(Platform::Ios, Clock::H24, DateOrder::DayFirst);
    let chat = write(
        &[
            msg(
                1,
                "Sam",
                "Look",
                attached("00000012-PHOTO-2023-12-31-21-01-00.jpg"),
            ),
            msg(2, "Sam", "Answer me", MessageKind::Text),
        ],
        style,
    );
    let zip = zip_of(&[
        ("_chat.txt", chat.as_bytes()),
        ("00000012-PHOTO-2023-12-31-21-01-00.jpg", &photo()),
    ]);
    let path = s.dir.join("WhatsApp Chat - Sam.zip");
    fs::write(&path, &zip).unwrap();
    let done =
        cairn_import::vault::whatsapp(&mut s.vault, &path, None, &cairn_import::progress::quiet)
            .unwrap();
    assert_eq!(done.conversations, vec!["Sam".to_string()]);
    assert_eq!((done.chat.messages, done.chat.attachments), (2, 1));
    assert_eq!(done.attachments_missing, 0);
}

/// Imports `zip` and expects a refusal with `code`, with nothing written.
fn refuses(zip: &[u8], code: &str) {
    let mut s = scratch();
    let path = s.dir.join("WhatsApp Chat with Sam.zip");
    fs::write(&path, zip).unwrap();
    let (before, files) = (chain_len(&s.vault), blob_files(&s.dir));
    let e =
        cairn_import::vault::whatsapp(&mut s.vault, &path, None, &cairn_import::progress::quiet)
            .unwrap_err();
    assert_eq!(refused(e), code);
    assert_eq!(chain_len(&s.vault), before, "{code}: nothing on record");
    assert_eq!(blob_files(&s.dir), files, "{code}: nothing left staged");
}

fn a_chat() -> String {
    let style = Style::new(Platform::Android, Clock::H24, DateOrder::DayFirst);
    write(
        &[
            msg(1, "Sam", "Where are you?", MessageKind::Text),
            msg(2, "Sam", "", attached("IMG-1.jpg")),
        ],
        style,
    )
}

#[test]
fn a_truncated_zip_is_refused() {
    let chat = a_chat();
    let zip = zip_of(&[
        ("WhatsApp Chat with Sam.txt", chat.as_bytes()),
        ("IMG-1.jpg", &photo()),
    ]);
    for cut in [zip.len() / 2, zip.len() - 30, 100] {
        refuses(&zip[..cut], "import_zip_damaged");
    }
}

#[test]
fn names_that_leave_the_zip_are_refused() {
    let chat = a_chat();
    for evil in [
        "../IMG-1.jpg",
        "/etc/IMG-1.jpg",
        "media/../../IMG-1.jpg",
        "C:\\IMG-1.jpg",
    ] {
        let zip = zip_of(&[
            ("WhatsApp Chat with Sam.txt", chat.as_bytes()),
            (evil, b"x"),
        ]);
        refuses(&zip, "import_zip_unsafe_name");
    }
}

#[test]
fn a_zip_bomb_is_refused_before_it_inflates() {
    let chat = a_chat();
    let zeros = vec![0u8; 64 << 20];
    let zip = zip_of(&[
        ("WhatsApp Chat with Sam.txt", chat.as_bytes()),
        ("IMG-1.jpg", &zeros),
    ]);
    assert!(zip.len() < 1 << 20, "the bomb is small: {}", zip.len());
    refuses(&zip, "import_zip_bomb");
}

#[test]
fn a_zip_without_a_chat_is_refused() {
    let zip = zip_of(&[("IMG-1.jpg", &photo()), ("notes.md", b"x")]);
    refuses(&zip, "import_zip_no_chat");
}

#[test]
fn a_bad_chat_inside_a_zip_is_refused_naming_its_line() {
    let zip = zip_of(&[
        ("WhatsApp Chat with Sam.txt", b"not a chat\n"),
        ("IMG-1.jpg", b"x"),
    ]);
    refuses(&zip, "import_malformed");
}

#[test]
fn an_entry_that_fails_its_checksum_is_refused() {
    let chat = a_chat();
    let mut zip = zip_of(&[
        ("WhatsApp Chat with Sam.txt", chat.as_bytes()),
        ("IMG-1.jpg", &photo()),
    ]);
    // Flip a byte inside the photo's data: past the second local header.
    let headers: Vec<usize> = (0..zip.len() - 4)
        .filter(|&i| zip[i..i + 4] == *b"PK\x03\x04")
        .collect();
    let h = headers[1];
    let u16_at = |i: usize| u16::from_le_bytes([zip[i], zip[i + 1]]) as usize;
    let data = h + 30 + u16_at(h + 26) + u16_at(h + 28);
    zip[data + 200] ^= 0xff;
    refuses(&zip, "import_zip_entry_damaged");
}

#[test]
fn a_file_name_in_two_folders_is_not_guessed() {
    let mut s = scratch();
    let zip = zip_of(&[
        ("WhatsApp Chat with Sam.txt", a_chat().as_bytes()),
        ("a/IMG-1.jpg", &photo()),
        ("b/IMG-1.jpg", b"another photo"),
    ]);
    let path = s.dir.join("WhatsApp Chat with Sam.zip");
    fs::write(&path, &zip).unwrap();
    let done =
        cairn_import::vault::whatsapp(&mut s.vault, &path, None, &cairn_import::progress::quiet)
            .unwrap();
    assert_eq!((done.chat.attachments, done.attachments_missing), (0, 1));
}

#[test]
fn a_plain_chat_reports_reading_keeping_and_recording() {
    let mut s = scratch();
    let style = Style::new(Platform::Android, Clock::H24, DateOrder::DayFirst);
    let chat = write(
        &[
            msg(1, "Sam", "Where are you?", MessageKind::Text),
            msg(2, "Sam", "Answer me", MessageKind::Text),
        ],
        style,
    );
    let path = s.dir.join("WhatsApp Chat with Sam.txt");
    fs::write(&path, chat.as_bytes()).unwrap();
    let seen = std::sync::Mutex::new(Vec::new());
    let progress = |p: Progress| seen.lock().unwrap().push(p);
    let done = cairn_import::vault::whatsapp(&mut s.vault, &path, None, &progress).unwrap();
    assert_eq!(done.chat.messages, 2);
    let seen = seen.into_inner().unwrap();
    let mut steps: Vec<Step> = seen.iter().map(|p| p.step).collect();
    steps.dedup();
    // No files to keep: that step is skipped, the others run in order.
    assert_eq!(steps, [Step::Reading, Step::Keeping, Step::Recording]);
    let last = |step| *seen.iter().rfind(|p| p.step == step).unwrap();
    let len = chat.len() as u64;
    assert_eq!(
        (last(Step::Keeping).done, last(Step::Keeping).total),
        (len, len)
    );
    assert_eq!(
        (last(Step::Recording).done, last(Step::Recording).total),
        (2, 2)
    );
}
