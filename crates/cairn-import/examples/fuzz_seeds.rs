//! Writes seed inputs for the importer fuzz targets in `fuzz/` (run by
//! `scripts/fuzz.sh`), made with the test writers in `cairn_import::testing` so the
//! fuzzer starts from exports the way each app writes them: SMS Backup & Restore
//! backups (plain texts; a group MMS with a photo, wrapped base64, emoji as surrogate
//! references, `\r\n` and a byte-order mark), email (an `.eml` with an attachment, an
//! mbox of a thread with a forwarded message's `From ` line escaped) and Telegram
//! Desktop exports (one chat; a full export with a left chat, a service message, a
//! photo and a file). Each is checked to read back before it is written.
//!
//! `cargo run -p cairn-import --example fuzz_seeds -- DIR` writes `DIR/sms_parse/`,
//! `DIR/email_parse/` and `DIR/telegram_parse/`.

use std::error::Error;
use std::fs;
use std::path::Path;

use cairn_import::testing::{email, sms, telegram};
use time::macros::{datetime, offset};
use time::{Duration, OffsetDateTime};

type Seeds = Vec<(&'static str, Vec<u8>)>;

/// The first message's time; the others follow it.
const AT: OffsetDateTime = datetime!(2024-01-05 11:43:20.123 +00:00);

fn sms_seeds() -> Seeds {
    let alice = sms::GenContact {
        number: "+447700900123".into(),
        name: Some("Alice".into()),
    };
    let unknown = sms::GenContact {
        number: "+447700900999".into(),
        name: None,
    };
    let text = |i: i64, box_type: u8, text: &str| sms::GenMessage {
        sent_at: AT + Duration::minutes(i),
        box_type,
        others: vec![alice.clone()],
        from: 0,
        text: text.into(),
        mms: None,
    };
    let texts = [
        text(0, 1, "Where are you?"),
        text(1, 2, "At work & busy <until 6>\nthen home"),
        text(2, 1, "Answer me 🙂"),
    ];
    let photo = sms::GenAttachment {
        name: "IMG_1.jpg".into(),
        media_type: "image/jpeg".into(),
        data: Some((0u8..=96).collect()),
    };
    let mms = [
        sms::GenMessage {
            sent_at: AT + Duration::minutes(3),
            box_type: 1,
            others: vec![alice.clone(), unknown.clone()],
            from: 0,
            text: "Look at this\nand this 🙂".into(),
            mms: Some(sms::GenMms {
                subject: Some("Photos".into()),
                attachments: vec![photo],
                text_part_per_line: true,
            }),
        },
        sms::GenMessage {
            sent_at: AT + Duration::minutes(4),
            box_type: 2,
            others: vec![alice, unknown],
            from: 0,
            text: String::new(),
            mms: Some(sms::GenMms {
                subject: None,
                attachments: vec![sms::GenAttachment {
                    name: "clip.mp4".into(),
                    media_type: "video/mp4".into(),
                    data: None,
                }],
                text_part_per_line: false,
            }),
        },
    ];
    let group = sms::Style {
        crlf: true,
        bom: true,
        emoji_as_surrogates: true,
        base64: sms::Base64Style::Wrapped,
        ..sms::Style::default()
    };
    let escaped = sms::Style {
        base64: sms::Base64Style::EscapedBreaks,
        ..sms::Style::default()
    };
    vec![
        (
            "texts.xml",
            sms::write(&texts, &sms::Style::default()).into(),
        ),
        ("group-mms.xml", sms::write(&mms, &group).into()),
        (
            "mms-escaped-base64.xml",
            sms::write(&mms[..1], &escaped).into(),
        ),
    ]
}

fn email_seeds() -> Seeds {
    let address = |name: &str, address: &str| email::GenAddress {
        name: name.into(),
        address: address.into(),
    };
    let message = |i: i64, subject: &str, text: &str| {
        let at = (AT + Duration::hours(i)).to_offset(offset!(+1));
        email::GenEmail {
            from: address("Sam Bell", "sam@example.org"),
            to: vec![address("", "me@example.org")],
            cc: Vec::new(),
            subject: subject.into(),
            text: text.into(),
            date: Some(at),
            sent_at: at,
            message_id: format!("{i}@example.org"),
            in_reply_to: None,
            body_encoding: email::BodyEncoding::QuotedPrintable,
            attachments: Vec::new(),
        }
    };
    let mut single = message(0, "Where are you?", "Answer me.\nNow.");
    single.cc = vec![address("Zoë Ng", "zoe@example.org")];
    single.attachments = vec![email::GenAttachment {
        name: "the bruise.jpg".into(),
        media_type: "image/jpeg".into(),
        bytes: (0u8..=96).collect(),
    }];
    let mut reply = message(1, "Re: Where are you?", "At work.\n\nFrom now on, stop.");
    reply.from = address("", "me@example.org");
    reply.to = vec![address("Sam Bell", "sam@example.org")];
    reply.in_reply_to = Some("0@example.org".into());
    reply.body_encoding = email::BodyEncoding::EightBit;
    let mut undated = message(2, "", "No date header: the separator's is used.");
    undated.date = None;
    undated.message_id = String::new();
    undated.body_encoding = email::BodyEncoding::Base64;
    vec![
        ("message.eml", email::write_eml(&single, true)),
        (
            "mailbox.mbox",
            email::write_mbox(&[single.clone(), reply, undated], false),
        ),
    ]
}

fn telegram_seeds() -> Seeds {
    let message = |id: i64, from: &str, text: Vec<telegram::GenPart>| telegram::GenMessage {
        id,
        action: None,
        sent_at: AT + Duration::minutes(id),
        from: Some(from.into()),
        forwarded_from: None,
        reply_to: None,
        text,
        media: telegram::GenMedia::None,
        fields: Vec::new(),
    };
    let plain = |s: &str| vec![telegram::GenPart::Plain(s.into())];
    let mut photo = message(2, "Alice", plain("the bruise"));
    photo.media = telegram::GenMedia::Photo("photos/photo_1@05-01-2024_11-45-20.jpg".into());
    let mut reply = message(3, "Me", Vec::new());
    reply.reply_to = Some(1);
    reply.text = vec![
        telegram::GenPart::Plain("see ".into()),
        telegram::GenPart::Entity {
            kind: "text_link".into(),
            text: "here".into(),
            href: Some("https://example.org".into()),
        },
        telegram::GenPart::Entity {
            kind: "bold".into(),
            text: "\"now\"\n\u{C}".into(),
            href: None,
        },
    ];
    let mut voice = message(4, "Alice", Vec::new());
    voice.forwarded_from = Some("Bob".into());
    voice.media = telegram::GenMedia::File {
        path: "voice_messages/audio_1@05-01-2024_11-47-20.ogg".into(),
        mime_type: Some("audio/ogg".into()),
        media_type: Some("voice_message".into()),
    };
    let mut call = message(5, "Alice", Vec::new());
    call.action = Some("phone_call".into());
    call.fields = vec![
        ("duration_seconds".into(), "185".into()),
        ("discard_reason".into(), "\"missed\"".into()),
    ];
    let mut omitted = message(6, "Bob", plain("left out"));
    omitted.media = telegram::GenMedia::PhotoOmitted;
    let chats = [
        telegram::GenChat {
            name: Some("Alice".into()),
            kind: "personal_chat".into(),
            id: 1,
            left: false,
            messages: vec![
                message(1, "Alice", plain("Where are you?")),
                photo,
                reply,
                voice,
                call,
            ],
        },
        telegram::GenChat {
            name: None,
            kind: "private_supergroup".into(),
            id: 2,
            left: true,
            messages: vec![omitted],
        },
    ];
    let full = telegram::Layout {
        full: true,
        crlf: true,
        offset: offset!(+1),
        ..telegram::Layout::new()
    };
    let old_minified = telegram::Layout {
        unixtime: false,
        pretty: false,
        ..telegram::Layout::new()
    };
    vec![
        (
            "single-chat.json",
            telegram::write(&chats, telegram::Layout::new()).into(),
        ),
        ("full-export.json", telegram::write(&chats, full).into()),
        (
            "single-chat-old-minified.json",
            telegram::write(&chats, old_minified).into(),
        ),
    ]
}

/// Writes `seeds` into `dir/target`, each checked first to read back with `parse`.
fn write_seeds<E: Error + 'static>(
    dir: &Path,
    target: &str,
    seeds: Seeds,
    parse: impl Fn(&[u8]) -> Result<cairn_import::model::Export, E>,
) -> Result<(), Box<dyn Error>> {
    let dir = dir.join(target);
    fs::create_dir_all(&dir)?;
    for (name, bytes) in seeds {
        let export = parse(&bytes).map_err(|e| format!("{target}/{name} does not read: {e}"))?;
        if export.messages.is_empty() {
            return Err(format!("{target}/{name} reads as no messages").into());
        }
        fs::write(dir.join(name), bytes)?;
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let dir = std::env::args_os().nth(1).ok_or("usage: fuzz_seeds DIR")?;
    let dir = Path::new(&dir);
    write_seeds(dir, "sms_parse", sms_seeds(), cairn_import::sms::parse)?;
    write_seeds(
        dir,
        "email_parse",
        email_seeds(),
        cairn_import::email::parse,
    )?;
    write_seeds(
        dir,
        "telegram_parse",
        telegram_seeds(),
        cairn_import::telegram::parse,
    )?;
    Ok(())
}
