//! Imported conversations (the original export kept as the exhibit, one chain entry
//! per message, an export imported twice adds nothing) and full-text search.

use std::ffi::OsStr;

use cairn_core::search::{HIT_END, HIT_START};
use cairn_core::{ChatImport, ItemKind, MessageKind, NewMessage, Person, Role};

use crate::common::{assert_ok, incident, TestVault};

const EXPORT: &[u8] = b"31/12/2023, 21:42 - Sam: Where are you?\n\
31/12/2023, 21:43 - Sam: Answer me. I know you're at your mum's\n\
01/01/2024, 09:00 - Me: <Media omitted>\n";

fn messages() -> Vec<NewMessage> {
    let m = |sender: &str, at: &str, text: &str, kind, line| NewMessage {
        sender: sender.into(),
        sent_at: at.into(),
        text: text.into(),
        kind,
        attachment: String::new(),
        line,
    };
    vec![
        m(
            "Sam",
            "2023-12-31T21:42:00",
            "Where are you?",
            MessageKind::Text,
            1,
        ),
        m(
            "Sam",
            "2023-12-31T21:43:00",
            "Answer me. I know you're at your mum's",
            MessageKind::Text,
            2,
        ),
        m(
            "Me",
            "2024-01-01T09:00:00",
            "",
            MessageKind::MediaOmitted,
            3,
        ),
    ]
}

fn chat(original: &[u8]) -> ChatImport<'_> {
    ChatImport {
        source: "whatsapp",
        conversation: "Sam".into(),
        file_name: OsStr::new("WhatsApp Chat with Sam.txt"),
        original,
        modified_at: None,
        acquired: "WhatsApp chat export".into(),
        messages: messages(),
    }
}

#[test]
fn an_import_keeps_the_export_and_one_entry_per_message() {
    let mut t = TestVault::new();
    let before = t.r().chain().unwrap().len();
    let done = t.v().import_chat(chat(EXPORT)).unwrap();
    assert!(!done.already_imported);
    assert_eq!(done.messages, 3);
    assert_eq!(
        t.r().chain().unwrap().len(),
        before + 4,
        "the export and 3 messages"
    );
    assert_eq!(done.last_seq - done.first_seq, 3);

    // The export, byte-exact, is the exhibit every message points back to.
    let mut original = Vec::new();
    std::io::Read::read_to_end(
        &mut t.r().open_original(&done.export).unwrap(),
        &mut original,
    )
    .unwrap();
    assert_eq!(original, EXPORT);
    let list = t.r().list().unwrap();
    let msgs: Vec<_> = list
        .iter()
        .filter(|i| i.kind == ItemKind::Message)
        .collect();
    assert_eq!(msgs.len(), 3);
    assert_eq!(msgs[0].title, "Sam", "a message's title is its sender");
    let shown = t.r().show(&msgs[1].id).unwrap();
    let rec = shown.record.unwrap();
    assert_eq!(rec["export"], done.export.as_str());
    assert_eq!(rec["sent_at"], "2023-12-31T21:43:00");
    assert_eq!(rec["line"], 2);
    assert_eq!(rec["kind"], "text");
    assert_ok(t.r());

    // Survives closing and opening again, and still verifies.
    t.reopen();
    assert_ok(t.r());
}

#[test]
fn the_same_export_twice_adds_nothing() {
    let mut t = TestVault::new();
    let first = t.v().import_chat(chat(EXPORT)).unwrap();
    let size = t.r().chain().unwrap().len();
    let again = t.v().import_chat(chat(EXPORT)).unwrap();
    assert!(again.already_imported);
    assert_eq!(again.export, first.export);
    assert_eq!(again.messages, 0);
    assert_eq!(t.r().chain().unwrap().len(), size, "nothing was written");

    // One byte more is another export.
    let mut longer = EXPORT.to_vec();
    longer.extend_from_slice(b"01/01/2024, 09:01 - Me: ok\n");
    let other = t.v().import_chat(chat(&longer)).unwrap();
    assert!(!other.already_imported);
    assert_ne!(other.export, first.export);
}

#[test]
fn an_import_with_no_messages_is_refused_and_writes_nothing() {
    let mut t = TestVault::new();
    let size = t.r().chain().unwrap().len();
    let mut empty = chat(EXPORT);
    empty.messages.clear();
    let e = t.v().import_chat(empty).unwrap_err();
    assert_eq!(e.code(), "invalid_input");
    assert_eq!(t.r().chain().unwrap().len(), size);
    assert_ok(t.r());
}

#[test]
fn search_finds_words_in_every_kind_and_forgets_redacted_items() {
    let mut t = TestVault::new();
    let inc = t
        .v()
        .add_incident(incident(
            "Followed home",
            "He waited outside the school gates",
        ))
        .unwrap()
        .id;
    let per = t
        .v()
        .add_person(Person::new("PC Gatesworth", Role::Officer))
        .unwrap()
        .id;
    t.v().import_chat(chat(EXPORT)).unwrap();

    fn ids_in(t: &TestVault, q: &str) -> Vec<String> {
        let mut v: Vec<String> = t
            .r()
            .search_ranked(q, 50)
            .unwrap()
            .into_iter()
            .map(|h| h.id)
            .collect();
        v.sort();
        v
    }
    let ids = |q: &str| ids_in(&t, q);
    // Prefixes: "gate" finds "gates" and "Gatesworth".
    let mut want = vec![inc.clone(), per.clone()];
    want.sort();
    assert_eq!(ids("gate"), want);
    // Every word must appear; case and accents do not matter.
    assert_eq!(ids("SCHOOL waited").len(), 1);
    assert_eq!(ids("müm").len(), 1, "mum's, in a message");
    assert!(ids("school mum").is_empty());
    // File names are searched; hashes and ids are not.
    assert_eq!(ids("WhatsApp Chat").len(), 1);
    let hits = t.r().search_ranked("answer", 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].kind, "message");
    assert_eq!(hits[0].title, "Sam");
    assert_eq!(hits[0].occurred.as_deref(), Some("2023-12-31T21:43:00"));
    assert!(
        hits[0]
            .snippet
            .contains(&format!("{HIT_START}Answer{HIT_END}")),
        "{:?}",
        hits[0].snippet
    );
    let sha = &t.r().show(&hits[0].id).unwrap().record.unwrap()["export"];
    assert!(ids(sha.as_str().unwrap()).is_empty(), "ids are not words");

    // What she types is never query syntax.
    for q in [
        "\"",
        "NEAR(",
        "a OR",
        "body:x",
        "*",
        "-",
        "(((",
        "'; DROP TABLE items; --",
    ] {
        assert!(t.r().search_ranked(q, 10).is_ok(), "{q}");
    }
    assert!(t.r().search_ranked("", 10).unwrap().is_empty());
    assert_eq!(
        t.r()
            .search_ranked(&"x".repeat(2000), 10)
            .unwrap_err()
            .code(),
        "invalid_input"
    );

    // An edit is searched as it is now; a redacted item is gone from search.
    let mut edited = incident("Followed home", "He waited by the bus stop");
    edited.location = String::new();
    t.v().edit_incident(&inc, edited).unwrap();
    assert!(ids_in(&t, "school").is_empty());
    assert_eq!(ids_in(&t, "bus stop"), vec![inc.clone()]);
    t.v().redact(&per, "entered by mistake").unwrap();
    assert_eq!(ids_in(&t, "gate"), Vec::<String>::new());
    assert_ok(t.r());
}
