//! Imported conversations (the original export kept as the exhibit, one chain entry
//! per message, an export imported twice adds nothing) and full-text search.

use std::ffi::OsStr;

use cairn_core::search::{HIT_END, HIT_START};
use cairn_core::{ChatImport, ItemKind, MessageKind, NewMessage, Person, Role, StagedFile, Vault};

use crate::common::{assert_ok, incident, Authed, TestVault, UNDO_SCHEMA_7};

const EXPORT: &[u8] = b"31/12/2023, 21:42 - Sam: Where are you?\n\
31/12/2023, 21:43 - Sam: Answer me. I know you're at your mum's\n\
01/01/2024, 09:00 - Me: <Media omitted>\n";

fn messages() -> Vec<NewMessage> {
    let m = |sender: &str, at: &str, text: &str, kind, line| NewMessage {
        conversation: "Sam".into(),
        sender: sender.into(),
        sent_at: at.into(),
        text: text.into(),
        kind,
        line,
        ..NewMessage::default()
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

fn stage(v: &Vault, name: &str, bytes: &[u8]) -> StagedFile {
    v.stage_file(
        OsStr::new(name),
        &mut std::io::Cursor::new(bytes.to_vec()),
        None,
        "WhatsApp chat export",
    )
    .unwrap()
}

fn chat(v: &Vault, original: &[u8]) -> ChatImport<'static> {
    ChatImport {
        source: "whatsapp",
        original: stage(v, "WhatsApp Chat with Sam.txt", original),
        attachments: Vec::new(),
        messages: messages(),
    }
}

/// How many encrypted files the vault folder holds (staged or stored, half-written
/// ones included): a refused import must leave as many as there were.
fn blob_files(t: &TestVault) -> usize {
    walk(&t.r().dir().join("blobs"))
}

fn walk(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| {
                    if e.path().is_dir() {
                        walk(&e.path())
                    } else {
                        1
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

fn import(t: &mut TestVault, original: &[u8]) -> cairn_core::ImportedChat {
    let c = chat(t.r(), original);
    t.v().import_chat(c).unwrap()
}

#[test]
fn an_import_keeps_the_export_and_one_entry_per_message() {
    let mut t = TestVault::new();
    let before = t.r().chain().unwrap().len();
    let done = import(&mut t, EXPORT);
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
    let first = import(&mut t, EXPORT);
    let size = t.r().chain().unwrap().len();
    let again = import(&mut t, EXPORT);
    assert!(again.already_imported);
    assert_eq!(again.export, first.export);
    assert_eq!(again.messages, 0);
    assert_eq!(t.r().chain().unwrap().len(), size, "nothing was written");

    // One byte more is another export.
    let mut longer = EXPORT.to_vec();
    longer.extend_from_slice(b"01/01/2024, 09:01 - Me: ok\n");
    let other = import(&mut t, &longer);
    assert!(!other.already_imported);
    assert_ne!(other.export, first.export);
}

#[test]
fn an_import_with_no_messages_is_refused_and_writes_nothing() {
    let mut t = TestVault::new();
    let size = t.r().chain().unwrap().len();
    let files = blob_files(&t);
    let mut empty = chat(t.r(), EXPORT);
    empty.messages.clear();
    let e = t.v().import_chat(empty).unwrap_err();
    assert_eq!(e.code(), "invalid_input");
    assert_eq!(t.r().chain().unwrap().len(), size);
    assert_eq!(blob_files(&t), files, "the staged export is gone");
    assert_ok(t.r());
}

#[test]
fn attachments_are_file_items_the_message_names() {
    let mut t = TestVault::new();
    let photo = b"\xff\xd8\xff\xe0 not really a jpeg".to_vec();
    let note = b"voice note bytes".to_vec();
    let original = stage(t.r(), "WhatsApp Chat with Sam.zip", b"PK zip bytes");
    let attachments = vec![
        stage(t.r(), "IMG-1.jpg", &photo),
        stage(t.r(), "PTT-1.opus", &note),
    ];
    let mut messages = messages();
    messages[0].kind = MessageKind::Attachment;
    messages[0].attachment = "IMG-1.jpg".into();
    messages[0].attachments = vec![0];
    messages[1].attachments = vec![1, 0];
    messages[1].subject = "Re: tonight".into();
    messages[1].recipients = vec!["Me".into()];
    messages[1].source_id = "42".into();
    messages[2].sent_at = "2024-01-01T09:00:00+01:00".into();
    let before = t.r().chain().unwrap().len();
    let done = t
        .v()
        .import_chat(ChatImport {
            source: "whatsapp",
            original,
            attachments,
            messages,
        })
        .unwrap();
    assert_eq!((done.messages, done.attachments), (3, 2));
    assert_eq!(
        t.r().chain().unwrap().len(),
        before + 6,
        "export, 2 files, 3 messages"
    );
    let msgs: Vec<_> = t
        .r()
        .list()
        .unwrap()
        .into_iter()
        .filter(|i| i.kind == ItemKind::Message)
        .collect();
    let rec0 = t.r().show(&msgs[0].id).unwrap().record.unwrap();
    let rec1 = t.r().show(&msgs[1].id).unwrap().record.unwrap();
    let file0 = rec0["attachments"][0].as_str().unwrap().to_string();
    assert_eq!(
        rec1["attachments"][1],
        file0.as_str(),
        "one file, named twice"
    );
    assert_eq!(rec1["subject"], "Re: tonight");
    assert_eq!(rec1["recipients"][0], "Me");
    assert_eq!(rec1["source_id"], "42");
    // Fields a message does not have are left out of its record, not written empty.
    let rec2 = t.r().show(&msgs[2].id).unwrap().record.unwrap();
    assert!(rec2.get("attachments").is_none() && rec2.get("subject").is_none());
    assert_eq!(rec2["sent_at"], "2024-01-01T09:00:00+01:00");
    let mut got = Vec::new();
    std::io::Read::read_to_end(&mut t.r().open_original(&file0).unwrap(), &mut got).unwrap();
    assert_eq!(got, photo);
    assert_ok(t.r());
    t.reopen();
    assert_ok(t.r());
}

#[test]
fn a_refused_import_discards_everything_it_staged() {
    let mut t = TestVault::new();
    let size = t.r().chain().unwrap().len();
    let files = blob_files(&t);
    let mut c = chat(t.r(), EXPORT);
    c.attachments.push(stage(t.r(), "IMG-1.jpg", b"photo"));
    assert_eq!(blob_files(&t), files + 2, "staged: the export and a photo");
    c.messages[0].attachments = vec![1];
    let e = t.v().import_chat(c).unwrap_err();
    assert_eq!(e.code(), "invalid_input");
    assert!(e.to_string().contains("line 1"), "{e}");
    assert_eq!(t.r().chain().unwrap().len(), size);
    assert_eq!(blob_files(&t), files);
    assert_ok(t.r());

    // Importing again what is on record discards what was staged for it.
    import(&mut t, EXPORT);
    let size = t.r().chain().unwrap().len();
    let files = blob_files(&t);
    let mut c = chat(t.r(), EXPORT);
    c.attachments.push(stage(t.r(), "IMG-1.jpg", b"photo"));
    assert!(t.v().import_chat(c).unwrap().already_imported);
    assert_eq!(t.r().chain().unwrap().len(), size);
    assert_eq!(blob_files(&t), files);
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
    import(&mut t, EXPORT);

    fn ids_in(t: &TestVault, q: &str) -> Vec<String> {
        let mut v: Vec<String> = t
            .r()
            .search_ranked(q, 50)
            .unwrap()
            .hits
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
    // A message's source and time are not its words: only the export's name says so.
    assert_eq!(ids("whatsapp").len(), 1);
    assert!(ids("21:43").is_empty() && ids("2023").is_empty());
    let hits = t.r().search_ranked("answer", 10).unwrap().hits;
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
    assert!(t.r().search_ranked("", 10).unwrap().hits.is_empty());
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
    t.v().authed().redact(&per, "entered by mistake").unwrap();
    assert_eq!(ids_in(&t, "gate"), Vec::<String>::new());
    // Nor are its words left in the index's pages for someone who opens the
    // database itself (FTS5 would otherwise keep them until segments merge).
    let left: i64 = t
        .r()
        .raw_connection_for_tests()
        .query_row(
            "SELECT count(*) FROM search_data WHERE instr(block, CAST('gatesworth' AS BLOB)) > 0",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(left, 0, "a redacted item's words stay in the search index");
    assert_ok(t.r());
}

#[test]
fn a_very_broad_search_ranks_the_newest_matches() {
    use cairn_core::search::RANKED_MATCHES;
    let mut t = TestVault::new();
    let n = RANKED_MATCHES + 100;
    let mut c = chat(t.r(), b"a chat with many messages");
    c.messages = (0..n)
        .map(|i| NewMessage {
            conversation: "Sam".into(),
            sender: "Sam".into(),
            sent_at: "2024-01-01T09:00:00".into(),
            // The first is the best match for "where" (it says little else), and
            // the only one with "garage".
            text: if i == 0 {
                "where where garage".into()
            } else {
                format!("where are you now, message {i}")
            },
            line: i as u64 + 1,
            ..NewMessage::default()
        })
        .collect();
    t.v().import_chat(c).unwrap();
    let lines_of = |q: &str| -> Vec<u64> {
        t.r()
            .search_ranked(q, 5000)
            .unwrap()
            .hits
            .iter()
            .map(|h| {
                t.r().show(&h.id).unwrap().record.unwrap()["line"]
                    .as_u64()
                    .unwrap()
            })
            .collect()
    };
    let broad = lines_of("where");
    assert_eq!(broad.len(), RANKED_MATCHES, "only the newest are ranked");
    assert!(
        t.r().search_ranked("where", 5).unwrap().newest_only,
        "and it says so"
    );
    assert!(!t.r().search_ranked("garage", 5).unwrap().newest_only);
    assert!(
        broad.iter().all(|&l| l > 100),
        "the oldest 100 are left out"
    );
    // A narrower search finds the old message.
    assert_eq!(lines_of("where garage"), vec![1]);
}

/// A conversation of `n` messages, a minute apart from 2024-01-01 09:00, every tenth
/// one sent by "Me"; times in `offset` when given (then they are instants).
fn long_chat(v: &Vault, name: &str, n: usize, offset: Option<&str>) -> ChatImport<'static> {
    let messages = (0..n)
        .map(|i| {
            let (h, m) = (9 + i / 60, i % 60);
            let day = 1 + h / 24;
            let at = format!("2024-01-{day:02}T{:02}:{m:02}:00", h % 24);
            NewMessage {
                conversation: name.into(),
                sender: if i % 10 == 0 { "Me" } else { "Sam" }.into(),
                sent_at: offset.map_or(at.clone(), |o| format!("{at}{o}")),
                text: format!("message {i}"),
                line: i as u64 + 1,
                ..NewMessage::default()
            }
        })
        .collect();
    ChatImport {
        source: "whatsapp",
        original: stage(v, &format!("{name}.txt"), name.as_bytes()),
        attachments: Vec::new(),
        messages,
    }
}

fn texts(p: &cairn_core::ConversationPage) -> Vec<String> {
    p.messages
        .iter()
        .map(|m| {
            m.message
                .as_ref()
                .map_or("(removed)".into(), |m| m.text.clone())
        })
        .collect()
}

#[test]
fn a_conversation_reads_in_pages_from_either_end_a_day_or_a_message() {
    use cairn_core::conversations::{Anchor, Place};
    let mut t = TestVault::new();
    let c = long_chat(t.r(), "Sam", 2000, None);
    t.v().import_chat(c).unwrap();
    let c = long_chat(t.r(), "Alex", 5, None);
    t.v().import_chat(c).unwrap();

    let list = t.r().conversations().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].key.name, "Sam", "the most recent first");
    assert_eq!(list[0].messages, 2000);
    assert_eq!(list[0].first_at, "2024-01-01T09:00:00");
    let sam = list[0].key.clone();

    let first = t.r().conversation_page(&sam, &Anchor::Start, 100).unwrap();
    assert_eq!(first.messages.len(), 100);
    assert_eq!(texts(&first)[0], "message 0");
    assert!(!first.more_before && first.more_after);

    let next = Anchor::After {
        place: first.messages[99].place.clone(),
    };
    let second = t.r().conversation_page(&sam, &next, 100).unwrap();
    assert_eq!(texts(&second)[0], "message 100");
    assert!(second.more_before && second.more_after);

    let last = t.r().conversation_page(&sam, &Anchor::End, 100).unwrap();
    assert_eq!(texts(&last).last().unwrap(), "message 1999");
    assert_eq!(texts(&last)[0], "message 1900");
    assert!(last.more_before && !last.more_after);
    let back = Anchor::Before {
        place: last.messages[0].place.clone(),
    };
    let before_last = t.r().conversation_page(&sam, &back, 100).unwrap();
    assert_eq!(texts(&before_last).last().unwrap(), "message 1899");

    // 2024-01-02 starts at message 900 (09:00 + 15 hours).
    let day = Anchor::Date {
        day: "2024-01-02".into(),
    };
    let around = t.r().conversation_page(&sam, &day, 100).unwrap();
    let focus = around.focus.clone().unwrap();
    let at = around.messages.iter().position(|m| m.id == focus).unwrap();
    assert_eq!(at, 50, "half the page before the day");
    assert_eq!(texts(&around)[at], "message 900");
    assert_eq!(
        around.messages[at].message.as_ref().unwrap().sent_at,
        "2024-01-02T00:00:00"
    );

    let hit = around.messages[70].id.clone();
    let opened = t
        .r()
        .conversation_page(&sam, &Anchor::Item { id: hit.clone() }, 11)
        .unwrap();
    assert_eq!(opened.focus.as_deref(), Some(hit.as_str()));
    assert_eq!(opened.messages.len(), 11);
    assert_eq!(
        opened.messages[5].id, hit,
        "the message opens in its context"
    );
    assert_eq!(texts(&opened)[5], "message 920");

    // A message of another conversation is not found in this one.
    let alex = t.r().conversations().unwrap()[1].key.clone();
    let e = t
        .r()
        .conversation_page(&alex, &Anchor::Item { id: hit }, 10)
        .unwrap_err();
    assert_eq!(e.code(), "not_found");
    let e = t
        .r()
        .conversation_page(
            &sam,
            &Anchor::Date {
                day: "yesterday".into(),
            },
            10,
        )
        .unwrap_err();
    assert_eq!(e.code(), "invalid_input");
    // Past the end is an empty page, not an error.
    let past = Anchor::After {
        place: Place {
            at: "2099-01-01".into(),
            seq: 0,
        },
    };
    let empty = t.r().conversation_page(&sam, &past, 10).unwrap();
    assert!(empty.messages.is_empty() && !empty.more_after);
    assert_ok(t.r());
}

#[test]
fn instants_from_several_zones_read_in_the_order_they_were_sent() {
    use cairn_core::conversations::Anchor;
    let mut t = TestVault::new();
    let mut c = long_chat(t.r(), "Thread", 3, Some("+00:00"));
    // Sent at 10:30 in New York is 15:30 UTC: after the 09:02 UTC message.
    c.messages[0].sent_at = "2024-01-01T10:30:00-05:00".into();
    t.v().import_chat(c).unwrap();
    let key = t.r().conversations().unwrap()[0].key.clone();
    let page = t.r().conversation_page(&key, &Anchor::Start, 10).unwrap();
    assert_eq!(texts(&page), ["message 1", "message 2", "message 0"]);
    assert_eq!(page.messages[2].place.at, "2024-01-01T15:30:00");
}

#[test]
fn a_removed_message_keeps_its_place_as_a_tombstone() {
    use cairn_core::conversations::Anchor;
    let mut t = TestVault::new();
    let c = long_chat(t.r(), "Sam", 5, None);
    t.v().import_chat(c).unwrap();
    let key = t.r().conversations().unwrap()[0].key.clone();
    let page = t.r().conversation_page(&key, &Anchor::Start, 10).unwrap();
    let gone = page.messages[2].id.clone();
    t.v()
        .authed()
        .redact(&gone, "It gives my new address")
        .unwrap();
    let page = t.r().conversation_page(&key, &Anchor::Start, 10).unwrap();
    assert_eq!(texts(&page)[2], "(removed)");
    assert_eq!(
        page.messages[2].removed_reason.as_deref(),
        Some("It gives my new address")
    );
    assert_eq!(page.messages.len(), 5);
    assert_ok(t.r());
}

#[test]
fn verify_finds_a_conversation_index_that_does_not_match_its_messages() {
    let mut t = TestVault::new();
    let c = long_chat(t.r(), "Sam", 3, None);
    t.v().import_chat(c).unwrap();
    t.r()
        .raw_connection_for_tests()
        .execute(
            "UPDATE message_index SET conversation = 'Someone else' WHERE rowid = (SELECT min(rowid) FROM message_index)",
            [],
        )
        .unwrap();
    let r = crate::common::verify(t.r());
    assert_eq!(crate::common::problem_codes(&r), ["message_index_mismatch"]);
    t.r()
        .raw_connection_for_tests()
        .execute("DELETE FROM message_index", [])
        .unwrap();
    let r = crate::common::verify(t.r());
    assert_eq!(
        crate::common::problem_codes(&r),
        ["message_index_mismatch"; 3]
    );
}

#[test]
fn words_redacted_before_schema_6_leave_the_index_when_the_vault_is_opened() {
    let mut t = TestVault::new();
    let words_left = |t: &TestVault| -> i64 {
        t.r()
            .raw_connection_for_tests()
            .query_row(
                "SELECT count(*) FROM search_data WHERE instr(block, CAST('gatesworth' AS BLOB)) > 0",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    // How schema 5 deleted from the index: the words stayed in its pages.
    t.r()
        .raw_connection_for_tests()
        .execute_batch("INSERT INTO search (search, rank) VALUES ('secure-delete', 0);")
        .unwrap();
    let per = t
        .v()
        .add_person(Person::new("PC Gatesworth", Role::Officer))
        .unwrap()
        .id;
    t.v().authed().redact(&per, "entered by mistake").unwrap();
    assert!(words_left(&t) > 0, "the old way leaves the words");
    t.r()
        .raw_connection_for_tests()
        .execute_batch(&format!("{UNDO_SCHEMA_7} PRAGMA user_version = 5;"))
        .unwrap();
    t.reopen();
    assert_eq!(words_left(&t), 0);
    assert!(t
        .r()
        .search_ranked("gatesworth", 10)
        .unwrap()
        .hits
        .is_empty());
    assert_ok(t.r());
}

#[test]
fn a_schema_4_vault_gains_its_conversation_index_when_opened() {
    use cairn_core::conversations::Anchor;
    let mut t = TestVault::new();
    let c = long_chat(t.r(), "Sam", 4, None);
    t.v().import_chat(c).unwrap();
    // Back to how schema 4 left it: no index, the older version number.
    t.r()
        .raw_connection_for_tests()
        .execute_batch(&format!(
            "{UNDO_SCHEMA_7} DROP TABLE message_index; PRAGMA user_version = 4;"
        ))
        .unwrap();
    t.reopen();
    let key = t.r().conversations().unwrap()[0].key.clone();
    let page = t.r().conversation_page(&key, &Anchor::End, 10).unwrap();
    assert_eq!(texts(&page).len(), 4);
    assert_ok(t.r());
}

#[test]
fn messages_redacted_before_schema_7_belong_to_their_own_export() {
    // An import whose every message was redacted leaves nothing that names its export
    // but the chain's order: its messages must not be put down to an earlier import
    // (its export would then go out as an ordinary file, redacted words and all).
    let mut t = TestVault::new();
    let a = long_chat(t.r(), "Sam", 3, None);
    let a = t.v().import_chat(a).unwrap();
    // A file added by hand between two imports.
    crate::common::add_bytes(t.v(), "photo.jpg", b"not really a photo");
    let b = long_chat(t.r(), "Alex", 2, None);
    let b = t.v().import_chat(b).unwrap();
    let of = |t: &TestVault, from: u64, to: u64| -> Vec<String> {
        let conn = t.r().raw_connection_for_tests();
        let mut st = conn
            .prepare("SELECT item_id FROM message_index WHERE created_seq BETWEEN ?1 AND ?2 ORDER BY created_seq")
            .unwrap();
        st.query_map([from as i64, to as i64], |r| r.get(0))
            .unwrap()
            .collect::<Result<Vec<String>, _>>()
            .unwrap()
    };
    let (in_a, in_b) = (
        of(&t, a.first_seq, a.last_seq),
        of(&t, b.first_seq, b.last_seq),
    );
    assert_eq!((in_a.len(), in_b.len()), (3, 2));
    for id in in_b.iter().chain(in_a.get(1..2).unwrap_or(&[])) {
        t.v().authed().redact(id, "said too much").unwrap();
    }
    t.r()
        .raw_connection_for_tests()
        .execute_batch(&format!("{UNDO_SCHEMA_7} PRAGMA user_version = 6;"))
        .unwrap();
    t.reopen();
    let held = t
        .r()
        .export_contents(&[a.export.clone(), b.export.clone()])
        .unwrap();
    assert_eq!(held.get(&a.export).map(|h| h.1), Some(1), "{held:?}");
    assert_eq!(held.get(&b.export).map(|h| h.1), Some(2), "{held:?}");
    assert_ok(t.r());
}
