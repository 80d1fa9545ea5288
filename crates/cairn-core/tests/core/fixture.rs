//! A vault made with the first schema (committed under tests/fixtures/vault-v1) must
//! open with this build, migrate, verify, and take new entries.

use std::path::{Path, PathBuf};

use cairn_core::store::SCHEMA_VERSION;
use cairn_core::{Incident, OpenOptions, Passphrase, Vault, VerifyOptions};

use crate::common::copy_tree;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

#[test]
fn first_schema_vault_opens_migrates_and_verifies() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("vault");
    copy_tree(&fixtures().join("vault-v1"), &dir);
    let pass = std::fs::read_to_string(fixtures().join("vault-v1.passphrase")).unwrap();
    let pass = Passphrase::new(pass.trim_end());
    let opts = OpenOptions {
        allow_insecure_kdf: true,
    };

    let keys_line = |dir: &Path| {
        let text = std::fs::read_to_string(dir.join("keys")).unwrap();
        serde_json::from_str::<serde_json::Value>(text.lines().next().unwrap()).unwrap()
    };
    assert!(keys_line(&dir).get("tag").is_none(), "made before tags");
    let mut vault = Vault::open(&dir, &pass, opts).unwrap();
    // Its key file is tagged at the first opening, not taken for an altered one.
    assert!(!vault.keys_altered());
    assert_eq!(keys_line(&dir)["version"], 3);
    assert!(keys_line(&dir)["tag"].is_string());
    let version: i64 = vault
        .raw_connection_for_tests()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        version, SCHEMA_VERSION,
        "the fixture was migrated to the current schema"
    );

    let report = vault.verify(VerifyOptions::default(), &|_, _| {}).unwrap();
    assert!(report.ok, "fixture verifies: {:?}", report.problems);
    assert_eq!(report.entries, 6);
    assert_eq!(report.blobs_checked, 1);

    let items = vault.list().unwrap();
    let titles: Vec<&str> = items.iter().map(|i| i.title.as_str()).collect();
    assert_eq!(
        titles,
        ["Fixture incident", "fixture.txt", "Fixture Officer"]
    );
    // Upgrading filled the search index from the items already there.
    let hits = vault.search_ranked("fixture officer", 10).unwrap().hits;
    assert_eq!(
        hits.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(),
        [items[2].id.as_str()]
    );
    let hits = vault.search_ranked("fixture", 10).unwrap().hits;
    assert_eq!(hits.len(), 3, "incident, file name and person: {hits:?}");
    let history = vault.history(&items[0].id).unwrap();
    assert_eq!(history.versions.len(), 2);
    assert_eq!(history.versions[1].changed, ["body"]);

    let out = tmp.path().join("fixture.txt");
    let x = vault.extract(&items[1].id, &out).unwrap();
    assert_eq!(std::fs::read(&out).unwrap(), b"fixture file contents\n");
    assert_eq!(
        x.sha256,
        "b8e118d74862985b95139b2643282e34d1c538d06822944cf1a9bca6c9750809"
    );

    vault
        .add_incident(Incident {
            title: "Added after migration".into(),
            ..Default::default()
        })
        .unwrap();
    drop(vault);
    let code = std::fs::read_to_string(fixtures().join("vault-v1.recovery-code")).unwrap();
    let vault = Vault::open_with_recovery(&dir, code.trim(), opts).unwrap();
    assert!(
        !vault.keys_altered(),
        "the recovery slot's upgrade keeps it tagged"
    );
    let report = vault.verify(VerifyOptions::default(), &|_, _| {}).unwrap();
    assert!(report.ok, "{:?}", report.problems);
    assert_eq!(report.entries, 7);
}

/// A version-1 recovery slot cannot be resealed without the code: a passphrase change
/// opened by the passphrase makes a new code (and says so); opened by the code, the
/// slot is remade for the same code and the change keeps it.
#[test]
fn a_first_version_recovery_slot_is_kept_only_when_the_code_is_known() {
    let opts = OpenOptions {
        allow_insecure_kdf: true,
    };
    let pass = std::fs::read_to_string(fixtures().join("vault-v1.passphrase")).unwrap();
    let pass = Passphrase::new(pass.trim_end());
    let code = std::fs::read_to_string(fixtures().join("vault-v1.recovery-code")).unwrap();
    let new = Passphrase::new("a different passphrase for the fixture");

    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("vault");
    copy_tree(&fixtures().join("vault-v1"), &dir);
    let mut v = Vault::open(&dir, &pass, opts).unwrap();
    let made = v
        .change_passphrase(&new, cairn_core::KdfCost::InsecureTestOnly)
        .unwrap()
        .expect("a new code, since the old slot cannot be resealed");
    drop(v);
    assert!(Vault::open_with_recovery(&dir, code.trim(), opts).is_err());
    Vault::open_with_recovery(&dir, &made.display(), opts).unwrap();

    let dir = tmp.path().join("vault-2");
    copy_tree(&fixtures().join("vault-v1"), &dir);
    let mut v = Vault::open_with_recovery(&dir, code.trim(), opts).unwrap();
    let made = v
        .change_passphrase(&new, cairn_core::KdfCost::InsecureTestOnly)
        .unwrap();
    assert!(made.is_none(), "the code that opened it is kept");
    drop(v);
    Vault::open_with_recovery(&dir, code.trim(), opts).unwrap();
    Vault::open(&dir, &new, opts).unwrap();
}
