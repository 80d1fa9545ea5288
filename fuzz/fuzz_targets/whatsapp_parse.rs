//! Arbitrary bytes as a WhatsApp chat export, read with the date order worked out and
//! with each order forced. The parser may refuse anything, but never panic, and what
//! it accepts must hold together: messages in file order, each within the size limit,
//! and a forced order is the order used.
#![no_main]
#![forbid(unsafe_code)]

use cairn_import::whatsapp::{parse, DateOrder, MAX_MESSAGE_BYTES};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for forced in [
        None,
        Some(DateOrder::DayFirst),
        Some(DateOrder::MonthFirst),
        Some(DateOrder::YearFirst),
    ] {
        let Ok(chat) = parse(data, forced) else {
            continue;
        };
        assert!(!chat.messages.is_empty());
        if let Some(o) = forced {
            assert_eq!(chat.date_order, o);
            assert!(!chat.date_order_guessed);
        }
        let mut last_line = 0;
        for m in &chat.messages {
            assert!(m.line > last_line, "lines in file order");
            last_line = m.line;
            let size = m.text.len() + m.sender.as_ref().map_or(0, String::len);
            assert!(size <= MAX_MESSAGE_BYTES);
        }
    }
});
