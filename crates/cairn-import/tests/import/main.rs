//! Integration tests for the WhatsApp importer: every line format on hand-written
//! exports, date-order detection, hostile input, and round trips through the test
//! writer (`cairn_import::testing`) in every style, by example and by property.

mod dates;
mod email;
mod formats;
mod hostile;
mod roundtrip;
mod sms;
mod telegram;
mod zipped;

use cairn_import::whatsapp::{parse, Chat};
use time::PrimitiveDateTime;

/// Parses an export that must read, with the date order left to the parser.
fn chat(export: &str) -> Chat {
    match parse(export.as_bytes(), None) {
        Ok(chat) => chat,
        Err(e) => panic!("{e} ({e:?}) in:\n{export}"),
    }
}

/// `2023-12-31 21:41:05` for a message's time, to compare against literals.
fn at(t: PrimitiveDateTime) -> String {
    format!(
        "{}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}
