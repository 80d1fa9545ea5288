//! The evidence schedule: what `report.pdf` and `index.html` show, built once from the
//! bundle's record so both views say the same thing (USERS.md, "What goes to the
//! solicitor"): the pattern, a chronology of incidents with the people linked to each,
//! the reports and handovers, the people, the messages, the exhibits, and an annex of
//! when each entry was written and changed and what the bundle leaves out, and why.

use std::collections::BTreeMap;

use cairn_core::chain::Entry;
use cairn_core::clock::format_ms;
use cairn_core::items::sort_key;
use cairn_core::{Category, ItemKind};
use serde_json::Value;

use crate::assemble::withheld_reason;
use crate::record::{BundleExhibit, BundleItem, BundleVersion, Disclosure, VaultInfo};

pub use crate::pdf::pdf;

/// Everything the views need.
pub struct Schedule<'a> {
    /// The vault and the export.
    pub info: &'a VaultInfo,
    /// Exported items.
    pub items: &'a [BundleItem],
    /// Exhibits.
    pub exhibits: &'a [BundleExhibit],
    /// The chain entries the bundle carries (headers): every one in a full-chain
    /// bundle, only the exported items' in a proofs bundle.
    pub chain: &'a [Entry],
    /// The evidence fingerprint.
    pub evidence: &'a str,
    /// The bag's folder name.
    pub root: &'a str,
    /// Every version of every exported item (what each leaves out); empty when not
    /// given.
    pub versions: &'a [BundleVersion],
    /// Each item's place in `items`: a bundle may hold a whole phone's messages, and
    /// every chain entry and message looks its item up.
    by_id: BTreeMap<&'a str, usize>,
}

/// Someone linked to an entry, as the schedule names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonLine {
    /// The person item.
    pub id: String,
    /// Name as she knows them ("" once redacted).
    pub name: String,
    /// Their role, in words.
    pub role: String,
    /// Police force.
    pub force: String,
    /// Officer's collar number.
    pub collar_number: String,
    /// Organisation (for professionals).
    pub organisation: String,
    /// Relationship to her.
    pub relationship: String,
    /// Her notes about them.
    pub notes: String,
    /// Removed by redaction: nothing of them is left but the fact.
    pub redacted: bool,
}

impl PersonLine {
    fn of(p: &BundleItem) -> PersonLine {
        let r = p.record.as_ref();
        PersonLine {
            id: p.id.clone(),
            name: text(r, "name"),
            role: role_words(&text(r, "role")).to_string(),
            force: text(r, "force"),
            collar_number: text(r, "collar_number"),
            organisation: text(r, "organisation"),
            relationship: text(r, "relationship"),
            notes: text(r, "notes"),
            redacted: p.redaction.is_some(),
        }
    }

    /// Their name, or what stands for it.
    pub fn name_words(&self) -> String {
        if self.redacted {
            "[Removed by redaction]".into()
        } else if self.name.trim().is_empty() {
            "Name not given".into()
        } else {
            self.name.clone()
        }
    }

    /// Role, force, collar number, organisation and relationship, those given.
    pub fn details(&self) -> Vec<String> {
        if self.redacted {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (v, f) in [
            (&self.role, "{}"),
            (&self.force, "{}"),
            (&self.collar_number, "collar number {}"),
            (&self.organisation, "{}"),
            (&self.relationship, "relationship: {}"),
        ] {
            if !v.trim().is_empty() {
                out.push(f.replace("{}", v.trim()));
            }
        }
        out
    }

    /// "Dan Reed (police officer or staff, Kent Police, collar number 4471)".
    pub fn describe(&self) -> String {
        let d = self.details();
        if d.is_empty() {
            self.name_words()
        } else {
            format!("{} ({})", self.name_words(), d.join(", "))
        }
    }
}

/// A person's role in words (docs/FORMAT.md §5.2 names the roles).
pub fn role_words(role: &str) -> &str {
    match role {
        "harming" => "person harming her",
        "witness" => "witness",
        "officer" => "police officer or staff",
        "professional" => "professional",
        "other" => "other",
        other => other,
    }
}

/// The order roles are listed in.
fn role_rank(role: &str) -> u8 {
    match role {
        "person harming her" => 0,
        "police officer or staff" => 1,
        "witness" => 2,
        "professional" => 3,
        _ => 4,
    }
}

/// One line of the chronology: an incident.
pub struct Row {
    /// 1, 2, 3… in date order.
    pub number: usize,
    /// The item.
    pub id: String,
    /// When it happened, as she gave it ("about" marked).
    pub when: String,
    /// Title.
    pub summary: String,
    /// Category labels.
    pub categories: Vec<String>,
    /// Exhibit references of linked files.
    pub exhibits: Vec<String>,
    /// The people linked to it.
    pub people: Vec<PersonLine>,
    /// Her witnesses field, as she wrote it.
    pub witnesses: String,
    /// Agency references (hers, and those of the reports linked to it).
    pub references: Vec<String>,
    /// Numbers of the reports and handovers linked to it.
    pub reports: Vec<usize>,
}

/// One exhibit handed over in a report, as it records it.
pub struct Handed {
    /// `AB/1`.
    pub reference: String,
    /// SHA-256 of the bytes handed over.
    pub sha256: String,
    /// The original's SHA-256, when a copy without location data was handed over.
    pub original_sha256: String,
}

/// One report to an agency or handover of evidence.
pub struct ReportRow {
    /// R1, R2… in date order.
    pub number: usize,
    /// The item.
    pub id: String,
    /// When it was made.
    pub when: String,
    /// Her title for it.
    pub title: String,
    /// The agency, with the force or organisation.
    pub agency: String,
    /// The person reported to.
    pub person: String,
    /// Their collar number.
    pub collar_number: String,
    /// Crime, incident, CAD or complaint reference.
    pub reference: String,
    /// What came of it.
    pub outcome: String,
    /// Her notes.
    pub notes: String,
    /// The exhibits handed over, by reference and hash.
    pub handed_over: Vec<Handed>,
    /// For a bundle made by Cairn: the SHA-256 of the bundle file.
    pub bundle_sha256: String,
    /// And of its evidence manifest.
    pub evidence_sha256: String,
    /// Chronology numbers of the incidents it is linked to.
    pub entries: Vec<usize>,
    /// The people linked to it.
    pub people: Vec<PersonLine>,
    /// The reason given, when it was removed by redaction.
    pub redaction: Option<String>,
}

impl ReportRow {
    /// "Kent Police, PC Reed, collar number 4471": who it went to.
    pub fn person_words(&self) -> String {
        match (self.person.trim(), self.collar_number.trim()) {
            ("", "") => String::new(),
            (p, "") => p.to_string(),
            ("", c) => format!("collar number {c}"),
            (p, c) => format!("{p}, collar number {c}"),
        }
    }

    /// The exhibit references handed over.
    pub fn references(&self) -> Vec<String> {
        self.handed_over
            .iter()
            .map(|h| h.reference.clone())
            .collect()
    }
}

/// Everyone linked, with where they appear.
pub struct PersonRow {
    /// Who.
    pub person: PersonLine,
    /// Chronology numbers of the incidents they are linked to.
    pub entries: Vec<usize>,
    /// Numbers of the reports they are linked to.
    pub reports: Vec<usize>,
}

impl PersonRow {
    /// "entries 1, 3; report R2", or that they are linked to none.
    pub fn appears(&self) -> String {
        let mut parts = Vec::new();
        if !self.entries.is_empty() {
            parts.push(numbered(
                if self.entries.len() == 1 {
                    "entry"
                } else {
                    "entries"
                },
                &self.entries,
                "",
            ));
        }
        if !self.reports.is_empty() {
            parts.push(numbered(
                if self.reports.len() == 1 {
                    "report"
                } else {
                    "reports"
                },
                &self.reports,
                "R",
            ));
        }
        if parts.is_empty() {
            "Not linked to an entry in this bundle".into()
        } else {
            parts.join("; ")
        }
    }
}

/// "entries 1, 3" / "reports R1, R2".
pub fn numbered(word: &str, ns: &[usize], prefix: &str) -> String {
    let v: Vec<String> = ns.iter().map(|n| format!("{prefix}{n}")).collect();
    format!("{word} {}", v.join(", "))
}

/// The pattern of behaviour: every incident counted, not only the worst days.
pub struct Pattern {
    /// Incidents in the bundle, redacted ones included.
    pub incidents: usize,
    /// Those with a date.
    pub dated: usize,
    /// Those she gave no date for.
    pub undated: usize,
    /// Those removed by redaction (no date, no details).
    pub redacted: usize,
    /// The first and last dates among the dated ones, as she gave them.
    pub first: String,
    /// See `first`.
    pub last: String,
    /// Incidents by kind of abuse, most first.
    pub categories: Vec<(String, usize)>,
    /// Incidents by month ("November 2026"), in order.
    pub months: Vec<(String, usize)>,
    /// How many incidents record injuries, children present, and the like.
    pub features: Vec<(&'static str, usize)>,
}

/// "1 incident" / "3 incidents".
pub fn count_words(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

impl Pattern {
    /// The paragraph above the tables.
    pub fn summary(&self) -> String {
        if self.incidents == 0 {
            return "There are no incidents in this bundle.".into();
        }
        let all = count_words(self.incidents, "incident is", "incidents are");
        let range = if self.first == self.last {
            format!("on {}", self.first)
        } else {
            format!("from {} to {}", self.first, self.last)
        };
        let mut s = if self.dated == self.incidents {
            format!("{all} in this bundle, {range}.")
        } else if self.dated == 0 {
            format!("{all} in this bundle.")
        } else {
            format!(
                "{all} in this bundle. {} {range}.",
                if self.dated == 1 {
                    "The one with a date is".to_string()
                } else {
                    format!("The {} with dates run", self.dated)
                }
            )
        };
        if self.undated > 0 {
            s.push_str(&format!(
                " {} no date given.",
                count_words(self.undated, "has", "have")
            ));
        }
        if self.redacted > 0 {
            s.push_str(&format!(
                " {} removed by redaction: counted here, but {} date and details are not shown.",
                count_words(self.redacted, "was", "were"),
                if self.redacted == 1 { "its" } else { "their" }
            ));
        }
        s.push_str(" Every incident exported is counted, not a selection of the worst.");
        s
    }
}

/// What the bundle leaves out of one item, and why.
pub struct WithheldRow {
    /// The item, as the schedule names it.
    pub item: String,
    /// Its id.
    pub id: String,
    /// Each field left out, in words, with the reason.
    pub fields: Vec<(String, String)>,
}

/// A version whose fingerprint cannot be recomputed from the bundle.
pub struct UnverifiableRow {
    /// The item, as the schedule names it.
    pub item: String,
    /// Its id.
    pub id: String,
    /// The version.
    pub version: u64,
    /// The fields left out of it, in words.
    pub fields: Vec<String>,
}

/// What an unverifiable version means, in one sentence.
pub const UNVERIFIABLE_WORDS: &str = "Each version below was written before Cairn gave every field it can leave out a fingerprint of its own, so with that field left out this bundle cannot show that the rest of the version is exactly as written; the vault still holds the whole version, and it can be checked there.";

/// A withholdable field in words.
pub fn field_words(field: &str) -> &str {
    match field {
        "private_notes" => "Private notes",
        "location" => "Where it happened",
        f if f.starts_with("exif.gps_") => "The photo's position (GPS)",
        other => other,
    }
}

/// A sentence's first letter in capitals.
pub fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
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

/// An agency contact in a line.
pub fn agency_words(a: &Value) -> String {
    let get = |k: &str| text(Some(a), k);
    let mut parts: Vec<String> = Vec::new();
    for k in ["agency", "organisation", "person"] {
        let v = get(k);
        if !v.is_empty() {
            parts.push(v);
        }
    }
    let c = get("collar_number");
    if !c.is_empty() {
        parts.push(format!("collar number {c}"));
    }
    let r = get("reference");
    if !r.is_empty() {
        parts.push(format!("reference {r}"));
    }
    let n = get("notes");
    if !n.is_empty() {
        parts.push(n);
    }
    parts.join(" · ")
}

/// An incident's tags, joined.
pub fn tags(rec: Option<&Value>) -> String {
    rec.and_then(|r| r.get("tags"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

/// "AB/1 — SHA-256 …" (and the original's, for a copy without location data).
pub fn handed_words(h: &Handed) -> String {
    let mut s = if h.sha256.is_empty() {
        h.reference.clone()
    } else {
        format!("{} — SHA-256 {}", h.reference, h.sha256)
    };
    if !h.original_sha256.is_empty() {
        s.push_str(&format!(
            " (a copy without location data; the original's SHA-256 is {})",
            h.original_sha256
        ));
    }
    s
}

/// The fields left out of an item, each with why, in sentences.
pub fn left_out_words(fields: &[String]) -> String {
    let mut out: Vec<String> = Vec::new();
    for f in fields {
        let line = format!("{}: {}.", field_words(f), withheld_reason(f));
        if !out.contains(&line) {
            out.push(line);
        }
    }
    out.join("\n")
}

/// One line of the audit annex.
pub struct AuditRow {
    /// Chain entry.
    pub seq: u64,
    /// When Cairn recorded it (UTC).
    pub recorded_at: String,
    /// What happened, in words.
    pub what: String,
    /// The item's id.
    pub item: String,
    /// The item as the schedule names it ("Entry 3", "AB/1", …).
    pub label: String,
}

/// The narrative fields of incidents, as the schedule and the page label them (in
/// this order).
pub const NARRATIVE_FIELDS: &[(&str, &str)] = &[
    ("location", "Where"),
    ("body", "What happened"),
    ("words_said", "Exact words said"),
    ("injuries", "Injuries"),
    ("treatment", "Treatment"),
    ("witnesses", "Witnesses"),
    ("impact", "Impact"),
    ("actions_after", "What she did afterwards"),
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

/// `2026-11-03T21:40:00+00:00` → `2026-11-03 21:40 (+00:00)`; dates, and anything
/// else, stay as they are.
pub fn pretty_time(s: &str) -> String {
    if s.as_bytes().get(10) != Some(&b'T') {
        return s.to_string();
    }
    let (Some(day), Some(clock), Some(rest)) = (s.get(..10), s.get(11..16), s.get(16..)) else {
        return s.to_string();
    };
    // Seconds and fractions, then the offset.
    let off = rest.trim_start_matches(|c: char| c == ':' || c == '.' || c.is_ascii_digit());
    let off = if off == "Z" { "UTC" } else { off };
    format!("{day} {clock} ({off})")
}

/// The date part of a time as she gave it (`2026-11-03`), if it has one.
fn day_of(s: &str) -> Option<&str> {
    let d = s.get(..10)?;
    let b = d.as_bytes();
    (b[4] == b'-' && b[7] == b'-' && d.chars().all(|c| c.is_ascii_digit() || c == '-')).then_some(d)
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// (year, month) → "November 2026".
fn month_words(y: i32, m: u32) -> String {
    let name = MONTHS
        .get((m as usize).wrapping_sub(1))
        .copied()
        .unwrap_or("?");
    format!("{name} {y}")
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
        "file.location_free" => "Copy without location data recorded",
        "link.add" => "Link added",
        "link.change" => "Link changed",
        "item.redact" => "Removed by redaction (tombstone kept)",
        "report.create" => "Report or handover recorded",
        "report.edit" => "Report or handover edited",
        "message.create" => "Message imported",
        "vault.backup" => "Backed up (a copy of the vault written elsewhere)",
        "vault.backup_checked" => "Backup checked (read back against the vault; decay put right)",
        "vault.rekey" => {
            "Keys changed (a new passphrase or recovery code; older key files no longer open it)"
        }
        "vault.unlock_failed" => "Failed attempts to unlock, recorded at the next unlock",
        "vault.keys_altered" => {
            "Key file found changed by someone without the vault's key (recorded at an unlock)"
        }
        _ => "Change",
    }
}

/// The categories of a record, as labels.
fn categories_of(r: Option<&Value>) -> Vec<String> {
    r.and_then(|x| x.get("categories"))
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
        .unwrap_or_default()
}

/// `AB/10` after `AB/9`: initials, then the number.
fn exhibit_order(r: &str) -> (String, u64, String) {
    match r.rsplit_once('/') {
        Some((a, n)) => (a.to_string(), n.parse().unwrap_or(u64::MAX), r.to_string()),
        None => (r.to_string(), 0, r.to_string()),
    }
}

fn push_new(v: &mut Vec<String>, s: String) {
    if !s.is_empty() && !v.contains(&s) {
        v.push(s);
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
            versions: &[],
            by_id: items
                .iter()
                .enumerate()
                .map(|(n, i)| (i.id.as_str(), n))
                .collect(),
        }
    }

    /// Adds every version of the exported items, so the annex can name what each
    /// leaves out.
    pub fn with_versions(mut self, versions: &'a [BundleVersion]) -> Schedule<'a> {
        self.versions = versions;
        self
    }

    /// An item by id.
    pub fn item(&self, id: &str) -> Option<&BundleItem> {
        self.by_id.get(id).and_then(|&n| self.items.get(n))
    }

    /// Items of `kind` in the order they happened (undated ones last, in the order
    /// recorded).
    fn ordered(&self, kind: ItemKind) -> Vec<&'a BundleItem> {
        let mut v: Vec<(String, u64, &'a BundleItem)> = self
            .items
            .iter()
            .filter(|i| i.kind == kind)
            .map(|i| {
                let key = i
                    .record
                    .as_ref()
                    .and_then(|r| r.pointer("/occurred/start"))
                    .and_then(Value::as_str)
                    .map(sort_key)
                    .unwrap_or_else(|| format!("~{}", i.recorded_at));
                (key, i.created_seq, i)
            })
            .collect();
        v.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        v.into_iter().map(|(_, _, i)| i).collect()
    }

    /// Item id → its number among items of `kind` (chronology entries, reports).
    fn numbers(&self, kind: ItemKind) -> BTreeMap<&'a str, usize> {
        self.ordered(kind)
            .into_iter()
            .enumerate()
            .map(|(n, i)| (i.id.as_str(), n + 1))
            .collect()
    }

    /// The people linked to `item`, in role order.
    fn people_of(&self, item: &BundleItem) -> Vec<PersonLine> {
        let mut v: Vec<PersonLine> = item
            .links
            .iter()
            .filter_map(|l| self.item(l))
            .filter(|p| p.kind == ItemKind::Person)
            .map(PersonLine::of)
            .collect();
        v.sort_by(|a, b| {
            (role_rank(&a.role), a.name.to_lowercase())
                .cmp(&(role_rank(&b.role), b.name.to_lowercase()))
        });
        v
    }

    /// The linked items' numbers among `numbers`, in order.
    fn linked_numbers(item: &BundleItem, numbers: &BTreeMap<&str, usize>) -> Vec<usize> {
        let mut v: Vec<usize> = item
            .links
            .iter()
            .filter_map(|l| numbers.get(l.as_str()).copied())
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// "Police: 123/4567" for a report with a reference.
    fn report_reference(r: Option<&Value>) -> String {
        let rf = text(r, "reference");
        if rf.is_empty() {
            return String::new();
        }
        let agency = text(r, "agency");
        if agency.is_empty() {
            rf
        } else {
            format!("{agency}: {rf}")
        }
    }

    /// The incidents, in the order they happened (undated and redacted ones last).
    pub fn chronology(&self) -> Vec<Row> {
        let report_no = self.numbers(ItemKind::Report);
        self.ordered(ItemKind::Incident)
            .into_iter()
            .enumerate()
            .map(|(n, i)| {
                let r = i.record.as_ref();
                let mut references = Vec::new();
                if let Some(ags) = r.and_then(|x| x.get("agencies")).and_then(Value::as_array) {
                    for a in ags {
                        let rf = text(Some(a), "reference");
                        if !rf.is_empty() {
                            let agency = text(Some(a), "agency");
                            push_new(
                                &mut references,
                                if agency.is_empty() {
                                    rf
                                } else {
                                    format!("{agency}: {rf}")
                                },
                            );
                        }
                    }
                }
                let reports = Self::linked_numbers(i, &report_no);
                for l in &i.links {
                    if let Some(rep) = self.item(l).filter(|x| x.kind == ItemKind::Report) {
                        push_new(&mut references, Self::report_reference(rep.record.as_ref()));
                    }
                }
                let mut exhibits: Vec<String> = Vec::new();
                for l in &i.links {
                    if let Some(x) = self.item(l).and_then(|f| f.exhibit.clone()) {
                        push_new(&mut exhibits, x);
                    }
                }
                exhibits.sort_by_cached_key(|x| exhibit_order(x));
                Row {
                    number: n + 1,
                    id: i.id.clone(),
                    when: if i.redaction.is_some() {
                        "Removed by redaction".into()
                    } else {
                        when_text(r.and_then(|x| x.get("occurred")))
                    },
                    summary: if i.redaction.is_some() {
                        "[Removed by redaction]".into()
                    } else {
                        text(r, "title")
                    },
                    categories: categories_of(r),
                    exhibits,
                    people: self.people_of(i),
                    witnesses: text(r, "witnesses"),
                    references,
                    reports,
                }
            })
            .collect()
    }

    /// Reports to agencies and handovers of evidence, in the order they were made.
    pub fn reports(&self) -> Vec<ReportRow> {
        let entry_no = self.numbers(ItemKind::Incident);
        self.ordered(ItemKind::Report)
            .into_iter()
            .enumerate()
            .map(|(n, i)| {
                let r = i.record.as_ref();
                let agency = text(r, "agency");
                let org = text(r, "organisation");
                let handed_over = r
                    .and_then(|x| x.get("exhibits"))
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .map(|e| Handed {
                                reference: text(Some(e), "reference"),
                                sha256: text(Some(e), "sha256"),
                                original_sha256: text(Some(e), "original_sha256"),
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                ReportRow {
                    number: n + 1,
                    id: i.id.clone(),
                    when: if i.redaction.is_some() {
                        "Removed by redaction".into()
                    } else {
                        when_text(r.and_then(|x| x.get("occurred")))
                    },
                    title: if i.redaction.is_some() {
                        "[Removed by redaction]".into()
                    } else {
                        text(r, "title")
                    },
                    agency: match (agency.is_empty(), org.is_empty()) {
                        (_, true) => agency,
                        (true, false) => org,
                        (false, false) => format!("{agency} ({org})"),
                    },
                    person: text(r, "person"),
                    collar_number: text(r, "collar_number"),
                    reference: text(r, "reference"),
                    outcome: text(r, "outcome"),
                    notes: text(r, "notes"),
                    handed_over,
                    bundle_sha256: text(r, "bundle_sha256"),
                    evidence_sha256: text(r, "evidence_sha256"),
                    entries: Self::linked_numbers(i, &entry_no),
                    people: self.people_of(i),
                    redaction: i.redaction.as_ref().map(|x| x.reason.clone()),
                }
            })
            .collect()
    }

    /// Everyone in the bundle, in role order, with the entries and reports they are
    /// linked to.
    pub fn people(&self) -> Vec<PersonRow> {
        let entry_no = self.numbers(ItemKind::Incident);
        let report_no = self.numbers(ItemKind::Report);
        let mut v: Vec<PersonRow> = self
            .items
            .iter()
            .filter(|i| i.kind == ItemKind::Person)
            .map(|p| PersonRow {
                person: PersonLine::of(p),
                entries: Self::linked_numbers(p, &entry_no),
                reports: Self::linked_numbers(p, &report_no),
            })
            .collect();
        v.sort_by(|a, b| {
            (
                role_rank(&a.person.role),
                a.person.name.to_lowercase(),
                a.person.id.as_str(),
            )
                .cmp(&(
                    role_rank(&b.person.role),
                    b.person.name.to_lowercase(),
                    b.person.id.as_str(),
                ))
        });
        v
    }

    /// The exported messages by conversation (in the order first met), each in the
    /// order sent; removed ones are counted under "Removed messages".
    pub fn conversations(&self) -> Vec<ConversationRows> {
        let entry_no = self.numbers(ItemKind::Incident);
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

    /// Every item's name in the schedule: "Entry 3", "Report R1", "AB/1", "Person: Dan
    /// Reed", "Message M4", a link between two of them.
    pub fn labels(&self) -> BTreeMap<&'a str, String> {
        let mut out: BTreeMap<&'a str, String> = BTreeMap::new();
        for (id, n) in self.numbers(ItemKind::Incident) {
            out.insert(id, format!("Entry {n}"));
        }
        for (id, n) in self.numbers(ItemKind::Report) {
            out.insert(id, format!("Report R{n}"));
        }
        let mut listed: BTreeMap<String, usize> = BTreeMap::new();
        for c in self.conversations() {
            for m in c.listed {
                listed.insert(m.id, m.number);
            }
        }
        for i in self.items {
            let r = i.record.as_ref();
            let label = match i.kind {
                ItemKind::Incident | ItemKind::Report | ItemKind::Link => continue,
                ItemKind::File => match (&i.exhibit, i.redaction.is_some()) {
                    (Some(x), _) => format!("{x} {}", text(r, "name")),
                    (None, true) => "A file removed by redaction".into(),
                    (None, false) => format!("File {}", text(r, "name")),
                },
                ItemKind::Person => format!("Person: {}", PersonLine::of(i).name_words()),
                ItemKind::Message => match listed.get(&i.id) {
                    Some(n) => format!("Message M{n}"),
                    None if i.redaction.is_some() => "A message removed by redaction".into(),
                    None => format!("A message ({})", text(r, "conversation")),
                },
            };
            out.insert(i.id.as_str(), label.trim().to_string());
        }
        for i in self.items.iter().filter(|i| i.kind == ItemKind::Link) {
            let r = i.record.as_ref();
            let end = |k: &str| {
                let id = text(r, k);
                out.get(id.as_str()).cloned().unwrap_or(id)
            };
            let label = if r.is_some() {
                format!("Link: {} and {}", end("from"), end("to"))
            } else {
                "A link removed by redaction".into()
            };
            out.insert(i.id.as_str(), label);
        }
        out
    }

    /// Every chain entry the bundle carries about an exported item, in order.
    pub fn audit(&self) -> Vec<AuditRow> {
        let labels = self.labels();
        self.chain
            .iter()
            .filter(|e| self.item(&e.item).is_some())
            .map(|e| AuditRow {
                seq: e.seq,
                recorded_at: format_ms(e.recorded_at),
                what: kind_words(&e.kind).to_string(),
                item: e.item.clone(),
                label: labels.get(e.item.as_str()).cloned().unwrap_or_default(),
            })
            .collect()
    }

    /// Redactions among the entries the bundle carries (in a full-chain bundle, every
    /// one in the vault).
    pub fn redactions(&self) -> Vec<AuditRow> {
        let labels = self.labels();
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
                    .unwrap_or_else(|| "Reason not in this bundle (the item is not in it)".into()),
                item: e.item.clone(),
                label: labels.get(e.item.as_str()).cloned().unwrap_or_default(),
            })
            .collect()
    }

    /// Per item, the fields this bundle leaves out of it (of any version) and why.
    pub fn withheld(&self) -> Vec<WithheldRow> {
        let labels = self.labels();
        let mut fields: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        let from_versions = self.versions.iter().map(|v| (v.item.as_str(), &v.withheld));
        let from_items = self.items.iter().map(|i| (i.id.as_str(), &i.withheld));
        for (id, w) in from_versions.chain(from_items) {
            for f in w {
                let v = fields.entry(id).or_default();
                if !v.contains(&f.as_str()) {
                    v.push(f.as_str());
                }
            }
        }
        // In the order the schedule lists items: incidents, reports, then the rest.
        let mut rows: Vec<WithheldRow> = fields
            .into_iter()
            .map(|(id, fs)| {
                let mut words: Vec<(String, String)> = Vec::new();
                for f in fs {
                    let w = field_words(f).to_string();
                    if !words.iter().any(|(x, _)| *x == w) {
                        words.push((w, capitalised(withheld_reason(f)) + "."));
                    }
                }
                WithheldRow {
                    item: labels.get(id).cloned().unwrap_or_else(|| id.to_string()),
                    id: id.to_string(),
                    fields: words,
                }
            })
            .collect();
        let order = self.list_order();
        rows.sort_by_key(|r| order.get(r.id.as_str()).copied().unwrap_or(usize::MAX));
        rows
    }

    /// Versions written before format 2 with a field left out.
    pub fn unverifiable(&self) -> Vec<UnverifiableRow> {
        let labels = self.labels();
        let order = self.list_order();
        let mut rows: Vec<UnverifiableRow> = self
            .versions
            .iter()
            .filter(|v| v.unverifiable)
            .map(|v| {
                let mut fields: Vec<String> = Vec::new();
                for f in &v.withheld {
                    push_new(&mut fields, field_words(f).to_string());
                }
                UnverifiableRow {
                    item: labels
                        .get(v.item.as_str())
                        .cloned()
                        .unwrap_or_else(|| v.item.clone()),
                    id: v.item.clone(),
                    version: v.version,
                    fields,
                }
            })
            .collect();
        rows.sort_by_key(|r| {
            (
                order.get(r.id.as_str()).copied().unwrap_or(usize::MAX),
                r.version,
            )
        });
        rows
    }

    /// Exhibits left out: reference, file name, why.
    pub fn left_out(&self) -> Vec<(String, String, String)> {
        self.exhibits
            .iter()
            .filter_map(|e| {
                let why = e.left_out.as_ref()?;
                Some((
                    e.reference.clone(),
                    e.name.clone(),
                    capitalised(why.trim_end_matches('.')) + ".",
                ))
            })
            .collect()
    }

    /// Items in the order the schedule lists them: incidents, reports, then the rest
    /// as exported.
    fn list_order(&self) -> BTreeMap<&'a str, usize> {
        let mut out: BTreeMap<&'a str, usize> = BTreeMap::new();
        let mut add = |i: &'a BundleItem| {
            let n = out.len();
            out.entry(i.id.as_str()).or_insert(n);
        };
        self.ordered(ItemKind::Incident)
            .into_iter()
            .for_each(&mut add);
        self.ordered(ItemKind::Report)
            .into_iter()
            .for_each(&mut add);
        self.items.iter().for_each(&mut add);
        out
    }

    /// Which chain entries the bundle carries, in a sentence.
    pub fn disclosure_words(&self) -> String {
        match self.info.disclosure {
            Disclosure::Proofs if self.chain.len() as u64 >= self.info.chain_size => format!(
                "Only the entries of the exported items, each with a proof that it belongs to the history the vault signed: here all {} of the vault's chain entries, as everything in the vault was exported.",
                self.info.chain_size
            ),
            Disclosure::Proofs => format!(
                "Only the entries of the exported items: {} of the vault's {} chain entries, each with a proof that it belongs to the history the vault signed. Nothing about the vault's other entries is shown but how many there are.",
                self.chain.len(),
                self.info.chain_size
            ),
            Disclosure::FullChain => format!(
                "Every entry of the vault's chain ({} entries): for everything in the vault, when it was written and what kind of change it was, though not what items outside this bundle say.",
                self.info.chain_size
            ),
        }
    }

    /// The same, in a few words.
    pub fn disclosure_short(&self) -> String {
        match self.info.disclosure {
            Disclosure::Proofs => format!(
                "only the exported items' entries ({} of {}), each with its proof",
                self.chain.len(),
                self.info.chain_size
            ),
            Disclosure::FullChain => {
                format!(
                    "every entry of the vault's chain ({})",
                    self.info.chain_size
                )
            }
        }
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
        for rep in self.reports() {
            let key = Self::report_reference(self.item(&rep.id).and_then(|i| i.record.as_ref()));
            if key.is_empty() {
                continue;
            }
            out.entry(key)
                .or_default()
                .push(format!("report R{} ({})", rep.number, rep.when));
        }
        out
    }

    /// The pattern: every incident counted (redacted ones as redacted, never by a
    /// date), by kind, by month, and by what they record.
    pub fn pattern(&self) -> Pattern {
        let incidents: Vec<&BundleItem> = self
            .items
            .iter()
            .filter(|i| i.kind == ItemKind::Incident)
            .collect();
        let redacted = incidents.iter().filter(|i| i.redaction.is_some()).count();
        let live: Vec<&Value> = incidents
            .iter()
            .filter(|i| i.redaction.is_none())
            .filter_map(|i| i.record.as_ref())
            .collect();
        let mut dated: Vec<(String, &str)> = live
            .iter()
            .filter_map(|r| r.pointer("/occurred/start").and_then(Value::as_str))
            .map(|s| (sort_key(s), s))
            .collect();
        dated.sort();
        let first = dated
            .first()
            .map(|(_, s)| day_of(s).unwrap_or(s).to_string())
            .unwrap_or_default();
        let last = dated
            .last()
            .map(|(_, s)| day_of(s).unwrap_or(s).to_string())
            .unwrap_or_default();

        let mut cats: BTreeMap<String, usize> = BTreeMap::new();
        for r in &live {
            for c in categories_of(Some(r)) {
                *cats.entry(c).or_default() += 1;
            }
        }
        let mut categories: Vec<(String, usize)> = cats.into_iter().collect();
        categories.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));

        // By month, as she gave the dates; every month between the first and the last
        // (the quiet ones too), unless that is more than five years of them.
        let mut by_month: BTreeMap<(i32, u32), usize> = BTreeMap::new();
        for (_, s) in &dated {
            let ym = s
                .get(..7)
                .and_then(|t| t.split_once('-'))
                .and_then(|(y, m)| Some((y.parse::<i32>().ok()?, m.parse::<u32>().ok()?)))
                .filter(|(_, m)| (1..=12).contains(m));
            if let Some(k) = ym {
                *by_month.entry(k).or_default() += 1;
            }
        }
        let mut months = Vec::new();
        if let (Some(&(y0, m0)), Some(&(y1, m1))) =
            (by_month.keys().next(), by_month.keys().next_back())
        {
            let span = (y1 - y0) as i64 * 12 + m1 as i64 - m0 as i64 + 1;
            if span <= 60 {
                let (mut y, mut m) = (y0, m0);
                while (y, m) <= (y1, m1) {
                    months.push((
                        month_words(y, m),
                        by_month.get(&(y, m)).copied().unwrap_or(0),
                    ));
                    m += 1;
                    if m > 12 {
                        m = 1;
                        y += 1;
                    }
                }
            } else {
                months = by_month
                    .iter()
                    .map(|(&(y, m), &n)| (month_words(y, m), n))
                    .collect();
            }
        }

        let has = |r: &Value, path: &str| {
            r.pointer(path)
                .and_then(Value::as_str)
                .is_some_and(|s| !s.trim().is_empty())
        };
        let count = |f: &dyn Fn(&Value) -> bool| live.iter().filter(|r| f(r)).count();
        let features: Vec<(&'static str, usize)> = vec![
            ("Injuries recorded", count(&|r| has(r, "/injuries"))),
            (
                "Children present",
                count(&|r| r.get("children_present").and_then(Value::as_bool) == Some(true)),
            ),
            (
                "An agency was told (police, GP, IDVA…)",
                count(&|r| {
                    r.get("agencies")
                        .and_then(Value::as_array)
                        .is_some_and(|a| !a.is_empty())
                }),
            ),
            (
                "He used his status or said she would not be believed",
                count(&|r| has(r, "/police/used_status")),
            ),
            (
                "Information he could only have had from police systems",
                count(&|r| has(r, "/police/police_information")),
            ),
            (
                "Counter-allegations made against her",
                count(&|r| has(r, "/police/counter_allegations")),
            ),
        ]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .collect();

        Pattern {
            incidents: incidents.len(),
            dated: dated.len(),
            undated: incidents.len().saturating_sub(redacted + dated.len()),
            redacted,
            first,
            last,
            categories,
            months,
            features,
        }
    }
}
