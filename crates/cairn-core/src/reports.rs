//! Reports and handovers, and exhibit references.
//!
//! A report (kind `report`) records each time she told an agency or handed evidence
//! over: when, to whom, their reference, the outcome, and which exhibits went, by
//! hash. Every export adds one. An exhibit's reference (`AB/1`) is given the first
//! time it is handed over and kept from then on (`exhibit_refs`), so a solicitor's
//! "AB/3" means the same file in every bundle.

use std::collections::BTreeMap;

use rusqlite::params;
use serde::Serialize;

use crate::canonical::Record;
use crate::error::{Error, Result};
use crate::items::{Handover, ItemKind};
use crate::store::map_err;
use crate::vault::{norm_id, Added, ItemDetail, Vault, Writer};

/// An exhibit reference, as `initials/number`.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ExhibitRef {
    /// Her initials, e.g. `AB`.
    pub initials: String,
    /// The number, from 1.
    pub number: u32,
}

impl ExhibitRef {
    /// `AB/1`: how a solicitor writes it.
    pub fn label(&self) -> String {
        format!("{}/{}", self.initials, self.number)
    }
    /// `AB-1`: the same, usable in a file name.
    pub fn file_stem(&self) -> String {
        format!("{}-{}", self.initials, self.number)
    }
}

/// Checks and normalises initials for exhibit references: 1 to 4 letters A–Z.
pub fn normalise_initials(s: &str) -> Result<String> {
    let up: String = s.trim().to_uppercase();
    if up.is_empty() || up.len() > 4 || !up.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(Error::Invalid(format!(
            "\"{}\" cannot be used for exhibit references; give 1 to 4 letters, like AB.",
            s.trim()
        )));
    }
    Ok(up)
}

impl Vault {
    /// Every report and handover, in recording order, as [`Vault::show`] gives them.
    pub fn reports(&self) -> Result<Vec<ItemDetail>> {
        self.list()?
            .into_iter()
            .filter(|s| s.kind == ItemKind::Report)
            .map(|s| self.show(&s.id))
            .collect()
    }

    /// Records a report to an agency (or a handover made outside Cairn).
    pub fn add_report(&mut self, r: Handover) -> Result<Added> {
        let r = r.normalised()?;
        self.write(|w| w.add_report(&r))
    }

    /// Records a new version of a report (an outcome learned later, say).
    pub fn edit_report(&mut self, id: &str, r: Handover) -> Result<Added> {
        let r = r.normalised()?;
        self.write(|w| w.edit(id, ItemKind::Report, &r))
    }

    /// Every exhibit reference given so far, by item.
    pub fn exhibit_refs(&self) -> Result<BTreeMap<String, ExhibitRef>> {
        let mut st = self
            .conn
            .prepare("SELECT item_id, initials, number FROM exhibit_refs")
            .map_err(map_err)?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    ExhibitRef {
                        initials: r.get(1)?,
                        number: r.get::<_, i64>(2)?.clamp(0, u32::MAX as i64) as u32,
                    },
                ))
            })
            .map_err(map_err)?;
        let mut out = BTreeMap::new();
        for row in rows {
            let (item, r) = row.map_err(map_err)?;
            out.insert(item, r);
        }
        Ok(out)
    }

    /// The references `files` would have in an export with `initials`: the ones they
    /// already have, and for the rest the next free numbers for those initials, in the
    /// order given. Nothing is stored until [`Vault::record_handover`].
    pub fn plan_exhibit_refs(
        &self,
        files: &[String],
        initials: &str,
    ) -> Result<Vec<(String, ExhibitRef, bool)>> {
        let initials = normalise_initials(initials)?;
        let known = self.exhibit_refs()?;
        let mut next = known
            .values()
            .filter(|r| r.initials == initials)
            .map(|r| r.number)
            .max()
            .unwrap_or(0);
        let mut out = Vec::with_capacity(files.len());
        for f in files {
            let f = norm_id(f);
            match known.get(&f) {
                Some(r) => out.push((f, r.clone(), false)),
                None => {
                    next = next.checked_add(1).ok_or_else(|| {
                        Error::Invalid("There are too many exhibits for these initials.".into())
                    })?;
                    out.push((
                        f,
                        ExhibitRef {
                            initials: initials.clone(),
                            number: next,
                        },
                        true,
                    ));
                }
            }
        }
        Ok(out)
    }

    /// Records a handover (an export): the report entry, and the exhibit references it
    /// gives for the first time, in one transaction. `new_refs` must be the new ones
    /// from [`Vault::plan_exhibit_refs`]; a reference taken since is refused.
    pub fn record_handover(
        &mut self,
        r: Handover,
        new_refs: &[(String, ExhibitRef)],
    ) -> Result<Added> {
        let r = r.normalised()?;
        self.write(|w| {
            let added = w.add_report(&r)?;
            for (item, er) in new_refs {
                if crate::vault::kind_in(w, item)? != ItemKind::File {
                    return Err(Error::Invalid(format!("{item} is not a file.")));
                }
                w.exec(
                    "INSERT INTO exhibit_refs (item_id, initials, number, seq) VALUES (?1, ?2, ?3, ?4)",
                    params![item, er.initials, er.number as i64, added.seq as i64],
                )
                .map_err(|e| match e {
                    Error::Database(_) => Error::Invalid(format!(
                        "The exhibit reference {} was given to another file meanwhile; export again.",
                        er.label()
                    )),
                    e => e,
                })?;
            }
            Ok(added)
        })
    }
}

impl Writer<'_> {
    /// Adds a report.
    pub(crate) fn add_report(&mut self, r: &Handover) -> Result<Added> {
        let id = self.fresh_id(ItemKind::Report)?;
        self.put_version(&id, ItemKind::Report, 1, &Record::of(r)?, None, None, None)
    }
}
