//! Messages written by `cairn_import::testing::write` in a style read back the same:
//! senders, texts, kinds, times (to the minute on Android, the second on iOS) and
//! header lines. By example in every style, and by property on random chats.

use cairn_import::testing::{
    as_written, line_count, write, GenMessage, Meridiem, MeridiemSpace, Style,
};
use cairn_import::whatsapp::{parse, Clock, DateOrder, MessageKind, Platform};
use proptest::prelude::*;
use time::macros::datetime;
use time::{Duration, PrimitiveDateTime};

/// Checks one round trip; the error says what differed, in which style.
fn round_trip(messages: &[GenMessage], style: Style) -> Result<(), String> {
    let export = write(messages, style);
    let fail = |what: String| format!("{what}\nstyle: {style:?}\nexport:\n{export}");
    let chat = parse(export.as_bytes(), None).map_err(|e| fail(format!("{e:?}")))?;
    if chat.platform != style.platform || chat.clock != style.clock {
        return Err(fail(format!(
            "read as {:?} {:?}",
            chat.platform, chat.clock
        )));
    }
    // Only an undecidable file may be read in another order, and then it says so.
    if chat.date_order != style.date_order
        && !(chat.date_order_guessed
            && chat.date_order == DateOrder::DayFirst
            && style.date_order == DateOrder::MonthFirst)
    {
        return Err(fail(format!(
            "read {:?} (guessed: {})",
            chat.date_order, chat.date_order_guessed
        )));
    }
    // With the order given, everything must come back.
    let chat =
        parse(export.as_bytes(), Some(style.date_order)).map_err(|e| fail(format!("{e:?}")))?;
    if chat.messages.len() != messages.len() {
        return Err(fail(format!("{} messages read", chat.messages.len())));
    }
    let mut line = 1;
    for (got, want) in chat.messages.iter().zip(messages) {
        let expected = (
            line,
            as_written(want.sent_at, style.platform),
            want.sender.as_deref(),
            want.text.as_str(),
            &want.kind,
        );
        let actual = (
            got.line,
            got.sent_at,
            got.sender.as_deref(),
            got.text.as_str(),
            &got.kind,
        );
        if expected != actual {
            return Err(fail(format!("wrote {expected:?}\n read {actual:?}")));
        }
        line += line_count(want);
    }
    Ok(())
}

fn text(sender: &str, text: &str, at: PrimitiveDateTime) -> GenMessage {
    GenMessage {
        sent_at: at,
        sender: Some(sender.into()),
        text: text.into(),
        kind: MessageKind::Text,
    }
}

/// A chat with every kind, awkward senders and texts, and a 13th day (so the date
/// order is certain in every style).
fn sample_chat() -> Vec<GenMessage> {
    let t = datetime!(2024-01-12 23:58:07);
    let min = Duration::minutes(1);
    vec![
        GenMessage {
            sent_at: t,
            sender: None,
            text: "Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them. Tap to learn more.".into(),
            kind: MessageKind::System,
        },
        text("Alice", "Hello", t),
        text("+44 7700 900123", "Who is this?\n\nPlease answer", t + min),
        text("😀 Mum ❤️", "11:30 - be there\n[draft] Alice: no\n- a list item", t + 2 * min),
        GenMessage {
            sent_at: t + 3 * min,
            sender: Some("Dad\u{A0}Smith".into()),
            text: "The door, last night".into(),
            kind: MessageKind::Attachment {
                file_name: "IMG-20240113-WA0001.jpg".into(),
            },
        },
        GenMessage {
            sent_at: t + 4 * min,
            sender: Some("Alice".into()),
            text: String::new(),
            kind: MessageKind::MediaOmitted,
        },
        GenMessage {
            sent_at: t + 5 * min,
            sender: Some("محمد".into()),
            text: "This message was deleted".into(),
            kind: MessageKind::Deleted,
        },
        GenMessage {
            sent_at: t + 6 * min,
            sender: None,
            text: "Alice changed the subject to \"Plans: 2024\"".into(),
            kind: MessageKind::System,
        },
        text("~ Sam", "noon 12:00 PM and midnight", datetime!(2024-01-13 12:00:00)),
        text("Zoë", "", datetime!(2024-01-14 00:00:59)),
    ]
}

#[test]
fn every_style_reads_back() {
    let chat = sample_chat();
    let styles = Style::all();
    assert!(styles.len() > 2000, "{} styles", styles.len());
    for style in styles {
        if let Err(e) = round_trip(&chat, style) {
            panic!("{e}");
        }
    }
}

#[test]
fn the_test_writer_really_varies_the_style() {
    // Guards the round trips above against a writer that ignores its style.
    let chat = sample_chat();
    let outputs: std::collections::HashSet<String> =
        Style::all().into_iter().map(|s| write(&chat, s)).collect();
    assert_eq!(outputs.len(), Style::all().len());
}

const SENDERS: &[&str] = &[
    "Alice",
    "Bob Smith",
    "+44 7700 900123",
    "😀 Mum ❤️",
    "Dad\u{A0}Smith",
    "~ Sam",
    "محمد",
    "李雷",
    "O'Brien",
    "Zoë",
    "Mum \"home\"",
];

/// Lines a person might type that look a little like headers but are not.
const TRICKY_LINES: &[&str] = &[
    "",
    " ",
    "  indented",
    "31/12/2023 is when it happened",
    "31/12/2023, 21:41 Alice: no dash",
    "31/12/2023 - Alice: no time",
    "[31/12/2023] note",
    "[31/12/2023, 21:41:05]Bob: no space",
    "12:30 - meeting",
    "21:41 - Alice: no date",
    "- bullet",
    "Alice: said this",
    "he said: \"no\"",
    "1/2/3",
    "12:00 PM",
    "Meet at 31/12/2023, 21:41 - ok?",
    "<Media omitted> was here",
    "IMG-1.jpg (file attached) twice",
    "image omitted?",
    "🙂🙂🙂",
    "مرحبا كيف حالك",
    "tab\there",
];

const SYSTEM_TEXTS: &[&str] = &[
    "Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them. Tap to learn more.",
    "Alice added Bob",
    "You changed this group's icon",
    "Alice changed the subject to \"Plans: 2024\"",
    "Your security code with +44 7700 900123 changed. Tap to learn more.",
    "Bob left",
];

const FILE_NAMES: &[&str] = &[
    "IMG-20231231-WA0001.jpg",
    "PTT-20240101-WA0003.opus",
    "Police report (final).pdf",
    "00000012-PHOTO-2023-12-31-21-41-05.jpg",
    "scan 1.pdf",
];

fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-zA-Z0-9 ,.!?'é中ع🙂]{0,24}",
        1 => prop::sample::select(TRICKY_LINES).prop_map(String::from),
    ]
}

fn lines(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(line(), 1..=max).prop_map(|l| l.join("\n"))
}

fn sender() -> impl Strategy<Value = Option<String>> {
    prop::sample::select(SENDERS).prop_map(|s| Some(s.to_owned()))
}

/// A message without its time.
fn body() -> impl Strategy<Value = (Option<String>, String, MessageKind)> {
    prop_oneof![
        8 => (sender(), lines(4)).prop_map(|(s, t)| (s, t, MessageKind::Text)),
        1 => prop::sample::select(SYSTEM_TEXTS)
            .prop_map(|t| (None, t.to_owned(), MessageKind::System)),
        1 => (sender(), prop::sample::select(FILE_NAMES), prop_oneof![Just(String::new()), lines(2)])
            .prop_map(|(s, f, caption)| {
                (s, caption, MessageKind::Attachment { file_name: f.to_owned() })
            }),
        1 => sender().prop_map(|s| (s, String::new(), MessageKind::MediaOmitted)),
        1 => (sender(), prop::sample::select(&["This message was deleted", "You deleted this message"][..]))
            .prop_map(|(s, t)| (s, t.to_owned(), MessageKind::Deleted)),
    ]
}

/// A chronological chat: a start in 2000–2098 (two-digit years are 20yy), then
/// steps of seconds (same minute), minutes, or up to three days.
fn chat() -> impl Strategy<Value = Vec<GenMessage>> {
    let start = 0i64..98 * 365 * 86_400;
    let step = prop_oneof![0i64..60, 0i64..3_600, 0i64..3 * 86_400];
    (start, prop::collection::vec((step, body()), 1..30)).prop_map(|(start, parts)| {
        let mut at = datetime!(2000-01-01 00:00:00) + Duration::seconds(start);
        parts
            .into_iter()
            .map(|(step, (sender, text, kind))| {
                at += Duration::seconds(step);
                GenMessage {
                    sent_at: at,
                    sender,
                    text,
                    kind,
                }
            })
            .collect()
    })
}

/// The looks that vary per case; platform, clock and date order are all tried.
fn knobs() -> impl Strategy<Value = (bool, char, bool, bool, Meridiem, MeridiemSpace, bool)> {
    (
        any::<bool>(),
        prop::sample::select(&['/', '.', '-'][..]),
        any::<bool>(),
        any::<bool>(),
        prop::sample::select(&[Meridiem::Upper, Meridiem::Lower, Meridiem::Dotted][..]),
        prop::sample::select(
            &[
                MeridiemSpace::Space,
                MeridiemSpace::Nbsp,
                MeridiemSpace::Nnbsp,
            ][..],
        ),
        any::<bool>(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_chats_read_back_in_every_layout(
        chat in chat(),
        (four_digit_year, date_separator, pad_date, marks, meridiem, meridiem_space, crlf) in knobs(),
    ) {
        for platform in [Platform::Android, Platform::Ios] {
            for clock in [Clock::H24, Clock::H12] {
                for date_order in [DateOrder::DayFirst, DateOrder::MonthFirst, DateOrder::YearFirst] {
                    if platform == Platform::Ios && date_order == DateOrder::YearFirst {
                        continue;
                    }
                    let style = Style {
                        four_digit_year,
                        date_separator,
                        pad_date,
                        marks,
                        meridiem,
                        meridiem_space,
                        crlf,
                        bom: crlf,
                        ..Style::new(platform, clock, date_order)
                    };
                    if let Err(e) = round_trip(&chat, style) {
                        return Err(TestCaseError::fail(e));
                    }
                }
            }
        }
    }
}
