//! Backups through IPC: *Back up now* to a new folder reports its steps and is
//! recorded, the reminder goes quiet after it, a folder with other things in it is
//! refused, and nothing is backed up while locked.

use serde_json::json;

use crate::{created, PASS};

#[test]
fn back_up_now_writes_a_checked_backup_and_quiets_the_reminder() {
    let tmp = tempfile::tempdir().unwrap();
    let (app, _) = created(&tmp.path().join("v"));
    let before = app.ok("backup_status", json!({}));
    assert_eq!(before["last"], json!(null));
    app.ok(
        "save_incident",
        json!({ "id": null, "incident": { "title": "He broke the door", "occurred": { "start": "2026-11-30" } } }),
    );
    assert_eq!(app.ok("backup_status", json!({}))["due"], true);

    let dest = tmp.path().join("stick").join("backup");
    // A new folder needs her passphrase again.
    app.err(
        "backup_now",
        json!({ "dest": dest.to_str().unwrap(), "progress": "__CHANNEL__:4" }),
        "passphrase_needed",
    );
    assert!(!dest.exists(), "nothing written before the passphrase");
    app.ok(
        "backup_now",
        json!({ "dest": dest.to_str().unwrap(), "current": PASS, "progress": "__CHANNEL__:1" }),
    );
    // The same folder again needs nothing (a backup of this vault is there).
    let done = app.ok(
        "backup_now",
        json!({ "dest": dest.to_str().unwrap(), "progress": "__CHANNEL__:5" }),
    );
    assert_eq!(done["files_removed"], 0, "{done}");
    assert!(dest.join("keys").is_file() && dest.join("vault.db").is_file());
    let after = app.ok("backup_status", json!({}));
    assert_eq!(after["due"], false);
    assert_eq!(after["last"], done["recorded_at"]);

    // A folder with her other things in it is never written to.
    let docs = tmp.path().join("Documents");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::write(docs.join("letter.txt"), b"mine").unwrap();
    app.err(
        "backup_now",
        json!({ "dest": docs.to_str().unwrap(), "current": PASS, "progress": "__CHANNEL__:2" }),
        "backup_refused",
    );
    assert_eq!(std::fs::read_dir(&docs).unwrap().count(), 1);

    app.ok("lock", json!({}));
    app.err(
        "backup_now",
        json!({ "dest": dest.to_str().unwrap(), "progress": "__CHANNEL__:3" }),
        "locked",
    );
    app.err("backup_status", json!({}), "locked");
}
