//! The Telegram Desktop importer (`cairn_import::telegram`): hand-written exports in
//! each shape Telegram writes, hostile and damaged files, and round trips through the
//! test writer (`cairn_import::testing::telegram`) by property.

use cairn_import::model::{Attachment, Content, Export, MessageKind, Msg, SentAt};
use cairn_import::telegram::{
    parse, MessageField, TelegramError, DELETED_ACCOUNT, MAX_DEPTH, MAX_MESSAGE_BYTES,
    MAX_STRING_BYTES,
};
use cairn_import::testing::telegram::{
    local_date, write, write_with_lines, GenChat, GenMedia, GenMessage, GenPart, Layout,
    NOT_INCLUDED,
};
use proptest::option;
use proptest::prelude::*;
use time::macros::{datetime, offset};
use time::{OffsetDateTime, UtcOffset};

/// Parses an export that must read.
fn export(json: &str) -> Export {
    match parse(json.as_bytes()) {
        Ok(e) => e,
        Err(e) => panic!("{e} ({e:?}) in:\n{json}"),
    }
}

/// Parses an export that must be refused.
fn refused(json: &str) -> TelegramError {
    match parse(json.as_bytes()) {
        Ok(e) => panic!("read {} messages from:\n{json}", e.messages.len()),
        Err(e) => e,
    }
}

fn texts(e: &Export) -> Vec<&str> {
    e.messages.iter().map(|m| m.text.as_str()).collect()
}

fn lines(e: &Export) -> Vec<u64> {
    e.messages.iter().map(|m| m.line).collect()
}

/// A one-chat export as older Telegram Desktops wrote it: no `date_unixtime`,
/// numeric `from_id`, one space of indent a level.
const OLD_STYLE: &str = r#"{
 "name": "Alice",
 "type": "personal_chat",
 "id": 123456,
 "messages": [
  {
   "id": 41,
   "type": "message",
   "date": "2019-05-31T21:28:30",
   "from": "Alice",
   "from_id": 123456,
   "text": "Are you home?"
  },
  {
   "id": 42,
   "type": "message",
   "date": "2019-05-31T21:29:02",
   "edited": "2019-05-31T21:35:00",
   "from": "Me",
   "from_id": 1,
   "reply_to_message_id": 41,
   "text": "Yes"
  }
 ]
}
"#;

#[test]
fn an_old_single_chat_export_has_local_times() {
    let e = export(OLD_STYLE);
    assert_eq!(e.messages.len(), 2);
    assert!(e.attachments.is_empty());
    let m = &e.messages[0];
    assert_eq!(
        (
            m.line,
            m.source_id.as_str(),
            m.conversation.as_str(),
            m.sender.as_str(),
            m.text.as_str(),
            m.kind,
        ),
        (
            6,
            "41",
            "Alice",
            "Alice",
            "Are you home?",
            MessageKind::Text
        )
    );
    assert_eq!(m.sent_at, SentAt::Local(datetime!(2019-05-31 21:28:30)));
    assert!(m.recipients.is_empty() && m.subject.is_empty() && m.attachments.is_empty());
    let m = &e.messages[1];
    assert_eq!((m.line, m.source_id.as_str()), (14, "42"));
    assert_eq!(m.sender, "Me");
    // `edited` is not read: the time is when it was sent.
    assert_eq!(m.sent_at, SentAt::Local(datetime!(2019-05-31 21:29:02)));
    assert_eq!(m.text, "Yes\n(In reply to message 41)");
}

const NEW_STYLE: &str = r#"{
 "name": "Alice",
 "type": "personal_chat",
 "id": 123456,
 "messages": [
  {
   "id": 1,
   "type": "message",
   "date": "2024-01-05T12:43:20",
   "date_unixtime": "1704455000",
   "from": "Alice",
   "from_id": "user123456",
   "text": "Where are you?",
   "text_entities": [
    {
     "type": "plain",
     "text": "Where are you?"
    }
   ]
  },
  {
   "id": 2,
   "type": "message",
   "date": "2024-07-05T13:44:20",
   "date_unixtime": 1720179860,
   "from": "Alice",
   "from_id": "user123456",
   "text": "Answer me"
  }
 ]
}"#;

#[test]
fn a_new_single_chat_export_has_instants_in_utc() {
    let e = export(NEW_STYLE);
    assert_eq!(lines(&e), vec![6, 21]);
    // The computer that exported was an hour ahead of UTC in January and two in July:
    // `date` says so, the instant does not depend on it.
    assert_eq!(
        e.messages[0].sent_at,
        SentAt::Instant(datetime!(2024-01-05 11:43:20 UTC))
    );
    assert_eq!(
        e.messages[1].sent_at,
        SentAt::Instant(datetime!(2024-07-05 11:44:20 UTC))
    );
    let SentAt::Instant(at) = e.messages[0].sent_at else {
        panic!("not an instant")
    };
    assert_eq!(at.offset(), UtcOffset::UTC);
    assert_eq!(texts(&e), vec!["Where are you?", "Answer me"]);
}

/// A full export: other sections around two chats (one empty) and a left chat.
const FULL: &str = r#"{
 "about": "Here is the data you requested.",
 "personal_information": {
  "user_id": 1,
  "first_name": "Me",
  "last_name": "",
  "phone_number": "+44 7700 900000",
  "bio": "\"messages\": [{\"id\": 1}]"
 },
 "contacts": {
  "about": "Contacts",
  "list": [
   {"first_name": "Alice", "last_name": "", "phone_number": "+44 7700 900123", "date": "2020-01-01T10:00:00", "date_unixtime": "1577872800"}
  ]
 },
 "chats": {
  "about": "This page lists all chats from this export.",
  "list": [
   {
    "name": "Alice",
    "type": "personal_chat",
    "id": 123456,
    "messages": [
     {
      "id": 10,
      "type": "message",
      "date": "2024-01-05T11:43:20",
      "date_unixtime": "1704455000",
      "from": "Alice",
      "from_id": "user123456",
      "text": "first"
     }
    ]
   },
   {
    "name": "Quiet group",
    "type": "private_group",
    "id": 5,
    "messages": []
   },
   {
    "name": "Family",
    "type": "private_supergroup",
    "id": 777,
    "messages": [
     {"id": 10, "type": "message", "date": "2024-01-05T11:44:00", "date_unixtime": "1704455040", "from": "Bob", "from_id": "user2", "text": "second"},
     {"id": 11, "type": "message", "date": "2024-01-05T11:45:00", "date_unixtime": "1704455100", "from": "Alice", "from_id": "user123456", "text": "third"}
    ]
   }
  ]
 },
 "left_chats": {
  "about": "This page lists all supergroups and channels you've left.",
  "list": [
   {
    "name": "Old channel",
    "type": "public_channel",
    "id": 999,
    "messages": [
     {"id": 3, "type": "message", "date": "2023-02-01T09:00:00", "date_unixtime": "1675242000", "from": "Old channel", "from_id": "channel999", "text": "fourth"}
    ]
   }
  ]
 },
 "other_data": {"about": "x", "changes_log": [[{"a": [1, 2, {"b": null}]}]]}
}"#;

#[test]
fn a_full_export_reads_every_chat_and_the_left_ones() {
    let e = export(FULL);
    let got: Vec<(&str, &str, &str, u64)> = e
        .messages
        .iter()
        .map(|m| {
            (
                m.conversation.as_str(),
                m.source_id.as_str(),
                m.text.as_str(),
                m.line,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("Alice", "10", "first", 24),
            // Ids are per chat: 10 again, in another conversation.
            ("Family", "10", "second", 46),
            ("Family", "11", "third", 47),
            ("Old channel", "3", "fourth", 60),
        ]
    );
    assert_eq!(e.messages[3].sender, "Old channel");
    assert_eq!(
        e.messages[3].sent_at,
        SentAt::Instant(datetime!(2023-02-01 09:00:00 UTC))
    );
}

#[test]
fn left_chats_before_chats_still_get_their_lines() {
    let json = r#"{
 "left_chats": {"list": [
  {"name": "Left", "type": "public_channel", "id": 1, "messages": [
   {"id": 1, "type": "message", "date": "2023-02-01T09:00:00", "from": "Left", "text": "a"}
  ]}
 ]},
 "chats": {"list": [
  {"name": "Kept", "type": "personal_chat", "id": 2, "messages": [
   {"id": 1, "type": "message", "date": "2023-02-01T09:00:00", "from": "Kept", "text": "b"}
  ]}
 ]}
}"#;
    let e = export(json);
    // Chats first, then left chats; each with its own line.
    assert_eq!(texts(&e), vec!["b", "a"]);
    assert_eq!(lines(&e), vec![9, 4]);
}

#[test]
fn text_parts_are_joined_and_links_keep_their_targets() {
    let json = r#"{"name": "Alice", "type": "personal_chat", "id": 1, "messages": [
{"id": 1, "type": "message", "date": "2024-01-05T11:43:20", "from": "Alice", "text": [
  "Call me ",
  {"type": "bold", "text": "now"},
  " or see ",
  {"type": "link", "text": "https://example.org/a"},
  " and ",
  {"type": "text_link", "text": "this page", "href": "https://example.org/b?q=\"1\""},
  ", ",
  {"type": "mention_name", "text": "Bob", "user_id": 777},
  " ",
  {"type": "mention", "text": "@carol"},
  {"type": "custom_emoji", "text": "😡", "document_id": "stickers/x.webp"},
  {"type": "pre", "text": "a\nb", "language": "rust"},
  {"type": "some_future_kind", "text": "!", "extra": {"deep": [1]}}
 ],
 "text_entities": [{"type": "plain", "text": "not read"}]
},
{"id": 2, "type": "message", "date": "2024-01-05T11:43:21", "from": "Alice", "text": [{"type": "text_link", "text": "only a link", "href": "https://example.org/c"}]},
{"id": 3, "type": "message", "date": "2024-01-05T11:43:22", "from": "Alice", "text": []}
]}"#;
    let e = export(json);
    assert_eq!(
        texts(&e),
        vec![
            "Call me now or see https://example.org/a and this page (https://example.org/b?q=\"1\"), Bob @carol😡a\nb!",
            "only a link (https://example.org/c)",
            "",
        ]
    );
    assert!(e.messages.iter().all(|m| m.kind == MessageKind::Text));
}

#[test]
fn service_messages_read_as_sentences() {
    let json = r#"{"name": "Family", "type": "private_group", "id": 1, "messages": [
{"id": 1, "type": "service", "date": "2024-01-05T11:00:00", "actor": "Me", "actor_id": "user1", "action": "create_group", "title": "Family", "members": ["Alice", "Bob", null], "text": ""},
{"id": 2, "type": "service", "date": "2024-01-05T11:01:00", "actor": "Alice", "actor_id": "user2", "action": "phone_call", "duration_seconds": 185, "discard_reason": "hangup", "text": ""},
{"id": 3, "type": "service", "date": "2024-01-05T11:02:00", "actor": "Alice", "actor_id": "user2", "action": "phone_call", "discard_reason": "missed", "text": ""},
{"id": 4, "type": "service", "date": "2024-01-05T11:03:00", "actor": "Alice", "actor_id": "user2", "action": "phone_call", "duration_seconds": 180, "text": ""},
{"id": 5, "type": "service", "date": "2024-01-05T11:04:00", "actor": "Alice", "actor_id": "user2", "action": "pin_message", "message_id": 3, "text": ""},
{"id": 6, "type": "service", "date": "2024-01-05T11:05:00", "actor": "Me", "actor_id": "user1", "action": "invite_members", "members": ["Carol"], "text": ""},
{"id": 7, "type": "service", "date": "2024-01-05T11:06:00", "actor": "Carol", "actor_id": "user3", "action": "remove_members", "members": ["Carol"], "text": ""},
{"id": 8, "type": "service", "date": "2024-01-05T11:07:00", "actor": "Alice", "actor_id": "user2", "action": "take_screenshot", "text": ""},
{"id": 9, "type": "service", "date": "2024-01-05T11:08:00", "actor": "Alice", "actor_id": "user2", "action": "edit_chat_theme", "emoticon": "🎄", "text": ""},
{"id": 10, "type": "service", "date": "2024-01-05T11:09:00", "action": "send_webview_data", "text": "payload", "text": ""},
{"id": 11, "type": "service", "date": "2024-01-05T11:10:00", "actor": null, "action": "edit_group_photo", "photo": "photos/photo_2@05-01-2024_11-10-00.jpg", "width": 640, "height": 640, "text": ""},
{"id": 12, "type": "service", "date": "2024-01-05T11:11:00", "actor": "Alice", "information_text": "Alice boosted the group"},
{"id": 13, "type": "service", "date": "2024-01-05T11:12:00", "actor": "Alice", "action": "new_future_action", "text": "Telegram's own words"}
]}"#;
    let e = export(json);
    let got: Vec<(&str, &str)> = e
        .messages
        .iter()
        .map(|m| (m.sender.as_str(), m.text.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "Me",
                "Me created group «Family» with Alice, Bob, Deleted Account"
            ),
            ("Alice", "Phone call, 3 minutes 5 seconds, hung up"),
            ("Alice", "Phone call, missed"),
            ("Alice", "Phone call, 3 minutes"),
            ("Alice", "Alice pinned message 3"),
            ("Me", "Me added Carol"),
            ("Carol", "Carol left the group"),
            ("Alice", "Alice took a screenshot"),
            ("Alice", "Alice: edit chat theme"),
            ("", "Data sent to a bot: payload"),
            (DELETED_ACCOUNT, "Deleted Account changed the group photo"),
            ("Alice", "Alice boosted the group"),
            ("Alice", "Alice: new future action\nTelegram's own words"),
        ]
    );
    assert!(e.messages.iter().all(|m| m.kind == MessageKind::System));
    // The new group photo is still kept with its message.
    assert_eq!(e.messages[10].attachments, vec![0]);
    assert_eq!(
        e.attachments,
        vec![Attachment {
            name: "photo_2@05-01-2024_11-10-00.jpg".into(),
            media_type: "image/jpeg".into(),
            content: Content::File("photos/photo_2@05-01-2024_11-10-00.jpg".into()),
        }]
    );
}

#[test]
fn a_second_text_is_refused_except_for_bot_data() {
    let json = r#"{"name": "A", "messages": [
{"id": 1, "type": "message", "date": "2024-01-05T11:00:00", "from": "A", "text": "one", "text": "two"}
]}"#;
    assert_eq!(refused(json), TelegramError::MalformedMessage { line: 2 });
    let json = r#"{"name": "A", "messages": [
{"id": 1, "type": "service", "date": "2024-01-05T11:00:00", "action": "send_webview_data", "text": "a", "text": "b", "text": "c"}
]}"#;
    assert_eq!(refused(json), TelegramError::MalformedMessage { line: 2 });
}

#[test]
fn photos_voice_messages_and_files_are_attachments() {
    let json = r#"{"name": "Alice", "type": "personal_chat", "id": 1, "messages": [
{"id": 5, "type": "message", "date": "2024-01-05T11:43:20", "from": "Alice", "photo": "photos/photo_1@05-01-2024_11-43-20.jpg", "width": 1280, "height": 960, "text": "the door"},
{"id": 6, "type": "message", "date": "2024-01-05T11:44:00", "from": "Alice", "file": "voice_messages/audio_1@05-01-2024_11-44-00.ogg", "media_type": "voice_message", "mime_type": "audio/ogg", "duration_seconds": 3, "text": ""},
{"id": 7, "type": "message", "date": "2024-01-05T11:45:00", "from": "Alice", "file": "video_files/IMG_0001.MP4", "thumbnail": "video_files/IMG_0001.MP4_thumb.jpg", "media_type": "video_file", "mime_type": "video/mp4", "text": "look"},
{"id": 8, "type": "message", "date": "2024-01-05T11:46:00", "from": "Alice", "file": "stickers/sticker.webp", "thumbnail": "stickers/sticker.webp_thumb.jpg", "media_type": "sticker", "sticker_emoji": "😡", "text": ""}
]}"#;
    let e = export(json);
    assert!(e.messages.iter().all(|m| m.kind == MessageKind::Attachment));
    assert_eq!(
        e.messages
            .iter()
            .map(|m| m.attachments.clone())
            .collect::<Vec<_>>(),
        vec![vec![0], vec![1], vec![2], vec![3]]
    );
    assert_eq!(texts(&e), vec!["the door", "", "look", "Sticker 😡"]);
    let file = |name: &str, media_type: &str, path: &str| Attachment {
        name: name.into(),
        media_type: media_type.into(),
        content: Content::File(path.into()),
    };
    assert_eq!(
        e.attachments,
        vec![
            file(
                "photo_1@05-01-2024_11-43-20.jpg",
                "image/jpeg",
                "photos/photo_1@05-01-2024_11-43-20.jpg"
            ),
            file(
                "audio_1@05-01-2024_11-44-00.ogg",
                "audio/ogg",
                "voice_messages/audio_1@05-01-2024_11-44-00.ogg"
            ),
            // The thumbnail is not an attachment.
            file("IMG_0001.MP4", "video/mp4", "video_files/IMG_0001.MP4"),
            // Telegram gives no media type for stickers.
            file("sticker.webp", "", "stickers/sticker.webp"),
        ]
    );
}

#[test]
fn media_left_out_of_the_export_is_media_omitted() {
    let json = format!(
        r#"{{"name": "Alice", "messages": [
{{"id": 1, "type": "message", "date": "2024-01-05T11:43:20", "from": "Alice", "file": "{NOT_INCLUDED}", "media_type": "voice_message", "mime_type": "audio/ogg", "text": ""}},
{{"id": 2, "type": "message", "date": "2024-01-05T11:43:21", "from": "Alice", "photo": "(File exceeds maximum size. Change data exporting settings to download.)", "text": "caption"}},
{{"id": 3, "type": "message", "date": "2024-01-05T11:43:22", "from": "Alice", "file": "(File unavailable, please try again later)", "text": ""}}
]}}"#
    );
    let e = export(&json);
    assert!(e.attachments.is_empty());
    assert!(e
        .messages
        .iter()
        .all(|m| m.kind == MessageKind::MediaOmitted && m.attachments.is_empty()));
    assert_eq!(texts(&e), vec!["", "caption", ""]);
}

#[test]
fn forwards_and_replies_stay_visible() {
    let json = r#"{"name": "Alice", "messages": [
{"id": 1, "type": "message", "date": "2024-01-05T11:43:20", "from": "Alice", "forwarded_from": "Bob", "text": "look at this\nsecond line"},
{"id": 2, "type": "message", "date": "2024-01-05T11:43:21", "from": "Alice", "forwarded_from": null, "photo": "photos/p.jpg", "text": ""},
{"id": 3, "type": "message", "date": "2024-01-05T11:43:22", "from": "Me", "reply_to_message_id": 1, "text": "who is Bob?"},
{"id": 4, "type": "message", "date": "2024-01-05T11:43:23", "from": "Me", "reply_to_message_id": 9, "reply_to_peer_id": "channel5", "text": "ok"},
{"id": 5, "type": "message", "date": "2024-01-05T11:43:24", "from": "Me", "forwarded_from": "Bob", "reply_to_message_id": 2, "text": ""}
]}"#;
    let e = export(json);
    assert_eq!(
        texts(&e),
        vec![
            "Forwarded from Bob:\nlook at this\nsecond line",
            "Forwarded from Deleted Account:",
            "who is Bob?\n(In reply to message 1)",
            "ok\n(In reply to message 9 in another chat)",
            "Forwarded from Bob:\n(In reply to message 2)",
        ]
    );
    assert_eq!(e.messages[1].kind, MessageKind::Attachment);
}

#[test]
fn a_deleted_account_is_named_as_telegram_shows_it() {
    let json = r#"{"name": null, "type": "personal_chat", "id": 1, "messages": [
{"id": 1, "type": "message", "date": "2024-01-05T11:43:20", "from": null, "from_id": "user1", "text": "you can't hide"},
{"id": 2, "type": "message", "date": "2024-01-05T11:43:21", "text": "no sender at all"}
]}"#;
    let e = export(json);
    assert_eq!(e.messages[0].conversation, DELETED_ACCOUNT);
    assert_eq!(e.messages[0].sender, "Deleted Account");
    assert_eq!(e.messages[1].sender, "");

    let saved = r#"{"type": "saved_messages", "id": 1, "messages": [
{"id": 1, "type": "message", "date": "2024-01-05T11:43:20", "from": "Me", "text": "note to self"}
]}"#;
    assert_eq!(export(saved).messages[0].conversation, "Saved Messages");
}

#[test]
fn emoji_right_to_left_text_and_escapes_are_kept() {
    let json = r#"{"name": "محمد ❤️", "messages": [
{"id": 1, "type": "message", "date": "2024-01-05T11:43:20", "from": "שרה", "text": "👩‍👩‍👧 مرحبا \u200fשלום\u200E \u2028 \u2029 tab\there \"q\" \\ \/ \ud83d\ude00 \x0C\x1F end"}
]}"#;
    let e = export(json);
    let m = &e.messages[0];
    assert_eq!(m.conversation, "محمد ❤️");
    assert_eq!(m.sender, "שרה");
    assert_eq!(
        m.text,
        "👩‍👩‍👧 مرحبا \u{200F}שלום\u{200E} \u{2028} \u{2029} tab\there \"q\" \\ / 😀 \u{C}\u{1F} end"
    );
}

#[test]
fn line_numbers_follow_the_layout() {
    // Pretty with LF, pretty with CRLF: the same lines.
    assert_eq!(lines(&export(OLD_STYLE)), vec![6, 14]);
    let crlf = OLD_STYLE.replace('\n', "\r\n");
    let e = export(&crlf);
    assert_eq!(lines(&e), vec![6, 14]);
    assert_eq!(texts(&e), texts(&export(OLD_STYLE)));
    // Minified: everything is on line 1.
    let minified: String = OLD_STYLE
        .lines()
        .map(str::trim_start)
        .collect::<Vec<_>>()
        .join("");
    assert!(!minified.contains('\n'));
    let e = export(&minified);
    assert_eq!(lines(&e), vec![1, 1]);
    assert_eq!(texts(&e), texts(&export(OLD_STYLE)));
    // Two messages on one line, a third two lines down.
    let json = "{\"name\":\"A\",\"messages\":[{\"id\":1,\"type\":\"message\",\"date\":\"2024-01-05T11:43:20\",\"text\":\"a\"},{\"id\":2,\"type\":\"message\",\"date\":\"2024-01-05T11:43:20\",\"text\":\"b\\nc\"},\r\n\r\n  {\"id\":3,\"type\":\"message\",\"date\":\"2024-01-05T11:43:20\",\"text\":\"d\"}]}";
    assert_eq!(lines(&export(json)), vec![1, 1, 3]);
}

#[test]
fn a_byte_order_mark_is_allowed() {
    let with_bom = format!("\u{FEFF}{OLD_STYLE}");
    let e = export(&with_bom);
    assert_eq!(lines(&e), vec![6, 14]);
}

#[test]
fn stickers_locations_contacts_and_polls_are_described() {
    let json = r#"{"name": "Alice", "messages": [
{"id": 1, "type": "message", "date": "2024-01-05T11:43:20", "from": "Alice", "location_information": {"latitude": 51.500729, "longitude": -0.124625}, "text": ""},
{"id": 2, "type": "message", "date": "2024-01-05T11:43:21", "from": "Alice", "location_information": {"latitude": 51.5, "longitude": -0.12}, "live_location_period_seconds": 900, "text": ""},
{"id": 3, "type": "message", "date": "2024-01-05T11:43:22", "from": "Alice", "place_name": "Café Nero", "address": "1 High St", "location_information": {"latitude": 51.5, "longitude": -0.12}, "text": ""},
{"id": 4, "type": "message", "date": "2024-01-05T11:43:23", "from": "Alice", "contact_information": {"first_name": "Bob", "last_name": "Smith", "phone_number": "+44 7700 900123"}, "contact_vcard": "contacts/contact_1.vcf", "text": ""},
{"id": 5, "type": "message", "date": "2024-01-05T11:43:24", "from": "Alice", "poll": {"question": "Where?", "closed": false, "total_voters": 3, "answers": [{"text": "Home", "voters": 1, "chosen": true}, {"text": "Out", "voters": 2, "chosen": false}]}, "text": ""},
{"id": 6, "type": "message", "date": "2024-01-05T11:43:25", "from": "Alice", "location_information": null, "text": ""},
{"id": 7, "type": "message", "date": "2024-01-05T11:43:26", "from": "Alice", "location_information": {"latitude": 1.5, "longitude": 2.5}, "text": "a caption wins"},
{"id": 8, "type": "message", "date": "2024-01-05T11:43:27", "from": "Alice", "game_title": "Chess", "game_description": "x", "text": ""}
]}"#;
    assert_eq!(
        texts(&export(json)),
        vec![
            "Location: 51.500729, -0.124625",
            "Live location: 51.5, -0.12",
            "Location: Café Nero, 1 High St (51.5, -0.12)",
            "Contact: Bob Smith, +44 7700 900123",
            "Poll: Where?\n- Home: 1 vote\n- Out: 2 votes",
            "Location",
            "a caption wins",
            "Game: Chess",
        ]
    );
}

fn one_message(fields: &str) -> String {
    format!("{{\"name\": \"A\", \"messages\": [\n{{{fields}}}\n]}}")
}

#[test]
fn dates_must_exist_and_agree() {
    let cases: &[(&str, TelegramError)] = &[
        (
            r#""id": 1, "type": "message", "date": "2024-02-30T10:00:00", "text": """#,
            TelegramError::NoSuchDate { line: 2 },
        ),
        (
            r#""id": 1, "type": "message", "date": "2024-01-05T24:00:00", "text": """#,
            TelegramError::NoSuchDate { line: 2 },
        ),
        (
            r#""id": 1, "type": "message", "date": "2024-01-05T23:59:60", "text": """#,
            TelegramError::NoSuchDate { line: 2 },
        ),
        (
            r#""id": 1, "type": "message", "date": "05/01/2024 10:00", "text": """#,
            TelegramError::UnreadableDate { line: 2 },
        ),
        (
            r#""id": 1, "type": "message", "date": "2024-01-05T10:00:00", "date_unixtime": "17O4455000", "text": """#,
            TelegramError::UnreadableDate { line: 2 },
        ),
        (
            r#""id": 1, "type": "message", "date": "2024-01-05T10:00:00", "date_unixtime": "", "text": """#,
            TelegramError::UnreadableDate { line: 2 },
        ),
        (
            r#""id": 1, "type": "message", "date": "2024-01-05T10:00:00", "date_unixtime": "99999999999999", "text": """#,
            TelegramError::NoSuchDate { line: 2 },
        ),
        // A day apart: no time zone is that far from UTC.
        (
            r#""id": 1, "type": "message", "date": "2024-01-06T11:43:20", "date_unixtime": "1704455000", "text": """#,
            TelegramError::DatesDisagree { line: 2 },
        ),
        (
            r#""id": 1, "type": "message", "date": "2024-01-04T23:00:00", "date_unixtime": "1704455000", "text": """#,
            TelegramError::DatesDisagree { line: 2 },
        ),
    ];
    for (fields, want) in cases {
        let json = one_message(fields);
        assert_eq!(&refused(&json), want, "{json}");
    }
    // 14 hours ahead and 12 behind are real zones (Kiribati, Baker Island).
    for date in ["2024-01-06T01:43:20", "2024-01-04T23:43:20"] {
        let json = one_message(&format!(
            r#""id": 1, "type": "message", "date": "{date}", "date_unixtime": "1704455000", "text": """#
        ));
        assert_eq!(
            export(&json).messages[0].sent_at,
            SentAt::Instant(datetime!(2024-01-05 11:43:20 UTC))
        );
    }
    let e = refused(&one_message(
        r#""id": 1, "type": "message", "date": "2024-02-30T10:00:00", "text": """#,
    ));
    assert_eq!(e.code(), "import_telegram_no_such_date");
    assert_eq!(
        e.to_string(),
        "The message on line 2 of the Telegram export has a date that does not exist, so nothing was imported."
    );
}

#[test]
fn messages_without_id_type_or_date_are_refused() {
    let cases: &[(&str, TelegramError)] = &[
        (
            r#""type": "message", "date": "2024-01-05T10:00:00", "text": "x""#,
            TelegramError::MissingField {
                line: 2,
                field: MessageField::Id,
            },
        ),
        (
            r#""id": 1, "date": "2024-01-05T10:00:00", "text": "x""#,
            TelegramError::MissingField {
                line: 2,
                field: MessageField::Type,
            },
        ),
        (
            r#""id": 1, "type": "message", "text": "x""#,
            TelegramError::MissingField {
                line: 2,
                field: MessageField::Date,
            },
        ),
        (
            r#""id": 1, "type": "message", "date": null, "text": "x""#,
            TelegramError::MissingField {
                line: 2,
                field: MessageField::Date,
            },
        ),
        (
            r#""id": 1, "type": "unsupported""#,
            TelegramError::UnsupportedMessage { line: 2 },
        ),
        (
            r#""id": 1, "type": "story", "date": "2024-01-05T10:00:00""#,
            TelegramError::UnknownMessageType { line: 2 },
        ),
        (
            r#""id": "1", "type": "message", "date": "2024-01-05T10:00:00", "text": "x""#,
            TelegramError::MalformedMessage { line: 2 },
        ),
        (
            r#""id": 1.5, "type": "message", "date": "2024-01-05T10:00:00", "text": "x""#,
            TelegramError::MalformedMessage { line: 2 },
        ),
        (
            r#""id": 1, "type": "message", "date": "2024-01-05T10:00:00", "text": 5"#,
            TelegramError::MalformedMessage { line: 2 },
        ),
        (
            r#""id": 1, "type": "message", "date": "2024-01-05T10:00:00", "from": ["A"], "text": "x""#,
            TelegramError::MalformedMessage { line: 2 },
        ),
        (
            r#""id": 1, "type": "message", "date": "2024-01-05T10:00:00", "date": "2024-01-05T10:00:01", "text": "x""#,
            TelegramError::MalformedMessage { line: 2 },
        ),
        (
            r#""id": 1, "type": "message", "date": "2024-01-05T10:00:00", "text": [{"type": "bold"}]"#,
            TelegramError::MalformedMessage { line: 2 },
        ),
        (
            r#""id": 1, "type": "message", "date": "2024-01-05T10:00:00", "photo": "photos/", "text": """#,
            TelegramError::MalformedMessage { line: 2 },
        ),
    ];
    for (fields, want) in cases {
        let json = one_message(fields);
        assert_eq!(&refused(&json), want, "{json}");
    }
    // A message written as an array of its values is not a message.
    let json = "{\"name\": \"A\", \"messages\": [\n[1, \"message\", \"2024-01-05T10:00:00\"]\n]}";
    assert_eq!(refused(json), TelegramError::MalformedMessage { line: 2 });
    assert_eq!(
        TelegramError::MissingField {
            line: 2,
            field: MessageField::Id
        }
        .to_string(),
        "The message on line 2 of the Telegram export has no message number, so nothing was imported."
    );
}

#[test]
fn json_that_is_not_an_export_is_refused() {
    for json in [
        "[]",
        "[{\"name\": \"A\", \"messages\": []}]",
        "[\"Alice\", \"personal_chat\", 1, []]",
        "{}",
        "{\"about\": \"x\", \"contacts\": {\"list\": []}}",
        "{\"chats\": {}}",
        "{\"chats\": []}",
        "{\"chats\": [\"about\", []]}",
        "{\"chats\": {\"list\": {}}}",
        "{\"messages\": 5}",
        "{\"messages\": {}}",
        "{\"messages\": [], \"chats\": {\"list\": []}}",
        "{\"messages\": [], \"messages\": []}",
        "{\"name\": 5, \"messages\": []}",
        "\"result.json\"",
        "42",
        "null",
        "<!DOCTYPE html>\n<html><head><title>Exported Data</title></head></html>",
        "Hello, this is my diary.",
    ] {
        let e = refused(json);
        assert_eq!(e, TelegramError::NotAnExport, "{json}");
        assert_eq!(e.code(), "import_telegram_not_an_export");
    }
    for json in ["", " \r\n\t", "\u{FEFF}"] {
        assert_eq!(refused(json), TelegramError::EmptyFile, "{json:?}");
    }
    for json in [
        "{\"name\": \"A\", \"type\": \"personal_chat\", \"id\": 1, \"messages\": []}",
        "{\"chats\": {\"list\": []}}",
        "{\"chats\": {\"list\": [{\"name\": \"A\", \"messages\": []}]}, \"left_chats\": {\"list\": []}}",
    ] {
        let e = refused(json);
        assert_eq!(e, TelegramError::Empty, "{json}");
        assert_eq!(e.code(), "import_telegram_empty");
    }
    // A chat in the list that is not a chat names its line.
    let json =
        "{\"chats\": {\"list\": [\n{\"name\": \"A\", \"messages\": []},\n{\"name\": \"B\"},\n]}}";
    assert!(matches!(
        refused(json),
        TelegramError::NotJson { line: 4, .. }
    ));
    let json =
        "{\"chats\": {\"list\": [\n{\"name\": \"A\", \"messages\": []},\n{\"name\": \"B\"}\n]}}";
    assert_eq!(refused(json), TelegramError::MalformedChat { line: 3 });
    let json = "{\"chats\": {\"list\": [\n5\n]}}";
    assert_eq!(refused(json), TelegramError::MalformedChat { line: 2 });
    let json = "{\"chats\": {\"list\": [\n{\"name\": [\"x\"], \"messages\": []}\n]}}";
    assert_eq!(refused(json), TelegramError::MalformedChat { line: 2 });
}

#[test]
fn broken_json_names_the_line_and_character() {
    // The character counts letters, not bytes: Cyrillic takes two bytes each.
    let json = "{\n \"name\": \"Алиса\" oops\n}";
    let e = refused(json);
    assert_eq!(
        e,
        TelegramError::NotJson {
            line: 2,
            column: 18
        }
    );
    assert_eq!(e.code(), "import_telegram_not_json");
    assert_eq!(
        e.to_string(),
        "The Telegram export is damaged at line 2, character 18, so nothing was imported."
    );
    // Telegram's `\x0C`, read as one character, still counts as the four written.
    let json = "{\n \"name\": \"a\\x0Cb\" oops\n}";
    assert_eq!(
        refused(json),
        TelegramError::NotJson {
            line: 2,
            column: 19
        }
    );
    let json = "{\n \"name\": \"a\\x0Cb\\x0C\", \"type\": \"x\" oops\n}";
    assert_eq!(
        refused(json),
        TelegramError::NotJson {
            line: 2,
            column: 36
        }
    );
    // Other `\x` escapes are not JSON, and not Telegram's.
    let json = "{\n \"name\": \"a\\x41\"\n}";
    assert!(matches!(
        refused(json),
        TelegramError::NotJson { line: 2, .. }
    ));
    // Trailing commas, single quotes, comments, trailing text.
    for (json, line) in [
        ("{\"name\": \"A\", \"messages\": [],}", 1),
        ("{'name': 'A'}", 1),
        ("{\n// comment\n\"messages\": []}", 2),
        ("{\"name\": \"A\", \"messages\": []}\n{}", 2),
        ("{\"name\": \"A\", \"messages\": [\n{\"id\": 1, \"type\": \"message\", \"date\": \"2024-01-05T10:00:00\", \"text\": \"raw\nline end\"}\n]}", 2),
    ] {
        let e = refused(json);
        assert!(
            matches!(e, TelegramError::NotJson { line: l, .. } if l == line),
            "{json:?}: {e:?}"
        );
    }
    // A file cut off mid-way.
    let e = refused("{\n \"name\": \"Alice\",\n \"messages\": [\n  {\"id\": 1, \"type\": \"mess");
    assert_eq!(
        e,
        TelegramError::Truncated {
            line: 4,
            column: 25
        }
    );
    assert_eq!(e.code(), "import_telegram_truncated");
}

#[test]
fn every_cut_of_an_export_is_refused() {
    for fixture in [FULL, OLD_STYLE, NEW_STYLE] {
        let bytes = fixture.as_bytes();
        let whole = export(fixture);
        let end = fixture.trim_end().len();
        for cut in 0..end {
            match parse(&bytes[..cut]) {
                Ok(e) => panic!(
                    "a cut at byte {cut} read {} of {} messages",
                    e.messages.len(),
                    whole.messages.len()
                ),
                Err(
                    TelegramError::EmptyFile
                    | TelegramError::Truncated { .. }
                    | TelegramError::NotUtf8 { .. },
                ) => {}
                Err(e) => panic!("a cut at byte {cut}: {e:?}"),
            }
        }
        // Only the trailing line end may go.
        for cut in end..=bytes.len() {
            assert_eq!(parse(&bytes[..cut]).as_ref(), Ok(&whole));
        }
    }
}

#[test]
fn deep_nesting_is_refused_cleanly() {
    let deep = "[".repeat(100_000);
    assert_eq!(refused(&deep), TelegramError::NotAnExport);
    let deep = format!("{{\"messages\": {}", "[".repeat(100_000));
    let e = refused(&deep);
    assert_eq!(e, TelegramError::TooDeep { line: 1 });
    assert_eq!(e.code(), "import_telegram_too_deep");
    // Closed, and in a field nothing reads.
    let deep = format!(
        "{{\"name\": \"A\", \"messages\": [],\n\"x\": {}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert_eq!(refused(&deep), TelegramError::TooDeep { line: 2 });
    let deep = format!("{{\n\"x\": {}", "{\"a\":".repeat(100_000));
    assert_eq!(refused(&deep), TelegramError::TooDeep { line: 2 });

    // The limit is exact: the top object and MAX_DEPTH - 1 arrays are fine.
    let nested = |n: usize| {
        format!(
            "{{\"name\": \"A\", \"messages\": [{{\"id\": 1, \"type\": \"message\", \"date\": \"2024-01-05T10:00:00\", \"text\": \"\"}}], \"x\": {}{}}}",
            "[".repeat(n),
            "]".repeat(n)
        )
    };
    // The message's object is two deep, the arrays of `x` one more each.
    assert_eq!(export(&nested(MAX_DEPTH - 1)).messages.len(), 1);
    assert_eq!(
        refused(&nested(MAX_DEPTH)),
        TelegramError::TooDeep { line: 1 }
    );
    // Brackets inside strings are text, not nesting.
    let json = one_message(&format!(
        r#""id": 1, "type": "message", "date": "2024-01-05T10:00:00", "text": "{}""#,
        "[{".repeat(10_000)
    ));
    assert_eq!(export(&json).messages[0].text, "[{".repeat(10_000));
}

#[test]
fn a_two_mib_string_is_refused_naming_its_line() {
    let json = one_message(&format!(
        r#""id": 1, "type": "message", "date": "2024-01-05T10:00:00", "text": "{}""#,
        "a".repeat(2 << 20)
    ));
    let e = refused(&json);
    assert_eq!(e, TelegramError::StringTooLong { line: 2 });
    assert_eq!(e.code(), "import_telegram_string_too_long");
    // Anywhere in the file, even where nothing is read.
    let json = format!(
        "{{\"name\": \"A\", \"messages\": [],\n\n\"about\": \"{}\"}}",
        "é".repeat(1 << 20)
    );
    assert_eq!(refused(&json), TelegramError::StringTooLong { line: 3 });
    // The limit is exact, counted in bytes as written.
    let text = |n: usize| {
        one_message(&format!(
            r#""id": 1, "type": "message", "date": "2024-01-05T10:00:00", "text": "{}""#,
            "a".repeat(n)
        ))
    };
    assert_eq!(
        export(&text(MAX_STRING_BYTES)).messages[0].text.len(),
        MAX_STRING_BYTES
    );
    assert_eq!(
        refused(&text(MAX_STRING_BYTES + 1)),
        TelegramError::StringTooLong { line: 2 }
    );
    // Parts that each fit can still add up to a message too long.
    let part = "b".repeat(MAX_MESSAGE_BYTES / 2 + 1);
    let json = one_message(&format!(
        r#""id": 1, "type": "message", "date": "2024-01-05T10:00:00", "text": ["{part}", {{"type": "bold", "text": "{part}"}}]"#
    ));
    let e = refused(&json);
    assert_eq!(e, TelegramError::MessageTooLong { line: 2 });
    assert_eq!(e.code(), "import_telegram_message_too_long");
}

#[test]
fn invalid_utf8_names_the_offset() {
    let mut bytes = b"{\"name\": \"caf".to_vec();
    let offset = bytes.len();
    bytes.extend_from_slice(&[0xC3, 0x28]);
    bytes.extend_from_slice(b"\", \"messages\": []}");
    let e = parse(&bytes).unwrap_err();
    assert_eq!(e, TelegramError::NotUtf8 { offset });
    assert_eq!(e.code(), "import_telegram_not_utf8");
    // UTF-16, as some editors save.
    let utf16: Vec<u8> = "{\"messages\": []}"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let mut with_bom = vec![0xFF, 0xFE];
    with_bom.extend_from_slice(&utf16);
    assert_eq!(parse(&with_bom), Err(TelegramError::NotUtf8 { offset: 0 }));
}

#[test]
fn paths_outside_the_export_folder_are_refused() {
    for path in [
        "../../etc/passwd",
        "/etc/passwd",
        "C:\\\\x",
        "c:/Windows/x",
        "photos/../../x.jpg",
        "photos\\\\..\\\\x.jpg",
        "photos/..",
    ] {
        for field in ["photo", "file"] {
            let json = format!(
                "{{\"name\": \"A\", \"messages\": [\n{{\"id\": 1, \"type\": \"message\", \"date\": \"2024-01-05T10:00:00\", \"text\": \"\"}},\n{{\"id\": 2, \"type\": \"message\", \"date\": \"2024-01-05T10:00:00\", \"{field}\": \"{path}\", \"text\": \"\"}}\n]}}"
            );
            let e = refused(&json);
            assert_eq!(e, TelegramError::FileOutsideExport { line: 3 }, "{json}");
            assert_eq!(e.code(), "import_telegram_file_outside_export");
            assert_eq!(
                e.to_string(),
                "The message on line 3 of the Telegram export names a file outside the export folder, so nothing was imported."
            );
        }
    }
    // A thumbnail is not read, so its path does not matter.
    let json = one_message(
        r#""id": 1, "type": "message", "date": "2024-01-05T10:00:00", "file": "files/a.pdf", "thumbnail": "../../x", "text": """#,
    );
    assert_eq!(export(&json).attachments.len(), 1);
}

#[test]
fn errors_never_quote_the_export() {
    let secret = "MEET-ME-AT-THE-BRIDGE";
    for json in [
        format!("{{\"name\": \"{secret}\" {secret}}}"),
        format!("{{\"name\": \"{secret}\", \"messages\": [{{\"id\": 1, \"type\": \"{secret}\", \"date\": \"x\"}}]}}"),
        format!("{{\"name\": \"{secret}\", \"messages\": [{{\"id\": 1, \"type\": \"message\", \"date\": \"{secret}\"}}]}}"),
        format!("{{\"name\": \"{secret}\", \"messages\": [{{\"id\": 1, \"type\": \"message\", \"date\": \"2024-01-05T10:00:00\", \"photo\": \"/{secret}\"}}]}}"),
        format!("{{\"name\": \"{secret}\", \"messages\": [{{\"id\": \"{secret}\"}}]}}"),
        format!("{{\"{secret}\": 1}}"),
    ] {
        let e = refused(&json);
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains(secret), "{shown}");
    }
}

#[test]
fn a_large_export_is_read_in_one_pass() {
    let at = datetime!(2024-01-05 11:43:20 UTC);
    let messages: Vec<GenMessage> = (0..50_000i64)
        .map(|i| GenMessage {
            id: i + 1,
            action: None,
            sent_at: at + time::Duration::seconds(i),
            from: Some(["Alice", "Bob"][(i % 2) as usize].into()),
            forwarded_from: None,
            reply_to: None,
            text: vec![GenPart::Plain(format!("message {i}"))],
            media: GenMedia::None,
            fields: Vec::new(),
        })
        .collect();
    let chat = GenChat {
        name: Some("Alice".into()),
        kind: "personal_chat".into(),
        id: 1,
        left: false,
        messages,
    };
    let (json, written) = write_with_lines(std::slice::from_ref(&chat), Layout::new());
    let e = export(&json);
    assert_eq!(e.messages.len(), 50_000);
    assert_eq!(lines(&e), written);
    assert_eq!(e.messages[49_999].text, "message 49999");
}

// ---------------------------------------------------------------------------------
// Round trips through the test writer.

/// Characters that exercise escaping: quotes, backslashes, line ends, control
/// characters (written `\xHH` as Telegram does), separators, direction marks.
const TRICKY: &[char] = &[
    '"', '\\', '\n', '\r', '\t', '\u{0}', '\u{8}', '\u{C}', '\u{1B}', '\u{1F}', '\u{7F}',
    '\u{2028}', '\u{2029}', '\u{200F}', '\u{FEFF}', '/', '{', '[', 'x', '🙂', 'ش', 'é', ' ',
];

fn any_text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![3 => any::<char>(), 2 => prop::sample::select(TRICKY)],
        0..max,
    )
    .prop_map(|cs| cs.into_iter().collect())
}

const ENTITY_KINDS: &[&str] = &[
    "bold",
    "italic",
    "link",
    "mention",
    "mention_name",
    "code",
    "pre",
    "custom_emoji",
    "spoiler",
    "underline",
];

fn part() -> impl Strategy<Value = GenPart> {
    prop_oneof![
        any_text(10).prop_map(GenPart::Plain),
        (prop::sample::select(ENTITY_KINDS), any_text(6)).prop_map(|(kind, text)| {
            GenPart::Entity {
                kind: kind.into(),
                text,
                href: None,
            }
        }),
        (any_text(6), any_text(8)).prop_map(|(text, href)| GenPart::Entity {
            kind: "text_link".into(),
            text,
            href: Some(href),
        }),
    ]
}

fn media() -> impl Strategy<Value = GenMedia> {
    prop_oneof![
        5 => Just(GenMedia::None),
        1 => (0u32..10_000)
            .prop_map(|n| GenMedia::Photo(format!("photos/photo_{n}@05-01-2024_11-43-20.jpg"))),
        1 => (
            "[A-Za-z0-9 _().é中-]{1,12}".prop_filter("a file name", |n| n != "." && n != ".."),
            option::of(prop::sample::select(&["audio/ogg", "video/mp4", "application/pdf"][..])),
            option::of(prop::sample::select(&["voice_message", "video_file", "audio_file"][..])),
        )
            .prop_map(|(name, mime, media)| GenMedia::File {
                path: format!("files/{name}"),
                mime_type: mime.map(str::to_owned),
                media_type: media.map(str::to_owned),
            }),
        1 => Just(GenMedia::PhotoOmitted),
        1 => Just(GenMedia::FileOmitted),
    ]
}

const NAMES: &[&str] = &[
    "Alice",
    "Bob Smith",
    "😀 Mum ❤️",
    "محمد",
    "O'Brien",
    "\"Q\"",
];

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(NAMES).prop_map(str::to_owned),
        any_text(10),
    ]
}

const REASONS: &[&str] = &["missed", "busy", "hangup", "disconnect"];

fn message() -> impl Strategy<Value = GenMessage> {
    (
        1i64..1_000_000,
        1_400_000_000i64..1_800_000_000,
        option::weighted(0.9, name()),
        prop::collection::vec(part(), 0..4),
        media(),
        option::weighted(0.15, name()),
        option::weighted(0.15, 1i64..1000),
        option::weighted(
            0.15,
            (
                option::of(0u64..10_000),
                option::of(prop::sample::select(REASONS)),
            ),
        ),
    )
        .prop_map(
            |(id, unix, from, text, media, forwarded_from, reply_to, call)| {
                let sent_at = OffsetDateTime::from_unix_timestamp(unix).unwrap();
                match call {
                    Some((duration, reason)) => {
                        let mut fields = Vec::new();
                        if let Some(d) = duration {
                            fields.push(("duration_seconds".to_owned(), d.to_string()));
                        }
                        if let Some(r) = reason {
                            fields.push(("discard_reason".to_owned(), format!("\"{r}\"")));
                        }
                        GenMessage {
                            id,
                            action: Some("phone_call".into()),
                            sent_at,
                            from,
                            forwarded_from: None,
                            reply_to: None,
                            text: Vec::new(),
                            media: GenMedia::None,
                            fields,
                        }
                    }
                    None => GenMessage {
                        id,
                        action: None,
                        sent_at,
                        from,
                        forwarded_from,
                        reply_to,
                        text,
                        media,
                        fields: Vec::new(),
                    },
                }
            },
        )
}

const CHAT_KINDS: &[&str] = &[
    "personal_chat",
    "bot_chat",
    "private_group",
    "private_supergroup",
    "public_supergroup",
    "private_channel",
    "public_channel",
    "saved_messages",
];

fn chat() -> impl Strategy<Value = GenChat> {
    (
        option::weighted(0.85, name()),
        prop::sample::select(CHAT_KINDS),
        any::<i64>(),
        any::<bool>(),
        prop::collection::vec(message(), 0..6),
    )
        .prop_map(|(name, kind, id, left, messages)| GenChat {
            name,
            kind: kind.into(),
            id,
            left,
            messages,
        })
}

fn layout() -> impl Strategy<Value = Layout> {
    (
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        // Quarter hours from 12 behind UTC to 14 ahead, as real zones are.
        -48i32..=56,
    )
        .prop_map(|(full, unixtime, pretty, crlf, quarters)| Layout {
            full,
            unixtime,
            pretty,
            crlf,
            offset: UtcOffset::from_whole_seconds(quarters * 900).unwrap(),
        })
}

/// `185` → `3 minutes 5 seconds`, as the importer writes call lengths.
fn duration_words(s: u64) -> String {
    let unit = |n: u64, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    let mut parts = Vec::new();
    if s >= 3600 {
        parts.push(unit(s / 3600, "hour"));
    }
    if s % 3600 >= 60 {
        parts.push(unit(s % 3600 / 60, "minute"));
    }
    if !s.is_multiple_of(60) || parts.is_empty() {
        parts.push(unit(s % 60, "second"));
    }
    parts.join(" ")
}

/// What the importer should read as `m`'s text (see `cairn_import::telegram`).
fn expected_text(m: &GenMessage) -> String {
    if m.action.is_some() {
        let mut parts = vec!["Phone call".to_owned()];
        for (name, value) in &m.fields {
            match name.as_str() {
                "duration_seconds" => {
                    let d: u64 = value.parse().unwrap();
                    if d > 0 {
                        parts.push(duration_words(d));
                    }
                }
                "discard_reason" => parts.push(
                    match value.trim_matches('"') {
                        "hangup" => "hung up",
                        "disconnect" => "disconnected",
                        other => other,
                    }
                    .to_owned(),
                ),
                _ => {}
            }
        }
        return parts.join(", ");
    }
    let body: String = m
        .text
        .iter()
        .map(|p| match p {
            GenPart::Plain(t) => t.clone(),
            GenPart::Entity {
                text,
                href: Some(h),
                kind,
            } if kind == "text_link" => format!("{text} ({h})"),
            GenPart::Entity { text, .. } => text.clone(),
        })
        .collect();
    let mut text = match &m.forwarded_from {
        None => body,
        Some(f) if body.is_empty() => format!("Forwarded from {f}:"),
        Some(f) => format!("Forwarded from {f}:\n{body}"),
    };
    if let Some(r) = m.reply_to {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&format!("(In reply to message {r})"));
    }
    text
}

fn expected_attachments(m: &GenMessage) -> (MessageKind, Vec<(String, String, String)>) {
    let file = |path: &str, media_type: &str| {
        let name = path.rsplit('/').next().unwrap().to_owned();
        vec![(name, media_type.to_owned(), path.to_owned())]
    };
    let (kind, files) = match &m.media {
        GenMedia::None => (MessageKind::Text, Vec::new()),
        GenMedia::Photo(path) => (MessageKind::Attachment, file(path, "image/jpeg")),
        GenMedia::File {
            path, mime_type, ..
        } => (
            MessageKind::Attachment,
            file(path, mime_type.as_deref().unwrap_or("")),
        ),
        GenMedia::PhotoOmitted | GenMedia::FileOmitted => (MessageKind::MediaOmitted, Vec::new()),
    };
    if m.action.is_some() {
        (MessageKind::System, files)
    } else {
        (kind, files)
    }
}

fn got_attachments(e: &Export, m: &Msg) -> Vec<(String, String, String)> {
    m.attachments
        .iter()
        .map(|&i| {
            let a = &e.attachments[i];
            let Content::File(path) = &a.content else {
                panic!("not a file: {a:?}")
            };
            (a.name.clone(), a.media_type.clone(), path.clone())
        })
        .collect()
}

fn round_trip(mut chats: Vec<GenChat>, layout: Layout) -> Result<(), TestCaseError> {
    if !layout.full {
        chats.truncate(1);
        for c in &mut chats {
            c.left = false;
        }
    }
    let (json, written_lines) = write_with_lines(&chats, layout);
    // The order messages are written in: chats, then left chats.
    let written: Vec<(&GenChat, &GenMessage)> = [false, true]
        .into_iter()
        .flat_map(|left| chats.iter().filter(move |c| c.left == left))
        .flat_map(|c| c.messages.iter().map(move |m| (c, m)))
        .collect();
    prop_assert_eq!(written.len(), written_lines.len());
    if written.is_empty() {
        prop_assert_eq!(parse(json.as_bytes()), Err(TelegramError::Empty));
        return Ok(());
    }
    let e = parse(json.as_bytes())
        .map_err(|err| TestCaseError::fail(format!("{err:?}\n{layout:?}\n{json}")))?;
    prop_assert_eq!(e.messages.len(), written.len());
    for ((got, (chat, want)), &line) in e.messages.iter().zip(&written).zip(&written_lines) {
        let conversation = match (&chat.name, chat.kind.as_str()) {
            (Some(n), _) => n.clone(),
            (None, "saved_messages") => "Saved Messages".to_owned(),
            (None, _) => DELETED_ACCOUNT.to_owned(),
        };
        let sent_at = if layout.unixtime {
            SentAt::Instant(want.sent_at)
        } else {
            SentAt::Local(local_date(want.sent_at, layout.offset))
        };
        let (kind, files) = expected_attachments(want);
        let expected = (
            line,
            want.id.to_string(),
            conversation,
            want.from
                .clone()
                .unwrap_or_else(|| DELETED_ACCOUNT.to_owned()),
            expected_text(want),
            sent_at,
            kind,
            files,
        );
        let actual = (
            got.line,
            got.source_id.clone(),
            got.conversation.clone(),
            got.sender.clone(),
            got.text.clone(),
            got.sent_at,
            got.kind,
            got_attachments(&e, got),
        );
        prop_assert_eq!(expected, actual, "{:?}\n{}", layout, json);
    }
    let attached: usize = e.messages.iter().map(|m| m.attachments.len()).sum();
    prop_assert_eq!(attached, e.attachments.len());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_chats_read_back(
        chats in prop::collection::vec(chat(), 1..4),
        layout in layout(),
    ) {
        round_trip(chats, layout)?;
    }
}

fn sample_export() -> String {
    let at = datetime!(2024-01-05 11:43:20 UTC);
    let message = |i: i64, media: GenMedia| GenMessage {
        id: i,
        action: None,
        sent_at: at + time::Duration::minutes(i),
        from: Some("Alice".into()),
        forwarded_from: None,
        reply_to: None,
        text: vec![
            GenPart::Plain(format!("line {i}\n\"q\" \u{C}")),
            GenPart::Entity {
                kind: "text_link".into(),
                text: "here".into(),
                href: Some("https://example.org".into()),
            },
        ],
        media,
        fields: Vec::new(),
    };
    let chats = [
        GenChat {
            name: Some("Alice".into()),
            kind: "personal_chat".into(),
            id: 1,
            left: false,
            messages: vec![
                message(1, GenMedia::None),
                message(2, GenMedia::Photo("photos/p.jpg".into())),
            ],
        },
        GenChat {
            name: None,
            kind: "public_channel".into(),
            id: 2,
            left: true,
            messages: vec![message(3, GenMedia::FileOmitted)],
        },
    ];
    write(
        &chats,
        Layout {
            full: true,
            offset: offset!(+1),
            ..Layout::new()
        },
    )
}

/// Whatever the bytes, the parser returns; what it accepts holds together.
fn check_consistent(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(e) = parse(bytes) {
        let lines = bytes.split(|&b| b == b'\n').count() as u64;
        prop_assert!(!e.messages.is_empty());
        prop_assert!(e.messages.iter().all(|m| m.line >= 1 && m.line <= lines));
        prop_assert!(e.messages.iter().all(|m| m.text.len() <= MAX_MESSAGE_BYTES));
        prop_assert!(e
            .messages
            .iter()
            .flat_map(|m| &m.attachments)
            .all(|&i| i < e.attachments.len()));
    }
    Ok(())
}

#[test]
fn the_sample_reads() {
    let e = export(&sample_export());
    assert_eq!(e.messages.len(), 3);
    assert_eq!(
        e.messages[0].text,
        "line 1\n\"q\" \u{C}here (https://example.org)"
    );
    assert_eq!(e.messages[2].conversation, DELETED_ACCOUNT);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        check_consistent(&bytes)?;
    }

    #[test]
    fn mangled_exports_never_panic(
        cut in 0usize..4000,
        at in 0usize..4000,
        insert in prop::collection::vec(any::<u8>(), 0..12),
    ) {
        let export = sample_export().into_bytes();
        let mut bytes = export[..cut.min(export.len())].to_vec();
        let at = at.min(bytes.len());
        bytes.splice(at..at, insert);
        check_consistent(&bytes)?;
    }
}
