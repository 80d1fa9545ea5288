//! The record a bundle carries: each exported item as it is now, every version of it
//! as it was hashed (committed forms, with the disclosures she allows), the links
//! between exported items, and the chain entries that prove them.

use std::collections::BTreeSet;

use cairn_core::withhold::{self, Disclosure};
use cairn_core::{Error, ItemKind, Result, Vault};
use serde::Serialize;
use serde_json::Value;

use crate::record::{BundleItem, BundleVersion, Redaction};

/// Which withholdable fields stay in the vault.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Policy {
    /// Photo positions go out.
    pub include_location: bool,
}

impl Policy {
    /// The fields of `kind` this export leaves out.
    pub fn withheld(&self, kind: ItemKind) -> Vec<&'static str> {
        withhold::fields_of(kind)
            .iter()
            .copied()
            .filter(|f| match *f {
                "private_notes" => true,
                "location" => false,
                f if f.starts_with("exif.gps_") => !self.include_location,
                _ => false,
            })
            .collect()
    }
}

/// Why a field is left out, in the words the schedule and the verifier use.
pub fn withheld_reason(field: &str) -> &'static str {
    match field {
        "private_notes" => "her private notes stay in the vault",
        "location" => "where it happened was left out at her choice",
        f if f.starts_with("exif.gps_") => "the photo's position was left out",
        _ => "left out at her choice",
    }
}

/// A version whose hash cannot be recomputed in this bundle (written before format 2,
/// with a field the bundle leaves out).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Unverifiable {
    /// The item.
    pub item: String,
    /// Its title or name.
    pub title: String,
    /// The version.
    pub version: u64,
    /// The fields left out of it.
    pub fields: Vec<String>,
}

/// The assembled record.
pub(crate) struct Assembled {
    pub items: Vec<BundleItem>,
    pub versions: Vec<BundleVersion>,
    /// Entries that prove them: every version's, every redaction's, entry 1.
    pub entries: BTreeSet<u64>,
    pub unverifiable: Vec<Unverifiable>,
}

/// Removes `fields` from `record`, returning those it had.
fn strip(record: &mut Value, fields: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for f in fields {
        let removed = match f.split_once('.') {
            Some((outer, inner)) => record
                .get_mut(outer)
                .and_then(Value::as_object_mut)
                .and_then(|o| o.remove(inner)),
            None => record.as_object_mut().and_then(|o| o.remove(*f)),
        };
        if removed.is_some() {
            out.push((*f).to_string());
        }
    }
    out
}

fn title_of(record: Option<&Value>) -> String {
    record
        .and_then(|r| r.get("title").or_else(|| r.get("name")))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// The active links whose two ends are both in `ids`.
pub(crate) fn links_between(vault: &Vault, ids: &BTreeSet<String>) -> Result<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    for id in ids {
        for l in vault.show(id)?.links {
            if ids.contains(&l.other) {
                out.insert(l.link);
            }
        }
    }
    Ok(out)
}

/// Builds the items and versions of `ids` (the chosen items and the links between
/// them), leaving out what `policy` says.
pub(crate) fn assemble(vault: &Vault, ids: &[String], policy: Policy) -> Result<Assembled> {
    let exported: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
    let mut out = Assembled {
        items: Vec::new(),
        versions: Vec::new(),
        entries: BTreeSet::from([1]),
        unverifiable: Vec::new(),
    };
    for id in ids {
        let d = vault.show(id)?;
        let h = vault.history(id)?;
        let salts = vault.version_salts(id)?;
        let leave = policy.withheld(d.kind);
        let mut current: Option<(Option<Value>, Vec<String>)> = None;
        for v in &h.versions {
            out.entries.insert(v.seq);
            let mut line = BundleVersion {
                item: id.clone(),
                version: v.version,
                seq: v.seq,
                record: None,
                withheld: Vec::new(),
                disclosures: Vec::new(),
                unverifiable: false,
            };
            let mut shown = None;
            if let Some(rec) = &v.record {
                match salts.get(&v.version) {
                    Some(s) => {
                        let (committed, ds) = withhold::commit(rec, s)?;
                        let (given, kept): (Vec<Disclosure>, Vec<Disclosure>) = ds
                            .into_iter()
                            .partition(|d| !leave.contains(&d.field.as_str()));
                        line.withheld = kept.into_iter().map(|d| d.field).collect();
                        let (whole, _) = withhold::reveal(&committed, &given).map_err(|_| {
                            Error::DatabaseDamaged(format!("the record of {id} does not commit"))
                        })?;
                        shown = Some(whole);
                        line.record = Some(committed);
                        line.disclosures = given;
                    }
                    None => {
                        let mut plain = rec.clone();
                        line.withheld = strip(&mut plain, &leave);
                        if !line.withheld.is_empty() {
                            line.unverifiable = true;
                            out.unverifiable.push(Unverifiable {
                                item: id.clone(),
                                title: title_of(Some(rec)),
                                version: v.version,
                                fields: line.withheld.clone(),
                            });
                        }
                        shown = Some(plain.clone());
                        line.record = Some(plain);
                    }
                }
            }
            current = Some((shown, line.withheld.clone()));
            out.versions.push(line);
        }
        let (record, withheld) = current.unwrap_or((None, Vec::new()));
        if let Some(t) = &d.redaction {
            out.entries.insert(t.seq);
        }
        out.items.push(BundleItem {
            id: id.clone(),
            kind: d.kind,
            exhibit: None,
            version: d.version,
            created_seq: d.created_seq,
            current_seq: d.current_seq,
            recorded_at: d.recorded_at.clone(),
            updated_at: d.updated_at.clone(),
            record: if d.redaction.is_some() { None } else { record },
            withheld: if d.redaction.is_some() {
                Vec::new()
            } else {
                withheld
            },
            redaction: d.redaction.as_ref().map(|t| Redaction {
                reason: t.reason.clone(),
                recorded_at: t.recorded_at.clone(),
                seq: t.seq,
                versions: t.versions.clone(),
            }),
            links: d
                .links
                .iter()
                .filter(|l| exported.contains(l.other.as_str()))
                .map(|l| l.other.clone())
                .collect::<BTreeSet<String>>()
                .into_iter()
                .collect(),
        });
    }
    Ok(out)
}

/// Refuses a record line longer than a verifier reads ([`crate::verify::lines::MAX_LINE`]):
/// a bundle that could not be checked is worse than none.
pub(crate) fn fits_a_line(len: usize) -> Result<()> {
    if len > crate::verify::lines::MAX_LINE {
        return Err(Error::Invalid(format!(
            "One record is {} MiB long, more than a bundle can hold in one line ({} MiB); leave it out of the selection.",
            len >> 20,
            crate::verify::lines::MAX_LINE >> 20
        )));
    }
    Ok(())
}

/// JSON text of `items`, one element a line (still one JSON array: `[`, the elements
/// separated by `,` at the end of each line, `]`), so a reader can take it a line at a
/// time.
pub(crate) fn array_lines<T: Serialize>(items: &[T]) -> Result<Vec<u8>> {
    let mut out = b"[\n".to_vec();
    for (i, it) in items.iter().enumerate() {
        let line = serde_json::to_vec(it)
            .map_err(|e| Error::Internal(format!("a record could not be written ({e})")))?;
        fits_a_line(line.len())?;
        out.extend_from_slice(&line);
        if i + 1 < items.len() {
            out.push(b',');
        }
        out.push(b'\n');
    }
    out.extend_from_slice(b"]\n");
    Ok(out)
}
