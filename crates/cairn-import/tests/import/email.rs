//! The email importer: hand-written `.eml` files and mailboxes for every mapping
//! rule, round trips through `cairn_import::testing::email` by property, and
//! hostile input (MIME bombs, absurd headers, truncation, random bytes), each
//! refused whole with its line or read without panicking.

use cairn_import::email::{
    parse, thread_subject, EmailError, MAX_BOUNDARY_BYTES, MAX_DEPTH, MAX_HEADER_LINE_BYTES,
    MAX_MESSAGE_BYTES, MAX_PARTS, NO_SUBJECT,
};
use cairn_import::model::{Content, Export, MessageKind, Msg, SentAt};
use cairn_import::testing::email::{
    write_eml, write_mbox, BodyEncoding, GenAddress, GenAttachment, GenEmail,
};
use proptest::prelude::*;
use time::macros::{datetime, offset};
use time::{OffsetDateTime, UtcOffset};

/// Parses an email file that must read; the panic shows the file.
fn read(file: &str) -> Export {
    read_bytes(file.as_bytes())
}

fn read_bytes(file: &[u8]) -> Export {
    match parse(file) {
        Ok(e) => e,
        Err(e) => panic!("{e} ({e:?}) in:\n{}", String::from_utf8_lossy(file)),
    }
}

fn only(export: &Export) -> &Msg {
    assert_eq!(export.messages.len(), 1, "{export:#?}");
    &export.messages[0]
}

fn instant(m: &Msg) -> OffsetDateTime {
    match m.sent_at {
        SentAt::Instant(t) => t,
        SentAt::Local(t) => panic!("local time {t}"),
    }
}

/// The bytes and name of a message's `n`th attachment.
fn attachment(export: &Export, m: &Msg, n: usize) -> (String, String, Vec<u8>) {
    let a = &export.attachments[m.attachments[n]];
    match &a.content {
        Content::Bytes(b) => (a.name.clone(), a.media_type.clone(), b.clone()),
        other => panic!("not bytes: {other:?}"),
    }
}

const PLAIN: &str = "Return-Path: <alice@example.org>\n\
From: Alice Smith <alice@example.org>\n\
To: Bob <bob@example.net>, carol@example.net\n\
Cc: \"Dee, D.\" <dee@example.com>\n\
Subject: Saturday\n\
Date: Sat, 13 Jan 2024 21:41:05 +0000\n\
Message-ID: <m1@example.org>\n\
\n\
I will come at 9.\n\
\n\
\x20 Indented, and trailing spaces kept.   \n";

#[test]
fn a_plain_eml_maps_every_field() {
    let export = read(PLAIN);
    let m = only(&export);
    assert_eq!(m.line, 1);
    assert_eq!(m.sender, "Alice Smith <alice@example.org>");
    assert_eq!(
        m.recipients,
        [
            "Bob <bob@example.net>",
            "carol@example.net",
            "Dee, D. <dee@example.com>"
        ]
    );
    assert_eq!(m.subject, "Saturday");
    assert_eq!(m.conversation, "Saturday");
    assert_eq!(m.source_id, "m1@example.org");
    assert_eq!(
        m.text,
        "I will come at 9.\n\n  Indented, and trailing spaces kept.   "
    );
    assert_eq!(m.kind, MessageKind::Text);
    assert!(m.attachments.is_empty() && export.attachments.is_empty());
    let t = instant(m);
    assert_eq!(t, datetime!(2024-01-13 21:41:05 UTC));
    assert_eq!(t.offset(), UtcOffset::UTC);
}

#[test]
fn a_missing_subject_and_message_id_are_empty() {
    let export = read("From: a@example.org\nDate: Sat, 13 Jan 2024 21:41:05 +0000\n\nhi\n");
    let m = only(&export);
    assert_eq!((m.subject.as_str(), m.source_id.as_str()), ("", ""));
    assert_eq!(m.conversation, NO_SUBJECT);
    assert!(m.recipients.is_empty());
    assert_eq!(m.text, "hi");
}

#[test]
fn an_eml_with_an_obsolete_spaced_from_header_is_not_a_mailbox() {
    let export = read("From : Al <a@example.org>\nDate: Sat, 13 Jan 2024 21:41:05 +0000\n\nx\n");
    assert_eq!(only(&export).sender, "Al <a@example.org>");
}

#[test]
fn multipart_alternative_reads_the_plain_text() {
    let export = read(
        "From: a@example.org\nDate: Sat, 13 Jan 2024 21:41:05 +0100\nSubject: alt\n\
MIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=\"XX\"\n\n\
--XX\nContent-Type: text/plain; charset=utf-8\n\nPlain words.\n\
--XX\nContent-Type: text/html; charset=utf-8\n\n<p>HTML <b>words</b></p>\n--XX--\n",
    );
    let m = only(&export);
    assert_eq!(m.text, "Plain words.");
    assert_eq!(m.kind, MessageKind::Text);
    assert!(export.attachments.is_empty());
    assert_eq!(instant(m).offset(), offset!(+1));
}

#[test]
fn html_only_becomes_clean_text() {
    let export = read(
        "From: a@example.org\nDate: Sat, 13 Jan 2024 21:41:05 +0000\n\
Content-Type: text/html; charset=utf-8\n\n\
<!DOCTYPE html><html><head><title>Secret title</title>\
<style type=\"text/css\">body { color: red }</style>\
<script type=\"text/javascript\">document.write('<b>evil</b>')</script></head>\n\
<body><!-- a comment <p>with tags</p> -->\n<p>Hello <b>Bob</b>,</p>\n\
<script>alert(1)</script><STYLE>.x{}</STYLE >\n\
<div>I&#39;m at the caf&eacute; &amp; waiting.<br>Call me.</div>\n\
<noscript>enable js</noscript></body></html>\n",
    );
    let m = only(&export);
    // <noscript> is shown by mail programs, which run no scripts.
    assert_eq!(
        m.text,
        "Hello Bob,\nI'm at the café & waiting.\nCall me.\nenable js"
    );
    for bad in ["<", ">", "alert", "color", "evil", "comment", "Secret"] {
        assert!(!m.text.contains(bad), "{bad:?} in {:?}", m.text);
    }
}

#[test]
fn html_inside_alternative_without_plain_text_is_cleaned_too() {
    let export = read(
        "From: a@example.org\nDate: Sat, 13 Jan 2024 21:41:05 +0000\n\
Content-Type: multipart/alternative; boundary=b\n\n--b\n\
Content-Type: text/html\nContent-Transfer-Encoding: base64\n\n\
PHNjcmlwdD54KCk8L3NjcmlwdD48cD5PbmU8L3A+PHA+VHdvPC9wPg==\n--b--\n",
    );
    assert_eq!(only(&export).text, "One\nTwo");
}

/// The start of a PDF, as bytes.
const PDF: &[u8] =
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n\x00\xff\n%%EOF\n";

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[test]
fn attachments_are_decoded_bytes_with_their_names() {
    let png = [0x89u8, b'P', b'N', b'G', 0, 1, 2, 0xff];
    let file = format!(
        "From: Alice <alice@example.org>\nTo: bob@example.net\nSubject: Report\n\
Date: Sat, 13 Jan 2024 21:41:05 +0000\nMIME-Version: 1.0\n\
Content-Type: multipart/mixed; boundary=\"outer\"\n\n\
preamble\n--outer\nContent-Type: multipart/related; boundary=\"rel\"\n\n\
--rel\nContent-Type: text/plain; charset=utf-8\n\nSee attached.\n\
--rel\nContent-Type: image/png\nContent-ID: <logo@x>\nContent-Disposition: inline\n\
Content-Transfer-Encoding: base64\n\n{png}\n--rel--\n\
--outer\nContent-Type: application/pdf; name=\"fallback.pdf\"\n\
Content-Disposition: attachment;\n filename*=UTF-8''Polic%C3%ADa%20%E2%80%94%20report%20%E2%82%AC.pdf\n\
Content-Transfer-Encoding: base64\n\n{pdf}\n\
--outer\nContent-Type: application/pdf\nContent-Disposition: attachment\n\
Content-Transfer-Encoding: base64\n\n{pdf}\n\
--outer\nContent-Type: text/plain; charset=iso-8859-1; name=\"=?UTF-8?B?bm90ZXMg4pyTLnR4dA==?=\"\n\
Content-Disposition: attachment\nContent-Transfer-Encoding: quoted-printable\n\n\
caf=E9 =\nsoft\n--outer--\nepilogue\n",
        png = b64(&png),
        pdf = b64(PDF),
    );
    let export = read(&file);
    let m = only(&export);
    assert_eq!(m.text, "See attached.");
    assert_eq!(m.kind, MessageKind::Attachment);
    assert_eq!(m.attachments.len(), 4);
    assert_eq!(
        attachment(&export, m, 0),
        ("attachment-1.png".into(), "image/png".into(), png.to_vec())
    );
    assert_eq!(
        attachment(&export, m, 1),
        (
            "Policía — report €.pdf".into(),
            "application/pdf".into(),
            PDF.to_vec()
        )
    );
    assert_eq!(
        attachment(&export, m, 2),
        (
            "attachment-3.pdf".into(),
            "application/pdf".into(),
            PDF.to_vec()
        )
    );
    // A text file attached is its bytes: Latin-1 stays Latin-1.
    assert_eq!(
        attachment(&export, m, 3),
        (
            "notes ✓.txt".into(),
            "text/plain".into(),
            b"caf\xe9 soft".to_vec()
        )
    );
}

#[test]
fn a_forwarded_message_is_one_attachment_of_its_bytes() {
    let inner = "From: Eve <eve@example.org>\nSubject: Threat / again\n\
Date: Fri, 12 Jan 2024 08:00:00 +0000\nContent-Type: multipart/mixed; boundary=in\n\n\
--in\nContent-Type: text/plain\n\nI know where you live.\n\
--in\nContent-Type: image/jpeg\nContent-Transfer-Encoding: base64\n\n/9j/4AAQ\n--in--";
    let file = format!(
        "From: Bob <bob@example.org>\nDate: Sat, 13 Jan 2024 21:41:05 +0000\n\
Subject: Fwd: Threat / again\nContent-Type: multipart/mixed; boundary=out\n\n\
--out\nContent-Type: text/plain\n\nSee below.\n\
--out\nContent-Type: message/rfc822\n\n{inner}\n\
--out\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n{encoded}\n\
--out\nContent-Type: message/rfc822\n\nX-Nothing: here\n\nno subject\n--out--\n",
        encoded = b64(inner.as_bytes())
    );
    let export = read(&file);
    let m = only(&export);
    assert_eq!(m.text, "See below.");
    assert_eq!(m.attachments.len(), 3, "{export:#?}");
    let (name, media, bytes) = attachment(&export, m, 0);
    assert_eq!(
        (name.as_str(), media.as_str()),
        ("Threat _ again.eml", "message/rfc822")
    );
    assert_eq!(String::from_utf8(bytes).unwrap(), inner);
    let (name, _, bytes) = attachment(&export, m, 1);
    assert_eq!(name, "Threat _ again.eml");
    assert_eq!(String::from_utf8(bytes).unwrap(), inner);
    let (name, _, bytes) = attachment(&export, m, 2);
    assert_eq!(name, "message-3.eml");
    assert_eq!(bytes, b"X-Nothing: here\n\nno subject");
    // Its inner parts are not flattened into the outer message.
    assert_eq!(export.attachments.len(), 3);
}

#[test]
fn quoted_printable_soft_breaks_and_non_ascii() {
    let export = read(
        "From: a@example.org\nDate: Sat, 13 Jan 2024 21:41:05 +0000\n\
Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n\
Caf=C3=A9 cr=C3=A8me, this line is long enough that the mailer broke it in=\n\
to two with a soft line break =E2=80=94 and kept going.=20\n\
Second line =3D equals, emoji =F0=9F=99=82\n",
    );
    assert_eq!(
        only(&export).text,
        "Café crème, this line is long enough that the mailer broke it into two with a soft \
line break — and kept going. \nSecond line = equals, emoji 🙂"
    );
}

#[test]
fn quoted_printable_ending_in_a_soft_break_keeps_every_character() {
    // mail-parser alone drops the last characters here (one with \n, two with \r\n).
    let lf = "From: a@example.org\nDate: Sat, 13 Jan 2024 21:41:05 +0000\n\
Content-Type: multipart/mixed; boundary=b\n\n--b\n\
Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n\
No newline at the end=\n--b\nContent-Type: application/pdf\n\
Content-Transfer-Encoding: quoted-printable\n\n%PDF-1.7 =E2=E3=\n--b--\n";
    for file in [lf.to_owned(), lf.replace('\n', "\r\n")] {
        let export = read(&file);
        let m = only(&export);
        assert_eq!(m.text, "No newline at the end");
        assert_eq!(attachment(&export, m, 0).2, b"%PDF-1.7 \xe2\xe3");
    }
}

#[test]
fn latin_1_and_windows_1252_bodies_and_headers_decode() {
    let mut file = b"From: =?iso-8859-1?q?Ren=E9e?= <renee@example.org>\n\
Date: Sat, 13 Jan 2024 21:41:05 +0000\nSubject: =?windows-1252?Q?=93Quoted=94_=80?=\n\
Content-Type: text/plain; charset=\"ISO-8859-1\"\nContent-Transfer-Encoding: 8bit\n\n"
        .to_vec();
    file.extend_from_slice(b"Gar\xe7on, \xe0 bient\xf4t\n");
    let export = read_bytes(&file);
    let m = only(&export);
    assert_eq!(m.sender, "Renée <renee@example.org>");
    assert_eq!(m.subject, "\u{201C}Quoted\u{201D} €");
    assert_eq!(m.text, "Garçon, à bientôt");

    let mut file = b"From: a@example.org\nDate: Sat, 13 Jan 2024 21:41:05 +0000\n\
Content-Type: text/plain; charset=windows-1252\n\n"
        .to_vec();
    file.extend_from_slice(b"\x93Smart quotes\x94 cost \x80 5 \x96 ok\n");
    assert_eq!(
        only(&read_bytes(&file)).text,
        "\u{201C}Smart quotes\u{201D} cost € 5 \u{2013} ok"
    );
}

#[test]
fn encoded_word_subjects_decode() {
    let export = read(
        "From: =?UTF-8?B?0JzQsNGA0LjRjw==?= <m@example.org>\n\
Date: Sat, 13 Jan 2024 21:41:05 +0000\n\
Subject: Re: =?UTF-8?Q?Caf=C3=A9_=E2=98=95?=\n =?UTF-8?B?IOS9oOWlvQ==?= plain end\n\n.\n",
    );
    let m = only(&export);
    assert_eq!(m.sender, "Мария <m@example.org>");
    assert_eq!(m.subject, "Re: Café ☕ 你好 plain end");
    assert_eq!(m.conversation, "Café ☕ 你好 plain end");
}

#[test]
fn replies_and_forwards_are_one_conversation() {
    let mbox = "From alice@example.org Mon Jan  1 10:00:00 2024\n\
From: alice@example.org\nSubject: Plans\nDate: Mon, 1 Jan 2024 10:00:00 +0000\n\
Message-ID: <root@x>\n\nroot\n\n\
From bob@example.org Mon Jan  1 11:00:00 2024\n\
From: bob@example.org\nSubject: RE: Re[2]: Plans\nDate: Mon, 1 Jan 2024 11:00:00 +0000\n\
Message-ID: <r1@x>\nIn-Reply-To: <root@x>\nReferences: <root@x>\n\nreply\n\n\
From carol@example.org Mon Jan  1 12:00:00 2024\n\
From: carol@example.org\nSubject: Fwd: AW: Plans\nDate: Mon, 1 Jan 2024 12:00:00 +0000\n\
Message-ID: <f1@x>\nReferences: <root@x> <r1@x>\n\nforward\n\n\
From bob@example.org Mon Jan  1 13:00:00 2024\n\
From: bob@example.org\nSubject: Re: something else entirely\n\
Date: Mon, 1 Jan 2024 13:00:00 +0000\nMessage-ID: <r2@x>\nIn-Reply-To: <f1@x>\n\nchanged\n\n\
From dee@example.org Mon Jan  1 14:00:00 2024\n\
From: dee@example.org\nSubject: Sv: Other\nDate: Mon, 1 Jan 2024 14:00:00 +0000\n\
In-Reply-To: <missing@x>\n\nunrelated\n\n\
From eve@example.org Mon Jan  1 15:00:00 2024\n\
From: eve@example.org\nSubject: Re: Lost root\nDate: Mon, 1 Jan 2024 15:00:00 +0000\n\
In-Reply-To: <missing@x>\n\nsibling\n";
    let export = read(mbox);
    let conversations: Vec<&str> = export
        .messages
        .iter()
        .map(|m| m.conversation.as_str())
        .collect();
    assert_eq!(
        conversations,
        ["Plans", "Plans", "Plans", "Plans", "Other", "Other"]
    );
    assert_eq!(export.messages[3].subject, "Re: something else entirely");
}

#[test]
fn an_mbox_of_three_with_escaped_from_lines() {
    let mbox = "From alice@example.org Sat Jan 13 21:41:05 2024\n\
From: alice@example.org\nDate: Sat, 13 Jan 2024 21:41:05 +0000\nSubject: one\n\n\
first\n>From the start\n>>From quoted\nFrom inside a paragraph is not a separator\n\n\
From bob@example.org Sat Jan 13 21:42:05 2024\n\
From: bob@example.org\nDate: Sat, 13 Jan 2024 21:42:05 +0000\nSubject: two\n\n\
second\n\n\n\
From carol@example.org Sat Jan 13 21:43:05 2024\n\
From: carol@example.org\nDate: Sat, 13 Jan 2024 21:43:05 +0000\nSubject: three\n\n\
third\n";
    let export = read(mbox);
    let got: Vec<(u64, &str, &str)> = export
        .messages
        .iter()
        .map(|m| (m.line, m.subject.as_str(), m.text.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (
                1,
                "one",
                "first\nFrom the start\n>From quoted\nFrom inside a paragraph is not a separator"
            ),
            (11, "two", "second"),
            (19, "three", "third")
        ]
    );
}

#[test]
fn crlf_files_read_like_lf_files() {
    let lf = "From a@example.org Sat Jan 13 21:41:05 2024\n\
From: Al <a@example.org>\nTo: b@example.org\nSubject: line ends\n\
Date: Sat, 13 Jan 2024 21:41:05 +0000\nContent-Type: multipart/mixed; boundary=z\n\n\
--z\nContent-Type: text/plain\n\ntwo\nlines\n\n--z\nContent-Type: application/octet-stream\n\
Content-Transfer-Encoding: base64\n\nAAEC/w==\n--z--\n\n\
From b@example.org Sat Jan 13 21:42:05 2024\n\
From: b@example.org\nDate: Sat, 13 Jan 2024 21:42:05 +0000\n\n>From me\n";
    let crlf = lf.replace('\n', "\r\n");
    let (a, b) = (read(lf), read(&crlf));
    assert_eq!(a, b);
    assert_eq!(a.messages.len(), 2);
    assert_eq!(a.messages[0].text, "two\nlines");
    assert_eq!(a.messages[1].text, "From me");
    assert_eq!(a.messages[1].line, 21);
    assert_eq!(attachment(&a, &a.messages[0], 0).2, [0, 1, 2, 255]);
    // A single .eml with CRLF too.
    let eml = PLAIN.replace('\n', "\r\n");
    assert_eq!(read(&eml), read(PLAIN));
}

#[test]
fn dates_keep_the_offset_they_were_written_with() {
    let at = |date: &str| {
        let file = format!("From: a@example.org\nDate: {date}\n\nx\n");
        instant(only(&read(&file)))
    };
    let t = at("Mon, 1 Jan 2024 10:00:00 +0530");
    assert_eq!(t.offset(), offset!(+05:30));
    assert_eq!((t.hour(), t.minute()), (10, 0));
    assert_eq!(t, datetime!(2024-01-01 04:30:00 UTC));
    let t = at("Mon, 1 Jan 2024 10:00:00 -0930");
    assert_eq!(t.offset(), offset!(-09:30));
    let t = at("Mon, 1 Jan 2024 10:00:00 -0000");
    assert_eq!(
        (t.offset(), t),
        (UtcOffset::UTC, datetime!(2024-01-01 10:00 UTC))
    );
    let t = at("1 Jan 2024 10:00 EST");
    assert_eq!(t.offset(), offset!(-5));
    // No zone: the wall-clock time as written.
    let file = "From: a@example.org\nDate: Mon, 1 Jan 2024 10:00:00\n\nx\n";
    assert_eq!(
        only(&read(file)).sent_at,
        SentAt::Local(datetime!(2024-01-01 10:00:00))
    );
}

#[test]
fn a_missing_or_broken_date_takes_the_separator_date() {
    let mbox = "From alice@example.org Sat Jan 13 21:41:05 2024\n\
From: alice@example.org\nSubject: no date\n\nx\n\n\
From bob@example.org Sun Jan 14 08:00:00 2024\n\
From: bob@example.org\nDate: Sun, 31 Feb 2024 08:00:00 +0100\n\nbad date\n";
    let export = read(mbox);
    let t = instant(&export.messages[0]);
    assert_eq!(
        (t, t.offset()),
        (datetime!(2024-01-13 21:41:05 UTC), UtcOffset::UTC)
    );
    let t = instant(&export.messages[1]);
    assert_eq!(t, datetime!(2024-01-14 08:00:00 UTC));

    // An .eml has no separator: refused, naming line 1.
    let e = parse(b"From: a@example.org\nSubject: x\n\nbody\n").unwrap_err();
    assert_eq!(e, EmailError::NoDate { line: 1 });
    assert_eq!(e.code(), "import_email_no_date");
    // So is a mailbox message whose separator has no date either, by its line.
    let mbox = format!("{mbox}\nFrom carol\nFrom: carol@example.org\n\nx\n");
    assert_eq!(parse(mbox.as_bytes()), Err(EmailError::NoDate { line: 13 }));
}

#[test]
fn a_byte_order_mark_is_skipped() {
    let mut file = "\u{FEFF}".as_bytes().to_vec();
    file.extend_from_slice(PLAIN.as_bytes());
    assert_eq!(read_bytes(&file), read(PLAIN));
}

// ---------------------------------------------------------------------------------
// Refused files

#[test]
fn empty_files_are_refused() {
    for bytes in [&b""[..], b"\n\n", b" \r\n\t", b"\xEF\xBB\xBF"] {
        let e = parse(bytes).unwrap_err();
        assert_eq!(e, EmailError::Empty, "{bytes:?}");
        assert_eq!(e.code(), "import_email_empty");
        assert_eq!(
            e.to_string(),
            "The email file is empty, so nothing was imported."
        );
    }
}

#[test]
fn files_that_are_not_email_are_refused_at_line_1() {
    let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F'];
    for bytes in [
        PDF,
        &jpeg[..],
        b"Dear diary, today he shouted again.\n",
        b"\nFrom: a@example.org\nDate: Sat, 13 Jan 2024 21:41:05 +0000\n\nx\n",
        b"{\"messages\": []}",
        b"PK\x03\x04",
        // Header-shaped, but neither a sender nor a date.
        b"Note: call the lawyer\nTodo: everything\n\nmore\n",
    ] {
        let e = parse(bytes).unwrap_err();
        assert_eq!(e, EmailError::NotAnEmail { line: 1 }, "{bytes:?}");
        assert_eq!(e.code(), "import_email_not_an_email");
        assert_eq!(
            e.to_string(),
            "Line 1 of the file is not the start of an email, so nothing was imported."
        );
    }
}

#[test]
fn a_mailbox_message_without_headers_is_refused_at_its_line() {
    // A careless writer left "From " unescaped after a blank line.
    let mbox = "From a@example.org Sat Jan 13 21:41:05 2024\n\
From: a@example.org\nDate: Sat, 13 Jan 2024 21:41:05 +0000\n\nHello\n\n\
From the sea to the hills, I walked.\nMore text\n";
    let e = parse(mbox.as_bytes()).unwrap_err();
    assert_eq!(e, EmailError::NotAnEmail { line: 7 });
    // A mailbox holding an empty message.
    let mbox =
        "From a Sat Jan 13 21:41:05 2024\n\nFrom b Sat Jan 13 21:41:05 2024\nFrom: b@x\n\nx\n";
    assert_eq!(
        parse(mbox.as_bytes()),
        Err(EmailError::NotAnEmail { line: 1 })
    );
}

#[test]
fn invalid_utf8_in_headers_still_imports() {
    let mut file = b"From: Ren\xe9e <renee@example.org>\nTo: B\xffb <b@example.org>\n".to_vec();
    file.extend_from_slice(
        b"Subject: Caf\xe9 \xf0\x9f\x99\x82 ok\nDate: Sat, 13 Jan 2024 21:41:05 +0000\n\n",
    );
    file.extend_from_slice(b"body \xc3\x28 bytes\n");
    let export = read_bytes(&file);
    let m = only(&export);
    assert_eq!(m.sender, "Ren\u{FFFD}e <renee@example.org>");
    assert_eq!(m.recipients, ["B\u{FFFD}b <b@example.org>"]);
    assert_eq!(m.subject, "Caf\u{FFFD} 🙂 ok");
    assert_eq!(m.text, "body \u{FFFD}( bytes");
}

fn nested_multiparts(depth: usize) -> String {
    let mut s = String::from("From: a@example.org\nDate: Sat, 13 Jan 2024 21:41:05 +0000\n");
    for i in 0..depth {
        s.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"b{i}\"\n\n--b{i}\n"
        ));
    }
    s.push_str("Content-Type: text/plain\n\ndeep\n");
    for i in (0..depth).rev() {
        s.push_str(&format!("--b{i}--\n"));
    }
    s
}

#[test]
fn ten_thousand_nested_multiparts_are_refused() {
    let e = parse(nested_multiparts(10_000).as_bytes()).unwrap_err();
    assert_eq!(e, EmailError::NestedTooDeep { line: 1 });
    assert_eq!(e.code(), "import_email_nested_too_deep");
    // The limit is exact: as deep as allowed still reads.
    assert_eq!(only(&read(&nested_multiparts(MAX_DEPTH))).text, "deep");
    assert_eq!(
        parse(nested_multiparts(MAX_DEPTH + 1).as_bytes()),
        Err(EmailError::NestedTooDeep { line: 1 })
    );
}

#[test]
fn ten_thousand_nested_forwarded_messages_are_refused() {
    // Each level a message/rfc822 holding the next: what would overflow the stack.
    let mut s = String::from("From: a@example.org\nDate: Sat, 13 Jan 2024 21:41:05 +0000\n");
    s.push_str(&"Content-Type: message/rfc822\n\n".repeat(10_000));
    s.push_str("Subject: bottom\n\nx\n");
    assert_eq!(
        parse(s.as_bytes()),
        Err(EmailError::NestedTooDeep { line: 1 })
    );
    // The same chain hidden in a base64 forwarded message inside an mbox.
    let inner = "Content-Type: message/rfc822\n\n".repeat(10_000) + "Subject: bottom\n\nx\n";
    let mbox = format!(
        "From a Sat Jan 13 21:41:05 2024\nFrom: a@example.org\n\
Date: Sat, 13 Jan 2024 21:41:05 +0000\nContent-Type: multipart/mixed; boundary=o\n\n\
--o\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n{}\n--o--\n",
        b64(inner.as_bytes())
    );
    assert_eq!(
        parse(mbox.as_bytes()),
        Err(EmailError::NestedTooDeep { line: 1 })
    );
}

fn many_parts(n: usize) -> String {
    let mut s = String::from(
        "From: a@example.org\nDate: Sat, 13 Jan 2024 21:41:05 +0000\n\
Content-Type: multipart/mixed; boundary=p\n\n",
    );
    for _ in 0..n {
        s.push_str("--p\nContent-Type: text/plain\n\nx\n");
    }
    s.push_str("--p--\n");
    s
}

#[test]
fn a_hundred_thousand_parts_are_refused() {
    let e = parse(many_parts(100_000).as_bytes()).unwrap_err();
    assert_eq!(e, EmailError::TooManyParts { line: 1 });
    assert_eq!(e.code(), "import_email_too_many_parts");
    // The message itself and its multipart count: MAX_PARTS - 1 leaves fit.
    let fits = read(&many_parts(MAX_PARTS - 1));
    assert_eq!(only(&fits).text.len(), (MAX_PARTS - 1) * 3 - 2);
    assert!(parse(many_parts(MAX_PARTS).as_bytes()).is_err());
}

#[test]
fn a_ten_megabyte_header_line_is_refused_naming_it() {
    let mut s =
        String::from("From: a@example.org\nDate: Sat, 13 Jan 2024 21:41:05 +0000\nSubject: ");
    s.push_str(&"a".repeat(10 << 20));
    s.push_str("\n\nbody\n");
    let e = parse(s.as_bytes()).unwrap_err();
    assert_eq!(e, EmailError::HeaderTooLong { line: 3 });
    assert_eq!(e.code(), "import_email_header_too_long");
    // In a part's headers inside a mailbox, the file's line is named too.
    let mbox = format!(
        "From a Sat Jan 13 21:41:05 2024\nFrom: a@example.org\n\
Date: Sat, 13 Jan 2024 21:41:05 +0000\nContent-Type: multipart/mixed; boundary=p\n\n\
--p\nContent-Type: text/plain\nX-Long: {}\n\nx\n--p--\n",
        "b".repeat(MAX_HEADER_LINE_BYTES)
    );
    assert_eq!(
        parse(mbox.as_bytes()),
        Err(EmailError::HeaderTooLong { line: 8 })
    );
    // Exactly the limit is fine; a long body line is not a header.
    let mut s = String::from("From: a@example.org\nDate: Sat, 13 Jan 2024 21:41:05 +0000\nX: ");
    s.push_str(&"a".repeat(MAX_HEADER_LINE_BYTES - 3));
    s.push_str("\n\n");
    s.push_str(&"c".repeat(10 << 20));
    assert_eq!(only(&read(&s)).text.len(), 10 << 20);
}

#[test]
fn a_megabyte_boundary_is_refused_before_it_costs_hours() {
    // Under the header line limit, but compared at each of 16 million dashes.
    let boundary = "-".repeat(512 << 10) + "x";
    let file = format!(
        "From: a@example.org\nDate: Sat, 13 Jan 2024 21:41:05 +0000\n\
Content-Type: multipart/mixed;\n boundary=\"{boundary}\"\n\n{}\n",
        "-".repeat(16 << 20)
    );
    let started = std::time::Instant::now();
    let e = parse(file.as_bytes()).unwrap_err();
    assert_eq!(e, EmailError::BoundaryTooLong { line: 1 });
    assert_eq!(e.code(), "import_email_boundary_too_long");
    assert!(started.elapsed().as_secs() < 10);
    // A boundary as long as allowed works.
    let boundary = "b".repeat(MAX_BOUNDARY_BYTES);
    let file = format!(
        "From: a@example.org\nDate: Sat, 13 Jan 2024 21:41:05 +0000\n\
Content-Type: multipart/mixed; boundary=\"{boundary}\"\n\n--{boundary}\n\ntext\n--{boundary}--\n"
    );
    assert_eq!(only(&read(&file)).text, "text");
}

#[test]
fn a_message_over_the_size_limit_is_refused_by_its_line() {
    let mut mbox = b"From a Sat Jan 13 21:41:05 2024\nFrom: a@x\nDate: Sat, 13 Jan 2024 21:41:05 +0000\n\nok\n\n\
From b Sat Jan 13 21:41:05 2024\nFrom: b@x\nDate: Sat, 13 Jan 2024 21:41:05 +0000\n\n"
        .to_vec();
    mbox.resize(mbox.len() + MAX_MESSAGE_BYTES, b'x');
    let e = parse(&mbox).unwrap_err();
    assert_eq!(e, EmailError::TooLarge { line: 7 });
    assert_eq!(e.code(), "import_email_too_large");
}

/// A mailbox with a text message, an attachment and a multipart, for cutting.
fn sample_mbox() -> Vec<u8> {
    let messages = vec![
        gen_email(0, "First", "Hello\nFrom me\n>From you", vec![]),
        gen_email(
            1,
            "Re: First",
            "With a file",
            vec![GenAttachment {
                name: "photo.jpg".into(),
                media_type: "image/jpeg".into(),
                bytes: (0..=255).collect(),
            }],
        ),
        gen_email(2, "Third", "bye", vec![]),
    ];
    write_mbox(&messages, false)
}

fn gen_email(i: i64, subject: &str, text: &str, attachments: Vec<GenAttachment>) -> GenEmail {
    let at = datetime!(2024-01-13 21:41:05 +01:00) + time::Duration::minutes(i);
    GenEmail {
        from: GenAddress {
            name: "Al".into(),
            address: "al@example.org".into(),
        },
        to: vec![GenAddress {
            name: String::new(),
            address: "bo@example.org".into(),
        }],
        cc: vec![],
        subject: subject.into(),
        text: text.into(),
        date: Some(at),
        sent_at: at,
        message_id: format!("{i}@example.org"),
        in_reply_to: None,
        body_encoding: BodyEncoding::QuotedPrintable,
        attachments,
    }
}

#[test]
fn a_mailbox_cut_short_reads_what_is_there() {
    let mbox = sample_mbox();
    let whole = read_bytes(&mbox);
    assert_eq!(whole.messages.len(), 3);
    let second = whole.messages[1].line as usize;
    let second_at = mbox
        .split_inclusive(|&b| b == b'\n')
        .take(second - 1)
        .map(<[u8]>::len)
        .sum::<usize>();
    // Cut inside the second message's base64 attachment: it and its multipart are
    // unterminated, and what is there is read.
    let text = String::from_utf8_lossy(&mbox);
    let attachment_at = text.find("AAECAwQF").unwrap() + 20;
    assert!(attachment_at > second_at);
    let cut = read_bytes(&mbox[..attachment_at]);
    assert_eq!(cut.messages.len(), 2);
    assert_eq!(cut.messages[1].text, "With a file");
    let (_, _, bytes) = attachment(&cut, &cut.messages[1], 0);
    assert!(!bytes.is_empty() && bytes.len() < 256, "{}", bytes.len());
    assert_eq!(
        bytes[..],
        whole.attachments[0].content_bytes()[..bytes.len()]
    );
    // Every cut: never a panic, and what is read holds together.
    for end in 0..mbox.len() {
        check_consistent(&mbox[..end]).unwrap();
    }
}

#[test]
fn a_text_part_cut_short_is_the_text_there_is() {
    for file in [
        "From: a@x\nDate: Sat, 13 Jan 2024 21:41:05 +0000\nContent-Type: multipart/mixed; boundary=b\n\n\
--b\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n\
hello caf=C3=A9 and th",
        "From: a@x\nDate: Sat, 13 Jan 2024 21:41:05 +0000\nContent-Type: multipart/alternative; boundary=b\n\n\
--b\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: base64\n\n\
PHA+aGVsbG8gY2Fmw6kgYW5kIHRoPC9wPjxzY3JpcHQ+",
    ] {
        let export = read(file);
        let m = only(&export);
        assert_eq!(m.text, "hello café and th", "{file}");
        assert_eq!(m.kind, MessageKind::Text);
        assert!(export.attachments.is_empty());
    }
    // A file cut short stays a file.
    let file = "From: a@x\nDate: Sat, 13 Jan 2024 21:41:05 +0000\nContent-Type: multipart/mixed; boundary=b\n\n\
--b\nContent-Type: text/plain\n\nthe text\n--b\nContent-Type: text/plain; name=notes.txt\n\
Content-Transfer-Encoding: base64\n\naGVsbG8gd29y";
    let export = read(file);
    let m = only(&export);
    assert_eq!(m.text, "the text");
    assert_eq!(
        attachment(&export, m, 0),
        (
            "notes.txt".into(),
            "text/plain".into(),
            b"hello wor".to_vec()
        )
    );
}

trait ContentBytes {
    fn content_bytes(&self) -> &[u8];
}

impl ContentBytes for cairn_import::model::Attachment {
    fn content_bytes(&self) -> &[u8] {
        match &self.content {
            Content::Bytes(b) => b,
            other => panic!("{other:?}"),
        }
    }
}

/// Whatever the bytes, parsing returns; and what it accepts holds together.
fn check_consistent(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(export) = parse(bytes) {
        let lines = bytes.split(|&b| b == b'\n').count() as u64;
        prop_assert!(!export.messages.is_empty());
        prop_assert!(export.messages.windows(2).all(|w| w[0].line < w[1].line));
        prop_assert!(export
            .messages
            .iter()
            .all(|m| m.line >= 1 && m.line <= lines));
        let mut seen = 0;
        for m in &export.messages {
            prop_assert!(!m.conversation.is_empty());
            prop_assert_eq!(m.kind == MessageKind::Attachment, !m.attachments.is_empty());
            for &a in &m.attachments {
                prop_assert_eq!(a, seen);
                seen += 1;
            }
        }
        prop_assert_eq!(seen, export.attachments.len());
    }
    Ok(())
}

#[test]
fn fifty_thousand_messages_are_all_read() {
    let mut mbox = String::new();
    for i in 0..50_000u32 {
        mbox.push_str(&format!(
            "From a@x Sat Jan 13 21:41:05 2024\nFrom: a@x\nSubject: s{}\n\
Date: Sat, 13 Jan 2024 21:41:05 +0000\nMessage-ID: <{i}@x>\nReferences: <{}@x>\n\n{i}\n\n",
            i % 100,
            i / 2
        ));
    }
    let export = read(&mbox);
    assert_eq!(export.messages.len(), 50_000);
    assert_eq!(export.messages[49_999].line, 49_999 * 9 + 1);
    assert_eq!(export.messages[49_999].text, "49999");
}

// ---------------------------------------------------------------------------------
// Round trips

fn address() -> impl Strategy<Value = GenAddress> {
    let name = prop_oneof![
        Just(String::new()),
        "[A-Za-z]{1,8}( [A-Za-z]{1,8}){0,2}",
        "\\PC{1,24}",
        "[\"<>,;:@()\\\\ é中🙂]{1,12}",
    ];
    let addr = "[a-z0-9._-]{1,10}@[a-z0-9-]{1,10}\\.[a-z]{2,4}";
    (name, addr).prop_map(|(name, address)| GenAddress {
        name: name.trim().to_owned(),
        address,
    })
}

/// Text lines, some that look like mailbox separators or escapes.
fn text() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        4 => "\\PC{0,30}",
        1 => any::<String>().prop_map(|s| s.replace('\r', "")),
        1 => prop::sample::select(&[
            "From here on",
            "From ",
            ">From quoted",
            ">>From twice",
            "",
            " ",
            "--",
            "trailing   ",
            "=3D not an escape",
            "a line long enough to be folded by quoted-printable, because it goes well past seventy-six characters",
        ][..]).prop_map(String::from),
    ];
    prop::collection::vec(line, 0..6).prop_map(|l| l.join("\n"))
}

fn subject() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[A-Za-z]{1,8}( [A-Za-z]{1,8}){0,3}",
        "(Re|RE|Fwd|AW): [a-z ]{1,12}",
        "\\PC{1,40}",
        any::<String>(),
    ]
}

fn attachments() -> impl Strategy<Value = Vec<GenAttachment>> {
    let media = prop::sample::select(
        &[
            "application/pdf",
            "image/jpeg",
            "image/png",
            "application/octet-stream",
            "text/plain",
            "text/html",
            "audio/ogg",
            "video/mp4",
        ][..],
    );
    let name = prop_oneof!["[A-Za-z0-9_-]{1,12}\\.[a-z]{3}", "\\PC{1,30}"]
        .prop_filter("a name", |n| !n.trim().is_empty());
    let one = (name, media, prop::collection::vec(any::<u8>(), 0..300)).prop_map(
        |(name, media, bytes)| GenAttachment {
            name,
            media_type: media.to_owned(),
            bytes,
        },
    );
    prop::collection::vec(one, 0..3)
}

fn encoding() -> impl Strategy<Value = BodyEncoding> {
    prop::sample::select(
        &[
            BodyEncoding::EightBit,
            BodyEncoding::QuotedPrintable,
            BodyEncoding::Base64,
        ][..],
    )
}

/// A message at any instant 1970–2099 with an offset of up to ±23:59.
fn email() -> impl Strategy<Value = GenEmail> {
    (
        (
            address(),
            prop::collection::vec(address(), 0..3),
            prop::collection::vec(address(), 0..2),
        ),
        (subject(), text()),
        (
            0i64..4_102_444_800,
            -(23 * 60 + 59)..=(23 * 60 + 59),
            any::<bool>(),
        ),
        (any::<bool>(), encoding(), attachments()),
    )
        .prop_map(
            |(
                (from, to, cc),
                (subject, text),
                (secs, minutes, dated),
                (has_id, body_encoding, attachments),
            )| {
                let offset = UtcOffset::from_whole_seconds(minutes * 60).unwrap();
                let sent_at = OffsetDateTime::from_unix_timestamp(secs)
                    .unwrap()
                    .to_offset(offset);
                GenEmail {
                    from,
                    to,
                    cc,
                    subject,
                    text,
                    date: dated.then_some(sent_at),
                    sent_at,
                    message_id: if has_id { "id".into() } else { String::new() },
                    in_reply_to: None,
                    body_encoding,
                    attachments,
                }
            },
        )
}

/// Several messages, with unique ids and some replying to earlier ones.
fn mailbox() -> impl Strategy<Value = Vec<GenEmail>> {
    (
        prop::collection::vec(email(), 1..6),
        prop::collection::vec(any::<prop::sample::Index>(), 6),
    )
        .prop_map(|(mut messages, parents)| {
            for (i, m) in messages.iter_mut().enumerate() {
                if !m.message_id.is_empty() {
                    m.message_id = format!("{i}.{}@cairn.test", m.sent_at.unix_timestamp());
                }
            }
            for i in 1..messages.len() {
                let j = parents[i].index(i + 1);
                // j == i: not a reply.
                if j < i && !messages[j].message_id.is_empty() {
                    messages[i].in_reply_to = Some(messages[j].message_id.clone());
                }
            }
            messages
        })
}

/// The thread root of message `i`: up its replies to the first.
fn root(messages: &[GenEmail], mut i: usize) -> usize {
    while let Some(parent) = &messages[i].in_reply_to {
        i = messages
            .iter()
            .position(|m| &m.message_id == parent)
            .unwrap();
    }
    i
}

fn expected_conversation(subject: &str) -> String {
    match thread_subject(subject) {
        "" => NO_SUBJECT.to_owned(),
        s => s.to_owned(),
    }
}

/// Checks that `got` is `want` read back; the error says what differed.
fn same(got: &Msg, export: &Export, want: &GenEmail, conversation: &str) -> Result<(), String> {
    let check = |what: &str, ok: bool, detail: String| {
        if ok {
            Ok(())
        } else {
            Err(format!("{what} differs: {detail}"))
        }
    };
    check(
        "sender",
        got.sender == want.from.formatted(),
        format!("{:?} vs {:?}", got.sender, want.from.formatted()),
    )?;
    let recipients: Vec<String> = want
        .to
        .iter()
        .chain(&want.cc)
        .map(GenAddress::formatted)
        .collect();
    check(
        "recipients",
        got.recipients == recipients,
        format!("{:?} vs {recipients:?}", got.recipients),
    )?;
    check(
        "subject",
        got.subject == want.subject,
        format!("{:?} vs {:?}", got.subject, want.subject),
    )?;
    check(
        "conversation",
        got.conversation == conversation,
        format!("{:?} vs {conversation:?}", got.conversation),
    )?;
    let text = want.text.trim_end_matches('\n');
    check(
        "text",
        got.text == text,
        format!("{:?} vs {text:?}", got.text),
    )?;
    check(
        "id",
        got.source_id == want.message_id,
        format!("{:?} vs {:?}", got.source_id, want.message_id),
    )?;
    let (at, offset) = match want.date {
        Some(d) => (d, d.offset()),
        None => (want.sent_at, UtcOffset::UTC),
    };
    let t = match got.sent_at {
        SentAt::Instant(t) => t,
        SentAt::Local(t) => return Err(format!("local time {t}")),
    };
    check(
        "time",
        t == at && t.offset() == offset,
        format!("{t} vs {at}"),
    )?;
    let kind = if want.attachments.is_empty() {
        MessageKind::Text
    } else {
        MessageKind::Attachment
    };
    check("kind", got.kind == kind, format!("{:?}", got.kind))?;
    check(
        "attachment count",
        got.attachments.len() == want.attachments.len(),
        format!("{}", got.attachments.len()),
    )?;
    for (&i, w) in got.attachments.iter().zip(&want.attachments) {
        let a = &export.attachments[i];
        check(
            "attachment name",
            a.name == w.name,
            format!("{:?} vs {:?}", a.name, w.name),
        )?;
        check(
            "attachment type",
            a.media_type == w.media_type,
            format!("{:?} vs {:?}", a.media_type, w.media_type),
        )?;
        check(
            "attachment bytes",
            a.content == Content::Bytes(w.bytes.clone()),
            format!("{:?}", a.content),
        )?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_mailboxes_read_back(messages in mailbox(), crlf in any::<bool>()) {
        let mbox = write_mbox(&messages, crlf);
        let fail = |what: String| TestCaseError::fail(format!("{what}\nmbox:\n{}", String::from_utf8_lossy(&mbox)));
        let export = parse(&mbox).map_err(|e| fail(format!("{e:?}")))?;
        prop_assert_eq!(export.messages.len(), messages.len());
        let lines: Vec<&[u8]> = mbox.split(|&b| b == b'\n').collect();
        for (i, (got, want)) in export.messages.iter().zip(&messages).enumerate() {
            let conversation = expected_conversation(&messages[root(&messages, i)].subject);
            same(got, &export, want, &conversation).map_err(|e| fail(format!("message {i}: {e}")))?;
            let separator = lines[usize::try_from(got.line).unwrap() - 1];
            prop_assert!(separator.starts_with(b"From "), "line {}", got.line);
        }
        prop_assert!(export.messages.windows(2).all(|w| w[0].line < w[1].line));
    }

    #[test]
    fn random_emails_read_back_as_eml(mut message in email(), crlf in any::<bool>()) {
        message.date = Some(message.sent_at);
        let eml = write_eml(&message, crlf);
        let export = parse(&eml).map_err(|e| TestCaseError::fail(format!("{e:?}\n{}", String::from_utf8_lossy(&eml))))?;
        let got = &export.messages[0];
        prop_assert_eq!(export.messages.len(), 1);
        prop_assert_eq!(got.line, 1);
        same(got, &export, &message, &expected_conversation(&message.subject))
            .map_err(|e| TestCaseError::fail(format!("{e}\n{}", String::from_utf8_lossy(&eml))))?;
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        check_consistent(&bytes)?;
        let mut with_header = b"From: a@x\nDate: Sat, 13 Jan 2024 21:41:05 +0000\n".to_vec();
        with_header.extend_from_slice(&bytes);
        check_consistent(&with_header)?;
        let mut with_separator = b"From a Sat Jan 13 21:41:05 2024\nFrom: a@x\n".to_vec();
        with_separator.extend_from_slice(&bytes);
        check_consistent(&with_separator)?;
    }

    #[test]
    fn mangled_mailboxes_never_panic(
        cut in 0usize..4000,
        at in 0usize..4000,
        insert in prop::collection::vec(any::<u8>(), 0..12),
    ) {
        let mbox = sample_mbox();
        let mut bytes = mbox[..cut.min(mbox.len())].to_vec();
        let at = at.min(bytes.len());
        bytes.splice(at..at, insert);
        check_consistent(&bytes)?;
    }
}

#[test]
fn random_text_is_never_an_email() {
    // Plain prose, a letter with a colon in its first line, and an email's body
    // alone: no sender and no date means no email.
    for text in [
        "just words\n",
        "Dear Sir: hello\n",
        "To: the judge\n\nplease read this\n",
    ] {
        assert_eq!(
            parse(text.as_bytes()),
            Err(EmailError::NotAnEmail { line: 1 }),
            "{text:?}"
        );
    }
}
