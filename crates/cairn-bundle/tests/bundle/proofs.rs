//! What a bundle discloses, and what it can be checked against: a bundle carrying only
//! the exported entries holds no header of any other entry (not its hash, kind, item or
//! time); a receipt taken earlier is checked by the consistency proof the bundle
//! carries; a vault made by the first version, with a receipt of the old form, is
//! upgraded and its old receipt still checks against the new bundles.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use cairn_bundle::{receipt, verify_bundle, Disclosure, ExportOptions, Key, Seal, Selection};

use crate::export;
use cairn_core::{Incident, OpenOptions, Passphrase, Person, Role, Vault};

use crate::opts;

fn export_with(v: &mut Vault, out: &Path, d: Disclosure, sel: Selection, receipts: Vec<String>) {
    export(
        v,
        out,
        &ExportOptions {
            disclosure: d,
            receipts,
            ..opts(Seal::Open, sel)
        },
    )
    .expect("export");
}

/// Every byte of every file in the bundle, and of the bundle itself.
fn all_bytes(zip: &Path) -> Vec<u8> {
    let mut z = zip::ZipArchive::new(fs::File::open(zip).expect("open")).expect("zip");
    let mut out = fs::read(zip).expect("read");
    for i in 0..z.len() {
        z.by_index(i)
            .expect("entry")
            .read_to_end(&mut out)
            .expect("read");
    }
    out
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn a_proofs_bundle_holds_nothing_of_the_entries_it_does_not_export() {
    let mut f = crate::fixture();
    let v = &mut f.vault;
    // What is not chosen: another incident, a person, a failed unlock, a backup.
    let other = v
        .add_incident(Incident {
            title: "Not for this bundle".into(),
            body: "private".into(),
            ..Incident::default()
        })
        .expect("incident")
        .id;
    v.add_person(Person::new("Someone Else", Role::Witness))
        .expect("person");
    let dir = f.tmp.path().to_path_buf();
    fs::create_dir_all(dir.join("stick")).expect("stick");
    v.backup(
        &dir.join("stick"),
        &std::sync::atomic::AtomicBool::new(false),
        &|_| {},
    )
    .expect("backup");
    v.add_incident(Incident {
        title: "After the backup".into(),
        ..Incident::default()
    })
    .expect("incident");
    let chosen = f.incident.clone();
    let out = dir.join("proofs.zip");
    export_with(
        v,
        &out,
        Disclosure::Proofs,
        Selection::Items(vec![chosen.clone()]),
        vec![],
    );
    let r = verify_bundle(&out, &Key::None, None).expect("verify");
    assert!(r.ok, "{:?}", r.problems);
    assert!(
        r.entries_carried < r.entries,
        "{} of {}",
        r.entries_carried,
        r.entries
    );

    let bytes = all_bytes(&out);
    // The entries the bundle is about: the chosen incident's, its photo's and link's,
    // and entry 1 (the vault and its key).
    let shown: Vec<u64> = {
        let bag = crate::forgery::unpack(&out);
        String::from_utf8(bag.files["data/record/entries.jsonl"].clone())
            .expect("utf-8")
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).expect("json")["seq"]
                    .as_u64()
                    .expect("seq")
            })
            .collect()
    };
    let chain = v.chain().expect("chain");
    // Entries written within the same millisecond share a time: only a time no shown
    // entry has can tell of a hidden one.
    let shown_times: Vec<i64> = chain
        .iter()
        .filter(|e| shown.contains(&e.seq))
        .map(|e| e.recorded_at)
        .collect();
    let mut hidden = 0;
    for e in chain
        .iter()
        .filter(|e| !shown.contains(&e.seq) && e.seq <= r.entries)
    {
        hidden += 1;
        assert!(
            !contains(&bytes, &e.hash),
            "entry {} ({}): its hash is in the bundle",
            e.seq,
            e.kind
        );
        let own_time = !shown_times.contains(&e.recorded_at);
        assert!(
            !own_time
                || (!contains(&bytes, &format!("\"recorded_at\":{}", e.recorded_at))
                    && !contains(&bytes, &cairn_core::clock::format_ms(e.recorded_at))),
            "entry {} ({}): its time is in the bundle",
            e.seq,
            e.kind
        );
        if e.item != v.vault_id() {
            assert!(
                !contains(&bytes, &e.item),
                "entry {} names {}, which is in the bundle",
                e.seq,
                e.item
            );
        }
    }
    assert!(hidden >= 4, "the vault had entries to hide ({hidden})");
    for kind in ["vault.backup", "person.create"] {
        assert!(!contains(&bytes, kind), "{kind} is named in the bundle");
    }
    assert!(!contains(&bytes, &other));

    // The same selection with the full chain does show them (the test can fail).
    let full = dir.join("full.zip");
    export_with(
        v,
        &full,
        Disclosure::FullChain,
        Selection::Items(vec![chosen]),
        vec![],
    );
    let bytes = all_bytes(&full);
    assert!(contains(&bytes, "vault.backup") && contains(&bytes, &other));
}

#[test]
fn a_receipt_is_checked_by_the_consistency_proof_a_proofs_bundle_carries() {
    let mut f = crate::fixture();
    let r = receipt(&mut f.vault).expect("receipt");
    assert_eq!(r.short.split(' ').nth(1), Some("2"));
    assert_eq!(
        r.short.rsplit(' ').next().map(str::len),
        Some(32),
        "128 bits: {}",
        r.short
    );
    for i in 0..5 {
        f.vault
            .add_incident(Incident {
                title: format!("Later {i}"),
                ..Incident::default()
            })
            .expect("incident");
    }
    let out = f.tmp.path().join("later.zip");
    export_with(
        &mut f.vault,
        &out,
        Disclosure::Proofs,
        Selection::All,
        vec![],
    );
    for given in [&r.note, &r.short] {
        let v = verify_bundle(&out, &Key::None, Some(given)).expect("verify");
        assert_eq!(v.receipt_extends, Some(true), "{given}: {:?}", v.problems);
    }
    // A receipt whose head differs by one digit does not pass.
    let mut wrong = r.short.clone();
    let last = wrong.pop().expect("digit");
    wrong.push(if last == '0' { '1' } else { '0' });
    let v = verify_bundle(&out, &Key::None, Some(&wrong)).expect("verify");
    assert_eq!(v.receipt_extends, Some(false));
    assert!(
        v.problems.iter().any(|p| p.code == "receipt_rewritten"),
        "{:?}",
        v.problems
    );
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for e in fs::read_dir(from).expect("read dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_tree(&p, &to.join(e.file_name()));
        } else {
            fs::copy(&p, to.join(e.file_name())).expect("copy");
        }
    }
}

#[test]
fn a_first_version_vault_upgrades_and_its_old_receipt_still_checks() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("vault");
    copy_tree(&fixtures().join("vault-v1"), &dir);
    let pass = fs::read_to_string(fixtures().join("vault-v1.passphrase")).expect("passphrase");
    let mut v = Vault::open(
        &dir,
        &Passphrase::new(pass.trim_end()),
        OpenOptions {
            allow_insecure_kdf: true,
        },
    )
    .expect("open");
    // The receipt she would have written down with the first version: its newest
    // checkpoint, of the old form (the head entry's hash, no tree), and the short line.
    let old_note = v.latest_checkpoint().expect("checkpoint").expect("one");
    let cp = cairn_core::checkpoint::verify(&old_note, &v.device_public_key()).expect("valid");
    assert!(
        cp.root.is_none(),
        "the fixture's checkpoint is of the first form"
    );
    let old_short = format!(
        "cairn-receipt {} {} {}",
        v.vault_id(),
        cp.size,
        &cp.head[..16]
    );
    // After the upgrade she writes more.
    let after = v
        .add_incident(Incident {
            title: "Written after the upgrade".into(),
            private_notes: "mine".into(),
            ..Incident::default()
        })
        .expect("incident")
        .id;
    let full = tmp.path().join("full.zip");
    v.authorize(
        &Passphrase::new(pass.trim_end()),
        OpenOptions {
            allow_insecure_kdf: true,
        },
    )
    .expect("authorize");
    export_with(&mut v, &full, Disclosure::FullChain, Selection::All, vec![]);
    for given in [&old_note, &old_short] {
        let r = verify_bundle(&full, &Key::None, Some(given)).expect("verify");
        assert!(r.ok, "{given}: {:?}", r.problems);
        assert_eq!(r.receipt_extends, Some(true));
    }
    // A bundle of only the exported entries needs to be told of a receipt of the old
    // form (none was recorded when it was shown) …
    let bare = tmp.path().join("bare.zip");
    let only_new = || Selection::Items(vec![after.clone()]);
    v.authorize(
        &Passphrase::new(pass.trim_end()),
        OpenOptions {
            allow_insecure_kdf: true,
        },
    )
    .expect("authorize");
    export_with(&mut v, &bare, Disclosure::Proofs, only_new(), vec![]);
    let r = verify_bundle(&bare, &Key::None, Some(&old_note)).expect("verify");
    assert!(
        r.problems.iter().any(|p| p.code == "receipt_not_covered"),
        "{:?}",
        r.problems
    );
    // … and then carries what checks it.
    let told = tmp.path().join("told.zip");
    v.authorize(
        &Passphrase::new(pass.trim_end()),
        OpenOptions {
            allow_insecure_kdf: true,
        },
    )
    .expect("authorize");
    export_with(
        &mut v,
        &told,
        Disclosure::Proofs,
        only_new(),
        vec![old_note.clone()],
    );
    for given in [&old_note, &old_short] {
        let r = verify_bundle(&told, &Key::None, Some(given)).expect("verify");
        assert!(r.ok, "{given}: {:?}", r.problems);
        assert_eq!(r.receipt_extends, Some(true));
    }
    // Versions the first version wrote with private notes cannot be re-hashed without
    // them, and the bundle says which; those written since can.
    let rep = verify_bundle(&full, &Key::None, None).expect("verify");
    assert!(
        !rep.unverifiable.iter().any(|u| u.starts_with(&after)),
        "{:?}",
        rep.unverifiable
    );
    assert!(
        rep.versions_withheld >= 1,
        "the new private note was left out and still checked"
    );
    assert!(rep.versions_checked > 0);
}
