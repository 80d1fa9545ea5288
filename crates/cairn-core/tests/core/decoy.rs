//! The decoy passphrase: a separate vault, opened instead of the real one; nothing of
//! the real vault in it, nothing of it in the real vault's failed-unlock record.

use std::fs;

use cairn_core::{Error, KdfCost, Passphrase, Vault};

use crate::common::*;

const DECOY: &str = "plum orchard sunday kettle";

/// Makes `v`'s decoy with the passphrase `pass` (at the test KDF cost).
fn set_decoy(v: &Vault, pass: &str) -> cairn_core::Result<()> {
    v.authorize(&Passphrase::new(PASS), TEST_OPEN)?;
    v.set_decoy(&Passphrase::new(pass), KdfCost::InsecureTestOnly, TEST_OPEN)
}

#[test]
fn the_decoy_passphrase_opens_a_separate_empty_vault() {
    let mut tv = TestVault::new();
    tv.v()
        .add_incident(incident("He took my phone", "marker-real"))
        .unwrap();
    assert!(!tv.r().has_decoy());
    // Its own passphrase, or a weak one, is refused.
    let e = set_decoy(tv.r(), PASS).unwrap_err();
    assert_eq!(e.code(), "invalid_input", "{e}");
    let e = set_decoy(tv.r(), "password1").unwrap_err();
    assert_eq!(e.code(), "weak_passphrase");
    assert!(!tv.r().has_decoy());
    set_decoy(tv.r(), DECOY).unwrap();
    assert!(tv.r().has_decoy());
    let real_id = tv.r().vault_id().to_string();
    let real_key = tv.r().device_public_key();
    let tv_kdf = tv.r().kdf();
    tv.close();

    // The decoy: another vault, empty, its own chain; it knows of no decoy.
    let mut d = Vault::open(&tv.dir, &Passphrase::new(DECOY), TEST_OPEN).unwrap();
    // It names the same vault (a different id would give it away), with a key of its
    // own (it must never sign for the real vault).
    assert_eq!(d.vault_id(), real_id);
    assert_ne!(d.device_public_key(), real_key);
    assert!(d.timeline().unwrap().is_empty());
    assert!(d.search("marker").unwrap().is_empty());
    assert!(!d.has_decoy());
    assert_eq!(
        d.kdf(),
        tv_kdf,
        "the decoy's passphrase costs what hers does"
    );
    d.add_incident(incident("Shopping list", "eggs")).unwrap();
    assert_ok(&d);
    drop(d);

    // The real one, unchanged, and still verifying with the decoy inside its folder.
    tv.reopen();
    assert_eq!(tv.r().device_public_key(), real_key);
    let titles: Vec<String> = tv
        .r()
        .timeline()
        .unwrap()
        .into_iter()
        .map(|i| i.title)
        .collect();
    assert_eq!(titles, vec!["He took my phone".to_string()]);
    assert_ok(tv.r());
    assert_eq!(tv.r().failed_attempts(), None);
    tv.close();

    // A wrong passphrase is still just wrong, and noted in the real vault's record.
    let wrong = |n: usize| {
        for _ in 0..n {
            match Vault::open(
                &tv.dir,
                &Passphrase::new("neither of them at all"),
                TEST_OPEN,
            ) {
                Err(Error::WrongPassphrase) => {}
                other => panic!("expected WrongPassphrase, got {:?}", other.map(|_| ())),
            }
        }
    };
    wrong(2);
    let record = fs::read(tv.dir.join("attempts")).unwrap();
    // The decoy tells of them as the real vault would …
    let d = Vault::open(&tv.dir, &Passphrase::new(DECOY), TEST_OPEN).unwrap();
    assert_eq!(d.failed_attempts().map(|a| a.count), Some(2));
    assert_eq!(
        d.chain().unwrap().last().unwrap().kind,
        "vault.unlock_failed"
    );
    drop(d);
    // … leaving no trace of its opening beside the real vault …
    assert_eq!(fs::read(tv.dir.join("attempts")).unwrap(), record);
    // … and, opened again, tells of nothing it told before.
    let d = Vault::open(&tv.dir, &Passphrase::new(DECOY), TEST_OPEN).unwrap();
    assert_eq!(d.failed_attempts(), None);
    drop(d);
    // The delay does not end when the decoy opens: a third wrong try earns it.
    wrong(1);
    let wait = Vault::unlock_wait(&tv.dir);
    assert!(!wait.is_zero());
    std::thread::sleep(wait + std::time::Duration::from_millis(50));
    // The real vault tells of all three at its next opening.
    tv.reopen();
    assert_eq!(tv.r().failed_attempts().map(|a| a.count), Some(3));
    // Her own passphrase may not become the decoy's (the decoy could not be reached).
    let e = tv
        .v()
        .change_passphrase(&Passphrase::new(DECOY), KdfCost::InsecureTestOnly)
        .unwrap_err();
    assert_eq!(e.code(), "invalid_input", "{e}");
    // A second decoy is refused until the first is removed.
    let e = set_decoy(tv.r(), "another decoy phrase here").unwrap_err();
    assert_eq!(e.code(), "invalid_input");
    tv.r().authorize(&Passphrase::new(PASS), TEST_OPEN).unwrap();
    tv.r().remove_decoy().unwrap();
    assert!(!tv.r().has_decoy());
    assert!(!tv.dir.join(cairn_core::decoy::DECOY_DIR).exists());
    tv.close();
    match Vault::open(&tv.dir, &Passphrase::new(DECOY), TEST_OPEN) {
        Err(Error::WrongPassphrase) => {}
        other => panic!("the removed decoy still opens: {:?}", other.map(|_| ())),
    }
}

#[test]
fn a_decoy_left_half_made_or_half_removed_never_opens_and_is_replaced() {
    let mut tv = TestVault::new();
    set_decoy(tv.r(), DECOY).unwrap();
    // A crash after the keys file went and before the folder did.
    let alt = tv.dir.join(cairn_core::decoy::DECOY_DIR);
    std::fs::remove_file(alt.join("keys")).unwrap();
    assert!(!tv.r().has_decoy());
    tv.close();
    assert!(Vault::open(&tv.dir, &Passphrase::new(DECOY), TEST_OPEN).is_err());
    tv.reopen();
    set_decoy(tv.r(), DECOY).unwrap();
    tv.close();
    assert!(Vault::open(&tv.dir, &Passphrase::new(DECOY), TEST_OPEN).is_ok());
}

#[test]
fn a_backup_holds_the_real_vault_and_not_the_decoy() {
    let mut tv = TestVault::new();
    tv.v().add_incident(incident("Bruise", "marker")).unwrap();
    set_decoy(tv.r(), DECOY).unwrap();
    let dest = tv.scratch("stick");
    let never = std::sync::atomic::AtomicBool::new(false);
    tv.v().authed().backup(&dest, &never, &|_| {}).unwrap();
    assert!(!dest.join(cairn_core::decoy::DECOY_DIR).exists());
    let b = open(&dest).unwrap();
    assert_eq!(b.timeline().unwrap().len(), 1);
}

#[test]
fn a_decoy_made_inside_the_decoy_opens_too() {
    let mut tv = TestVault::new();
    set_decoy(tv.r(), DECOY).unwrap();
    tv.close();
    let d = Vault::open(&tv.dir, &Passphrase::new(DECOY), TEST_OPEN).unwrap();
    let inner = "walnut ferry morning lantern";
    // Just opened with its passphrase: one change is allowed.
    d.set_decoy(
        &Passphrase::new(inner),
        KdfCost::InsecureTestOnly,
        TEST_OPEN,
    )
    .unwrap();
    let decoy_key = d.device_public_key();
    drop(d);
    let n = Vault::open(&tv.dir, &Passphrase::new(inner), TEST_OPEN).unwrap();
    assert_ne!(n.device_public_key(), decoy_key);
    drop(n);
    let d = Vault::open(&tv.dir, &Passphrase::new(DECOY), TEST_OPEN).unwrap();
    assert_eq!(d.device_public_key(), decoy_key);
}

/// Alternating wrong guesses with the decoy's passphrase never escapes the delay (it
/// did when a decoy opening started the delay afresh).
#[test]
fn guesses_between_decoy_openings_still_earn_the_delay() {
    let tv = TestVault::new();
    set_decoy(tv.r(), DECOY).unwrap();
    let dir = tv.dir.clone();
    drop(tv.vault);
    let guess = || Vault::open(&dir, &Passphrase::new("a guess at hers"), TEST_OPEN).map(|_| ());
    for _ in 0..2 {
        assert!(matches!(guess(), Err(Error::WrongPassphrase)));
    }
    drop(Vault::open(&dir, &Passphrase::new(DECOY), TEST_OPEN).unwrap());
    assert!(matches!(guess(), Err(Error::WrongPassphrase)));
    // Three wrong in all: the next try, the decoy's included, waits.
    assert!(!Vault::unlock_wait(&dir).is_zero());
    assert!(matches!(
        Vault::open(&dir, &Passphrase::new(DECOY), TEST_OPEN),
        Err(Error::TooSoon { .. })
    ));
    assert!(matches!(guess(), Err(Error::TooSoon { .. })));
}
