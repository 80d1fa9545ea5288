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

/// The monthly check from the app: a file gone from the stick is found and put back,
/// the check is recorded (the prompt goes quiet), and a folder that is no backup of
/// this vault is refused.
#[test]
fn check_backup_repairs_the_stick_and_is_recorded() {
    let tmp = tempfile::tempdir().unwrap();
    let (app, _) = created(&tmp.path().join("v"));
    let png = tmp.path().join("photo.txt");
    std::fs::write(&png, vec![7u8; 50_000]).unwrap();
    app.ok(
        "add_files",
        json!({ "paths": [png.to_str().unwrap()], "linkTo": null, "acquired": "From my phone", "job": "j1", "progress": "__CHANNEL__:1" }),
    );
    let dest = tmp.path().join("stick");
    app.ok(
        "backup_now",
        json!({ "dest": dest.to_str().unwrap(), "current": PASS, "progress": "__CHANNEL__:2" }),
    );
    let status = app.ok("backup_status", json!({}));
    assert_eq!(status["last_checked"], json!(null), "{status}");
    assert_eq!(status["check_due"], false);
    // A stored file on the stick goes.
    let gone = walk_files(&dest.join("blobs"))
        .into_iter()
        .next()
        .expect("a stored file on the stick");
    std::fs::remove_file(&gone).unwrap();
    let r = app.ok(
        "check_backup",
        json!({ "dest": dest.to_str().unwrap(), "progress": "__CHANNEL__:3" }),
    );
    assert_eq!(r["files_repaired"].as_array().unwrap().len(), 1, "{r}");
    assert!(gone.is_file(), "put back from the vault");
    let status = app.ok("backup_status", json!({}));
    assert!(status["last_checked"].is_string(), "{status}");

    let other = tmp.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    app.err(
        "check_backup",
        json!({ "dest": other.to_str().unwrap(), "progress": "__CHANNEL__:4" }),
        "backup_refused",
    );
}

fn walk_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n != "tmp") {
                out.extend(walk_files(&p));
            }
        } else {
            out.push(p);
        }
    }
    out
}
