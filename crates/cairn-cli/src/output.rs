//! Plain-text and JSON output. JSON shapes are the core's `Serialize` types and are
//! documented in the README.

use std::path::Path;

use cairn_core::chain::Entry;
use cairn_core::{Added, AddedFile, History, ItemDetail, ItemSummary, Report};
use serde::Serialize;
use serde_json::Value;

/// Prints any value as pretty JSON.
pub fn print_json<T: Serialize>(v: &T) {
    match serde_json::to_string_pretty(v) {
        Ok(s) => say!("{s}"),
        Err(e) => eprintln!("cairn: could not print JSON ({e})."),
    }
}

/// Printing of command results.
pub struct Out;

impl Out {
    pub fn new() -> Self {
        Out
    }

    pub fn added(&self, what: &str, a: &Added, json: bool) {
        if json {
            print_json(a);
        } else {
            say!(
                "{what} {} (version {}, chain entry {}, recorded {}).",
                a.id,
                a.version,
                a.seq,
                a.recorded_at
            );
        }
    }

    pub fn file_added(&self, f: &AddedFile, json: bool) {
        if json {
            // One line per file, printed as soon as it is committed.
            match serde_json::to_string(f) {
                Ok(s) => say!("{s}"),
                Err(e) => eprintln!("cairn: could not print JSON ({e})."),
            }
        } else {
            say!("{}  {}  {}", f.id, f.sha256, f.name);
        }
    }
}

pub fn print_init(dir: &Path, code: &str) {
    say!("Your vault is ready in {}.", dir.display());
    say!();
    say!("Your recovery code (shown only this once):");
    say!();
    say!("    {code}");
    say!();
    say!("Write it on paper now. Keep it away from home, or with someone you trust.");
    say!("If you forget your passphrase, this code lets you set a new one.");
}

/// A new recovery code, after a rotation made one.
pub fn print_new_code(code: &str) {
    say!();
    say!("Your new recovery code (shown only this once):");
    say!();
    say!("    {code}");
    say!();
    say!("Write it on paper now. Once Cairn says it is done, destroy the old one: it no longer");
    say!("opens this vault. A backup made before today still opens with the old code until you");
    say!("next back up to it.");
}

pub fn print_list(items: &[ItemSummary]) {
    if items.is_empty() {
        say!("The vault is empty.");
        return;
    }
    for i in items {
        let when = i.occurred.clone().unwrap_or_else(|| {
            let recorded = i.recorded_at.to_string();
            format!("recorded {}", &recorded[..10.min(recorded.len())])
        });
        let title = if i.redacted {
            "[redacted]".to_string()
        } else {
            i.title.clone()
        };
        say!(
            "{:<16} {:<9} {:<26} {}",
            i.id,
            format!("{:?}", i.kind).to_lowercase(),
            when,
            title
        );
    }
}

fn print_record(v: &Value, indent: &str) {
    if let Some(map) = v.as_object() {
        for (k, val) in map {
            match val {
                Value::String(s) if s.contains('\n') => {
                    say!("{indent}{k}:");
                    for line in s.lines() {
                        say!("{indent}    {line}");
                    }
                }
                Value::String(s) => say!("{indent}{k}: {s}"),
                Value::Object(_) => {
                    say!("{indent}{k}:");
                    print_record(val, &format!("{indent}    "));
                }
                other => say!("{indent}{k}: {other}"),
            }
        }
    }
}

pub fn print_detail(d: &ItemDetail) {
    say!("{} ({:?}, version {})", d.id, d.kind, d.version);
    match &d.record {
        Some(r) => print_record(r, "  "),
        None => say!("  [redacted: the content no longer exists]"),
    }
    if let Some(t) = &d.redaction {
        say!(
            "  redacted at {} (chain entry {}), reason: {}",
            t.recorded_at,
            t.seq,
            t.reason
        );
    }
    for l in &d.links {
        say!(
            "  linked to {} ({:?}) {}",
            l.other,
            l.other_kind,
            l.other_title
        );
    }
    say!(
        "  recorded {} (entry {}), last changed {} (entry {})",
        d.recorded_at,
        d.created_seq,
        d.updated_at,
        d.current_seq
    );
    say!("  content SHA-256 {}", d.content_sha256);
}

pub fn print_history(h: &History) {
    say!("{} ({:?}): {} version(s)", h.id, h.kind, h.versions.len());
    for v in &h.versions {
        let changed = if v.version == 1 {
            "created".to_string()
        } else {
            format!("changed: {}", v.changed.join(", "))
        };
        say!(
            "  v{} at {} (entry {}, {}) — {}",
            v.version,
            v.recorded_at,
            v.seq,
            v.entry_kind,
            changed
        );
    }
    if let Some(t) = &h.redaction {
        say!(
            "  redacted at {} (entry {}): {}",
            t.recorded_at,
            t.seq,
            t.reason
        );
    }
}

pub fn print_chain(entries: &[Entry], json: bool) {
    for e in entries {
        if json {
            let mut h = e.header();
            if let Some(m) = h.as_object_mut() {
                m.insert("hash".into(), Value::String(e.hash.clone()));
            }
            say!("{h}");
        } else {
            say!(
                "{:>6} {} {:<16} {} {}",
                e.seq,
                cairn_core::clock::format_ms(e.recorded_at),
                e.kind,
                e.item,
                e.hash.get(..16).unwrap_or(&e.hash)
            );
        }
    }
}

pub fn print_report(r: &Report) {
    if r.ok {
        say!(
            "Intact: {} chain entries link up and match their hashes; {} item versions match the chain; {}.",
            r.entries,
            r.versions,
            if r.quick {
                "stored files are present with the right length (contents not re-read: --quick)".to_string()
            } else {
                format!("{} stored files were decrypted and re-hashed ({} bytes)", r.blobs_checked, r.bytes_checked)
            }
        );
    } else {
        say!("Problems found ({}).", r.problems.len());
        if let Some(s) = r.first_bad_seq {
            say!("The first bad chain entry is {s}.");
        }
        for p in &r.problems {
            say!("  - {}", p.message);
        }
    }
    if let Some(cp) = &r.latest_checkpoint {
        say!(
            "Latest signed checkpoint: {} entries, head {}, signed {}.",
            cp.size,
            cp.head,
            cp.time
        );
    }
    for w in &r.warnings {
        say!("Note: {}", w.message);
    }
    say!(
        "This shows the vault matches its own record. Whoever holds the keys could rebuild that record; \
         a checkpoint kept somewhere else (with your solicitor, in an email) is what shows the history before it was not rewritten."
    );
}
