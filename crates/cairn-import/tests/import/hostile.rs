//! Files that are not exports, are damaged, or were made to hurt: each is refused
//! whole with an error naming where, and nothing panics.

use cairn_import::testing::{write, GenMessage, Style};
use cairn_import::whatsapp::{
    parse, Clock, DateOrder, Message, MessageKind, Platform, MAX_MESSAGE_BYTES,
};
use cairn_import::{ImportError, MalformedReason};
use proptest::prelude::*;

fn malformed(line: usize, reason: MalformedReason) -> Result<(), ImportError> {
    Err(ImportError::Malformed { line, reason })
}

fn outcome(bytes: &[u8]) -> Result<(), ImportError> {
    parse(bytes, None).map(|_| ())
}

#[test]
fn invalid_utf8_names_the_offset() {
    let mut bytes = b"31/12/2023, 21:41 - Alice: caf".to_vec();
    let offset = bytes.len();
    bytes.extend_from_slice(&[0xC3, 0x28, b'\n']);
    assert_eq!(outcome(&bytes), Err(ImportError::NotUtf8 { offset }));

    // The offset counts in the file as given, BOM included.
    let mut with_bom = "\u{FEFF}".as_bytes().to_vec();
    with_bom.extend_from_slice(&bytes);
    assert_eq!(
        outcome(&with_bom),
        Err(ImportError::NotUtf8 { offset: offset + 3 })
    );

    // A UTF-16 export (what some tools save) fails at its first byte.
    assert_eq!(
        outcome(&[0xFF, 0xFE, b'3', 0]),
        Err(ImportError::NotUtf8 { offset: 0 })
    );
    // A truncated multi-byte character at the very end.
    let mut cut = "31/12/2023, 21:41 - Alice: 🙂".as_bytes().to_vec();
    cut.pop();
    let e = outcome(&cut).unwrap_err();
    assert_eq!(
        e,
        ImportError::NotUtf8 {
            offset: cut.len() - 3
        }
    );
    assert_eq!(e.code(), "import_not_utf8");
}

#[test]
fn a_two_mib_line_is_refused_naming_its_message() {
    let mut export = String::from("31/12/2023, 21:41 - Alice: ");
    export.push_str(&"a".repeat(2 << 20));
    export.push('\n');
    let e = outcome(export.as_bytes()).unwrap_err();
    assert_eq!(e, ImportError::MessageTooLong { line: 1 });
    assert_eq!(e.code(), "import_message_too_long");

    // As a continuation line, the message's header line is named.
    let mut export = String::from("31/12/2023, 21:41 - Alice: hi\n31/12/2023, 21:42 - Bob: look\n");
    export.push_str(&"b".repeat(2 << 20));
    assert_eq!(
        outcome(export.as_bytes()),
        Err(ImportError::MessageTooLong { line: 2 })
    );

    // Many short lines add up the same way.
    let mut export = String::from("31/12/2023, 21:41 - Alice: hi\n");
    let line = "x".repeat(1023);
    for _ in 0..1100 {
        export.push_str(&line);
        export.push('\n');
    }
    assert_eq!(
        outcome(export.as_bytes()),
        Err(ImportError::MessageTooLong { line: 1 })
    );
}

#[test]
fn the_length_limit_is_exact() {
    let header = "31/12/2023, 21:41 - Al: ";
    let fits = MAX_MESSAGE_BYTES - "Al".len();
    let export = format!("{header}{}", "a".repeat(fits));
    let c = parse(export.as_bytes(), None).unwrap();
    assert_eq!(c.messages[0].text.len(), fits);
    // Direction marks are not counted: they are not kept.
    let export = format!("{header}\u{200E}{}", "a".repeat(fits));
    assert!(parse(export.as_bytes(), None).is_ok());
    let export = format!("{header}{}", "a".repeat(fits + 1));
    assert_eq!(
        outcome(export.as_bytes()),
        Err(ImportError::MessageTooLong { line: 1 })
    );
}

#[test]
fn dates_and_times_that_do_not_exist() {
    assert_eq!(
        outcome(b"30/02/2024, 10:00 - Alice: Feb 30\n"),
        malformed(1, MalformedReason::NoSuchDate)
    );
    assert_eq!(
        outcome(b"31/12/2023, 21:41 - Alice: ok\n30/02/2024, 10:00 - Alice: Feb 30\n"),
        malformed(2, MalformedReason::NoSuchDate)
    );
    assert_eq!(
        outcome(b"13/13/2024, 10:00 - A: x\n"),
        malformed(1, MalformedReason::NoSuchDate)
    );
    assert_eq!(
        outcome(b"00/01/2024, 10:00 - A: x\n"),
        malformed(1, MalformedReason::NoSuchDate)
    );
    assert_eq!(
        outcome(b"31/12/2023, 21:41 - A: ok\n31/12/2023, 25:00 - A: x\n"),
        malformed(2, MalformedReason::NoSuchTime)
    );
    assert_eq!(
        outcome(b"12/31/23, 13:05 PM - A: x\n"),
        malformed(1, MalformedReason::NoSuchTime)
    );
    assert_eq!(
        outcome(b"[31/12/2023, 21:41:60] A: x\n"),
        malformed(1, MalformedReason::NoSuchTime)
    );
    let e = outcome(b"30/02/2024, 10:00 - Alice: x\n").unwrap_err();
    assert_eq!(
        e.to_string(),
        "Line 1 of the chat export has a date that does not exist, so nothing was imported."
    );
}

#[test]
fn empty_files_have_no_messages() {
    for bytes in [&b""[..], b"\xEF\xBB\xBF", b"\n\n", b" \r\n\t\r\n"] {
        let e = outcome(bytes).unwrap_err();
        assert_eq!(e, ImportError::Empty, "{bytes:?}");
        assert_eq!(e.code(), "import_empty");
    }
}

#[test]
fn text_that_is_not_an_export_is_refused_at_line_1() {
    for text in [
        "Hello, this is my diary.\nNothing here is WhatsApp.\n",
        "Chat with Alice\n31/12/2023, 21:41 - Alice: Hello\n",
        "\n31/12/2023, 21:41 - Alice: Hello\n",
        "{\"messages\": []}",
        "PK\u{3}\u{4}",
        "31/12/2023: Alice said hello\n",
    ] {
        let e = outcome(text.as_bytes()).unwrap_err();
        assert_eq!(
            e,
            malformed(1, MalformedReason::NotAMessageLine).unwrap_err()
        );
        assert_eq!(e.code(), "import_malformed");
        assert_eq!(
            e.to_string(),
            "Line 1 of the chat export is not a WhatsApp message line, so nothing was imported."
        );
    }
}

#[test]
fn a_header_shaped_line_with_a_bad_date_inside_a_message_is_refused() {
    // It has this export's exact style, so it is a header, and a broken one.
    assert_eq!(
        outcome(b"31/12/2023, 21:41 - A: hi\nsome text\n32/12/2023, 21:41 - B: x\n"),
        malformed(3, MalformedReason::NoSuchDate)
    );
}

#[test]
fn two_hundred_thousand_tiny_messages_are_all_read() {
    let mut export = String::new();
    for i in 0..200_000u32 {
        export.push_str(&format!(
            "1/1/24, {:02}:{:02} - a: {}\n",
            i / 60 % 24,
            i % 60,
            i % 10
        ));
    }
    let c = parse(export.as_bytes(), Some(DateOrder::DayFirst)).unwrap();
    assert_eq!(c.messages.len(), 200_000);
    assert_eq!(c.messages[199_999].line, 200_000);
}

fn sample_export() -> String {
    let at = time::macros::datetime!(2023-12-31 21:41:05);
    let messages: Vec<GenMessage> = (0..6i64)
        .map(|i| GenMessage {
            sent_at: at + time::Duration::minutes(i * 7),
            sender: Some(["Alice", "Bob"][(i % 2) as usize].into()),
            text: format!("line {i}\nmore 🙂"),
            kind: if i == 3 {
                MessageKind::Attachment {
                    file_name: "IMG-20231231-WA0001.jpg".into(),
                }
            } else {
                MessageKind::Text
            },
        })
        .collect();
    write(
        &messages,
        Style::new(Platform::Android, Clock::H12, DateOrder::MonthFirst),
    )
}

const LRM: char = '\u{200E}';

/// Whatever the bytes, the parser returns; and what it accepts is consistent.
fn check_consistent(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(chat) = parse(bytes, None) {
        let lines = bytes.split(|&b| b == b'\n').count();
        prop_assert!(!chat.messages.is_empty());
        prop_assert_eq!(chat.messages[0].line, 1);
        prop_assert!(chat.messages.windows(2).all(|w| w[0].line < w[1].line));
        prop_assert!(chat.messages.iter().all(|m| m.line <= lines));
        let clean = |m: &Message| !m.text.contains(LRM) && m.text.len() <= MAX_MESSAGE_BYTES;
        prop_assert!(chat.messages.iter().all(clean));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        check_consistent(&bytes)?;
    }

    #[test]
    fn random_text_is_refused_at_line_1(text in "[A-Za-z ,.!?\n]{1,300}") {
        prop_assume!(!text.trim().is_empty());
        prop_assert_eq!(
            outcome(text.as_bytes()),
            malformed(1, MalformedReason::NotAMessageLine)
        );
    }

    #[test]
    fn mangled_exports_never_panic(
        cut in 0usize..2000,
        at in 0usize..2000,
        insert in prop::collection::vec(any::<u8>(), 0..12),
    ) {
        let export = sample_export().into_bytes();
        let mut bytes = export[..cut.min(export.len())].to_vec();
        let at = at.min(bytes.len());
        bytes.splice(at..at, insert);
        check_consistent(&bytes)?;
    }
}
