//! What goes out for each file exhibit: the original, a location-free copy whose
//! SHA-256 the chain records (docs/FORMAT.md §5.7), or nothing, with the reason.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::atomic::AtomicBool;

use cairn_core::{Error, Result, Vault};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::bag::hex;
use crate::gps;
use crate::sink::Cancellable;

/// What goes out for one file.
#[derive(Debug, Clone)]
pub(crate) enum Copy {
    /// The original, byte for byte.
    Original,
    /// The location-free copy recorded at chain entry `seq`.
    Clean { seq: u64, sha256: String },
    /// Nothing: why.
    LeftOut(String),
}

/// What a file holds.
enum Found {
    NoLocation,
    Cleanable,
    CannotClean(String),
}

fn inspect(record: &Value) -> Found {
    let has_gps = record
        .get("exif")
        .and_then(Value::as_object)
        .is_some_and(|e| e.contains_key("gps_latitude") || e.contains_key("gps_longitude"));
    if !has_gps {
        return Found::NoLocation;
    }
    if record.get("media_type").and_then(Value::as_str) == Some("image/jpeg") {
        Found::Cleanable
    } else {
        Found::CannotClean("Cairn cannot remove it from this kind of file".into())
    }
}

/// The location-free copy of `id`, in memory (a photo).
fn clean_bytes(
    vault: &Vault,
    id: &str,
    cancel: &AtomicBool,
) -> Result<std::result::Result<Vec<u8>, String>> {
    let mut src = Cancellable {
        inner: io::BufReader::with_capacity(1 << 16, vault.open_original(id)?),
        cancel,
    };
    let mut clean = Vec::new();
    Ok(match gps::strip_jpeg_location(&mut src, &mut clean) {
        Ok(()) => Ok(clean),
        Err(gps::NotCleaned(why)) => Err(why),
    })
}

/// Decides what goes out for each of `files` (id → its current record), recording in
/// the chain, in one write, the copies it has not recorded yet.
pub(crate) fn prepare(
    vault: &mut Vault,
    files: &BTreeMap<String, Value>,
    include_location: bool,
    cancel: &AtomicBool,
) -> Result<BTreeMap<String, Copy>> {
    let mut out = BTreeMap::new();
    if include_location {
        for id in files.keys() {
            out.insert(id.clone(), Copy::Original);
        }
        return Ok(out);
    }
    let recorded = vault.location_copies()?;
    let mut to_record: Vec<(String, String, String)> = Vec::new();
    for (id, rec) in files {
        let original = rec
            .get("sha256")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        match inspect(rec) {
            Found::NoLocation => {
                out.insert(id.clone(), Copy::Original);
            }
            Found::CannotClean(why) => {
                out.insert(
                    id.clone(),
                    Copy::LeftOut(format!("it holds location data: {why}")),
                );
            }
            Found::Cleanable => match clean_bytes(vault, id, cancel)? {
                Err(why) => {
                    out.insert(
                        id.clone(),
                        Copy::LeftOut(format!("its location data could not be removed ({why})")),
                    );
                }
                Ok(bytes) => {
                    let sha = hex(&Sha256::digest(&bytes));
                    let known = recorded.get(id).and_then(|v| {
                        v.iter()
                            .rev()
                            .find(|c| c.sha256 == sha && c.original_sha256 == original)
                    });
                    match known {
                        Some(c) => {
                            out.insert(
                                id.clone(),
                                Copy::Clean {
                                    seq: c.seq,
                                    sha256: sha,
                                },
                            );
                        }
                        None => to_record.push((id.clone(), original, sha)),
                    }
                }
            },
        }
    }
    let seqs = vault.record_location_copies(&to_record)?;
    for ((id, _, sha), seq) in to_record.into_iter().zip(seqs) {
        out.insert(id, Copy::Clean { seq, sha256: sha });
    }
    Ok(out)
}

/// Writes the location-free copy of `id` whose SHA-256 must be `sha256`.
pub(crate) fn write_copy(
    vault: &Vault,
    id: &str,
    sha256: &str,
    w: &mut dyn Write,
    cancel: &AtomicBool,
) -> Result<u64> {
    let bytes = clean_bytes(vault, id, cancel)?.map_err(|why| {
        Error::Internal(format!("the copy of {id} could not be made again ({why})"))
    })?;
    if hex(&Sha256::digest(&bytes)) != sha256 {
        return Err(Error::Internal(format!(
            "the location-free copy of {id} is not the one the chain recorded"
        )));
    }
    w.write_all(&bytes).map_err(crate::bag::io_err)?;
    Ok(bytes.len() as u64)
}
