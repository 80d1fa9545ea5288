//! `export`, `verify-bundle`, `receipt` and `report list`: each one call into
//! cairn-bundle or cairn-core, and the printing of its result.

use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use cairn_bundle::{Disclosure, ExportOptions, Key, Seal, Selection};
use cairn_core::{Error, Vault};

use crate::input::read_passphrase;
use crate::output::print_json;
use crate::{open, test_kdf, Cli, ExportArgs};

pub fn export(cli: &Cli, a: &ExportArgs) -> Result<ExitCode, Error> {
    let selection = if a.all {
        Selection::All
    } else if !a.item.is_empty() {
        Selection::Items(a.item.clone())
    } else if a.from.is_some() || a.to.is_some() {
        Selection::Dates {
            from: a.from.clone(),
            to: a.to.clone(),
        }
    } else {
        return Err(Error::Invalid(
            "Choose what to export: --all, --item ID, or --from DATE --to DATE.".into(),
        ));
    };
    let seal = if a.no_encrypt {
        Seal::Open
    } else if let Some(r) = &a.recipient {
        cairn_bundle::parse_recipient(r)?;
        Seal::Recipient(r.clone())
    } else if let Some(f) = &a.bundle_passphrase_file {
        let p = read_passphrase(Some(f), "")?;
        cairn_core::require_strong(&p)?;
        Seal::Passphrase(p)
    } else {
        return Err(Error::Invalid(
            "Choose how to seal the bundle: --bundle-passphrase-file F, --recipient AGE_KEY, or --no-encrypt.".into(),
        ));
    };
    let receipts = a
        .receipt
        .iter()
        .map(|r| read_receipt(r))
        .collect::<Result<Vec<String>, Error>>()?;
    let mut vault = open(cli)?;
    let cancel = AtomicBool::new(false);
    let opts = ExportOptions {
        selection,
        initials: a.initials.clone(),
        include_location: a.include_location,
        seal,
        agency: a.agency.clone(),
        person: a.person.clone(),
        progress: &|_, _| {},
        cancel: &cancel,
        fast_kdf_for_tests: test_kdf(),
        disclosure: if a.full_chain {
            Disclosure::FullChain
        } else {
            Disclosure::Proofs
        },
        whole_exports: a.whole_exports,
        receipts,
    };
    let done = cairn_bundle::export(&mut vault, &a.out, &opts)?;
    if a.json {
        print_json(&done);
    } else {
        say!(
            "Bundle written to {} ({} items, {} exhibits{}).",
            done.path.display(),
            done.items,
            done.exhibits.len(),
            if done.sealed {
                ", sealed"
            } else {
                ", NOT sealed"
            }
        );
        say!("Bundle SHA-256:   {}", done.bundle_sha256);
        say!("Evidence SHA-256: {}", done.evidence_sha256);
        for e in &done.exhibits {
            match (&e.left_out, e.location_removed) {
                (Some(why), _) => say!("  {}  left out: {why}", e.reference),
                (None, true) => say!(
                    "  {}  {}  (copy without location data)",
                    e.reference,
                    e.sha256.as_deref().unwrap_or("")
                ),
                (None, false) => say!("  {}  {}", e.reference, e.sha256.as_deref().unwrap_or("")),
            }
        }
        say!(
            "The handover is recorded as {} (chain entry {}).",
            done.handover.id,
            done.handover.seq
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn verify(
    cli: &Cli,
    file: &Path,
    identity: Option<&Path>,
    receipt: Option<&str>,
    json: bool,
) -> Result<ExitCode, Error> {
    let key = match identity {
        Some(i) => Key::IdentityFile(i.to_path_buf()),
        None => {
            if cairn_bundle::is_sealed(file) {
                Key::Passphrase(read_passphrase(
                    cli.passphrase_file.as_deref(),
                    "Bundle passphrase: ",
                )?)
            } else {
                Key::None
            }
        }
    };
    let receipt_text = receipt.map(read_receipt).transpose()?;
    let report = cairn_bundle::verify_bundle(file, &key, receipt_text.as_deref())?;
    if json {
        print_json(&report);
    } else {
        say!("{}", report.verdict);
        for p in &report.problems {
            say!("  - {}", p.message);
        }
        for n in &report.notes {
            say!("  note: {n}");
        }
        say!(
            "Vault {}, exported {}; {} chain entries; {} files checked; {} exhibits; {} versions re-hashed.",
            report.vault_id, report.exported_at, report.entries, report.files_checked, report.exhibits, report.versions_checked
        );
        if report.redactions.is_empty() {
            say!("No redactions in the chain.");
        } else {
            for r in &report.redactions {
                say!(
                    "Redaction: {} at chain entry {} ({}).",
                    r.item,
                    r.seq,
                    r.recorded_at
                );
            }
        }
        say!("Bundle SHA-256: {}", report.bundle_sha256);
    }
    Ok(if report.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

pub fn receipt(vault: &mut Vault, json: bool) -> Result<(), Error> {
    let r = cairn_bundle::receipt(vault)?;
    if json {
        print_json(&r);
    } else {
        say!("Cairn receipt: {} entries, signed {}.", r.size, r.time);
        say!(
            "Keep it somewhere other than this computer (email it to yourself or your solicitor)."
        );
        say!("To write down: {}", r.short);
        say!();
        print!("{}", r.note);
    }
    Ok(())
}

pub fn report_list(vault: &Vault, json: bool) -> Result<(), Error> {
    let mut out = Vec::new();
    for d in vault.reports()? {
        out.push(serde_json::json!({
            "id": d.id, "version": d.version, "recorded_at": d.recorded_at,
            "record": d.record, "redacted": d.redaction.is_some(),
        }));
    }
    if json {
        print_json(&out);
    } else if out.is_empty() {
        say!("No reports or handovers recorded yet.");
    } else {
        for r in &out {
            let rec = &r["record"];
            say!(
                "{}  {}  {}  ref {}  {} exhibits  {}",
                r["id"].as_str().unwrap_or_default(),
                rec.pointer("/occurred/start")
                    .and_then(|v| v.as_str())
                    .unwrap_or("—"),
                rec["agency"].as_str().unwrap_or_default(),
                rec["reference"].as_str().unwrap_or("—"),
                rec["exhibits"].as_array().map(Vec::len).unwrap_or(0),
                rec["outcome"].as_str().unwrap_or_default()
            );
        }
    }
    Ok(())
}

/// A receipt given on the command line: its text, or a file holding it.
pub(crate) fn read_receipt(r: &str) -> Result<String, Error> {
    if Path::new(r).is_file() {
        std::fs::read_to_string(r)
            .map_err(|e| Error::Invalid(format!("Could not read the receipt {r} ({}).", e.kind())))
    } else {
        Ok(r.to_string())
    }
}
