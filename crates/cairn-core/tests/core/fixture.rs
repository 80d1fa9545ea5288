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

    let mut vault = Vault::open(&dir, &pass, opts).unwrap();
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
    let report = vault.verify(VerifyOptions::default(), &|_, _| {}).unwrap();
    assert!(report.ok, "{:?}", report.problems);
    assert_eq!(report.entries, 7);
}
