//! The evidence schedule: what `report.pdf` and `index.html` show, built once from the
//! bundle's record so both views say the same thing (USERS.md, "What goes to the
//! solicitor").

use std::collections::BTreeMap;

use cairn_core::chain::Entry;
use cairn_core::clock::format_ms;
use cairn_core::items::sort_key;
use cairn_core::{Category, ItemKind};
use serde_json::Value;

use crate::record::{BundleExhibit, BundleItem, VaultInfo};

pub use crate::pdf::pdf;

/// Everything the views need.
pub struct Schedule<'a> {
    /// The vault and the export.
    pub info: &'a VaultInfo,
    /// Exported items.
    pub items: &'a [BundleItem],
    /// Exhibits.
    pub exhibits: &'a [BundleExhibit],
    /// Every chain entry (headers).
    pub chain: &'a [Entry],
    /// The evidence fingerprint.
    pub evidence: &'a str,
    /// The bag's folder name.
    pub root: &'a str,
    /// Each item's place in `items`: a bundle may hold a whole phone's messages, and
    /// every chain entry and message looks its item up.
    by_id: BTreeMap<&'a str, usize>,
}

/// One line of the chronology.
pub struct Row {
    /// 1, 2, 3… in date order.
    pub number: usize,
    /// The item.
    pub id: String,
    /// When it happened, as she gave it ("approx." marked).
    pub when: String,
    /// Title.
    pub summary: String,
    /// Category labels.
    pub categories: Vec<String>,
    /// Exhibit references of linked files.
    pub exhibits: Vec<String>,
    /// Witnesses: the field and linked witnesses' names.
    pub witnesses: Vec<String>,
    /// Agency references.
    pub references: Vec<String>,
    /// A report or handover rather than an incident.
    pub is_report: bool,
}

/// Messages are listed one by one when a bundle holds at most this many; beyond it,
/// only those linked to an entry of the chronology are (every one is in the record,
/// and its conversation is summarised).
pub const MESSAGES_LISTED: usize = 300;

/// One exported message, as the schedule lists it.
pub struct MessageRow {
    /// M1, M2… in the order listed.
    pub number: usize,
    /// The item.
    pub id: String,
    /// When it was sent, as the export recorded it, with what that time means.
    pub when: String,
    /// Who sent it.
    pub from: String,
    /// What it said (long ones cut short; the whole is in the record).
    pub text: String,
    /// Where it was read from: the export's exhibit reference and line, and its
    /// attached files' references.
    pub read_from: String,
    /// Chronology numbers of the entries it is linked to.
    pub linked_to: Vec<usize>,
}

/// One conversation's messages in the bundle.
pub struct ConversationRows {
    /// "Sam (WhatsApp)".
    pub name: String,
    /// How many messages of it the bundle holds.
    pub count: usize,
    /// First and last sent, as recorded.
    pub first: String,
    /// See `first`.
    pub last: String,
    /// Exhibit references of the exports its messages were read from.
    pub exports: Vec<String>,
    /// The messages listed one by one (see [`MESSAGES_LISTED`]).
    pub listed: Vec<MessageRow>,
}

/// The longest message text shown in the schedule, in characters.
const MESSAGE_CHARS: usize = 600;

fn source_words(source: &str) -> &str {
    match source {
        "whatsapp" => "WhatsApp",
        "sms" => "SMS Backup & Restore",
        "email" => "email",
        "telegram" => "Telegram",
        other => other,
    }
}

/// A message's `sent_at` as the schedule shows it: a phone's own clock is said to have
/// no time zone.
pub fn sent_words(sent_at: &str) -> String {
    let t = pretty_time(sent_at);
    match t.strip_suffix(" ()") {
        Some(bare) => format!("{bare} (phone's clock; no time zone in the export)"),
        None => t,
    }
}

impl ConversationRows {
    /// "1 message, sent …" or "12 messages, sent … to …".
    pub fn span(&self) -> String {
        let n = if self.count == 1 {
            "1 message".to_string()
        } else {
            format!("{} messages", self.count)
        };
        if self.first == self.last {
            format!("{n}, sent {}", self.first)
        } else {
            format!("{n}, sent {} to {}", self.first, self.last)
        }
    }
}

/// One line of the audit annex.
pub struct AuditRow {
    /// Chain entry.
    pub seq: u64,
    /// When Cairn recorded it (UTC).
    pub recorded_at: String,
    /// What happened, in words.
    pub what: String,
    /// The item.
    pub item: String,
}

/// The narrative fields of incidents and reports, as the schedule and the page label
/// them (in this order).
pub const NARRATIVE_FIELDS: &[(&str, &str)] = &[
    ("location", "Where"),
    ("body", "What happened"),
    ("words_said", "Exact words said"),
    ("injuries", "Injuries"),
    ("treatment", "Treatment"),
    ("witnesses", "Witnesses"),
    ("impact", "Impact"),
    ("actions_after", "What she did afterwards"),
    ("agency", "Agency"),
    ("organisation", "Organisation"),
    ("person", "Person"),
    ("collar_number", "Collar number"),
    ("reference", "Reference"),
    ("outcome", "Outcome"),
    ("notes", "Notes"),
];

/// The police-perpetrator fields (inside an incident's `police`).
pub const POLICE_FIELDS: &[(&str, &str)] = &[
    (
        "used_status",
        "He used his status or said she would not be believed",
    ),
    (
        "police_information",
        "Information he could only have had from police systems",
    ),
    ("police_response", "How police responded"),
    (
        "complaint_references",
        "Professional Standards / IOPC references",
    ),
    (
        "counter_allegations",
        "Counter-allegations made against her",
    ),
];

/// A string field of a record, or "".
pub(crate) fn text(v: Option<&Value>, key: &str) -> String {
    v.and_then(|r| r.get(key))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// How an "occurred" object reads.
pub fn when_text(occ: Option<&Value>) -> String {
    let Some(o) = occ else {
        return "Date not given".into();
    };
    let start = o.get("start").and_then(Value::as_str).unwrap_or_default();
    let mut s = pretty_time(start);
    if let Some(e) = o.get("end").and_then(Value::as_str) {
        s = format!("{s} to {}", pretty_time(e));
    }
    if o.get("approximate")
        .and_then(Value::as_bool)
        .unwrap_or(false)
    {
        s = format!("about {s}");
    }
    s
}

/// `2026-11-03T21:40:00+00:00` → `2026-11-03 21:40 (+00:00)`; dates stay as they are.
pub fn pretty_time(s: &str) -> String {
    if s.len() >= 16 && s.as_bytes().get(10) == Some(&b'T') {
        let off = &s[19.min(s.len())..];
        let off = off.trim_start_matches(|c: char| c == '.' || c.is_ascii_digit());
        let off = if off == "Z" { "UTC" } else { off };
        format!("{} {} ({off})", &s[..10], &s[11..16])
    } else {
        s.to_string()
    }
}

fn kind_words(kind: &str) -> &'static str {
    match kind {
        "vault.init" => "Vault created",
        "incident.create" => "Record written",
        "incident.edit" => "Record edited (new version)",
        "person.create" => "Person added",
        "person.edit" => "Person edited (new version)",
        "file.add" => "File added",
        "file.edit" => "File details edited",
        "link.add" => "Link added",
        "link.change" => "Link changed",
        "item.redact" => "Removed by redaction (tombstone kept)",
        "report.create" => "Report or handover recorded",
        "report.edit" => "Report or handover edited",
        "message.create" => "Message imported",
        "vault.backup" => "Backed up (a copy of the vault written elsewhere)",
        "vault.unlock_failed" => "Failed attempts to unlock, recorded at the next unlock",
        _ => "Change",
    }
}

impl<'a> Schedule<'a> {
    /// Gathers the views' inputs.
    pub fn new(
        info: &'a VaultInfo,
        items: &'a [BundleItem],
        exhibits: &'a [BundleExhibit],
        chain: &'a [Entry],
        evidence: &'a str,
        root: &'a str,
    ) -> Schedule<'a> {
        Schedule {
            info,
            items,
            exhibits,
            chain,
            evidence,
            root,
            by_id: items
                .iter()
                .enumerate()
                .map(|(n, i)| (i.id.as_str(), n))
                .collect(),
        }
    }

    /// An item by id.
    pub fn item(&self, id: &str) -> Option<&BundleItem> {
        self.by_id.get(id).and_then(|&n| self.items.get(n))
    }

    /// Incidents and reports in the order they happened (undated ones last).
    pub fn chronology(&self) -> Vec<Row> {
        let mut v: Vec<&BundleItem> = self
            .items
            .iter()
            .filter(|i| matches!(i.kind, ItemKind::Incident | ItemKind::Report))
            .collect();
        let key = |i: &BundleItem| {
            i.record
                .as_ref()
                .and_then(|r| r.pointer("/occurred/start"))
                .and_then(Value::as_str)
                .map(sort_key)
                .unwrap_or_else(|| format!("~{}", i.recorded_at))
        };
        v.sort_by_key(|i| (key(i), i.created_seq));
        v.iter()
            .enumerate()
            .map(|(n, i)| {
                let r = i.record.as_ref();
                let linked: Vec<&BundleItem> =
                    i.links.iter().filter_map(|l| self.item(l)).collect();
                let mut witnesses: Vec<String> = Vec::new();
                let w = text(r, "witnesses");
                if !w.is_empty() {
                    witnesses.push(w);
                }
                for p in &linked {
                    if p.kind == ItemKind::Person
                        && p.record
                            .as_ref()
                            .and_then(|x| x.get("role"))
                            .and_then(Value::as_str)
                            == Some("witness")
                    {
                        witnesses.push(text(p.record.as_ref(), "name"));
                    }
                }
                let mut references = Vec::new();
                if let Some(ags) = r.and_then(|x| x.get("agencies")).and_then(Value::as_array) {
                    for a in ags {
                        let rf = text(Some(a), "reference");
                        if !rf.is_empty() {
                            references.push(format!("{}: {rf}", text(Some(a), "agency")));
                        }
                    }
                }
                let rf = text(r, "reference");
                if i.kind == ItemKind::Report && !rf.is_empty() {
                    references.push(format!("{}: {rf}", text(r, "agency")));
                }
                let categories = r
                    .and_then(|x| x.get("categories"))
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(|c| {
                                Category::parse(c)
                                    .map(|c| c.label().to_string())
                                    .unwrap_or_else(|_| c.to_string())
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let mut exhibits: Vec<String> =
                    linked.iter().filter_map(|p| p.exhibit.clone()).collect();
                if i.kind == ItemKind::Report {
                    if let Some(ex) = r.and_then(|x| x.get("exhibits")).and_then(Value::as_array) {
                        exhibits.extend(ex.iter().map(|e| text(Some(e), "reference")));
                    }
                }
                Row {
                    number: n + 1,
                    id: i.id.clone(),
                    when: when_text(r.and_then(|x| x.get("occurred"))),
                    summary: if i.redaction.is_some() {
                        "[Removed by redaction]".into()
                    } else {
                        text(r, "title")
                    },
                    categories,
                    exhibits,
                    witnesses,
                    references,
                    is_report: i.kind == ItemKind::Report,
                }
            })
            .collect()
    }

    /// The exported messages by conversation (in the order first met), each in the
    /// order sent; removed ones are counted under "Removed messages".
    pub fn conversations(&self) -> Vec<ConversationRows> {
        let chronology = self.chronology();
        let entry_no: BTreeMap<&str, usize> = chronology
            .iter()
            .map(|r| (r.id.as_str(), r.number))
            .collect();
        let exhibit_of = |id: &str| self.item(id).and_then(|i| i.exhibit.clone());
        let messages: Vec<&BundleItem> = self
            .items
            .iter()
            .filter(|i| i.kind == ItemKind::Message)
            .collect();
        let list_all = messages.len() <= MESSAGES_LISTED;
        let mut order: Vec<String> = Vec::new();
        let mut groups: BTreeMap<String, Vec<&BundleItem>> = BTreeMap::new();
        for m in &messages {
            let r = m.record.as_ref();
            let name = match r {
                Some(_) => format!(
                    "{} ({})",
                    text(r, "conversation"),
                    source_words(&text(r, "source"))
                ),
                None => "Removed messages".to_string(),
            };
            if !groups.contains_key(&name) {
                order.push(name.clone());
            }
            groups.entry(name).or_default().push(m);
        }
        let mut number = 0;
        order
            .into_iter()
            .map(|name| {
                let mut ms = groups.remove(&name).unwrap_or_default();
                ms.sort_by_cached_key(|m| (text(m.record.as_ref(), "sent_at"), m.created_seq));
                let mut exports: Vec<String> = Vec::new();
                for m in &ms {
                    if let Some(x) = exhibit_of(&text(m.record.as_ref(), "export")) {
                        if !exports.contains(&x) {
                            exports.push(x);
                        }
                    }
                }
                let sent = |m: &&BundleItem| sent_words(&text(m.record.as_ref(), "sent_at"));
                let first = ms.first().map(sent).unwrap_or_default();
                let last = ms.last().map(sent).unwrap_or_default();
                let count = ms.len();
                let listed = ms
                    .iter()
                    .filter_map(|m| {
                        let linked_to: Vec<usize> = m
                            .links
                            .iter()
                            .filter_map(|l| entry_no.get(l.as_str()).copied())
                            .collect();
                        if !list_all && linked_to.is_empty() {
                            return None;
                        }
                        number += 1;
                        let r = m.record.as_ref();
                        let mut said = match r {
                            Some(_) => text(r, "text"),
                            None => "[Removed by redaction]".into(),
                        };
                        if said.chars().count() > MESSAGE_CHARS {
                            said = said.chars().take(MESSAGE_CHARS).collect::<String>()
                                + " … (cut short here; the whole message is in the record)";
                        }
                        let mut read_from = match exhibit_of(&text(r, "export")) {
                            Some(x) => format!(
                                "{x}, line {}",
                                r.and_then(|v| v.get("line"))
                                    .and_then(Value::as_u64)
                                    .unwrap_or(0)
                            ),
                            None => String::new(),
                        };
                        let files: Vec<String> = r
                            .and_then(|v| v.get("attachments"))
                            .and_then(Value::as_array)
                            .map(|a| {
                                a.iter()
                                    .filter_map(Value::as_str)
                                    .filter_map(exhibit_of)
                                    .collect()
                            })
                            .unwrap_or_default();
                        if !files.is_empty() {
                            read_from = format!("{read_from}; attached: {}", files.join(", "));
                        }
                        Some(MessageRow {
                            number,
                            id: m.id.clone(),
                            when: if r.is_some() {
                                sent_words(&text(r, "sent_at"))
                            } else {
                                String::new()
                            },
                            from: text(r, "sender"),
                            text: said,
                            read_from,
                            linked_to,
                        })
                    })
                    .collect();
                ConversationRows {
                    name,
                    count,
                    first,
                    last,
                    exports,
                    listed,
                }
            })
            .collect()
    }

    /// Every chain entry about an exported item, in order.
    pub fn audit(&self) -> Vec<AuditRow> {
        self.chain
            .iter()
            .filter(|e| self.item(&e.item).is_some())
            .map(|e| AuditRow {
                seq: e.seq,
                recorded_at: format_ms(e.recorded_at),
                what: kind_words(&e.kind).to_string(),
                item: e.item.clone(),
            })
            .collect()
    }

    /// Redactions anywhere in the vault (from the chain headers).
    pub fn redactions(&self) -> Vec<AuditRow> {
        self.chain
            .iter()
            .filter(|e| e.kind == "item.redact")
            .map(|e| AuditRow {
                seq: e.seq,
                recorded_at: format_ms(e.recorded_at),
                what: self
                    .item(&e.item)
                    .and_then(|i| i.redaction.as_ref())
                    .map(|r| format!("Reason given: {}", r.reason))
                    .unwrap_or_else(|| "Reason not in this bundle".into()),
                item: e.item.clone(),
            })
            .collect()
    }

    /// Agency reference numbers → where they appear.
    pub fn reference_index(&self) -> BTreeMap<String, Vec<String>> {
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for row in self.chronology() {
            for r in &row.references {
                out.entry(r.clone())
                    .or_default()
                    .push(format!("entry {} ({})", row.number, row.when));
            }
        }
        out
    }

    /// Incident counts by category (the pattern, not only the worst days).
    pub fn pattern(&self) -> Vec<(String, usize)> {
        let mut m: BTreeMap<String, usize> = BTreeMap::new();
        for row in self.chronology().iter().filter(|r| !r.is_report) {
            for c in &row.categories {
                *m.entry(c.clone()).or_default() += 1;
            }
        }
        let mut v: Vec<(String, usize)> = m.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }
}
