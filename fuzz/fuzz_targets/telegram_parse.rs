//! Arbitrary bytes as a Telegram Desktop `result.json` (one chat or a full export).
//! The parser may refuse anything, but never panic. What it accepts must hold
//! together: messages on lines the input has, in file order within each chat list (a
//! full export gives `chats.list`, then `left_chats.list`, which may come first in
//! the file: so the lines go back at most once), attachment indexes that point into
//! the export, and every attachment a file whose path passes the same check as a zip
//! entry's (`cairn_import::zipped::name_is_safe`). A refusal has an
//! `import_telegram_` code and one sentence ending "so nothing was imported."
#![no_main]
#![forbid(unsafe_code)]

use cairn_import::model::{Content, MessageKind};
use cairn_import::telegram::parse;
use cairn_import::testing::check_refusal;
use cairn_import::zipped::name_is_safe;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let export = match parse(data) {
        Ok(export) => export,
        Err(e) => return check_refusal("import_telegram_", e.code(), &e.to_string()),
    };
    assert!(!export.messages.is_empty());
    let lines = data.split(|&b| b == b'\n').count() as u64;
    let mut last_line = 1;
    let mut back = 0;
    for m in &export.messages {
        if m.line < last_line {
            back += 1;
        }
        assert!(back <= 1, "lines go back more than once");
        assert!(m.line >= 1 && m.line <= lines, "line {} of {lines}", m.line);
        last_line = m.line;
        assert!(m.attachments.iter().all(|&i| i < export.attachments.len()));
        if m.kind != MessageKind::System {
            assert_eq!(
                m.kind == MessageKind::Attachment,
                !m.attachments.is_empty(),
                "{:?}",
                m.kind
            );
        }
    }
    for a in &export.attachments {
        let Content::File(path) = &a.content else {
            panic!("a Telegram attachment not a file: {:?}", a.content);
        };
        assert!(name_is_safe(path), "unsafe path accepted: {path:?}");
    }
});
