//! Arbitrary bytes as an SMS Backup & Restore backup (`sms-….xml`). The parser may
//! refuse anything, but never panic. What it accepts must hold together: messages in
//! file order on lines the input has, attachment indexes that point into the export,
//! a message with attachments marked as one, and every attachment's base64 range
//! decodable (the module checks it while parsing, so keeping it cannot fail halfway).
//! A refusal has an `import_sms_` code and one sentence ending "so nothing was
//! imported."
#![no_main]
#![forbid(unsafe_code)]

use cairn_import::model::{Content, MessageKind};
use cairn_import::sms::{decode_base64, parse};
use cairn_import::testing::check_refusal;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let export = match parse(data) {
        Ok(export) => export,
        Err(e) => return check_refusal("import_sms_", e.code(), &e.to_string()),
    };
    assert!(!export.messages.is_empty());
    let lines = data.split(|&b| b == b'\n').count() as u64;
    let mut last_line = 1;
    for m in &export.messages {
        assert!(m.line >= last_line, "lines in file order");
        assert!(m.line <= lines, "line {} of {lines}", m.line);
        last_line = m.line;
        assert!(m.attachments.iter().all(|&i| i < export.attachments.len()));
        if !m.attachments.is_empty() {
            assert_eq!(m.kind, MessageKind::Attachment);
        }
    }
    for a in &export.attachments {
        if let Content::Base64(range) = &a.content {
            if let Err(e) = decode_base64(data, range.clone()) {
                panic!("attachment at {range:?} accepted but not decodable: {e}");
            }
        }
    }
});
