//! Fields a bundle may leave out, committed to so the rest stays provable (as SD-JWT,
//! RFC 9901, does). From schema 7 a version whose record holds a withholdable field is
//! hashed in its **committed form**: each such field is removed and its digest put in
//! `_sd`, an object from field path to
//!
//! ```text
//! digest = hex SHA-256(canonical JSON of [salt, field path, value])
//! ```
//!
//! with a fresh 128-bit salt per field and version (base64url, no padding), kept in
//! the vault beside the record. A bundle that leaves a field out carries the committed
//! form, whose SHA-256 is still the chain's record hash; one that includes it carries
//! the salt and value too, which the verifier hashes back into `_sd`.
//! docs/FORMAT.md §5.6 specifies it with test vectors.

use std::collections::BTreeMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::canonical::to_canonical;
use crate::error::{Error, Result};
use crate::items::ItemKind;
use crate::keys::hex;
use crate::secret::random_array;

/// The entry meta field (`true`) of a version of a kind with withholdable fields
/// written in format 2: its record hash is over the committed form. Versions without
/// it were written before, and one that must withhold a field cannot be re-hashed.
pub const COMMITTED_META: &str = "committed";

/// The key of the digests in a committed record.
pub const SD_KEY: &str = "_sd";

/// Incidents' withholdable fields: her private notes, and where it happened (a place
/// can be a refuge's address).
pub const INCIDENT_FIELDS: &[&str] = &["private_notes", "location"];
/// Files' withholdable fields: the position in a photo's Exif data.
pub const FILE_FIELDS: &[&str] = &["exif.gps_latitude", "exif.gps_longitude"];

/// The withholdable field paths of a kind (`a.b` is field `b` of object `a`).
pub fn fields_of(kind: ItemKind) -> &'static [&'static str] {
    match kind {
        ItemKind::Incident => INCIDENT_FIELDS,
        ItemKind::File => FILE_FIELDS,
        _ => &[],
    }
}

/// Field path → salt.
pub type Salts = BTreeMap<String, String>;

/// One field as a bundle discloses it.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Disclosure {
    /// Its path, e.g. `private_notes` or `exif.gps_latitude`.
    pub field: String,
    /// Its salt (base64url, 16 bytes).
    pub salt: String,
    /// Its value.
    pub value: Value,
}

/// The value at `path` in `record`, if any.
pub fn get<'a>(record: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(record, |v, k| v.get(k))
}

/// Removes and returns the value at `path`.
fn take(record: &mut Value, path: &str) -> Option<Value> {
    let (parent, last) = match path.rsplit_once('.') {
        Some((p, l)) => (p.split('.').try_fold(&mut *record, |v, k| v.get_mut(k))?, l),
        None => (record, path),
    };
    parent.as_object_mut()?.remove(last)
}

/// Puts `value` at `path` (creating the parent object if it is missing).
fn put(record: &mut Value, path: &str, value: Value) -> Result<()> {
    let bad = || Error::Invalid(format!("{path} cannot be put back into its record"));
    let mut cur = record;
    let mut parts: Vec<&str> = path.split('.').collect();
    let last = parts.pop().ok_or_else(bad)?;
    for k in parts {
        cur = cur
            .as_object_mut()
            .ok_or_else(bad)?
            .entry(k)
            .or_insert_with(|| Value::Object(Map::new()));
    }
    cur.as_object_mut()
        .ok_or_else(bad)?
        .insert(last.into(), value);
    Ok(())
}

/// The digest of one disclosure.
pub fn digest(salt: &str, field: &str, value: &Value) -> Result<String> {
    let text = to_canonical(&Value::Array(vec![
        Value::String(salt.into()),
        Value::String(field.into()),
        value.clone(),
    ]))?;
    Ok(hex(&Sha256::digest(text.as_bytes())))
}

/// Fresh salts for the withholdable fields `record` holds; `None` when it holds none
/// (its committed form is then the record itself).
pub(crate) fn new_salts(kind: ItemKind, record: &Value) -> Result<Option<Salts>> {
    let mut out = Salts::new();
    for f in fields_of(kind) {
        if get(record, f).is_some() {
            out.insert((*f).into(), B64URL.encode(random_array::<16>()?));
        }
    }
    Ok((!out.is_empty()).then_some(out))
}

/// The committed form of `record` (what is hashed) and the disclosures of the fields
/// it removed. Every salted field must be present.
pub fn commit(record: &Value, salts: &Salts) -> Result<(Value, Vec<Disclosure>)> {
    let mut committed = record.clone();
    let mut sd = Map::new();
    let mut out = Vec::new();
    for (field, salt) in salts {
        let value = take(&mut committed, field).ok_or_else(|| {
            Error::DatabaseDamaged(format!("a record lost its committed field {field}"))
        })?;
        sd.insert(field.clone(), Value::String(digest(salt, field, &value)?));
        out.push(Disclosure {
            field: field.clone(),
            salt: salt.clone(),
            value,
        });
    }
    if !sd.is_empty() {
        committed
            .as_object_mut()
            .ok_or_else(|| Error::DatabaseDamaged("a record is not an object".into()))?
            .insert(SD_KEY.into(), Value::Object(sd));
    }
    Ok((committed, out))
}

/// SHA-256 (hex) of a record's canonical JSON.
pub fn record_hash(record: &Value) -> Result<String> {
    Ok(hex(&Sha256::digest(to_canonical(record)?.as_bytes())))
}

/// Why a committed record and its disclosures do not fit together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// A disclosure's digest is not the one the record commits to.
    Digest(String),
    /// A field is disclosed twice, or is both disclosed and present in the record.
    Duplicate(String),
    /// `_sd` is not an object of hex digests.
    Malformed,
}

/// Rebuilds the whole record a reader sees from a committed record and the
/// disclosures given: each must match its digest in `_sd`. Returns the record (without
/// `_sd`) and the fields committed to but not disclosed (withheld), in order.
pub fn reveal(
    committed: &Value,
    disclosures: &[Disclosure],
) -> std::result::Result<(Value, Vec<String>), Mismatch> {
    let mut record = committed.clone();
    let sd = match record.as_object_mut().and_then(|o| o.remove(SD_KEY)) {
        None => Map::new(),
        Some(Value::Object(m)) => m,
        Some(_) => return Err(Mismatch::Malformed),
    };
    let mut open: BTreeMap<&str, bool> = BTreeMap::new();
    for (k, v) in &sd {
        if v.as_str().is_none_or(|s| s.len() != 64) {
            return Err(Mismatch::Malformed);
        }
        open.insert(k.as_str(), false);
    }
    for d in disclosures {
        let want = sd.get(&d.field).and_then(Value::as_str);
        let got = digest(&d.salt, &d.field, &d.value).ok();
        if want.is_none() || got.as_deref() != want {
            return Err(Mismatch::Digest(d.field.clone()));
        }
        if open.insert(d.field.as_str(), true) == Some(true) || get(&record, &d.field).is_some() {
            return Err(Mismatch::Duplicate(d.field.clone()));
        }
        put(&mut record, &d.field, d.value.clone()).map_err(|_| Mismatch::Malformed)?;
    }
    let withheld = open
        .into_iter()
        .filter(|(_, shown)| !shown)
        .map(|(f, _)| f.to_string())
        .collect();
    Ok((record, withheld))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn commit_then_reveal_gives_the_record_back_or_names_what_is_withheld() {
        let rec = json!({"title": "t", "private_notes": "mine", "location": "Flat 2"});
        let salts = new_salts(ItemKind::Incident, &rec).unwrap().unwrap();
        let (c, ds) = commit(&rec, &salts).unwrap();
        assert!(c.get("private_notes").is_none());
        assert_eq!(c[SD_KEY].as_object().unwrap().len(), 2);
        assert_eq!(reveal(&c, &ds).unwrap(), (rec.clone(), vec![]));
        let only: Vec<Disclosure> = ds
            .iter()
            .filter(|d| d.field == "location")
            .cloned()
            .collect();
        let (shown, withheld) = reveal(&c, &only).unwrap();
        assert_eq!(withheld, vec!["private_notes".to_string()]);
        assert_eq!(shown, json!({"title": "t", "location": "Flat 2"}));
        let mut forged = only.clone();
        forged[0].value = json!("Somewhere else");
        assert_eq!(
            reveal(&c, &forged),
            Err(Mismatch::Digest("location".into()))
        );
    }

    /// The test vector in docs/FORMAT.md §5.6.
    #[test]
    fn the_format_documents_vector() {
        let rec = json!({"location": "Flat 2", "private_notes": "mine", "title": "t"});
        let salts: Salts = [
            ("location".to_string(), "AAAAAAAAAAAAAAAAAAAAAA".to_string()),
            (
                "private_notes".to_string(),
                "AQEBAQEBAQEBAQEBAQEBAQ".to_string(),
            ),
        ]
        .into_iter()
        .collect();
        let (c, _) = commit(&rec, &salts).unwrap();
        assert_eq!(
            c[SD_KEY]["location"],
            "0eac762389e61e5fc4ae40f3b53caadf81e516c295686de579c68defdfeac489"
        );
        assert_eq!(
            c[SD_KEY]["private_notes"],
            "ea9082d93a6f950e51a2d71b716f1f084aa4aa1c6b50d94d2bdc4aa8a2e03e1e"
        );
        assert_eq!(
            record_hash(&c).unwrap(),
            "01a0a69905228c1b51e53182bbd8c87db0e5e71b10a8b5d8572f8d7419cbdaae"
        );
    }

    #[test]
    fn nested_fields_and_records_without_any() {
        let rec = json!({"name": "a.jpg", "exif": {"gps_latitude": "51.5", "gps_longitude": "-0.1", "camera_make": "X"}});
        let salts = new_salts(ItemKind::File, &rec).unwrap().unwrap();
        let (c, ds) = commit(&rec, &salts).unwrap();
        assert_eq!(c["exif"], json!({"camera_make": "X"}));
        assert_eq!(reveal(&c, &ds).unwrap().0, rec);
        assert!(new_salts(ItemKind::Incident, &json!({"title": "x"}))
            .unwrap()
            .is_none());
        assert!(new_salts(ItemKind::Message, &json!({"text": "x"}))
            .unwrap()
            .is_none());
    }
}
