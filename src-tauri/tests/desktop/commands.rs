//! Commands through IPC: create, unlock with delays, recover, items, files, redaction,
//! verify, settings, and the capability boundary.

use serde_json::json;

use crate::{created, App, PASS};

#[test]
fn create_lock_and_unlock_with_growing_delay() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("vault");
    let app = App::new(&dir);
    let s = app.ok("app_status", json!({}));
    assert_eq!(s["vaultExists"], false);
    assert_eq!(s["unlocked"], false);
    // Weak passphrases are refused before anything is written.
    app.err(
        "create_vault",
        json!({ "passphrase": "password1" }),
        "weak_passphrase",
    );
    assert!(!dir.join("keys").exists());
    let c = app.ok("create_vault", json!({ "passphrase": PASS }));
    let code = c["recoveryCode"].as_str().unwrap();
    assert_eq!(code.split('-').count(), 6, "{code}");
    assert_eq!(c["status"]["unlocked"], true);

    let added = app.ok(
        "save_incident",
        json!({ "id": null, "incident": { "title": "He took my phone", "body": "marker-7Q" ,
                 "categories": ["coercive-control"], "tags": ["phone"] } }),
    );
    let id = added["id"].as_str().unwrap().to_string();
    let tl = app.ok("timeline", json!({}));
    assert_eq!(tl.as_array().unwrap().len(), 1);
    assert_eq!(tl[0]["categories"][0], "coercive-control");

    let s = app.ok("lock", json!({}));
    assert_eq!(s["unlocked"], false);
    app.err("timeline", json!({}), "locked");
    app.err("item", json!({ "id": id }), "locked");

    // Three wrong passphrases: the third sets a delay, and an attempt inside it is
    // refused without trying.
    for n in 1..=3 {
        let e = app.err(
            "unlock",
            json!({ "passphrase": "not it at all" }),
            "wrong_passphrase",
        );
        if n < 3 {
            assert!(e["retryAfterMs"].is_null(), "{e}");
        } else {
            assert_eq!(e["retryAfterMs"], 2000, "{e}");
        }
    }
    let e = app.err("unlock", json!({ "passphrase": PASS }), "too_soon");
    assert!(e["retryAfterMs"].as_u64().unwrap() > 0);
    assert!(
        app.ok("app_status", json!({}))["retryAfterMs"]
            .as_u64()
            .unwrap()
            > 0
    );
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let s = app.ok("unlock", json!({ "passphrase": PASS }));
    assert_eq!(s["unlocked"], true);
    let v = app.ok("item", json!({ "id": id }));
    assert_eq!(v["record"]["kind"], "incident");
    assert_eq!(v["record"]["data"]["body"], "marker-7Q");
    assert_eq!(v["signature"]["valid"], true);
    assert_eq!(v["signature"]["covers"], true);
    // A success resets the count: one wrong attempt has no delay again.
    app.ok("lock", json!({}));
    let e = app.err(
        "unlock",
        json!({ "passphrase": "still not it" }),
        "wrong_passphrase",
    );
    assert!(e["retryAfterMs"].is_null());
}

#[test]
fn recover_sets_a_new_passphrase() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("v");
    let (app, code) = created(&dir);
    app.ok("lock", json!({}));
    app.err(
        "recover",
        json!({ "code": "AAAAA-AAAAA-AAAAA-AAAAA-AAAAA-AAAAA", "newPassphrase": "amber lantern over the hill" }),
        "recovery_code_typo",
    );
    let new = "amber lantern over the hill";
    let s = app.ok("recover", json!({ "code": code, "newPassphrase": new }));
    assert_eq!(s["unlocked"], true);
    app.ok("lock", json!({}));
    app.err("unlock", json!({ "passphrase": PASS }), "wrong_passphrase");
    app.ok("unlock", json!({ "passphrase": new }));
}

#[test]
fn people_links_history_search_and_redaction() {
    let tmp = tempfile::tempdir().unwrap();
    let (app, _) = created(&tmp.path().join("v"));
    let inc = app.ok("save_incident", json!({ "id": null, "incident": {
        "title": "Shouting at the door", "occurred": { "start": "2026-11-03T21:40:00+00:00", "approximate": true },
        "location": "Home" } }))["id"].as_str().unwrap().to_string();
    let per = app.ok(
        "save_person",
        json!({ "id": null, "person": {
        "name": "PC Smith", "role": "officer", "collar_number": "1234", "force": "Northshire" } }),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    let link = app.ok("link_items", json!({ "a": inc, "b": per }))["id"]
        .as_str()
        .unwrap()
        .to_string();
    let edit = app.ok("save_incident", json!({ "id": inc, "incident": {
        "title": "Shouting at the door", "occurred": { "start": "2026-11-03T21:40:00+00:00", "approximate": true },
        "location": "Home", "words_said": "No one will believe you" } }));
    assert_eq!(edit["version"], 2);

    let tl = app.ok("timeline", json!({}));
    let row = tl
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == inc)
        .unwrap();
    assert_eq!(row["linked"][0], per);
    assert_eq!(row["day"], "2026-11-03");
    assert_eq!(row["approximate"], true);

    let h = app.ok("history", json!({ "id": inc }));
    assert_eq!(h["versions"].as_array().unwrap().len(), 2);
    assert_eq!(h["versions"][1]["changed"], json!(["words_said"]));

    assert_eq!(
        app.ok("search", json!({ "query": "BELIEVE you" })),
        json!([inc])
    );
    assert_eq!(
        app.ok("search", json!({ "query": "northshire 1234" })),
        json!([per])
    );
    assert_eq!(
        app.ok("search", json!({ "query": "nothing-like-this" })),
        json!([])
    );

    app.ok("unlink_items", json!({ "link": link }));
    assert!(app.ok("item", json!({ "id": inc }))["links"]
        .as_array()
        .unwrap()
        .is_empty());

    app.err(
        "redact",
        json!({ "id": inc, "reason": "" }),
        "invalid_input",
    );
    let r = app.ok(
        "redact",
        json!({ "id": inc, "reason": "Entered in the wrong vault" }),
    );
    assert!(r["seq"].as_u64().unwrap() > 0);
    let v = app.ok("item", json!({ "id": inc }));
    assert_eq!(v["record"]["kind"], "none");
    assert_eq!(v["redaction"]["reason"], "Entered in the wrong vault");
    assert_eq!(app.ok("search", json!({ "query": "believe" })), json!([]));
    app.err("item", json!({ "id": "inc-doesnotexist" }), "not_found");
}

#[test]
fn files_are_added_with_progress_and_verified() {
    let tmp = tempfile::tempdir().unwrap();
    let (app, _) = created(&tmp.path().join("v"));
    let photo = tmp.path().join("bruise.png");
    crate::media::write_png(&photo);
    let inc = app.ok(
        "save_incident",
        json!({ "id": null, "incident": { "title": "Bruise" } }),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    let added = app.ok(
        "add_files",
        json!({
        "paths": [photo.to_str().unwrap()], "linkTo": inc, "acquired": "Taken with my phone",
        "job": "j1", "progress": "__CHANNEL__:7" }),
    );
    let f = &added[0];
    assert_eq!(f["media_type"], "image/png");
    let fid = f["id"].as_str().unwrap();
    let tl = app.ok("timeline", json!({}));
    let row = tl
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == fid)
        .unwrap();
    assert_eq!(row["has_thumbnail"], true);
    assert_eq!(row["linked"][0], inc);
    // A file that is not there: one sentence, nothing added.
    app.err(
        "add_files",
        json!({ "paths": ["/no/such/file.jpg"], "linkTo": null, "acquired": "",
        "job": "j2", "progress": "__CHANNEL__:8" }),
        "io",
    );
    assert_eq!(app.ok("timeline", json!({})).as_array().unwrap().len(), 2);
    let rep = app.ok(
        "verify",
        json!({ "quick": false, "progress": "__CHANNEL__:9" }),
    );
    assert_eq!(rep["ok"], true, "{rep}");
    assert_eq!(rep["blobs_checked"], 2);
}

#[test]
fn passphrase_change_needs_the_current_one_and_settings_persist() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("v");
    let (app, _) = created(&dir);
    let new = "quiet river under stone";
    app.err(
        "change_passphrase",
        json!({ "current": "wrong one here", "newPassphrase": new }),
        "wrong_passphrase",
    );
    app.err(
        "change_passphrase",
        json!({ "current": PASS, "newPassphrase": "short" }),
        "weak_passphrase",
    );
    app.ok(
        "change_passphrase",
        json!({ "current": PASS, "newPassphrase": new }),
    );
    app.err(
        "save_settings",
        json!({ "settings": { "auto_lock_minutes": 0 } }),
        "invalid_input",
    );
    let s = app.ok(
        "save_settings",
        json!({ "settings": { "auto_lock_minutes": 12 } }),
    );
    assert_eq!(s["settings"]["auto_lock_minutes"], 12);
    app.ok("lock", json!({}));
    app.err(
        "save_settings",
        json!({ "settings": { "auto_lock_minutes": 3 } }),
        "locked",
    );
    let s = app.ok("unlock", json!({ "passphrase": new }));
    assert_eq!(s["settings"]["auto_lock_minutes"], 12);
    let st = app.ok("passphrase_strength", json!({ "passphrase": "abc" }));
    assert_eq!(st["acceptable"], false);
}

#[test]
fn only_the_main_window_may_call_commands() {
    let tmp = tempfile::tempdir().unwrap();
    let (app, _) = created(&tmp.path().join("v"));
    let other = app.other_window("other");
    let e = app
        .call_from(&other, "timeline", json!({}))
        .expect_err("refused");
    assert!(e.to_string().contains("not allowed"), "{e}");
    // And a command that does not exist is refused too.
    assert!(app
        .call("read_file", json!({ "path": "/etc/passwd" }))
        .is_err());
}

#[test]
fn unlock_while_still_unlocked_checks_the_passphrase() {
    let tmp = tempfile::tempdir().unwrap();
    let (app, _) = created(&tmp.path().join("v"));
    app.err(
        "unlock",
        json!({ "passphrase": "anything at all" }),
        "wrong_passphrase",
    );
    let s = app.ok("unlock", json!({ "passphrase": PASS }));
    assert_eq!(s["unlocked"], true);
    // Recovery is for a locked vault.
    app.err(
        "recover",
        json!({ "code": "AAAAA-AAAAA-AAAAA-AAAAA-AAAAA-AAAAA", "newPassphrase": "amber lantern over the hill" }),
        "unlocked",
    );
    // Wrong current passphrases when changing it count like wrong unlocks.
    for _ in 0..2 {
        app.err(
            "change_passphrase",
            json!({ "current": "guess guess guess", "newPassphrase": "quiet river under stone" }),
            "wrong_passphrase",
        );
    }
    let e = app.err(
        "unlock",
        json!({ "passphrase": "third wrong guess" }),
        "wrong_passphrase",
    );
    assert_eq!(e["retryAfterMs"], 2000, "{e}");
}
