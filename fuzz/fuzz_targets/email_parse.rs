//! Arbitrary bytes as an `.eml` file or an `.mbox` mailbox. The parser may refuse
//! anything, but never panic; a panic raised inside mail-parser is the exception, as
//! in Cairn itself, which reads each message under `catch_unwind` and refuses it
//! (`EmailError::Unreadable`): see [`let_mail_parser_unwind`]. What it accepts must
//! hold together: messages in file order (threading names conversations, it does not
//! reorder), each on its own line of the input (1 for an `.eml`, the separator line
//! in a mailbox), attachment indexes that point into the export, and a message marked
//! as having attachments exactly when it has some. A refusal has an `import_email_`
//! code and one sentence ending "so nothing was imported."
#![no_main]
#![forbid(unsafe_code)]

use cairn_import::email::parse;
use cairn_import::model::MessageKind;
use cairn_import::testing::check_refusal;
use libfuzzer_sys::fuzz_target;

/// libFuzzer's panic hook aborts at any panic, before it unwinds to the
/// `catch_unwind` that `email::parse` puts around mail-parser. mail-parser is not
/// Cairn's, and under cargo-fuzz's debug assertions and overflow checks it panics on
/// some hostile input (its quoted-printable decoder subtracts past zero at a soft
/// line break right before a boundary). The main workspace turns those checks off
/// for mail-parser; here a profile cannot, since cargo-fuzz sets them in RUSTFLAGS
/// for every crate. So a panic whose location is in mail-parser's source unwinds
/// quietly, to be refused as Cairn refuses it; every other panic (Cairn's own code
/// inside that `catch_unwind` included) still aborts and is found.
fn let_mail_parser_unwind() {
    let abort = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let in_mail_parser = info
            .location()
            .is_some_and(|l| l.file().contains("/mail-parser-"));
        if !in_mail_parser {
            abort(info);
        }
    }));
}

fuzz_target!(init: let_mail_parser_unwind(), |data: &[u8]| {
    let export = match parse(data) {
        Ok(export) => export,
        Err(e) => return check_refusal("import_email_", e.code(), &e.to_string()),
    };
    assert!(!export.messages.is_empty());
    let lines = data.split(|&b| b == b'\n').count() as u64;
    let mut last_line = 0;
    for m in &export.messages {
        assert!(m.line > last_line, "one message a line, in file order");
        assert!(m.line <= lines, "line {} of {lines}", m.line);
        last_line = m.line;
        assert!(!m.conversation.is_empty());
        assert!(m.attachments.iter().all(|&i| i < export.attachments.len()));
        assert_eq!(
            m.kind == MessageKind::Attachment,
            !m.attachments.is_empty(),
            "{:?}",
            m.kind
        );
    }
});
