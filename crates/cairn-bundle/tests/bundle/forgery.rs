//! The forger's matrix: a bundle opened, changed and put back together consistently —
//! manifests, Payload-Oxum, the evidence fingerprint, External-Identifier and the
//! figures in HOW-TO-VERIFY.txt all recomputed, re-zipped with deflate — must fail.
//! Without the vault's key the signature names it; with the key (someone at her
//! unlocked laptop, or the vault's owner) the record's own checks name what was changed
//! against the signed tree. Untouched bundles, re-zipped, still verify. Both disclosure
//! modes. (The CLI, age re-sealing and the Python verifier are in tests/e2e/forgery.rs.)

use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Write};
use std::path::Path;

use cairn_bundle::{receipt, verify_bundle, Disclosure, ExportOptions, Key, Seal, Selection};

use crate::export;
use cairn_core::{Incident, Occurred, Person, Role, Vault};
use ed25519_dalek::SigningKey;
use serde_json::Value;

use crate::{add_file, fixture, jpeg_with_gps, opts, sha, Fixture};

/// An unpacked bag: its folder name and its files by path inside it.
pub struct Unpacked {
    pub root: String,
    pub files: BTreeMap<String, Vec<u8>>,
}

pub fn unpack(path: &Path) -> Unpacked {
    let mut z = zip::ZipArchive::new(fs::File::open(path).expect("open")).expect("zip");
    let mut files = BTreeMap::new();
    let mut root = String::new();
    for i in 0..z.len() {
        let mut e = z.by_index(i).expect("entry");
        let name = e.name().expect("name").to_string();
        let (r, rest) = name.split_once('/').expect("in a folder");
        root = r.to_string();
        let mut b = Vec::new();
        e.read_to_end(&mut b).expect("read");
        files.insert(rest.to_string(), b);
    }
    Unpacked { root, files }
}

/// Writes the bag as a ZIP, every file deflated (a different archive than Cairn's).
pub fn pack(u: &Unpacked, path: &Path) {
    let mut w = zip::ZipWriter::new(fs::File::create(path).expect("create"));
    let o = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (n, b) in &u.files {
        w.start_file(format!("{}/{n}", u.root), o).expect("start");
        w.write_all(b).expect("write");
    }
    w.finish().expect("finish");
}

fn text(u: &Unpacked, p: &str) -> String {
    String::from_utf8(u.files.get(p).cloned().unwrap_or_default()).expect("utf-8")
}

fn set_text(u: &mut Unpacked, p: &str, s: String) {
    u.files.insert(p.to_string(), s.into_bytes());
}

fn manifest(u: &Unpacked, filter: &dyn Fn(&str) -> bool) -> String {
    u.files
        .iter()
        .filter(|(n, _)| filter(n))
        .map(|(n, b)| format!("{}  {n}\n", sha(b)))
        .collect()
}

/// Puts the bag back together as Cairn would have, with everything a reader checks
/// for consistency recomputed — all but the vault's signature.
pub fn rebag(u: &mut Unpacked) {
    let old_evidence =
        crate::forgery::info_field(&text(u, "bag-info.txt"), "Cairn-Evidence-SHA256");
    let record = manifest(u, &|n| {
        n.starts_with("data/exhibits/") || n.starts_with("data/record/")
    });
    let evidence = sha(record.as_bytes());
    for view in ["data/HOW-TO-VERIFY.txt", "data/index.html"] {
        let t = text(u, view).replace(&old_evidence, &evidence);
        set_text(u, view, t);
    }
    let payload = manifest(u, &|n| n.starts_with("data/"));
    let (bytes, count) = u
        .files
        .iter()
        .filter(|(n, _)| n.starts_with("data/"))
        .fold((0usize, 0usize), |(b, c), (_, v)| (b + v.len(), c + 1));
    let info: String = text(u, "bag-info.txt")
        .lines()
        .map(|l| {
            let l = if l.starts_with("Payload-Oxum:") {
                format!("Payload-Oxum: {bytes}.{count}")
            } else if l.starts_with("Cairn-Evidence-SHA256:") {
                format!("Cairn-Evidence-SHA256: {evidence}")
            } else if l.starts_with("External-Identifier:") {
                format!("External-Identifier: cairn-bundle-{}", &evidence[..16])
            } else {
                l.to_string()
            };
            l + "\n"
        })
        .collect();
    set_text(u, "manifest-sha256.txt", payload);
    set_text(u, "bag-info.txt", info);
    let tags = manifest(u, &|n| {
        ["bagit.txt", "bag-info.txt", "manifest-sha256.txt"].contains(&n)
    });
    set_text(u, "tagmanifest-sha256.txt", tags);
}

/// Signs the bag's note again with the vault's key (as someone with the key could),
/// over the manifests as they now are.
pub fn resign(u: &mut Unpacked, key: &SigningKey, vault_id: &str) {
    let old = text(u, "cairn-signature.txt");
    let body: String = old
        .split("\n\n")
        .next()
        .expect("body")
        .lines()
        .map(|l| {
            let l = if l.starts_with("manifest-sha256 ") {
                format!("manifest-sha256 {}", sha(&u.files["manifest-sha256.txt"]))
            } else if l.starts_with("tagmanifest-sha256 ") {
                format!(
                    "tagmanifest-sha256 {}",
                    sha(&u.files["tagmanifest-sha256.txt"])
                )
            } else {
                l.to_string()
            };
            l + "\n"
        })
        .collect();
    let name = format!("cairn/vault/{vault_id}");
    set_text(
        u,
        "cairn-signature.txt",
        cairn_core::note::sign(key, &name, &body),
    );
}

pub fn info_field(info: &str, k: &str) -> String {
    info.lines()
        .find_map(|l| l.strip_prefix(&format!("{k}:")))
        .map(|v| v.trim().to_string())
        .unwrap_or_default()
}

/// The vault's device key, read as only someone holding the vault's keys can.
pub fn device_key(v: &Vault) -> SigningKey {
    let seed: Vec<u8> = v
        .raw_connection_for_tests()
        .query_row("SELECT secret FROM device_key", [], |r| r.get(0))
        .expect("device key");
    SigningKey::from_bytes(&seed.try_into().expect("32 bytes"))
}

/// A vault with what every forgery needs: an incident edited twice with private
/// notes, an officer linked to it, a photo with GPS linked to it, a second photo, a
/// redacted incident, a third incident.
pub struct Case {
    pub f: Fixture,
    pub officer: String,
    pub gps_photo: String,
    pub redacted: String,
    pub third: String,
}

pub fn case() -> Case {
    let mut f = fixture();
    let mut inc = f.vault.show(&f.incident).expect("show");
    let mut edited: Incident =
        serde_json::from_value(inc.record.take().expect("record")).expect("incident");
    edited.body = "Same grey car outside the house, two nights running.".into();
    f.vault
        .edit_incident(&f.incident, edited.clone())
        .expect("edit");
    edited.location = "Outside the flats".into();
    f.vault.edit_incident(&f.incident, edited).expect("edit");
    let officer = f
        .vault
        .add_person(Person {
            collar_number: "PC 4471".into(),
            force: "Northshire Police".into(),
            ..Person::new("Dan Hollis", Role::Officer)
        })
        .expect("person")
        .id;
    f.vault.link(&f.incident, &officer).expect("link");
    let dir = f.tmp.path().to_path_buf();
    let gps_photo = add_file(
        &mut f.vault,
        &dir,
        "at-home.jpg",
        &jpeg_with_gps(),
        Some(&f.incident),
    );
    let redacted = f
        .vault
        .add_incident(Incident {
            title: "Written by mistake".into(),
            body: "not for the record".into(),
            ..Incident::default()
        })
        .expect("incident")
        .id;
    crate::authorize(&f.vault);
    f.vault
        .redact(&redacted, "a duplicate of another entry")
        .expect("redact");
    let third = f
        .vault
        .add_incident(Incident {
            title: "Phone taken".into(),
            occurred: Some(Occurred {
                start: "2026-11-10".into(),
                end: None,
                approximate: true,
            }),
            body: "He took my phone for an hour.".into(),
            ..Incident::default()
        })
        .expect("incident")
        .id;
    f.vault.link(&third, &officer).expect("link");
    Case {
        f,
        officer,
        gps_photo,
        redacted,
        third,
    }
}

fn export_to(
    c: &mut Case,
    name: &str,
    d: Disclosure,
    include_location: bool,
) -> std::path::PathBuf {
    let out = c.f.tmp.path().join(name);
    export(
        &mut c.f.vault,
        &out,
        &ExportOptions {
            disclosure: d,
            include_location,
            ..opts(Seal::Open, Selection::All)
        },
    )
    .expect("export");
    out
}

/// Rewrites each line of a JSON-lines text (or one-element-a-line array) that `pick`
/// chooses, with `f`.
fn edit_lines(t: &str, pick: &dyn Fn(&Value) -> bool, f: &dyn Fn(&mut Value)) -> String {
    t.lines()
        .map(|l| {
            let (body, comma) = match l.strip_suffix(',') {
                Some(b) => (b, ","),
                None => (l, ""),
            };
            match serde_json::from_str::<Value>(body) {
                Ok(mut v) if v.is_object() && pick(&v) => {
                    f(&mut v);
                    format!("{}{comma}\n", serde_json::to_string(&v).expect("json"))
                }
                _ => format!("{l}\n"),
            }
        })
        .collect()
}

type Tamper = Box<dyn Fn(&mut Unpacked)>;

fn is(id: &str) -> impl Fn(&Value) -> bool + '_ {
    move |v: &Value| {
        v.get("id")
            .or_else(|| v.get("item"))
            .and_then(Value::as_str)
            == Some(id)
    }
}

fn entries_path(u: &Unpacked) -> &'static str {
    if u.files.contains_key("data/record/chain.jsonl") {
        "data/record/chain.jsonl"
    } else {
        "data/record/entries.jsonl"
    }
}

/// Every tamper the issue names, with the code the record's own checks give when the
/// forger also holds the key (`None`: only the signature can tell).
fn tampers(
    c: &Case,
    older_checkpoint: String,
    other_picture: Vec<u8>,
) -> Vec<(&'static str, Tamper, &'static [&'static str])> {
    let inc = c.f.incident.clone();
    let officer = c.officer.clone();
    let photo = c.gps_photo.clone();
    let red = c.redacted.clone();
    let third = c.third.clone();
    let items = "data/record/items.json";
    let versions = "data/record/versions.jsonl";
    let exhibits = "data/record/exhibits.json";
    vec![
        (
            "a new version appended after the signed checkpoint",
            Box::new({
                let inc = inc.clone();
                move |u: &mut Unpacked| {
                    let p = entries_path(u);
                    let t = text(u, p);
                    let last: Value =
                        serde_json::from_str(t.lines().last().expect("line")).expect("json");
                    let n = last["seq"].as_u64().expect("seq") + 1;
                    let mut e = serde_json::json!({
                        "v": 1, "seq": n, "prev": last["hash"], "recorded_at": last["recorded_at"].as_i64().unwrap_or(0) + 1000,
                        "kind": "incident.edit", "item": inc, "content_sha256": "00".repeat(32), "meta": {"version": 4}
                    });
                    let canon = cairn_core::canonical::to_canonical(&e).expect("canonical");
                    e["hash"] = Value::String(sha(canon.as_bytes()));
                    set_text(
                        u,
                        p,
                        format!("{t}{}\n", serde_json::to_string(&e).expect("json")),
                    );
                    let v = text(u, versions);
                    set_text(
                        u,
                        versions,
                        format!(
                            "{v}{}\n",
                            serde_json::json!({"item": inc, "version": 4, "seq": n, "record": {"title": "She made it all up"}, "withheld": []})
                        ),
                    );
                    let t = edit_lines(&text(u, items), &is(&inc), &|v| {
                        v["version"] = 4.into();
                        v["current_seq"] = n.into();
                        v["record"] = serde_json::json!({"title": "She made it all up"});
                    });
                    set_text(u, items, t);
                }
            }),
            &["chain_size", "chain_gap"],
        ),
        (
            "the checkpoint swapped for an older genuine one",
            Box::new(move |u: &mut Unpacked| {
                set_text(u, "data/record/checkpoint.txt", older_checkpoint.clone())
            }),
            &["checkpoint_mismatch"],
        ),
        (
            "an incident's title changed in items.json",
            Box::new({
                let inc = inc.clone();
                move |u: &mut Unpacked| {
                    let t = edit_lines(&text(u, items), &is(&inc), &|v| {
                        v["record"]["title"] = "Nothing happened".into()
                    });
                    set_text(u, items, t);
                }
            }),
            &["item_mismatch"],
        ),
        (
            "an officer's name changed in items.json",
            Box::new({
                let officer = officer.clone();
                move |u: &mut Unpacked| {
                    let t = edit_lines(&text(u, items), &is(&officer), &|v| {
                        v["record"]["name"] = "Someone Else".into()
                    });
                    set_text(u, items, t);
                }
            }),
            &["item_mismatch"],
        ),
        (
            "a display time changed in items.json",
            Box::new({
                let inc = inc.clone();
                move |u: &mut Unpacked| {
                    let t = edit_lines(&text(u, items), &is(&inc), &|v| {
                        v["recorded_at"] = "2020-01-01T00:00:00.000Z".into()
                    });
                    set_text(u, items, t);
                }
            }),
            &["item_mismatch"],
        ),
        (
            "an earlier version dropped from versions.jsonl",
            Box::new({
                let inc = inc.clone();
                move |u: &mut Unpacked| {
                    let t: String = text(u, versions)
                        .lines()
                        .filter(|l| {
                            let v: Value = serde_json::from_str(l).expect("json");
                            !(v["item"] == inc.as_str() && v["version"] == 2)
                        })
                        .map(|l| format!("{l}\n"))
                        .collect();
                    set_text(u, versions, t);
                }
            }),
            &["version_missing"],
        ),
        (
            "a redaction's reason changed",
            Box::new({
                let red = red.clone();
                move |u: &mut Unpacked| {
                    let t = edit_lines(&text(u, items), &is(&red), &|v| {
                        v["redaction"]["reason"] = "she deleted evidence".into()
                    });
                    set_text(u, items, t);
                }
            }),
            &["item_mismatch"],
        ),
        (
            "a redaction hidden",
            Box::new({
                let red = red.clone();
                move |u: &mut Unpacked| {
                    let t = edit_lines(&text(u, items), &is(&red), &|v| {
                        v["redaction"] = Value::Null;
                        v["current_seq"] = v["created_seq"].clone();
                    });
                    set_text(u, items, t);
                }
            }),
            &["item_mismatch", "redaction_hidden", "content_missing"],
        ),
        (
            "an incident's text rewritten, claiming its private notes were withheld",
            Box::new({
                let inc = inc.clone();
                move |u: &mut Unpacked| {
                    let t = edit_lines(
                        &text(u, versions),
                        &|v| v["item"] == inc.as_str() && v["version"] == 3,
                        &|v| {
                            v["record"]["body"] = "I made it up.".into();
                            if let Some(o) = v["record"].as_object_mut() {
                                o.remove("_sd");
                            }
                            v["withheld"] = serde_json::json!(["private_notes"]);
                            v["unverifiable"] = true.into();
                        },
                    );
                    set_text(u, versions, t);
                }
            }),
            &["record_hash", "item_mismatch"],
        ),
        (
            "the record of a photo whose position was withheld edited",
            Box::new({
                let photo = photo.clone();
                move |u: &mut Unpacked| {
                    let t = edit_lines(&text(u, versions), &is(&photo), &|v| {
                        v["record"]["name"] = "somewhere-else.jpg".into()
                    });
                    set_text(u, versions, t);
                }
            }),
            &["record_hash"],
        ),
        (
            "the location-free copy swapped for another picture",
            Box::new({
                let photo = photo.clone();
                move |u: &mut Unpacked| {
                    let ex: String = text(u, exhibits);
                    let line = ex
                        .lines()
                        .find(|l| l.contains(&photo))
                        .expect("exhibit")
                        .trim_end_matches(',');
                    let e: Value = serde_json::from_str(line).expect("json");
                    let path = e["path"].as_str().expect("path").to_string();
                    u.files.insert(path.clone(), other_picture.clone());
                    let t = edit_lines(&ex, &is_item(&photo), &|v| {
                        v["sha256"] = sha(&other_picture).into();
                        v["size"] = (other_picture.len() as u64).into();
                    });
                    set_text(u, exhibits, t);
                }
            }),
            &["exhibit_copy"],
        ),
        (
            "a planted exhibit listed in the manifest",
            Box::new(|u: &mut Unpacked| {
                u.files.insert(
                    "data/exhibits/AB-9 texts from her.txt".into(),
                    b"I will lie about him".to_vec(),
                );
            }),
            &["planted_file"],
        ),
        (
            "exhibit references swapped",
            Box::new(|u: &mut Unpacked| {
                let t = text(u, exhibits);
                let swapped = t
                    .replace("\"AB/1\"", "\"AB/X\"")
                    .replace("\"AB/2\"", "\"AB/1\"")
                    .replace("\"AB/X\"", "\"AB/2\"");
                set_text(u, exhibits, swapped);
            }),
            &["exhibit_reference"],
        ),
        (
            "a link forged in items.json",
            Box::new({
                let (third, photo) = (third.clone(), photo.clone());
                move |u: &mut Unpacked| {
                    let t = edit_lines(&text(u, items), &is(&third), &|v| {
                        v["links"]
                            .as_array_mut()
                            .expect("links")
                            .push(photo.as_str().into())
                    });
                    set_text(u, items, t);
                }
            }),
            &["links_mismatch"],
        ),
        (
            "a link re-pointed",
            Box::new({
                let (officer, third) = (officer.clone(), third.clone());
                move |u: &mut Unpacked| {
                    let t = edit_lines(
                        &text(u, versions),
                        &|v| {
                            v["record"]["to"] == officer.as_str()
                                && v["record"]["from"] == third.as_str()
                        },
                        &|v| {
                            v["record"]["to"] = "per-0000000000".into();
                        },
                    );
                    set_text(u, versions, t);
                }
            }),
            &["record_hash"],
        ),
        (
            "a name given twice in a record, the later one true",
            Box::new({
                let inc = inc.clone();
                move |u: &mut Unpacked| {
                    let t = text(u, items);
                    let line = t
                        .lines()
                        .find(|l| l.contains(&format!("\"id\":\"{inc}\"")))
                        .expect("item")
                        .to_string();
                    let twice = line.replacen(
                        "\"record\":{",
                        "\"record\":{\"title\":\"Nothing happened\",",
                        1,
                    );
                    set_text(u, items, t.replace(&line, &twice));
                }
            }),
            &["record_format"],
        ),
        (
            "items.json missing a comma (no longer JSON)",
            Box::new(|u: &mut Unpacked| {
                let t = text(u, items);
                let first = t.lines().nth(1).expect("an item").to_string();
                set_text(u, items, t.replacen(&first, first.trim_end_matches(','), 1));
            }),
            &["record_format"],
        ),
        (
            "a tombstone listing other versions",
            Box::new({
                let red = red.clone();
                move |u: &mut Unpacked| {
                    let t = edit_lines(&text(u, items), &is(&red), &|v| {
                        v["redaction"]["versions"] = serde_json::json!([]);
                    });
                    set_text(u, items, t);
                }
            }),
            &["redaction_versions", "item_mismatch"],
        ),
        (
            "an exhibit's name changed",
            Box::new({
                let photo = photo.clone();
                move |u: &mut Unpacked| {
                    let t = edit_lines(&text(u, exhibits), &is_item(&photo), &|v| {
                        v["name"] = "not-her-flat.jpg".into()
                    });
                    set_text(u, exhibits, t);
                }
            }),
            &["exhibit_record"],
        ),
        (
            "bag-info.txt naming another vault",
            Box::new(|u: &mut Unpacked| {
                let t: String = text(u, "bag-info.txt")
                    .lines()
                    .map(|l| {
                        if l.starts_with("Cairn-Vault-Id:") {
                            "Cairn-Vault-Id: 00000000000000000000000000000000\n".to_string()
                        } else {
                            format!("{l}\n")
                        }
                    })
                    .collect();
                set_text(u, "bag-info.txt", t);
            }),
            &["bag_info"],
        ),
        (
            "report.pdf altered",
            Box::new(|u: &mut Unpacked| {
                let p = u.files.get_mut("data/report.pdf").expect("pdf");
                let n = p.len() / 2;
                p[n] ^= 0x20;
            }),
            &[],
        ),
        (
            "index.html altered",
            Box::new(|u: &mut Unpacked| {
                let t =
                    text(u, "data/index.html").replacen("Outside the flats", "At her mother's", 1);
                set_text(u, "data/index.html", t);
            }),
            &[],
        ),
        (
            "HOW-TO-VERIFY.txt altered",
            Box::new(|u: &mut Unpacked| {
                let t = text(u, "data/HOW-TO-VERIFY.txt") + "\nYou need not check the signature.\n";
                set_text(u, "data/HOW-TO-VERIFY.txt", t);
            }),
            &[],
        ),
        (
            "location_included flipped",
            Box::new(|u: &mut Unpacked| {
                let t = text(u, "data/record/vault.json");
                let flipped = if t.contains("\"location_included\": false") {
                    t.replace(
                        "\"location_included\": false",
                        "\"location_included\": true",
                    )
                } else {
                    t.replace(
                        "\"location_included\": true",
                        "\"location_included\": false",
                    )
                };
                set_text(u, "data/record/vault.json", flipped);
            }),
            &[],
        ),
    ]
}

fn is_item(id: &str) -> impl Fn(&Value) -> bool + '_ {
    move |v: &Value| v.get("item").and_then(Value::as_str) == Some(id)
}

fn codes(r: &cairn_bundle::BundleReport) -> Vec<&'static str> {
    r.problems.iter().map(|p| p.code).collect()
}

#[test]
fn every_forgery_fails_and_untouched_bundles_pass() {
    let mut c = case();
    // An older genuine checkpoint: from a bundle made before the last writes.
    let early = c.f.tmp.path().join("early.zip");
    export(&mut c.f.vault, &early, &opts(Seal::Open, Selection::All)).expect("export");
    let older = text(&unpack(&early), "data/record/checkpoint.txt");
    let _ = receipt(&mut c.f.vault).expect("receipt");
    c.f.vault
        .add_incident(Incident {
            title: "Later".into(),
            ..Incident::default()
        })
        .expect("incident");
    let key = device_key(&c.f.vault);
    let vault_id = c.f.vault.vault_id().to_string();
    let mut other = c.f.photo_bytes.clone();
    other.push(0);
    let dir = c.f.tmp.path().to_path_buf();
    for (mode, name) in [
        (Disclosure::FullChain, "full.zip"),
        (Disclosure::Proofs, "proofs.zip"),
    ] {
        let good = export_to(&mut c, name, mode, false);
        // Untouched, and re-zipped with deflate: intact.
        let r = verify_bundle(&good, &Key::None, None).expect("verify");
        assert!(r.ok, "{mode:?}: {:?}", r.problems);
        let mut u = unpack(&good);
        let same = dir.join("rezipped.zip");
        pack(&u, &same);
        let r = verify_bundle(&same, &Key::None, None).expect("verify");
        assert!(r.ok, "{mode:?} re-zipped: {:?}", r.problems);
        rebag(&mut u);
        pack(&u, &same);
        assert!(
            verify_bundle(&same, &Key::None, None).expect("verify").ok,
            "rebag of nothing"
        );

        for (what, tamper, with_key) in tampers(&c, older.clone(), other.clone()) {
            let mut u = unpack(&good);
            tamper(&mut u);
            rebag(&mut u);
            let bad = dir.join("forged.zip");
            pack(&u, &bad);
            let r = verify_bundle(&bad, &Key::None, None).expect("verify");
            assert!(!r.ok, "{mode:?}, {what}: verified");
            assert_eq!(
                r.problems[0].code, "signature_mismatch",
                "{mode:?}, {what}: {:?}",
                r.problems
            );
            assert!(
                r.verdict.contains("not the one the vault signed"),
                "{}",
                r.verdict
            );
            if with_key.is_empty() {
                continue;
            }
            resign(&mut u, &key, &vault_id);
            pack(&u, &bad);
            let r = verify_bundle(&bad, &Key::None, None).expect("verify");
            assert!(!r.ok, "{mode:?}, {what}, re-signed: verified");
            assert!(
                r.problems
                    .iter()
                    .all(|p| p.code != "signature" && p.code != "signature_mismatch"),
                "{mode:?}, {what}: the re-signing itself failed: {:?}",
                r.problems
            );
            assert!(
                codes(&r).iter().any(|c| with_key.contains(c)),
                "{mode:?}, {what}: wanted one of {with_key:?}, got {:?}",
                r.problems
            );
        }
    }
}

#[test]
fn a_bundle_with_location_cannot_claim_it_was_left_out() {
    let mut c = case();
    let key = device_key(&c.f.vault);
    let vault_id = c.f.vault.vault_id().to_string();
    let with = export_to(&mut c, "with.zip", Disclosure::Proofs, true);
    assert!(verify_bundle(&with, &Key::None, None).expect("verify").ok);
    let mut u = unpack(&with);
    let t = text(&u, "data/record/vault.json").replace(
        "\"location_included\": true",
        "\"location_included\": false",
    );
    set_text(&mut u, "data/record/vault.json", t);
    rebag(&mut u);
    resign(&mut u, &key, &vault_id);
    let t = text(&u, "cairn-signature.txt");
    // The note says what vault.json says: re-sign it as the key holder would.
    let body = t
        .split("\n\n")
        .next()
        .expect("body")
        .replace("location included", "location left-out")
        + "\n";
    set_text(
        &mut u,
        "cairn-signature.txt",
        cairn_core::note::sign(&key, &format!("cairn/vault/{vault_id}"), &body),
    );
    let bad = c.f.tmp.path().join("claims.zip");
    pack(&u, &bad);
    let r = verify_bundle(&bad, &Key::None, None).expect("verify");
    assert!(!r.ok);
    let got = codes(&r);
    assert!(
        got.contains(&"location_included") && got.contains(&"withheld_field"),
        "{:?}",
        r.problems
    );
}

#[test]
fn a_proofs_bundles_own_checkpoint_is_a_receipt_for_later_bundles() {
    let mut c = case();
    let early = export_to(&mut c, "early.zip", Disclosure::Proofs, false);
    let cp = text(&unpack(&early), "data/record/checkpoint.txt");
    assert!(cp.contains("cairn-head -"), "{cp}");
    c.f.vault
        .add_incident(Incident {
            title: "Later".into(),
            ..Incident::default()
        })
        .expect("incident");
    for (name, mode) in [
        ("later-full.zip", Disclosure::FullChain),
        ("later-proofs.zip", Disclosure::Proofs),
    ] {
        let later = export_to(&mut c, name, mode, false);
        let r = verify_bundle(&later, &Key::None, Some(&cp)).expect("verify");
        assert!(r.ok, "{mode:?}: {:?}", r.problems);
        assert_eq!(r.receipt_extends, Some(true));
    }
}
