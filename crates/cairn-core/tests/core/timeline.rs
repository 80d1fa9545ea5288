//! The timeline rows the app filters on, the plain search, settings beside the vault,
//! passphrase strength, the check of the current passphrase, and a cancelled verify.

use cairn_core::{Category, Incident, ItemKind, Occurred, Passphrase, Person, Role, Settings};

use crate::common::{Authed, TestVault, PASS, TEST_OPEN};

fn incident(title: &str) -> Incident {
    Incident {
        title: title.into(),
        ..Default::default()
    }
}

#[test]
fn timeline_rows_carry_what_the_filters_need() {
    let mut t = TestVault::new();
    let mut a = incident("Followed home");
    a.occurred = Some(Occurred {
        start: "2026-10-02T23:30:00-01:00".into(),
        end: Some("2026-10-03T00:10:00-01:00".into()),
        approximate: true,
    });
    a.categories = vec![Category::Stalking];
    a.tags = vec!["car".into()];
    a.location = "Bus stop".into();
    let a = t.v().add_incident(a).unwrap().id;
    let p = t
        .v()
        .add_person(Person::new("PC Jones", Role::Officer))
        .unwrap()
        .id;
    t.v().link(&a, &p).unwrap();
    let b = t.v().add_incident(incident("No date given")).unwrap().id;

    let rows = t.r().timeline().unwrap();
    assert_eq!(rows.len(), 3);
    let ra = rows.iter().find(|r| r.id == a).unwrap();
    assert_eq!(ra.kind, ItemKind::Incident);
    // The day is the one she wrote, not the UTC day.
    assert_eq!(ra.day, "2026-10-02");
    assert_eq!(ra.sort_key, "2026-10-03T00:30:00Z");
    assert_eq!(
        ra.occurred_end.as_deref(),
        Some("2026-10-03T00:10:00-01:00")
    );
    assert!(ra.approximate);
    assert_eq!(ra.categories, vec![Category::Stalking]);
    assert_eq!(ra.tags, vec!["car".to_string()]);
    assert_eq!(ra.location, "Bus stop");
    assert_eq!(ra.linked, vec![p.clone()]);
    let rp = rows.iter().find(|r| r.id == p).unwrap();
    assert_eq!(rp.role, Some(Role::Officer));
    assert_eq!(rp.linked, vec![a.clone()]);
    // Without a date, the day it was recorded.
    let rb = rows.iter().find(|r| r.id == b).unwrap();
    assert_eq!(rb.day, &rb.recorded_at[..10]);
    assert!(rb.occurred.is_none());

    t.v().authed().redact(&b, "Duplicate").unwrap();
    let rows = t.r().timeline().unwrap();
    let rb = rows.iter().find(|r| r.id == b).unwrap();
    assert!(rb.redacted && rb.title.is_empty());
    assert!(rb
        .redacted_at
        .as_deref()
        .is_some_and(|t| t >= rb.updated_at.as_str()));
}

#[test]
fn search_matches_every_word_in_what_she_wrote_only() {
    let mut t = TestVault::new();
    let mut a = incident("Phone taken");
    a.words_said = "Nobody will BELIEVE you, I'm police".into();
    let a = t.v().add_incident(a).unwrap().id;
    let b = t
        .v()
        .add_incident(incident("Believe in the morning"))
        .unwrap()
        .id;
    assert_eq!(t.r().search("believe").unwrap(), vec![a.clone(), b.clone()]);
    assert_eq!(
        t.r().search("  believe   POLICE ").unwrap(),
        vec![a.clone()]
    );
    // Field names and hashes are not her words.
    assert!(t.r().search("words_said").unwrap().is_empty());
    assert!(t.r().search("").unwrap().is_empty());
    t.v().authed().redact(&a, "Wrong vault").unwrap();
    assert_eq!(t.r().search("believe").unwrap(), vec![b]);
}

#[test]
fn settings_live_beside_the_vault_and_bad_ones_fall_back() {
    let t = TestVault::new();
    assert_eq!(Settings::load(&t.dir), Settings::default());
    let s = Settings {
        auto_lock_minutes: 15,
        lock_on_minimise: true,
        quick_exit: cairn_core::QuickExit::Close,
        quick_exit_shortcut: Some("Control+Alt+KeyN".into()),
        disguise: Some(cairn_core::Disguise::Budget),
    };
    s.save(&t.dir).unwrap();
    assert_eq!(Settings::load(&t.dir), s);
    let bad = Settings {
        auto_lock_minutes: 0,
        ..Settings::default()
    };
    assert_eq!(bad.save(&t.dir).unwrap_err().code(), "invalid_input");
    let bad = Settings {
        quick_exit_shortcut: Some("KeyQ".into()),
        ..Settings::default()
    };
    assert_eq!(bad.save(&t.dir).unwrap_err().code(), "invalid_input");
    assert_eq!(Settings::load(&t.dir), s, "a refused save changes nothing");
    std::fs::write(t.dir.join("settings.json"), b"{not json").unwrap();
    assert_eq!(Settings::load(&t.dir), Settings::default());
    // The vault still verifies with a settings file beside it.
    crate::common::assert_ok(t.r());
}

#[test]
fn strength_and_current_passphrase_check() {
    assert!(!cairn_core::strength("", &[]).acceptable);
    assert!(!cairn_core::strength("cairn cairn", &[]).acceptable);
    assert!(cairn_core::strength("lantern orchard velvet gravel", &[]).acceptable);
    let t = TestVault::new();
    t.r()
        .check_passphrase(&Passphrase::new(PASS), TEST_OPEN)
        .unwrap();
    let e = t
        .r()
        .check_passphrase(&Passphrase::new("not the one"), TEST_OPEN)
        .unwrap_err();
    assert_eq!(e.code(), "wrong_passphrase");
}

#[test]
fn verify_stops_when_cancelled() {
    use std::sync::atomic::AtomicBool;
    let mut t = TestVault::new();
    crate::common::add_bytes(t.v(), "a.bin", &[7u8; 100_000]);
    let cancel = AtomicBool::new(true);
    let e = t
        .r()
        .verify_cancellable(Default::default(), &|_, _| {}, &cancel)
        .unwrap_err();
    assert_eq!(e.code(), "cancelled");
    let ok = t
        .r()
        .verify_cancellable(Default::default(), &|_, _| {}, &AtomicBool::new(false))
        .unwrap();
    assert!(ok.ok && ok.blobs_checked == 1);
}

#[test]
fn timeline_head_is_the_newest_screenful_in_recording_order() {
    let mut t = TestVault::new();
    let mut ids = Vec::new();
    // Out of order on purpose: days, times on one day, an undated item, and a tie.
    for (title, when) in [
        ("c", Some("2026-11-03")),
        ("a", Some("2026-11-01")),
        ("d", Some("2026-11-03T09:00:00+00:00")),
        ("undated", None),
        ("b", Some("2026-11-02")),
        ("e", Some("2026-11-03T09:00:00+00:00")),
    ] {
        let mut i = incident(title);
        i.occurred = when.map(|w| Occurred {
            start: w.into(),
            end: None,
            approximate: false,
        });
        ids.push(t.v().add_incident(i).unwrap().id);
    }
    let all = t.r().timeline().unwrap();
    // The app's order: day, then when it happened, then when recorded, newest first;
    // ties go to the later-recorded.
    let mut newest: Vec<(usize, &cairn_core::TimelineItem)> = all.iter().enumerate().collect();
    newest.sort_by(|a, b| {
        (&b.1.day, &b.1.sort_key, &b.1.recorded_at, b.0).cmp(&(
            &a.1.day,
            &a.1.sort_key,
            &a.1.recorded_at,
            a.0,
        ))
    });
    for limit in [0, 1, 3, 6, 10] {
        let head = t.r().timeline_head(limit).unwrap();
        assert_eq!(head.total, 6);
        let mut want: Vec<(usize, String)> = newest
            .iter()
            .take(limit)
            .map(|(i, r)| (*i, r.id.clone()))
            .collect();
        want.sort();
        let want: Vec<String> = want.into_iter().map(|(_, id)| id).collect();
        let got: Vec<String> = head.items.iter().map(|r| r.id.clone()).collect();
        assert_eq!(got, want, "limit {limit}");
    }
    // The undated item (recorded today) is newest of all; then e before d (a tie on
    // time, e recorded later), then c.
    let three: Vec<String> = t
        .r()
        .timeline_head(3)
        .unwrap()
        .items
        .into_iter()
        .map(|r| r.title)
        .collect();
    assert_eq!(three, ["d", "undated", "e"]);
}
