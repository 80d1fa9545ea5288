//! Every line format, on exports written by hand the way phones write them.

use cairn_import::whatsapp::{Clock, DateOrder, MessageKind, Platform};

use crate::{at, chat};

fn senders(c: &cairn_import::whatsapp::Chat) -> Vec<Option<&str>> {
    c.messages.iter().map(|m| m.sender.as_deref()).collect()
}

#[test]
fn android_24_hour_day_first_with_every_kind() {
    let export = "\
31/12/2023, 21:41 - Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them. Tap to learn more.
31/12/2023, 21:41 - Alice: Hello
31/12/2023, 21:42 - Bob Smith: Are you home?
It's late.

Call me
01/01/2024, 00:03 - Alice: IMG-20240101-WA0001.jpg (file attached)
Look at the door
at 3am
01/01/2024, 00:04 - Alice: PTT-20240101-WA0002.opus (file attached)
01/01/2024, 00:04 - Bob Smith: <Media omitted>
01/01/2024, 00:05 - Bob Smith: This message was deleted
01/01/2024, 00:05 - Alice: You deleted this message
01/01/2024, 00:06 - Alice added +44 7700 900123
";
    let c = chat(export);
    assert_eq!(c.platform, Platform::Android);
    assert_eq!(c.clock, Clock::H24);
    assert_eq!(c.date_order, DateOrder::DayFirst);
    assert!(!c.date_order_guessed);
    let lines: Vec<usize> = c.messages.iter().map(|m| m.line).collect();
    assert_eq!(lines, [1, 2, 3, 7, 10, 11, 12, 13, 14]);

    let m = &c.messages;
    assert_eq!(m[0].kind, MessageKind::System);
    assert_eq!(m[0].sender, None);
    assert!(m[0]
        .text
        .starts_with("Messages and calls are end-to-end encrypted."));
    assert_eq!(at(m[1].sent_at), "2023-12-31 21:41:00");
    assert_eq!(m[1].text, "Hello");
    assert_eq!(m[2].sender.as_deref(), Some("Bob Smith"));
    assert_eq!(m[2].text, "Are you home?\nIt's late.\n\nCall me");
    assert_eq!(m[2].kind, MessageKind::Text);
    assert_eq!(
        m[3].kind,
        MessageKind::Attachment {
            file_name: "IMG-20240101-WA0001.jpg".into()
        }
    );
    assert_eq!(m[3].text, "Look at the door\nat 3am");
    assert_eq!(at(m[3].sent_at), "2024-01-01 00:03:00");
    assert_eq!(
        m[4].kind,
        MessageKind::Attachment {
            file_name: "PTT-20240101-WA0002.opus".into()
        }
    );
    assert_eq!(m[4].text, "");
    assert_eq!(m[5].kind, MessageKind::MediaOmitted);
    assert_eq!(m[5].text, "");
    assert_eq!(m[6].kind, MessageKind::Deleted);
    assert_eq!(m[6].text, "This message was deleted");
    assert_eq!(m[7].kind, MessageKind::Deleted);
    assert_eq!(m[7].text, "You deleted this message");
    assert_eq!(m[8].kind, MessageKind::System);
    assert_eq!(m[8].text, "Alice added +44 7700 900123");
    assert_eq!(m[8].sender, None);
}

#[test]
fn android_12_hour_month_first_two_digit_years() {
    let export = "\
12/31/23, 9:41 PM - Alice: Hello
12/31/23, 11:59 PM - Bob: Happy new year
1/1/24, 12:00 AM - Alice: Midnight
1/1/24, 12:30 PM - Alice: Noon
";
    let c = chat(export);
    assert_eq!(c.clock, Clock::H12);
    assert_eq!(c.date_order, DateOrder::MonthFirst);
    assert!(!c.date_order_guessed);
    let times: Vec<String> = c.messages.iter().map(|m| at(m.sent_at)).collect();
    assert_eq!(
        times,
        [
            "2023-12-31 21:41:00",
            "2023-12-31 23:59:00",
            "2024-01-01 00:00:00",
            "2024-01-01 12:30:00"
        ]
    );
}

#[test]
fn am_pm_spellings_and_spaces() {
    for (meridiem, expected) in [
        (" PM", "21:41"),
        (" pm", "21:41"),
        (" p.m.", "21:41"),
        (" P.M.", "21:41"),
        ("\u{202F}PM", "21:41"),
        ("\u{A0}pm", "21:41"),
        ("PM", "21:41"),
        (" am", "09:41"),
        ("\u{202F}a.m.", "09:41"),
    ] {
        let export = format!("12/31/23, 9:41{meridiem} - Alice: Hello\n");
        let c = chat(&export);
        assert_eq!(c.clock, Clock::H12, "{meridiem:?}");
        assert_eq!(
            at(c.messages[0].sent_at),
            format!("2023-12-31 {expected}:00"),
            "{meridiem:?}"
        );
        assert_eq!(c.messages[0].text, "Hello");
    }
}

#[test]
fn dot_separators_and_year_first() {
    let c = chat("31.12.23, 21:41 - Alice: Hallo\n01.01.24, 00:01 - Bob: Prost\n");
    assert_eq!(c.date_order, DateOrder::DayFirst);
    assert_eq!(at(c.messages[1].sent_at), "2024-01-01 00:01:00");

    let c = chat("2023-12-31, 21:41 - Alice: Hej\n2024-01-02, 08:00 - Bob: Hej då\n");
    assert_eq!(c.date_order, DateOrder::YearFirst);
    assert!(!c.date_order_guessed);
    assert_eq!(at(c.messages[0].sent_at), "2023-12-31 21:41:00");
    assert_eq!(at(c.messages[1].sent_at), "2024-01-02 08:00:00");
    assert_eq!(c.messages[1].text, "Hej då");

    // A few locales leave out the comma after the date.
    let c = chat("2023/12/31 21:41 - Alice: 你好\n");
    assert_eq!(at(c.messages[0].sent_at), "2023-12-31 21:41:00");
    assert_eq!(c.messages[0].text, "你好");
}

#[test]
fn ios_24_hour_with_marks_attachments_and_omitted_media() {
    let export = "\
[31/12/2023, 21:41:05] Family: \u{200E}Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them.
\u{200E}[31/12/2023, 21:41:07] Alice: \u{200E}<attached: 00000012-PHOTO-2023-12-31-21-41-05.jpg>
[31/12/2023, 21:42:00] Bob: \u{200E}image omitted
[31/12/2023, 21:42:01] Bob: \u{200E}video omitted
[31/12/2023, 21:42:02] Bob: \u{200E}audio omitted
[31/12/2023, 21:42:03] Bob: \u{200E}sticker omitted
[31/12/2023, 21:42:04] Bob: \u{200E}GIF omitted
[31/12/2023, 21:42:05] Bob: \u{200E}document omitted
[31/12/2023, 21:43:59] Alice: Where are you?
I'm outside
\u{200E}[31/12/2023, 21:44:00] Bob: \u{200E}This message was deleted.
\u{200E}[31/12/2023, 21:44:01] Alice: \u{200E}You deleted this message.
";
    let c = chat(export);
    assert_eq!(c.platform, Platform::Ios);
    assert_eq!(c.clock, Clock::H24);
    let m = &c.messages;
    assert_eq!(m.len(), 11);
    // iOS gives its system lines the chat's name as sender.
    assert_eq!(m[0].sender.as_deref(), Some("Family"));
    assert_eq!(m[0].kind, MessageKind::Text);
    assert!(m[0].text.starts_with("Messages and calls"));
    assert_eq!(at(m[0].sent_at), "2023-12-31 21:41:05");
    assert_eq!(
        m[1].kind,
        MessageKind::Attachment {
            file_name: "00000012-PHOTO-2023-12-31-21-41-05.jpg".into()
        }
    );
    assert_eq!(m[1].line, 2);
    assert_eq!(at(m[1].sent_at), "2023-12-31 21:41:07");
    for msg in &m[2..8] {
        assert_eq!(msg.kind, MessageKind::MediaOmitted, "{msg:?}");
        assert_eq!(msg.text, "");
    }
    assert_eq!(m[8].text, "Where are you?\nI'm outside");
    assert_eq!(at(m[8].sent_at), "2023-12-31 21:43:59");
    assert_eq!(m[9].kind, MessageKind::Deleted);
    assert_eq!(m[9].text, "This message was deleted.");
    assert_eq!(m[10].kind, MessageKind::Deleted);
    assert_eq!(m[10].line, 12);
}

#[test]
fn ios_12_hour_with_narrow_no_break_space() {
    let export = "\
\u{200E}[12/31/23, 9:41:05\u{202F}PM] Alice: Hello
\u{200E}[1/1/24, 12:00:01\u{202F}AM] Bob: \u{200E}<attached: 00000013-AUDIO-2024-01-01-00-00-01.opus>
Caption line
";
    let c = chat(export);
    assert_eq!(c.platform, Platform::Ios);
    assert_eq!(c.clock, Clock::H12);
    assert_eq!(c.date_order, DateOrder::MonthFirst);
    assert_eq!(at(c.messages[0].sent_at), "2023-12-31 21:41:05");
    assert_eq!(at(c.messages[1].sent_at), "2024-01-01 00:00:01");
    assert_eq!(c.messages[1].text, "Caption line");
    assert!(matches!(
        &c.messages[1].kind,
        MessageKind::Attachment { file_name } if file_name == "00000013-AUDIO-2024-01-01-00-00-01.opus"
    ));
}

#[test]
fn senders_with_emoji_phone_numbers_and_no_break_spaces() {
    let export = "\
31/12/2023, 21:41 - 😀 Mum ❤️: Hi love 🙂
31/12/2023, 21:42 - \u{202A}+44 7700 900123\u{202C}: who is this
31/12/2023, 21:43 - Dad\u{A0}Smith: ok
31/12/2023, 21:44 - ~ Sam: new number
31/12/2023, 21:45 - \u{2067}محمد\u{2069}: مرحبا \u{200F}كيف حالك
31/12/2023, 21:46 - Zoë O'Brien: Time: 10pm, place: here
";
    let c = chat(export);
    assert_eq!(
        senders(&c),
        [
            Some("😀 Mum ❤️"),
            Some("+44 7700 900123"),
            Some("Dad\u{A0}Smith"),
            Some("~ Sam"),
            Some("محمد"),
            Some("Zoë O'Brien"),
        ]
    );
    assert_eq!(c.messages[0].text, "Hi love 🙂");
    assert_eq!(c.messages[4].text, "مرحبا كيف حالك");
    // Only the first ": " separates the sender.
    assert_eq!(c.messages[5].text, "Time: 10pm, place: here");
}

#[test]
fn system_lines_that_quote_a_colon_have_no_sender() {
    let c = chat(
        "31/12/2023, 21:41 - Alice changed the subject to \"Plans: New Year\"\n\
         31/12/2023, 21:42 - Alice created group \u{201C}Family: 2024\u{201D}\n\
         31/12/2023, 21:43 - Bob left\n",
    );
    assert!(c.messages.iter().all(|m| m.kind == MessageKind::System));
    assert!(c.messages.iter().all(|m| m.sender.is_none()));
    assert_eq!(
        c.messages[0].text,
        "Alice changed the subject to \"Plans: New Year\""
    );
}

#[test]
fn bom_and_crlf() {
    let export = "\u{FEFF}31/12/2023, 21:41 - Alice: Hello\r\nsecond line\r\n\r\n31/12/2023, 21:42 - Bob: Hi\r\n";
    let c = chat(export);
    assert_eq!(c.messages.len(), 2);
    assert_eq!(c.messages[0].sender.as_deref(), Some("Alice"));
    assert_eq!(c.messages[0].text, "Hello\nsecond line\n");
    assert_eq!(c.messages[1].line, 4);
    assert_eq!(c.messages[1].text, "Hi");
    // No final newline: the last line is still read.
    let c = chat("31/12/2023, 21:41 - Alice: Hello\nbye");
    assert_eq!(c.messages[0].text, "Hello\nbye");
}

#[test]
fn empty_lines_and_trailing_spaces_are_kept() {
    let c =
        chat("31/12/2023, 21:41 - Alice:   spaced  \n\n  indented\n\n31/12/2023, 21:42 - Bob: \n");
    assert_eq!(c.messages[0].text, "  spaced  \n\n  indented\n");
    assert_eq!(c.messages[1].text, "");
    assert_eq!(c.messages[1].kind, MessageKind::Text);
}

#[test]
fn pasted_lines_of_another_style_continue_the_message() {
    // iOS-shaped line inside an Android export, Android-shaped inside iOS, a 12-hour
    // line in a 24-hour export and a dotted date in a slashed one: all quoted text.
    let c = chat(
        "31/12/2023, 21:41 - Alice: forwarding:\n\
         [30/12/2023, 10:00:00] Bob: quoted from iOS\n\
         30/12/2023, 10:00 AM - Bob: quoted 12-hour\n\
         30.12.2023, 10:00 - Bob: quoted dots\n\
         31/12/2023, 21:42 - Alice: end\n",
    );
    assert_eq!(c.messages.len(), 2);
    assert_eq!(c.messages[0].text.lines().count(), 4);
    assert!(c.messages[0]
        .text
        .contains("[30/12/2023, 10:00:00] Bob: quoted from iOS"));

    // A comma-less or seconds-bearing line in an export whose headers have a comma
    // and minutes only.
    let c = chat(
        "31/12/2023, 21:41 - Alice: list:\n\
         1/5/23 12:30 - bring cake\n\
         31/12/2023 21:41 - no comma\n\
         31/12/2023, 21:41:05 - seconds\n",
    );
    assert_eq!(c.messages.len(), 1);
    assert_eq!(c.messages[0].text.lines().count(), 4);

    let c = chat(
        "[31/12/2023, 21:41:05] Alice: forwarding:\n\
         30/12/2023, 10:00 - Bob: quoted from Android\n\
         \u{200E}[31/12/2023, 21:41:06] Alice: end\n",
    );
    assert_eq!(c.messages.len(), 2);
    assert_eq!(
        c.messages[0].text,
        "forwarding:\n30/12/2023, 10:00 - Bob: quoted from Android"
    );
}

#[test]
fn markers_only_count_on_their_own_platform_and_first_line() {
    let c = chat(
        "31/12/2023, 21:41 - Alice: image omitted\n\
         31/12/2023, 21:42 - Alice: <attached: x.jpg>\n\
         31/12/2023, 21:43 - Alice: see below\n<Media omitted>\n\
         31/12/2023, 21:44 - Alice: (file attached)\n",
    );
    assert!(
        c.messages.iter().all(|m| m.kind == MessageKind::Text),
        "{:?}",
        c.messages
    );
    let c = chat("[31/12/2023, 21:41:05] Alice: <Media omitted>\n");
    assert_eq!(c.messages[0].kind, MessageKind::Text);
}

#[test]
fn android_attachment_with_spaces_in_its_name() {
    let c = chat("31/12/2023, 21:41 - Alice: \u{200E}Police report (final).pdf (file attached)\nSigned copy\n");
    assert_eq!(
        c.messages[0].kind,
        MessageKind::Attachment {
            file_name: "Police report (final).pdf".into()
        }
    );
    assert_eq!(c.messages[0].text, "Signed copy");
}
