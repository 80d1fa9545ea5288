//! Messages through IPC: import an export with progress, list its conversation, read
//! pages from either end and around a search hit, link a message to an incident, and
//! refuse a bad date order or a malformed export without adding anything.

use serde_json::json;

use crate::created;

/// A WhatsApp (Android) chat whose dates can only be day first.
const CHAT: &str = "\
25/12/2023, 21:14 - Messages and calls are end-to-end encrypted.
25/12/2023, 21:15 - Sam: where are you
25/12/2023, 21:16 - Sam: answer me
26/12/2023, 08:02 - Me: at my sister's
27/12/2023, 23:40 - Sam: you will regret this marker-5K
";

#[test]
fn an_export_is_imported_read_in_its_conversation_found_and_linked() {
    let tmp = tempfile::tempdir().unwrap();
    let (app, _) = created(&tmp.path().join("v"));
    let chat = tmp.path().join("WhatsApp Chat with Sam.txt");
    std::fs::write(&chat, CHAT).unwrap();
    let path = chat.to_str().unwrap();

    // A date order that is not one of the three: refused before anything is read.
    app.err(
        "import_messages",
        json!({ "source": "whatsapp", "path": path, "dateOrder": "sideways",
                "progress": "__CHANNEL__:1" }),
        "invalid",
    );
    let done = app.ok(
        "import_messages",
        json!({ "source": "whatsapp", "path": path, "dateOrder": null,
                "progress": "__CHANNEL__:2" }),
    );
    assert_eq!(done["messages"], 5, "{done}");
    assert_eq!(done["already_imported"], false);
    assert_eq!(done["date_order"], "day-first");
    assert_eq!(done["conversations"][0], "Sam");
    // The same export again adds nothing.
    let again = app.ok(
        "import_messages",
        json!({ "source": "whatsapp", "path": path, "dateOrder": "day-first",
                "progress": "__CHANNEL__:3" }),
    );
    assert_eq!(again["already_imported"], true);
    assert_eq!(again["messages"], 0);

    let list = app.ok("conversations", json!({}));
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    let key = list[0]["key"].clone();
    assert_eq!(key, json!({ "source": "whatsapp", "name": "Sam" }));
    assert_eq!(list[0]["messages"], 5);

    // The last two messages, then the ones before them.
    let end = app.ok(
        "conversation_page",
        json!({ "key": key, "anchor": { "kind": "end" }, "limit": 2 }),
    );
    let msgs = end["messages"].as_array().unwrap();
    assert_eq!(msgs.len(), 2);
    assert_eq!(end["more_before"], true);
    assert_eq!(end["more_after"], false);
    assert_eq!(msgs[1]["message"]["text"], "you will regret this marker-5K");
    assert_eq!(msgs[1]["message"]["sender"], "Sam");
    let before = app.ok(
        "conversation_page",
        json!({ "key": key, "anchor": { "kind": "before", "place": msgs[0]["place"] },
                "limit": 10 }),
    );
    assert_eq!(before["messages"].as_array().unwrap().len(), 3);
    assert_eq!(before["more_before"], false);

    // A search hit, highlighted, opens in its conversation with the focus on it.
    let found = app.ok("search_items", json!({ "query": "marker-5K", "limit": 10 }));
    let hit = &found["hits"][0];
    assert_eq!(hit["kind"], "message", "{found}");
    assert!(
        hit["snippet"].as_str().unwrap().contains('\u{2}'),
        "{found}"
    );
    let around = app.ok(
        "conversation_page",
        json!({ "key": key, "anchor": { "kind": "item", "id": hit["id"] }, "limit": 3 }),
    );
    assert_eq!(around["focus"], hit["id"].clone());
    // A day: the page starts at that day's first message.
    let day = app.ok(
        "conversation_page",
        json!({ "key": key, "anchor": { "kind": "date", "day": "2023-12-26" }, "limit": 3 }),
    );
    let focus = day["focus"].as_str().unwrap();
    let focused = day["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == focus)
        .unwrap();
    assert_eq!(focused["message"]["text"], "at my sister's");

    // Link the message to an incident: the incident shows it.
    let inc = app.ok(
        "save_incident",
        json!({ "id": null, "incident": { "title": "Threats over Christmas" } }),
    )["id"]
        .clone();
    app.ok("link_items", json!({ "a": inc, "b": hit["id"] }));
    let view = app.ok("item", json!({ "id": inc }));
    assert!(
        view.to_string().contains(hit["id"].as_str().unwrap()),
        "{view}"
    );

    // A malformed export: one sentence naming the line, nothing added.
    let bad = tmp.path().join("bad.txt");
    std::fs::write(&bad, "25/12/2023, 21:15 - Sam: hi\nnot a date, 99:99 - x\n31/02/2023, 10:00 - Sam: no such day\n").unwrap();
    let e = app.err(
        "import_messages",
        json!({ "source": "whatsapp", "path": bad.to_str().unwrap(), "dateOrder": null,
                "progress": "__CHANNEL__:4" }),
        "import_malformed",
    );
    assert!(e["message"].as_str().unwrap().contains("Line 3"), "{e}");
    assert_eq!(
        app.ok("conversations", json!({})).as_array().unwrap().len(),
        1
    );

    // Locked: nothing can be read.
    app.ok("lock", json!({}));
    app.err("conversations", json!({}), "locked");
}
