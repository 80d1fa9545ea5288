//! The SMS Backup & Restore importer (`cairn_import::sms`): hand-written backups of
//! every message shape, round trips through the test writer
//! (`cairn_import::testing::sms`) by property, and hostile files, each refused whole
//! with an error naming where.

use cairn_import::model::{Content, Export, MessageKind, Msg, SentAt};
use cairn_import::sms::{
    decode_base64, parse, Field, SmsError, MAX_DATA_BYTES, MAX_TEXT_BYTES, ME,
};
use cairn_import::testing::sms::{
    as_written, write, write_with_lines, Base64Style, GenAttachment, GenContact, GenMessage,
    GenMms, Style,
};
use proptest::prelude::*;
use time::macros::datetime;
use time::OffsetDateTime;

/// Parses a backup that must read.
fn read(xml: &str) -> Export {
    match parse(xml.as_bytes()) {
        Ok(export) => export,
        Err(e) => panic!("{e} ({e:?}) in:\n{xml}"),
    }
}

fn refused(xml: &str) -> SmsError {
    match parse(xml.as_bytes()) {
        Ok(export) => panic!("accepted {} messages from:\n{xml}", export.messages.len()),
        Err(e) => e,
    }
}

fn instant(m: &Msg) -> OffsetDateTime {
    match m.sent_at {
        SentAt::Instant(t) => t,
        SentAt::Local(t) => panic!("local time {t} for an SMS"),
    }
}

/// The bytes of attachment `i` of `export`, read from `input`.
fn attachment_bytes(input: &[u8], export: &Export, i: usize) -> Vec<u8> {
    match &export.attachments[i].content {
        Content::Base64(range) => decode_base64(input, range.clone()).unwrap(),
        Content::Bytes(bytes) => bytes.clone(),
        Content::File(name) => panic!("a file {name} in an SMS backup"),
    }
}

const HEAD: &str = "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n\
<!--File Created By SMS Backup & Restore v10.20.002 on 05/01/2024 12:00:00-->\n";

/// A backup of `count` messages around `body` (lines 3 onwards).
fn backup(count: usize, body: &str) -> String {
    format!("{HEAD}<smses count=\"{count}\" backup_set=\"x\" backup_date=\"1704456000000\" type=\"full\">\n{body}</smses>\n")
}

/// One SMS line with these attributes changed (the rest as the app writes them).
fn sms(address: &str, date: &str, kind: &str, body: &str, contact: &str) -> String {
    format!(
        "  <sms protocol=\"0\" address=\"{address}\" date=\"{date}\" type=\"{kind}\" subject=\"null\" body=\"{body}\" toa=\"null\" sc_toa=\"null\" service_center=\"null\" read=\"1\" status=\"-1\" locked=\"0\" date_sent=\"1704454999000\" sub_id=\"1\" readable_date=\"5 Jan 2024 11:43:20\" contact_name=\"{contact}\" />\n"
    )
}

/// A 1×1 JPEG-ish payload and its base64.
const PHOTO: &[u8] =
    b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xFF\xD9";
const PHOTO_B64: &str = "/9j/4AAQSkZJRgABAQAAAQABAAD/2Q==";

const SMIL: &str = "      <part seq=\"-1\" ct=\"application/smil\" name=\"null\" chset=\"null\" cd=\"null\" fn=\"null\" cid=\"&lt;smil&gt;\" cl=\"smil.xml\" ctt_s=\"null\" ctt_t=\"null\" text=\"&lt;smil&gt;&lt;head&gt;&lt;/head&gt;&lt;body&gt;&lt;par dur=&quot;5000ms&quot;&gt;&lt;img src=&quot;IMG_1.jpg&quot;/&gt;&lt;/par&gt;&lt;/body&gt;&lt;/smil&gt;\" />\n";

fn mms_open(date: &str, msg_box: &str, address: &str, sub: &str, contact: &str) -> String {
    format!(
        "  <mms date=\"{date}\" rr=\"null\" sub=\"{sub}\" ct_t=\"application/vnd.wap.multipart.related\" read_status=\"null\" seen=\"1\" msg_box=\"{msg_box}\" address=\"{address}\" sub_cs=\"null\" resp_st=\"null\" retr_st=\"null\" d_tm=\"null\" text_only=\"0\" exp=\"null\" locked=\"0\" m_id=\"x\" st=\"null\" retr_txt_cs=\"null\" retr_txt=\"null\" creator=\"com.google.android.apps.messaging\" date_sent=\"0\" read=\"1\" m_size=\"1234\" rpt_a=\"null\" ct_cls=\"null\" pri=\"null\" sub_id=\"1\" tr_id=\"T1\" resp_txt=\"null\" ct_l=\"null\" m_cls=\"personal\" d_rpt=\"129\" v=\"18\" _id=\"7\" m_type=\"132\" readable_date=\"5 Jan 2024 11:45:00\" contact_name=\"{contact}\">\n"
    )
}

fn text_part(seq: u32, text: &str) -> String {
    format!("      <part seq=\"{seq}\" ct=\"text/plain\" name=\"null\" chset=\"106\" cd=\"null\" fn=\"null\" cid=\"&lt;text_{seq}&gt;\" cl=\"text_{seq}.txt\" ctt_s=\"null\" ctt_t=\"null\" text=\"{text}\" />\n")
}

fn addr(address: &str, kind: u16) -> String {
    format!("      <addr address=\"{address}\" type=\"{kind}\" charset=\"106\" />\n")
}

fn mms(open: String, parts: &[String], addrs: &[String]) -> String {
    format!(
        "{open}    <parts>\n{}    </parts>\n    <addrs>\n{}    </addrs>\n  </mms>\n",
        parts.concat(),
        addrs.concat()
    )
}

#[test]
fn received_and_sent_sms() {
    let xml = backup(
        2,
        &[
            sms(
                "+447700900123",
                "1704455000000",
                "1",
                "Where are you?",
                "Alice",
            ),
            sms("+447700900123", "1704455060123", "2", "On my way", "Alice"),
        ]
        .concat(),
    );
    let e = read(&xml);
    assert!(e.attachments.is_empty());
    let [got, sent] = e.messages.as_slice() else {
        panic!("{:?}", e.messages)
    };
    assert_eq!(got.line, 4);
    assert_eq!(got.conversation, "Alice");
    assert_eq!(got.sender, "Alice");
    assert!(got.recipients.is_empty());
    assert_eq!(got.text, "Where are you?");
    assert_eq!(got.kind, MessageKind::Text);
    assert_eq!(got.subject, "");
    assert_eq!(got.source_id, "");
    assert!(got.attachments.is_empty());
    assert_eq!(instant(got), datetime!(2024-01-05 11:43:20 UTC));

    assert_eq!(sent.line, 5);
    assert_eq!(sent.conversation, "Alice");
    assert_eq!(sent.sender, ME);
    assert_eq!(ME, "Me");
    assert_eq!(sent.recipients, ["Alice"]);
    assert_eq!(instant(sent), datetime!(2024-01-05 11:44:20.123 UTC));
}

#[test]
fn times_are_utc_instants_and_readable_date_is_not_read() {
    // readable_date is the phone's local rendering; it is never read, so nonsense
    // there changes nothing. Negative times (before 1970) are instants too.
    let xml = backup(
        2,
        &[
            sms("+1", "0", "1", "epoch", "null")
                .replace("5 Jan 2024 11:43:20", "31 Feb 1999 99:99"),
            sms("+1", "-86400001", "1", "before", "null"),
        ]
        .concat(),
    );
    let e = read(&xml);
    assert_eq!(instant(&e.messages[0]), OffsetDateTime::UNIX_EPOCH);
    assert_eq!(instant(&e.messages[0]).offset(), time::UtcOffset::UTC);
    assert_eq!(
        instant(&e.messages[1]),
        datetime!(1969-12-30 23:59:59.999 UTC)
    );
}

#[test]
fn drafts_outbox_failed_and_queued_are_hers() {
    let body: String = (1..=6)
        .map(|t| sms("+1", "1704455000000", &t.to_string(), "x", "Bob"))
        .collect();
    let e = read(&backup(6, &body));
    let senders: Vec<&str> = e.messages.iter().map(|m| m.sender.as_str()).collect();
    assert_eq!(senders, ["Bob", ME, ME, ME, ME, ME]);
    for m in &e.messages[1..] {
        assert_eq!(m.recipients, ["Bob"]);
    }
}

#[test]
fn unknown_and_missing_contacts_are_named_by_number() {
    let mut s = sms(
        "+447700900999",
        "1704455000000",
        "1",
        "Who is this?",
        "(Unknown)",
    );
    s.push_str(&sms("+447700900998", "1704455000000", "2", "Hi", "null"));
    // An older backup without contact_name at all.
    s.push_str(
        "  <sms address=\"12345\" date=\"1704455000000\" type=\"1\" body=\"Your code is 1\" />\n",
    );
    let e = read(&backup(3, &s));
    assert_eq!(e.messages[0].conversation, "+447700900999");
    assert_eq!(e.messages[0].sender, "+447700900999");
    assert_eq!(e.messages[1].conversation, "+447700900998");
    assert_eq!(e.messages[1].recipients, ["+447700900998"]);
    assert_eq!(e.messages[2].sender, "12345");
    assert_eq!(e.messages[2].line, 6);
}

#[test]
fn entities_in_the_body_are_decoded() {
    let body = "Tom &amp; Jerry &lt;3 &gt; &quot;quoted&quot; &apos;s&apos;&#10;line two&#13;&#10;three &#x1F642; &#128578; &#55357;&#56898;&#9;tab";
    let e = read(&backup(
        1,
        &sms("+1", "1704455000000", "1", body, "Alice &amp; Co"),
    ));
    assert_eq!(
        e.messages[0].text,
        "Tom & Jerry <3 > \"quoted\" 's'\nline two\r\nthree 🙂 🙂 🙂\ttab"
    );
    assert_eq!(e.messages[0].sender, "Alice & Co");
}

#[test]
fn emoji_and_right_to_left_text_are_kept() {
    let text = "مرحبا، أين أنت؟ 👩‍👧 שלום \u{200F}(נכון)\u{200E} 😀❤️ 李雷";
    let e = read(&backup(
        1,
        &sms("+972501234567", "1704455000000", "1", text, "محمد"),
    ));
    assert_eq!(e.messages[0].text, text);
    assert_eq!(e.messages[0].conversation, "محمد");
}

#[test]
fn crlf_files_read_the_same_and_count_lines() {
    let lf = backup(
        2,
        &[
            sms("+1", "1704455000000", "1", "a&#13;&#10;b", "A"),
            sms("+1", "1704455000001", "2", "c", "A"),
        ]
        .concat(),
    );
    let crlf = lf.replace('\n', "\r\n");
    assert!(crlf.contains("\r\n  <sms"));
    let (a, b) = (read(&lf), read(&crlf));
    assert_eq!(a, b);
    assert_eq!(b.messages[0].text, "a\r\nb");
    assert_eq!(b.messages[1].line, 5);
    // A line break written literally inside a value is kept as a line break.
    let literal = backup(
        1,
        &sms("+1", "1704455000000", "1", "one\r\ntwo\nthree", "A"),
    );
    assert_eq!(read(&literal).messages[0].text, "one\ntwo\nthree");
}

#[test]
fn mms_with_a_photo_and_text() {
    let open = mms_open("1704455100000", "1", "+447700900123", "Look", "Alice");
    let photo = format!("      <part seq=\"0\" ct=\"image/jpeg\" name=\"IMG_1.jpg\" chset=\"null\" cd=\"null\" fn=\"null\" cid=\"&lt;IMG_1&gt;\" cl=\"IMG_1.jpg\" ctt_s=\"null\" ctt_t=\"null\" text=\"null\" data=\"{PHOTO_B64}\" />\n");
    let xml = backup(
        1,
        &mms(
            open,
            &[SMIL.to_owned(), photo, text_part(1, "Look at this")],
            &[addr("+447700900123", 137), addr("+447700900000", 151)],
        ),
    );
    let e = read(&xml);
    let [m] = e.messages.as_slice() else { panic!() };
    assert_eq!(m.line, 4);
    assert_eq!(m.kind, MessageKind::Attachment);
    assert_eq!(m.text, "Look at this");
    assert_eq!(m.subject, "Look");
    assert_eq!(m.conversation, "Alice");
    assert_eq!(m.sender, "Alice");
    assert_eq!(m.recipients, ["+447700900000"]);
    assert_eq!(instant(m), datetime!(2024-01-05 11:45:00 UTC));
    assert_eq!(m.attachments, [0]);
    let a = &e.attachments[0];
    assert_eq!(a.name, "IMG_1.jpg");
    assert_eq!(a.media_type, "image/jpeg");
    // The range is the data attribute's value, exactly.
    let Content::Base64(range) = &a.content else {
        panic!("{:?}", a.content)
    };
    assert_eq!(&xml.as_bytes()[range.clone()], PHOTO_B64.as_bytes());
    assert_eq!(attachment_bytes(xml.as_bytes(), &e, 0), PHOTO);
}

#[test]
fn attachment_names_types_and_escaped_data() {
    let parts = [
        // name null: fn, then cl, is the name.
        format!("      <part seq=\"0\" ct=\"video/3gpp\" name=\"null\" fn=\"clip.3gp\" cl=\"c.3gp\" text=\"null\" data=\"{PHOTO_B64}\" />\n"),
        "      <part seq=\"1\" ct=\"audio/amr\" name=\"null\" fn=\"null\" cl=\"voice.amr\" text=\"null\" data=\"AAEC\" />\n".to_owned(),
        // XML escapes in the base64 (a line break): decoded here, kept as bytes.
        "      <part seq=\"2\" ct=\"application/pdf\" name=\"Report &amp; photos.pdf\" data=\"/9j/&#10;4AAQ\" />\n".to_owned(),
        // A contact card kept as text.
        "      <part seq=\"3\" ct=\"text/x-vCard\" name=\"Bob.vcf\" text=\"BEGIN:VCARD&#10;FN:Bob&#10;END:VCARD\" />\n".to_owned(),
        // Two text parts join with a line break.
        text_part(4, "first"),
        text_part(5, "second"),
    ];
    let xml = backup(
        1,
        &mms(
            mms_open("1704455100000", "2", "+1", "null", "Bob"),
            &parts,
            &[addr("insert-address-token", 137), addr("+1", 151)],
        ),
    );
    let e = read(&xml);
    let m = &e.messages[0];
    assert_eq!(m.text, "first\nsecond");
    assert_eq!(m.subject, "");
    assert_eq!(m.sender, ME);
    assert_eq!(m.recipients, ["Bob"]);
    assert_eq!(m.attachments, [0, 1, 2, 3]);
    let names: Vec<(&str, &str)> = e
        .attachments
        .iter()
        .map(|a| (a.name.as_str(), a.media_type.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("clip.3gp", "video/3gpp"),
            ("voice.amr", "audio/amr"),
            ("Report & photos.pdf", "application/pdf"),
            ("Bob.vcf", "text/x-vCard"),
        ]
    );
    assert_eq!(attachment_bytes(xml.as_bytes(), &e, 1), [0, 1, 2]);
    assert_eq!(
        e.attachments[2].content,
        Content::Bytes(b"\xFF\xD8\xFF\xE0\x00\x10".to_vec())
    );
    assert_eq!(
        e.attachments[3].content,
        Content::Bytes(b"BEGIN:VCARD\nFN:Bob\nEND:VCARD".to_vec())
    );
}

#[test]
fn group_mms() {
    let received = mms(
        mms_open(
            "1704455100000",
            "1",
            "+447700900123~+447700900456",
            "null",
            "Alice, Bob",
        ),
        &[SMIL.to_owned(), text_part(0, "Meet at 6")],
        &[
            addr("+447700900456", 137),
            addr("+447700900000", 151),
            addr("+447700900123", 151),
            addr("+447700900789", 130),
        ],
    );
    let sent = mms(
        mms_open(
            "1704455200000",
            "2",
            "+447700900123~+447700900456",
            "null",
            "Alice, Bob",
        ),
        &[text_part(0, "OK")],
        &[
            addr("insert-address-token", 137),
            addr("+447700900123", 151),
            addr("+447700900456", 151),
        ],
    );
    // Names that do not pair one-to-one with the numbers are not guessed at.
    let unpaired = mms(
        mms_open(
            "1704455300000",
            "1",
            "+447700900123~+447700900456",
            "null",
            "Smith, Alice, Bob",
        ),
        &[text_part(0, "?")],
        &[addr("+447700900123", 137), addr("+447700900456", 151)],
    );
    // Nobody known: the numbers are the conversation.
    let nameless = mms(
        mms_open("1704455400000", "1", "+1~+2~+3", "null", "(Unknown)"),
        &[text_part(0, "hi")],
        &[addr("+2", 137), addr("+1", 151), addr("+3", 151)],
    );
    let e = read(&backup(4, &[received, sent, unpaired, nameless].concat()));
    let m = &e.messages;
    assert_eq!(m[0].conversation, "Alice, Bob");
    assert_eq!(m[0].sender, "Bob");
    assert_eq!(m[0].recipients, ["+447700900000", "Alice", "+447700900789"]);
    assert_eq!(m[0].text, "Meet at 6");
    assert_eq!(m[1].conversation, "Alice, Bob");
    assert_eq!(m[1].sender, ME);
    assert_eq!(m[1].recipients, ["Alice", "Bob"]);
    assert_eq!(m[2].conversation, "Smith, Alice, Bob");
    assert_eq!(m[2].sender, "+447700900123");
    assert_eq!(m[2].recipients, ["+447700900456"]);
    assert_eq!(m[3].conversation, "+1, +2, +3");
    assert_eq!(m[3].sender, "+2");
    assert_eq!(m[3].recipients, ["+1", "+3"]);
    let lines: Vec<u64> = m.iter().map(|m| m.line).collect();
    assert_eq!(lines, [4, 16, 26, 35]);
}

#[test]
fn mms_without_media() {
    let no_data = "      <part seq=\"0\" ct=\"image/jpeg\" name=\"IMG_1.jpg\" chset=\"null\" cd=\"null\" fn=\"null\" cid=\"&lt;IMG_1&gt;\" cl=\"IMG_1.jpg\" ctt_s=\"null\" ctt_t=\"null\" text=\"null\" />\n";
    let only = mms(
        mms_open("1704455100000", "1", "+1", "null", "A"),
        &[SMIL.to_owned(), no_data.to_owned()],
        &[addr("+1", 137)],
    );
    let with_text = mms(
        mms_open("1704455100000", "1", "+1", "null", "A"),
        &[no_data.to_owned(), text_part(1, "caption")],
        &[addr("+1", 137)],
    );
    // No `<addrs>` at all: a one-to-one MMS's sender is its address.
    let bare = mms_open("1704455100000", "1", "+1", "null", "A")
        + &format!("    <parts>\n{no_data}    </parts>\n  </mms>\n");
    let e = read(&backup(3, &[only, with_text, bare].concat()));
    assert!(e.attachments.is_empty());
    assert_eq!(e.messages[0].kind, MessageKind::MediaOmitted);
    assert_eq!(e.messages[0].text, "");
    assert_eq!(e.messages[1].kind, MessageKind::Text);
    assert_eq!(e.messages[1].text, "caption");
    assert_eq!(e.messages[2].kind, MessageKind::MediaOmitted);
    assert_eq!(e.messages[2].sender, "A");
    assert!(e.messages.iter().all(|m| m.attachments.is_empty()));
}

#[test]
fn bom_stylesheet_comments_and_empty_elements_are_accepted() {
    let xml = "\u{FEFF}<?xml version='1.0' encoding='utf-8'?>\n<?xml-stylesheet type=\"text/xsl\" href=\"sms.xsl\"?>\n<!-- a -->\n<smses count='2'>\n<!-- b -->\n<sms address='+1' date='1' type='1' body='x'></sms>\n<mms date='2' msg_box='1' address='+1'/>\n</smses>\n<!-- after -->\n";
    let e = read(xml);
    assert_eq!(e.messages.len(), 2);
    assert_eq!(e.messages[0].line, 6);
    assert_eq!(e.messages[1].line, 7);
    assert_eq!(e.messages[1].kind, MessageKind::Text);
}

// ---------------------------------------------------------------------------
// Round trips through the test writer.

fn display(c: &GenContact) -> String {
    c.name.clone().unwrap_or_else(|| c.number.clone())
}

/// What the parser must give for `m`: conversation, sender, recipients, kind.
fn expected(m: &GenMessage, style: &Style) -> (String, String, Vec<String>, MessageKind) {
    let hers = m.box_type != 1;
    let sender = |c: &GenContact| if hers { ME.to_owned() } else { display(c) };
    match &m.mms {
        None => {
            let c = &m.others[0];
            let recipients = if hers { vec![display(c)] } else { vec![] };
            (display(c), sender(c), recipients, MessageKind::Text)
        }
        Some(mms) => {
            let conversation = if m.others.len() == 1 || m.others.iter().any(|c| c.name.is_some()) {
                m.others.iter().map(display).collect::<Vec<_>>().join(", ")
            } else {
                m.others
                    .iter()
                    .map(|c| c.number.clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let recipients = if hers {
                m.others.iter().map(display).collect()
            } else {
                std::iter::once(style.own_number.clone())
                    .chain(
                        m.others
                            .iter()
                            .enumerate()
                            .filter(|(i, _)| *i != m.from)
                            .map(|(_, c)| display(c)),
                    )
                    .collect()
            };
            let kind = if mms.attachments.iter().any(|a| a.data.is_some()) {
                MessageKind::Attachment
            } else if mms.attachments.iter().any(|a| a.data.is_none()) && m.text.is_empty() {
                MessageKind::MediaOmitted
            } else {
                MessageKind::Text
            };
            (conversation, sender(&m.others[m.from]), recipients, kind)
        }
    }
}

fn round_trip(messages: &[GenMessage], style: &Style) -> Result<(), String> {
    let (xml, lines) = write_with_lines(messages, style);
    let fail = |what: String| format!("{what}\nstyle: {style:?}\nbackup:\n{xml}");
    let e = parse(xml.as_bytes()).map_err(|e| fail(format!("{e} ({e:?})")))?;
    if e.messages.len() != messages.len() {
        return Err(fail(format!("{} messages read", e.messages.len())));
    }
    for ((got, want), line) in e.messages.iter().zip(messages).zip(lines) {
        let (conversation, sender, recipients, kind) = expected(want, style);
        let subject = want
            .mms
            .as_ref()
            .and_then(|m| m.subject.clone())
            .unwrap_or_default();
        let want_files: Vec<(String, String, Vec<u8>)> = want
            .mms
            .iter()
            .flat_map(|m| &m.attachments)
            .filter_map(|a| {
                a.data
                    .as_ref()
                    .map(|d| (a.name.clone(), a.media_type.clone(), d.clone()))
            })
            .collect();
        let got_files: Vec<(String, String, Vec<u8>)> = got
            .attachments
            .iter()
            .map(|&i| {
                let a = &e.attachments[i];
                (
                    a.name.clone(),
                    a.media_type.clone(),
                    attachment_bytes(xml.as_bytes(), &e, i),
                )
            })
            .collect();
        let wanted = (
            line,
            conversation,
            sender,
            recipients,
            SentAt::Instant(as_written(want.sent_at)),
            subject,
            want.text.clone(),
            kind,
            want_files,
        );
        let read = (
            got.line,
            got.conversation.clone(),
            got.sender.clone(),
            got.recipients.clone(),
            got.sent_at,
            got.subject.clone(),
            got.text.clone(),
            got.kind,
            got_files,
        );
        if wanted != read {
            return Err(fail(format!("wrote {wanted:?}\n read {read:?}")));
        }
    }
    Ok(())
}

#[test]
fn a_written_backup_reads_back_in_every_style() {
    let alice = GenContact {
        number: "+447700900123".into(),
        name: Some("Alice <\"&'>".into()),
    };
    let bob = GenContact {
        number: "+447700900456".into(),
        name: None,
    };
    let t = datetime!(2024-01-05 11:43:20.5 UTC);
    let messages = vec![
        GenMessage {
            sent_at: t,
            box_type: 1,
            others: vec![alice.clone()],
            from: 0,
            text: "Hi 🙂\n<b>&amp;</b> \"x\" 'y'".into(),
            mms: None,
        },
        GenMessage {
            sent_at: t,
            box_type: 5,
            others: vec![bob.clone()],
            from: 0,
            text: String::new(),
            mms: None,
        },
        GenMessage {
            sent_at: t,
            box_type: 1,
            others: vec![alice.clone(), bob.clone()],
            from: 1,
            text: "line 1\n\nline 3 👩‍👧".into(),
            mms: Some(GenMms {
                subject: Some("Subject 🙂".into()),
                attachments: vec![
                    GenAttachment {
                        name: "IMG_1.jpg".into(),
                        media_type: "image/jpeg".into(),
                        data: Some((0..=255).cycle().take(1000).collect()),
                    },
                    GenAttachment {
                        name: "omitted.mp4".into(),
                        media_type: "video/mp4".into(),
                        data: None,
                    },
                ],
                text_part_per_line: true,
            }),
        },
        GenMessage {
            sent_at: t,
            box_type: 2,
            others: vec![bob],
            from: 0,
            text: String::new(),
            mms: Some(GenMms {
                subject: None,
                attachments: vec![GenAttachment {
                    name: "a.jpg".into(),
                    media_type: "image/jpeg".into(),
                    data: None,
                }],
                text_part_per_line: false,
            }),
        },
    ];
    for crlf in [false, true] {
        for bom in [false, true] {
            for emoji_as_surrogates in [false, true] {
                for base64 in [
                    Base64Style::OneLine,
                    Base64Style::Wrapped,
                    Base64Style::EscapedBreaks,
                ] {
                    let style = Style {
                        crlf,
                        bom,
                        emoji_as_surrogates,
                        base64,
                        ..Style::default()
                    };
                    if let Err(e) = round_trip(&messages, &style) {
                        panic!("{e}");
                    }
                }
            }
        }
    }
}

fn text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => any::<char>().prop_map(String::from),
        2 => prop::sample::select(&["<", ">", "&", "\"", "'", "\n", "\r\n", "\t", "&amp;", "&#10;", "]]>", "null"][..])
            .prop_map(String::from),
        1 => prop::sample::select(&["🙂", "👩‍👧", "مرحبا", "שלום", "李雷", "\u{200F}", "\u{FEFF}"][..])
            .prop_map(String::from),
        3 => "[a-zA-Z0-9 ,.!?]{1,12}",
    ];
    prop::collection::vec(piece, 0..12)
        .prop_map(|p| p.concat())
        // The app writes an empty column as `null`: a text that is the word reads as
        // nothing, and so does a text part that is.
        .prop_filter("null", |t| t.split('\n').all(|l| l != "null"))
}

fn name() -> impl Strategy<Value = Option<String>> {
    prop::option::of(
        prop::collection::vec(
            prop_oneof![
                any::<char>().prop_map(String::from),
                "[A-Za-z ]{1,8}",
                prop::sample::select(&["Mum ❤️", "O'Brien", "<b>", "&", "محمد"][..])
                    .prop_map(String::from),
            ],
            1..4,
        )
        .prop_map(|p| p.concat())
        .prop_filter("special names", |n| {
            !n.contains(", ") && !["null", "(Unknown)"].contains(&n.as_str())
        }),
    )
}

/// 2–5 contacts with distinct numbers.
fn contacts() -> impl Strategy<Value = Vec<GenContact>> {
    prop::collection::vec(name(), 2..=5).prop_map(|names| {
        names
            .into_iter()
            .enumerate()
            .map(|(i, name)| GenContact {
                number: format!("+4477009{:05}", 100 + i),
                name,
            })
            .collect()
    })
}

fn attachment() -> impl Strategy<Value = GenAttachment> {
    (
        prop::sample::select(
            &[
                "IMG_1.jpg",
                "clip <1>.mp4",
                "voice & \"note\".amr",
                "Bob's.vcf",
                "файл.pdf",
            ][..],
        ),
        prop::sample::select(
            &[
                "image/jpeg",
                "image/png",
                "video/3gpp",
                "audio/amr",
                "text/x-vcard",
                "application/pdf",
            ][..],
        ),
        prop::option::weighted(0.8, prop::collection::vec(any::<u8>(), 0..3000)),
    )
        .prop_map(|(name, media_type, data)| GenAttachment {
            name: name.into(),
            media_type: media_type.into(),
            data,
        })
}

fn mms_part() -> impl Strategy<Value = Option<GenMms>> {
    prop::option::of(
        (
            prop::option::of(text().prop_filter("subject", |s| !s.is_empty())),
            prop::collection::vec(attachment(), 0..3),
            any::<bool>(),
        )
            .prop_map(|(subject, attachments, text_part_per_line)| GenMms {
                subject,
                attachments,
                text_part_per_line,
            }),
    )
}

/// A backup: some contacts, then messages among them at random times from 1940
/// to 2100, to and from her, SMS and MMS, one-to-one and in groups.
fn messages() -> impl Strategy<Value = Vec<GenMessage>> {
    contacts().prop_flat_map(|contacts| {
        let n = contacts.len();
        let message = (
            -946_684_800_000i64..4_102_444_800_000,
            prop::sample::select(&[1u8, 1, 1, 2, 2, 3, 4, 5, 6][..]),
            prop::sample::subsequence((0..n).collect::<Vec<_>>(), 1..=n),
            any::<prop::sample::Index>(),
            text(),
            mms_part(),
        );
        prop::collection::vec(message, 1..12).prop_map(move |parts| {
            parts
                .into_iter()
                .map(|(ms, box_type, who, from, text, mms)| {
                    // An SMS has one other party; a group is MMS.
                    let who = if mms.is_none() { &who[..1] } else { &who[..] };
                    GenMessage {
                        sent_at: OffsetDateTime::from_unix_timestamp_nanos(
                            i128::from(ms) * 1_000_000,
                        )
                        .unwrap(),
                        box_type,
                        others: who.iter().map(|&i| contacts[i].clone()).collect(),
                        from: from.index(who.len()),
                        text,
                        mms,
                    }
                })
                .collect()
        })
    })
}

fn style() -> impl Strategy<Value = Style> {
    (
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        prop::sample::select(
            &[
                Base64Style::OneLine,
                Base64Style::Wrapped,
                Base64Style::EscapedBreaks,
            ][..],
        ),
    )
        .prop_map(|(crlf, bom, emoji_as_surrogates, base64)| Style {
            crlf,
            bom,
            emoji_as_surrogates,
            base64,
            ..Style::default()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_backups_read_back(messages in messages(), style in style()) {
        if let Err(e) = round_trip(&messages, &style) {
            return Err(TestCaseError::fail(e));
        }
    }
}

// ---------------------------------------------------------------------------
// Hostile and damaged files.

/// A small backup with an SMS, an MMS with a photo and text, and emoji.
fn sample() -> String {
    let photo = format!("      <part seq=\"0\" ct=\"image/jpeg\" name=\"IMG_1.jpg\" text=\"null\" data=\"{PHOTO_B64}\" />\n");
    backup(
        3,
        &[
            sms(
                "+447700900123",
                "1704455000000",
                "1",
                "Where are you? 🙂 &amp;",
                "Alice",
            ),
            mms(
                mms_open("1704455100000", "1", "+447700900123", "null", "Alice"),
                &[SMIL.to_owned(), photo, text_part(1, "Look")],
                &[addr("+447700900123", 137), addr("+447700900000", 151)],
            ),
            sms("+447700900123", "1704455200000", "2", "ok", "Alice"),
        ]
        .concat(),
    )
}

#[test]
fn every_prefix_of_a_backup_is_refused() {
    let xml = sample();
    let complete = xml.rfind("</smses>").unwrap() + "</smses>".len();
    assert_eq!(read(&xml).messages.len(), 3);
    assert_eq!(read(&xml[..complete]).messages.len(), 3);
    let root = xml.find("<smses").unwrap();
    let last_line = |s: &[u8]| {
        1 + s[..s.len().saturating_sub(1)]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64
    };
    for cut in 0..complete {
        let prefix = &xml.as_bytes()[..cut];
        match parse(prefix) {
            Ok(e) => panic!(
                "a backup cut at byte {cut} read as {} messages",
                e.messages.len()
            ),
            Err(SmsError::Empty) => assert_eq!(cut, 0),
            // Cut inside a multi-byte character.
            Err(SmsError::NotUtf8 { offset }) => {
                assert!(offset < cut && cut - offset < 4, "{cut}: {offset}")
            }
            Err(SmsError::Truncated { line }) => assert_eq!(line, last_line(prefix), "cut {cut}"),
            Err(e) => panic!("a backup cut at byte {cut} gave {e:?}"),
        }
        // Once the list has started, nothing but "cut short" (or a cut character).
        if cut > root {
            assert!(
                matches!(
                    parse(prefix),
                    Err(SmsError::Truncated { .. } | SmsError::NotUtf8 { .. })
                ),
                "{cut}"
            );
        }
    }
}

#[test]
fn doctypes_are_refused_billion_laughs_and_external_entities_alike() {
    let laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n]>\n<smses count=\"1\"><sms address=\"+1\" date=\"1\" type=\"1\" body=\"&lol3;\"/></smses>\n";
    let e = refused(laughs);
    assert_eq!(e, SmsError::DocType { line: 2 });
    assert_eq!(e.code(), "import_sms_doctype");
    let xxe = "<?xml version=\"1.0\"?>\n<!DOCTYPE smses [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n<smses count=\"1\"><sms address=\"+1\" date=\"1\" type=\"1\" body=\"&xxe;\"/></smses>\n";
    assert_eq!(refused(xxe), SmsError::DocType { line: 2 });
    let public = "<!DOCTYPE smses PUBLIC \"-//x//y\" \"http://example.invalid/x.dtd\">\n<smses count=\"0\"/>";
    assert_eq!(refused(public), SmsError::DocType { line: 1 });
    // Without a DOCTYPE the entity is simply unknown, and named by line.
    let bare = backup(
        2,
        &[
            sms("+1", "1", "1", "ok", "A"),
            sms("+1", "1", "1", "&xxe;", "A"),
        ]
        .concat(),
    );
    let e = refused(&bare);
    assert_eq!(e, SmsError::UnknownEntity { line: 5 });
    assert_eq!(e.code(), "import_sms_unknown_entity");
    // Also in an attribute this parser does not otherwise read.
    let other = backup(
        1,
        &sms("+1", "1", "1", "ok", "A").replace("toa=\"null\"", "toa=\"&nbsp;\""),
    );
    assert_eq!(refused(&other), SmsError::UnknownEntity { line: 4 });
}

#[test]
fn bad_character_references_and_stray_markup_in_values() {
    for body in [
        "&#55357;",
        "&#56898;x",
        "&#x110000;",
        "&#;",
        "&#xZZ;",
        "&#12",
    ] {
        let e = refused(&backup(1, &sms("+1", "1", "1", body, "A")));
        assert_eq!(e, SmsError::BadCharacterReference { line: 4 }, "{body}");
        assert_eq!(e.code(), "import_sms_bad_character_reference");
    }
    for body in ["a & b", "a &amp b", "a < b"] {
        let e = refused(&backup(1, &sms("+1", "1", "1", body, "A")));
        assert_eq!(e, SmsError::Malformed { line: 4 }, "{body}");
    }
}

#[test]
fn invalid_utf8_names_the_offset() {
    let xml = backup(1, &sms("+1", "1", "1", "café", "A"));
    let mut bytes = xml.into_bytes();
    let at = bytes.windows(2).position(|w| w == "é".as_bytes()).unwrap();
    bytes[at + 1] = 0x28;
    let e = parse(&bytes).unwrap_err();
    assert_eq!(e, SmsError::NotUtf8 { offset: at });
    assert_eq!(e.code(), "import_sms_not_utf8");
    // UTF-16, as some tools save XML.
    let utf16: Vec<u8> = "<smses/>"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    assert_eq!(
        parse(&[&[0xFF, 0xFE][..], &utf16].concat()),
        Err(SmsError::NotUtf8 { offset: 0 })
    );
}

#[test]
fn a_declared_encoding_other_than_utf8_is_refused() {
    let xml = backup(1, &sms("+1", "1", "1", "x", "A"))
        .replace("encoding='UTF-8'", "encoding='ISO-8859-1'");
    let e = refused(&xml);
    assert_eq!(e, SmsError::WrongEncoding { line: 1 });
    assert_eq!(e.code(), "import_sms_wrong_encoding");
}

#[test]
fn huge_values_are_refused_naming_their_line() {
    let big = "a".repeat(MAX_TEXT_BYTES + 1);
    let xml = backup(
        2,
        &[
            sms("+1", "1", "1", "ok", "A"),
            sms("+1", "1", "1", &big, "A"),
        ]
        .concat(),
    );
    let e = refused(&xml);
    assert_eq!(e, SmsError::TooLarge { line: 5 });
    assert_eq!(e.code(), "import_sms_too_large");
    // Exactly at the limit is fine.
    let fits = "a".repeat(MAX_TEXT_BYTES);
    assert_eq!(
        read(&backup(1, &sms("+1", "1", "1", &fits, "A"))).messages[0]
            .text
            .len(),
        MAX_TEXT_BYTES
    );
    // An unknown attribute is capped too.
    let xml = backup(
        1,
        &sms("+1", "1", "1", "x", "A").replace("toa=\"null\"", &format!("toa=\"{big}\"")),
    );
    assert_eq!(refused(&xml), SmsError::TooLarge { line: 4 });
    // Text parts that add up past the limit.
    let half = "b".repeat(MAX_TEXT_BYTES / 2 + 1);
    let xml = backup(
        1,
        &mms(
            mms_open("1", "1", "+1", "null", "A"),
            &[text_part(0, &half), text_part(1, &half)],
            &[addr("+1", 137)],
        ),
    );
    assert_eq!(refused(&xml), SmsError::TooLarge { line: 7 });
    // Attachment data past its own, larger limit.
    let data = "A".repeat(MAX_DATA_BYTES + 4);
    let xml = backup(
        1,
        &mms(
            mms_open("1", "1", "+1", "null", "A"),
            &[format!(
                "      <part seq=\"0\" ct=\"image/jpeg\" name=\"x.jpg\" data=\"{data}\" />\n"
            )],
            &[addr("+1", 137)],
        ),
    );
    assert_eq!(refused(&xml), SmsError::TooLarge { line: 6 });
}

#[test]
fn deep_nesting_is_refused() {
    let mut xml = backup(1, "").replace("</smses>\n", "");
    xml.push_str(&mms_open("1", "1", "+1", "null", "A"));
    xml.push_str("<parts>\n<part ct=\"text/plain\" text=\"x\">\n");
    xml.push_str(&"<part>".repeat(100_000));
    let e = refused(&xml);
    assert_eq!(e, SmsError::TooDeep { line: 7 });
    assert_eq!(e.code(), "import_sms_too_deep");
    // Unknown elements inside a message are refused where they are.
    let xml = backup(
        1,
        "  <sms address=\"+1\" date=\"1\" type=\"1\">\n<b/></sms>\n",
    );
    assert_eq!(refused(&xml), SmsError::Unexpected { line: 5 });
}

#[test]
fn a_count_that_does_not_match_is_refused_with_both_numbers() {
    let two = [sms("+1", "1", "1", "a", "A"), sms("+1", "2", "1", "b", "A")].concat();
    let e = refused(&backup(3, &two));
    assert_eq!(
        e,
        SmsError::CountMismatch {
            line: 3,
            expected: 3,
            found: 2
        }
    );
    assert_eq!(e.code(), "import_sms_count_mismatch");
    assert!(e.to_string().contains("3 messages but 2"), "{e}");
    assert_eq!(
        refused(&backup(1, &two)),
        SmsError::CountMismatch {
            line: 3,
            expected: 1,
            found: 2
        }
    );
    let no_count = backup(2, &two).replace(" count=\"2\"", "");
    assert_eq!(
        refused(&no_count),
        SmsError::MissingField {
            line: 3,
            field: Field::Count
        }
    );
    let bad_count = backup(2, &two).replace(" count=\"2\"", " count=\"+2\"");
    assert_eq!(
        refused(&bad_count),
        SmsError::InvalidField {
            line: 3,
            field: Field::Count
        }
    );
    let e = refused(&backup(0, ""));
    assert_eq!(e, SmsError::NoMessages { line: 3 });
    assert_eq!(e.code(), "import_sms_no_messages");
    assert_eq!(
        refused("<smses count=\"0\"/>"),
        SmsError::NoMessages { line: 1 }
    );
}

#[test]
fn a_call_log_is_refused_as_one() {
    let calls = "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<!--File Created By SMS Backup & Restore v10.20.002-->\n<calls count=\"1\">\n  <call number=\"+447700900123\" duration=\"60\" date=\"1704455000000\" type=\"1\" presentation=\"1\" readable_date=\"5 Jan 2024\" contact_name=\"Alice\" />\n</calls>\n";
    let e = refused(calls);
    assert_eq!(e, SmsError::CallLog { line: 3 });
    assert_eq!(e.code(), "import_sms_call_log");
    assert!(e.to_string().contains("is a call log"), "{e}");
    assert!(e.to_string().contains("not messages"), "{e}");
}

#[test]
fn empty_files_and_files_that_are_not_backups() {
    for empty in ["", "\u{FEFF}", "\n\n", " \r\n\t"] {
        let e = refused(empty);
        assert_eq!(e, SmsError::Empty, "{empty:?}");
        assert_eq!(e.code(), "import_sms_empty");
    }
    assert_eq!(
        refused("Hello, this is my diary.\n"),
        SmsError::NotXml { line: 1 }
    );
    assert_eq!(
        refused("\n\n{\"messages\": []}"),
        SmsError::NotXml { line: 3 }
    );
    assert_eq!(
        refused("31/12/2023, 21:41 - Alice: Hello\n"),
        SmsError::NotXml { line: 1 }
    );
    let e = refused("<?xml version='1.0'?>\n<html><body/></html>");
    assert_eq!(e, SmsError::NotSmsBackup { line: 2 });
    assert_eq!(e.code(), "import_sms_not_sms_backup");
    // Text, CDATA, a second list or another element where the app writes none.
    let one = sms("+1", "1", "1", "a", "A");
    for (xml, line) in [
        (backup(1, &format!("{one}stray text\n")), 5),
        (backup(1, &format!("{one}<![CDATA[x]]>\n")), 5),
        (backup(1, &format!("{one}<call number=\"1\"/>\n")), 5),
        (
            format!("{}<smses count=\"1\">{one}</smses>", backup(1, &one)),
            6,
        ),
        (format!("{}trailing", backup(1, &one)), 6),
    ] {
        let e = refused(&xml);
        assert_eq!(e, SmsError::Unexpected { line }, "{xml}");
        assert_eq!(e.code(), "import_sms_unexpected");
    }
    // Broken XML.
    let e = refused(&backup(
        1,
        "  <sms address=\"+1\" date=\"1\" type=\"1\">\n</mms>\n",
    ));
    assert_eq!(e, SmsError::Malformed { line: 5 });
    assert_eq!(e.code(), "import_sms_malformed");
    let dup = backup(
        1,
        &sms("+1", "1", "1", "a", "A").replace("toa=\"null\"", "type=\"2\""),
    );
    assert_eq!(refused(&dup), SmsError::Malformed { line: 4 });
}

#[test]
fn missing_and_unreadable_fields_are_named() {
    let cases = [
        (sms("+1", "null", "1", "a", "A"), Err(Field::Date)),
        (sms("+1", "", "1", "a", "A"), Err(Field::Date)),
        (sms("+1", "12:00", "1", "a", "A"), Ok(Field::Date)),
        (sms("+1", "+5", "1", "a", "A"), Ok(Field::Date)),
        (
            sms("+1", "99999999999999999999", "1", "a", "A"),
            Ok(Field::Date),
        ),
        // Past the year 9999.
        (
            sms("+1", "900000000000000000", "1", "a", "A"),
            Ok(Field::Date),
        ),
        (sms("+1", "1", "null", "a", "A"), Err(Field::Type)),
        (sms("+1", "1", "0", "a", "A"), Ok(Field::Type)),
        (sms("+1", "1", "7", "a", "A"), Ok(Field::Type)),
        (sms("+1", "1", "sent", "a", "A"), Ok(Field::Type)),
        (sms("null", "1", "1", "a", "A"), Err(Field::Address)),
        (
            "  <sms date=\"1\" type=\"1\" body=\"a\" />\n".to_owned(),
            Err(Field::Address),
        ),
        (
            mms(mms_open("1", "1", "~", "null", "A"), &[], &[]),
            Err(Field::Address),
        ),
        (
            mms(mms_open("1", "9", "+1", "null", "A"), &[], &[]),
            Ok(Field::Type),
        ),
        (
            mms(
                mms_open("1", "1", "+1~+2", "null", "A, B"),
                &[],
                &[addr("+1", 151)],
            ),
            Err(Field::Sender),
        ),
    ];
    for (message, want) in cases {
        let e = refused(&backup(1, &message));
        let expected = match want {
            Err(field) => SmsError::MissingField { line: 4, field },
            Ok(field) => SmsError::InvalidField { line: 4, field },
        };
        assert_eq!(e, expected, "{message}");
    }
    // An <addr>'s line is its own.
    let xml = backup(
        1,
        &mms(
            mms_open("1", "1", "+1", "null", "A"),
            &[],
            &[addr("+1", 200)],
        ),
    );
    assert_eq!(
        refused(&xml),
        SmsError::InvalidField {
            line: 8,
            field: Field::AddressType
        }
    );
    let xml = backup(
        1,
        &mms(
            mms_open("1", "1", "+1", "null", "A"),
            &[],
            &[addr("null", 137)],
        ),
    );
    assert_eq!(
        refused(&xml),
        SmsError::MissingField {
            line: 8,
            field: Field::Address
        }
    );
}

#[test]
fn damaged_base64_is_refused_naming_the_byte() {
    let part = "      <part seq=\"0\" ct=\"image/jpeg\" name=\"x.jpg\" data=\"/9j/4A*QSkZJ\" />\n";
    let xml = backup(
        1,
        &mms(
            mms_open("1", "1", "+1", "null", "A"),
            &[part.to_owned()],
            &[],
        ),
    );
    let offset = xml.find("/9j/4A*").unwrap() + 6;
    let e = refused(&xml);
    assert_eq!(e, SmsError::InvalidBase64 { offset });
    assert_eq!(e.code(), "import_sms_invalid_base64");
    // With escapes in it, the value's start is named.
    let part =
        "      <part seq=\"0\" ct=\"image/jpeg\" name=\"x.jpg\" data=\"/9j/&#10;4A*QSkZJ\" />\n";
    let xml = backup(
        1,
        &mms(
            mms_open("1", "1", "+1", "null", "A"),
            &[part.to_owned()],
            &[],
        ),
    );
    let offset = xml.find("/9j/&#10;").unwrap();
    assert_eq!(refused(&xml), SmsError::InvalidBase64 { offset });
    // decode_base64 names the byte in the file too.
    let input = b"0123456789AAAA!AAA";
    assert_eq!(
        decode_base64(input, 10..input.len()),
        Err(SmsError::InvalidBase64 { offset: 14 })
    );
}

#[test]
fn a_large_backup_reads_in_one_pass() {
    // 100,000 messages and a 30 MiB photo: quadratic work would not finish.
    let one = sms(
        "+447700900123",
        "1704455000000",
        "1",
        "Where are you? &#55357;&#56898; &amp; more",
        "Alice",
    );
    let photo = "A".repeat(30 << 20);
    let parts = [format!(
        "      <part seq=\"0\" ct=\"image/jpeg\" name=\"big.jpg\" data=\"{photo}\" />\n"
    )];
    let mut body = one.repeat(100_000);
    body.push_str(&mms(
        mms_open("1", "1", "+1", "null", "A"),
        &parts,
        &[addr("+1", 137)],
    ));
    let xml = backup(100_001, &body);
    let started = std::time::Instant::now();
    let e = read(&xml);
    let took = started.elapsed();
    assert_eq!(e.messages.len(), 100_001);
    assert_eq!(e.messages[99_999].line, 100_003);
    assert_eq!(e.messages[0].text, "Where are you? 🙂 & more");
    assert_eq!(
        attachment_bytes(xml.as_bytes(), &e, 0).len(),
        (30 << 20) / 4 * 3
    );
    assert!(took.as_secs() < 60, "{took:?}");
}

/// Whatever the bytes, the parser returns; and what it accepts is consistent.
fn check_consistent(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(e) = parse(bytes) {
        let lines = bytes.split(|&b| b == b'\n').count() as u64;
        prop_assert!(!e.messages.is_empty());
        prop_assert!(e.messages.windows(2).all(|w| w[0].line <= w[1].line));
        prop_assert!(e.messages.iter().all(|m| m.line >= 1 && m.line <= lines));
        for m in &e.messages {
            prop_assert!(m.attachments.iter().all(|&i| i < e.attachments.len()));
        }
        for a in &e.attachments {
            if let Content::Base64(range) = &a.content {
                prop_assert!(decode_base64(bytes, range.clone()).is_ok());
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        check_consistent(&bytes)?;
        let mut xml = b"<smses count=\"1\">".to_vec();
        xml.extend_from_slice(&bytes);
        check_consistent(&xml)?;
    }

    #[test]
    fn mangled_backups_never_panic(
        cut in 0usize..4000,
        at in 0usize..4000,
        insert in prop::collection::vec(any::<u8>(), 0..12),
        markup in prop::sample::select(&["<", ">", "&", "\"", "'", "</mms>", "<part>", "&#55357;", "<!--", "]]>", "="][..]),
    ) {
        let xml = sample().into_bytes();
        let mut bytes = xml[..cut.min(xml.len())].to_vec();
        let at = at.min(bytes.len());
        bytes.splice(at..at, insert);
        check_consistent(&bytes)?;
        let mut whole = xml.clone();
        let at = at.min(whole.len());
        whole.splice(at..at, markup.bytes());
        check_consistent(&whole)?;
    }
}

#[test]
fn the_writer_escapes_what_it_must() {
    // Guards the round trips against a writer that leaves markup in values.
    let m = GenMessage {
        sent_at: datetime!(2024-01-05 11:43:20 UTC),
        box_type: 1,
        others: vec![GenContact {
            number: "+1".into(),
            name: Some("\"<&>'".into()),
        }],
        from: 0,
        text: "a\"b<c>d&e'f\ng\rh\u{1}".into(),
        mms: None,
    };
    let xml = write(&[m], &Style::default());
    let line = xml.lines().find(|l| l.contains("<sms ")).unwrap();
    assert!(
        line.contains("body=\"a&quot;b&lt;c&gt;d&amp;e&apos;f&#10;g&#13;h&#1;\""),
        "{line}"
    );
    assert!(
        line.contains("contact_name=\"&quot;&lt;&amp;&gt;&apos;\""),
        "{line}"
    );
}
