//! Commands through IPC: create, unlock with delays, recover, items, files, redaction,
//! verify, settings, sharing (plan, export, open a bundle, receipt, reports), and the
//! capability boundary.

use serde_json::{json, Value};

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
    // The app turns SQLCipher's memory security on before it opens anything.
    assert!(cairn_core::hygiene::database_memory_secured());
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
    // Closing the app and opening it again does not end the wait.
    drop(app);
    let app = App::new(&dir);
    let wait = app.ok("app_status", json!({}))["retryAfterMs"]
        .as_u64()
        .unwrap();
    assert!(wait > 0 && wait <= 2000, "{wait}");
    let e = app.err("unlock", json!({ "passphrase": PASS }), "too_soon");
    assert!(e["retryAfterMs"].as_u64().unwrap() > 0);
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let s = app.ok("unlock", json!({ "passphrase": PASS }));
    assert_eq!(s["unlocked"], true);
    // The three wrong ones (the refused fourth never reached the keys) are told.
    assert_eq!(s["failedAttempts"]["count"], 3, "{s}");
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
    // From the open window it needs her passphrase again; a wrong one is refused.
    app.err(
        "redact",
        json!({ "id": inc, "reason": "his reason", "current": null }),
        "passphrase_needed",
    );
    app.err(
        "redact",
        json!({ "id": inc, "reason": "his reason", "current": "his guess at it" }),
        "wrong_passphrase",
    );
    let r = app.ok(
        "redact",
        json!({ "id": inc, "reason": "Entered in the wrong vault", "current": PASS }),
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
    // A longer auto-lock keeps it open longer: her passphrase first.
    app.err(
        "save_settings",
        json!({ "settings": { "auto_lock_minutes": 12 }, "current": null }),
        "passphrase_needed",
    );
    let s = app.ok(
        "save_settings",
        json!({ "settings": { "auto_lock_minutes": 12 }, "current": new }),
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
    // A test-cost passphrase is warned about at every unlock.
    assert_eq!(s["weakKdf"], true);
    let st = app.ok("passphrase_strength", json!({ "passphrase": "abc" }));
    assert_eq!(st["acceptable"], false);

    // Quick exit's and the disguise's settings; a shortcut that typing would set off
    // is refused.
    app.err(
        "save_settings",
        json!({ "settings": { "auto_lock_minutes": 12, "quick_exit_shortcut": "KeyQ" } }),
        "invalid_input",
    );
    let s = app.ok(
        "save_settings",
        json!({ "settings": { "auto_lock_minutes": 12, "lock_on_minimise": true,
                "quick_exit": "close", "quick_exit_shortcut": "Control+Alt+KeyN",
                "disguise": "notes" }, "current": new }),
    );
    assert_eq!(s["settings"]["quick_exit"], "close");
    assert_eq!(s["settings"]["disguise"], "notes");
    assert_eq!(s["settings"]["lock_on_minimise"], true);
    // Quick exit drops the keys at once, and works while locked too.
    let s = app.ok("quick_exit", json!({}));
    assert_eq!(s["unlocked"], false);
    app.err("timeline", json!({}), "locked");
    assert_eq!(app.ok("quick_exit", json!({}))["unlocked"], false);
    app.ok("restore_look", json!({}));
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

#[test]
fn share_plans_exports_checks_and_records_the_handover() {
    let tmp = tempfile::tempdir().unwrap();
    let (app, _) = created(&tmp.path().join("v"));
    let photo = tmp.path().join("bruise.png");
    crate::media::write_png(&photo);
    let inc = app.ok(
        "save_incident",
        json!({ "id": null, "incident": { "title": "Bruise", "private_notes": "only mine" } }),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.ok(
        "add_files",
        json!({ "paths": [photo.to_str().unwrap()], "linkTo": inc, "acquired": "Taken with my phone",
        "job": "j1", "progress": "__CHANNEL__:7" }),
    );

    // The plan names the exhibit reference to come and stores nothing.
    let plan = app.ok(
        "plan_export",
        json!({ "choice": { "kind": "items", "ids": [inc] }, "initials": "ab" }),
    );
    assert_eq!(plan["items"], 2, "{plan}");
    assert_eq!(plan["exhibits"][0]["reference"], "AB/1");
    assert_eq!(plan["exhibits"][0]["new"], true);
    app.err(
        "plan_export",
        json!({ "choice": { "kind": "all" }, "initials": "A1" }),
        "invalid_input",
    );

    // A weak bundle passphrase and a key that is not one are refused before any work.
    let out = tmp.path().join("bundle.age");
    let request = |seal: Value| {
        json!({ "request": { "choice": { "kind": "all" }, "initials": "AB", "includeLocation": false,
            "disclosure": "proofs", "wholeExports": false, "seal": seal, "agency": "Solicitor", "person": "Ms Patel", "out": out.to_str().unwrap() },
            "current": PASS, "job": "e1", "progress": "__CHANNEL__:11" })
    };
    app.err(
        "export_bundle",
        request(json!({ "kind": "passphrase", "passphrase": "short" })),
        "weak_passphrase",
    );
    app.err(
        "export_bundle",
        request(json!({ "kind": "recipient", "recipient": "age1nope" })),
        "invalid_input",
    );
    assert!(!out.exists());

    // A receipt taken before the export, and one after (which covers the handover too).
    let before = app.ok("receipt", json!({}))["short"]
        .as_str()
        .unwrap()
        .to_string();
    let done = app.ok(
        "export_bundle",
        request(
            json!({ "kind": "passphrase", "passphrase": "seven bridges over the quiet river" }),
        ),
    );
    assert_eq!(done["sealed"], true);
    assert_eq!(done["exhibits"][0]["reference"], "AB/1");
    assert!(out.is_file());
    // Never over an existing file.
    app.err(
        "export_bundle",
        request(
            json!({ "kind": "passphrase", "passphrase": "seven bridges over the quiet river" }),
        ),
        "invalid_input",
    );

    // Open a bundle: sealed, the wrong passphrase is told apart, the right one checks.
    let path = out.to_str().unwrap();
    assert_eq!(app.ok("bundle_is_sealed", json!({ "path": path })), true);
    app.err(
        "check_bundle",
        json!({ "path": path, "key": { "kind": "passphrase", "passphrase": "not it at all" }, "receipt": null }),
        "wrong_bundle_key",
    );
    let check = |receipt: &str| {
        app.ok(
            "check_bundle",
            json!({ "path": path, "key": { "kind": "passphrase", "passphrase": "seven bridges over the quiet river" },
                "receipt": receipt }),
        )
    };
    let report = check(&before);
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["bundle_sha256"], done["bundle_sha256"]);
    assert_eq!(report["receipt_extends"], true, "{report}");
    let after = app.ok("receipt", json!({}))["short"]
        .as_str()
        .unwrap()
        .to_string();
    let report = check(&after);
    assert_eq!(report["ok"], false, "{report}");
    assert_eq!(
        report["problems"][0]["code"], "receipt_rewritten",
        "{report}"
    );
    app.err(
        "check_bundle",
        json!({ "path": tmp.path().join("none.age").to_str().unwrap(), "key": { "kind": "none" }, "receipt": null }),
        "io",
    );

    // The handover is in the log; she adds a report of her own, then edits it.
    let reports = app.ok("reports", json!({}));
    let rows = reports.as_array().unwrap();
    assert_eq!(rows.len(), 1);
    let handover = &rows[0]["report"];
    assert_eq!(handover["agency"], "Solicitor");
    assert_eq!(handover["person"], "Ms Patel");
    assert_eq!(handover["bundle_sha256"], done["bundle_sha256"]);
    assert_eq!(handover["exhibits"][0]["reference"], "AB/1");
    app.err(
        "save_report",
        json!({ "id": null, "report": { "agency": " " } }),
        "invalid_input",
    );
    let added = app.ok(
        "save_report",
        json!({ "id": null, "report": { "agency": "Police", "reference": "12/3456/26",
            "occurred": { "start": "2026-11-03" } } }),
    );
    let id = added["id"].as_str().unwrap().to_string();
    app.ok(
        "save_report",
        json!({ "id": id, "report": { "agency": "Police", "reference": "12/3456/26", "outcome": "No further action" } }),
    );
    let view = app.ok("item", json!({ "id": id }));
    assert_eq!(view["record"]["kind"], "report");
    assert_eq!(view["record"]["data"]["outcome"], "No further action");
    assert_eq!(view["record"]["data"]["title"], "Report to Police");
    assert_eq!(view["version"], 2);
    assert_eq!(app.ok("reports", json!({})).as_array().unwrap().len(), 2);
}

#[test]
fn a_decoy_passphrase_unlocks_a_separate_vault() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("v");
    let (app, _) = created(&dir);
    app.ok(
        "save_incident",
        json!({ "id": null, "incident": { "title": "He took my phone" } }),
    );
    assert_eq!(app.ok("app_status", json!({}))["hasDecoy"], false);
    app.err("set_decoy", json!({ "passphrase": PASS }), "invalid_input");
    app.err(
        "set_decoy",
        json!({ "passphrase": "plum orchard sunday kettle" }),
        "passphrase_needed",
    );
    let s = app.ok(
        "set_decoy",
        json!({ "passphrase": "plum orchard sunday kettle", "current": PASS }),
    );
    assert_eq!(s["hasDecoy"], true);
    app.ok("lock", json!({}));
    // The unlock screen answers the same way; the decoy shows nothing of the real vault
    // and says it has no decoy.
    let s = app.ok(
        "unlock",
        json!({ "passphrase": "plum orchard sunday kettle" }),
    );
    assert_eq!(s["unlocked"], true);
    assert_eq!(s["hasDecoy"], false);
    assert_eq!(s["vaultDir"], dir.display().to_string());
    assert_eq!(app.ok("timeline", json!({})), json!([]));
    app.ok("lock", json!({}));
    let s = app.ok("unlock", json!({ "passphrase": PASS }));
    assert_eq!(s["hasDecoy"], true);
    assert_eq!(app.ok("timeline", json!({})).as_array().unwrap().len(), 1);
    app.err("remove_decoy", json!({}), "passphrase_needed");
    let s = app.ok("remove_decoy", json!({ "current": PASS }));
    assert_eq!(s["hasDecoy"], false);
    app.ok("lock", json!({}));
    app.err(
        "unlock",
        json!({ "passphrase": "plum orchard sunday kettle" }),
        "wrong_passphrase",
    );
}

/// A recovery slot someone without the key changed: the app is told at the unlock
/// (status `keysAltered`, the Timeline's alarm), and not before or after a clean file.
#[test]
fn a_key_file_changed_by_someone_else_is_told_at_unlock() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("v");
    let (app, _code) = created(&dir);
    assert_eq!(app.ok("app_status", json!({}))["keysAltered"], false);
    app.ok("lock", json!({}));
    let text = std::fs::read_to_string(dir.join("keys")).unwrap();
    let mut v: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    for slot in v["slots"].as_array_mut().unwrap() {
        if slot["kind"] == "recovery" {
            slot["kdf"]["public"] = json!("BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=");
        }
    }
    let line = serde_json::to_string(&v).unwrap();
    let sum = sha2_hex(line.as_bytes());
    std::fs::write(dir.join("keys"), format!("{line}\nsha256:{sum}\n")).unwrap();
    let s = app.ok("unlock", json!({ "passphrase": PASS }));
    assert_eq!(s["keysAltered"], true, "{s}");
}

fn sha2_hex(b: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}
