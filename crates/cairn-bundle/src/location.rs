//! What goes out for each file exhibit: the original, a location-free copy whose
//! SHA-256 the chain records (docs/FORMAT.md §5.7), or nothing, with the reason. An
//! original export (a chat's zip, a mailbox, a phone's SMS backup) goes whole only if
//! none of its attachments says where it was made and none of its messages was
//! redacted, or if she chooses to send it whole.

use std::collections::BTreeMap;

use cairn_core::location::LocationStatus;
use cairn_core::{Result, Vault};
use serde_json::Value;

/// What goes out for one file.
#[derive(Debug, Clone)]
pub(crate) enum Copy {
    /// The original, byte for byte: checked and found to say nothing of where it was
    /// made (a video is still scanned for a position track as it is written).
    Original,
    /// The original, byte for byte, at her choice (location included, or an export
    /// sent whole): not scanned, since nothing found would change what goes.
    Whole,
    /// The original, scanned for signs of location as it is written (a file only a
    /// whole read decides); if the scan finds any, the export starts again without it.
    Scan,
    /// The location-free copy recorded at chain entry `seq`.
    Clean { seq: u64, sha256: String },
    /// Nothing: why.
    LeftOut(String),
}

/// Why an export file stays behind, or `None` if it may go.
fn export_left_out(
    redacted: u64,
    attached: &[String],
    status: &BTreeMap<String, LocationStatus>,
) -> Option<String> {
    if redacted > 0 {
        return Some(format!(
            "it is an original export that still holds {redacted} message{} she redacted (the other messages and their attachments are in the bundle)",
            if redacted == 1 { "" } else { "s" }
        ));
    }
    let placed = attached
        .iter()
        .filter(|a| {
            matches!(
                status.get(*a),
                Some(LocationStatus::Copy { .. } | LocationStatus::CannotClean(_))
            )
        })
        .count();
    (placed > 0).then(|| {
        format!(
            "it is an original export holding {placed} photo{} or video{} that say{} where {} taken (the messages and location-free copies are in the bundle)",
            if placed == 1 { "" } else { "s" },
            if placed == 1 { "" } else { "s" },
            if placed == 1 { "s" } else { "" },
            if placed == 1 { "it was" } else { "they were" },
        )
    })
}

/// Decides what goes out for each of `files` (id → its current record). With
/// `record`, the copies the chain does not hold yet are recorded, in one write; without
/// (a plan), such a copy is given as `Clean` with `seq` 0.
pub(crate) fn decide(
    vault: &mut Vault,
    files: &BTreeMap<String, Value>,
    include_location: bool,
    whole_exports: bool,
    record: bool,
) -> Result<BTreeMap<String, Copy>> {
    let ids: Vec<String> = files.keys().cloned().collect();
    let mut out = BTreeMap::new();
    let exports = vault.export_contents(&ids)?;
    if include_location {
        // Location may go; a message she redacted still may not.
        for id in ids {
            let copy = match exports.get(&id) {
                Some((_, redacted)) if !whole_exports => {
                    export_left_out(*redacted, &[], &BTreeMap::new())
                        .map_or(Copy::Whole, Copy::LeftOut)
                }
                _ => Copy::Whole,
            };
            out.insert(id, copy);
        }
        return Ok(out);
    }
    let mut status = vault.location_status(&ids)?;
    // Attachments decide their exports: each is read whole once, then remembered.
    let mut attached: Vec<String> = exports.values().flat_map(|(a, _)| a.clone()).collect();
    attached.sort();
    attached.dedup();
    for (a, s) in vault.location_status(&attached)? {
        let s = match s {
            LocationStatus::Unknown => vault.check_location(&a, true)?,
            s => s,
        };
        status.insert(a, s);
    }
    let recorded = vault.location_copies()?;
    let mut to_record: Vec<(String, String, String)> = Vec::new();
    for (id, rec) in files {
        let original = rec
            .get("sha256")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if let Some((files_in, redacted)) = exports.get(id) {
            // The export itself too: a chat's zip may hold photos no message names (or
            // names in a language the importer does not know), a mailbox encoded ones.
            let own = match status.get(id).cloned() {
                Some(LocationStatus::Unknown) | None => vault.check_location(id, true)?,
                Some(s) => s,
            };
            let copy = match export_left_out(*redacted, files_in, &status) {
                _ if whole_exports => Copy::Whole,
                Some(why) => Copy::LeftOut(why),
                None => match own {
                    LocationStatus::NoLocation => Copy::Original,
                    // Only a whole read decides: it is scanned as it is written.
                    LocationStatus::Unknown => Copy::Scan,
                    LocationStatus::Copy { .. } | LocationStatus::CannotClean(_) => Copy::LeftOut(
                        "it is an original export that holds files Cairn cannot check or clean of where they were made (the messages and location-free copies of their attachments are in the bundle)".into(),
                    ),
                },
            };
            out.insert(id.clone(), copy);
            continue;
        }
        let s = match status.get(id).cloned() {
            Some(LocationStatus::Unknown) | None => vault.check_location(id, false)?,
            Some(s) => s,
        };
        let copy = match s {
            LocationStatus::NoLocation => Copy::Original,
            LocationStatus::Unknown => Copy::Scan,
            LocationStatus::CannotClean(why) => Copy::LeftOut(format!(
                "it holds location data that Cairn cannot remove ({why})"
            )),
            LocationStatus::Copy { sha256 } => {
                let known = recorded.get(id).and_then(|v| {
                    v.iter()
                        .rev()
                        .find(|c| c.sha256 == sha256 && c.original_sha256 == original)
                });
                match known {
                    Some(c) => Copy::Clean { seq: c.seq, sha256 },
                    None => {
                        to_record.push((id.clone(), original, sha256));
                        continue;
                    }
                }
            }
        };
        out.insert(id.clone(), copy);
    }
    if !record {
        for (id, _, sha256) in to_record {
            out.insert(id, Copy::Clean { seq: 0, sha256 });
        }
        return Ok(out);
    }
    let seqs = vault.record_location_copies(&to_record)?;
    for ((id, _, sha256), seq) in to_record.into_iter().zip(seqs) {
        out.insert(id, Copy::Clean { seq, sha256 });
    }
    Ok(out)
}
