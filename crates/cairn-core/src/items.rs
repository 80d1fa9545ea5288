//! The evidence model: incidents, files, people and the links between them.
//!
//! Each item's content is a record stored as canonical JSON. Empty fields are left
//! out so records stay small; records are hashed exactly as stored.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::clock::{format_rfc3339, parse_rfc3339};
use crate::error::{Error, Result};

fn is_false(b: &bool) -> bool {
    !*b
}

/// What kind of item.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    /// Something that happened, in her words.
    Incident,
    /// An original file: photo, audio, document, export…
    File,
    /// Someone involved.
    Person,
    /// A connection between two items.
    Link,
    /// A report to an agency or a handover of evidence.
    Report,
    /// One message from an imported conversation (a WhatsApp export, …).
    Message,
}

impl ItemKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Incident => "incident",
            ItemKind::File => "file",
            ItemKind::Person => "person",
            ItemKind::Link => "link",
            ItemKind::Report => "report",
            ItemKind::Message => "message",
        }
    }
    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "incident" => ItemKind::Incident,
            "file" => ItemKind::File,
            "person" => ItemKind::Person,
            "link" => ItemKind::Link,
            "report" => ItemKind::Report,
            "message" => ItemKind::Message,
            _ => return None,
        })
    }
    /// The id prefix for this kind.
    pub(crate) fn prefix(self) -> &'static str {
        match self {
            ItemKind::Incident => "inc",
            ItemKind::File => "fil",
            ItemKind::Person => "per",
            ItemKind::Link => "lnk",
            ItemKind::Report => "rep",
            ItemKind::Message => "msg",
        }
    }
}

/// Incident categories (a fixed list, from what courts and agencies use).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// Physical violence.
    Physical,
    /// Sexual abuse.
    Sexual,
    /// Threats.
    Threats,
    /// Verbal or emotional abuse.
    VerbalEmotional,
    /// Coercive or controlling behaviour.
    CoerciveControl,
    /// Economic abuse.
    Economic,
    /// Technology or surveillance.
    TechnologySurveillance,
    /// Stalking.
    Stalking,
    /// Damage to property.
    PropertyDamage,
    /// Breach of an order.
    BreachOfOrder,
    /// Involving children.
    Children,
}

impl Category {
    /// Every category, in display order.
    pub const ALL: [Category; 11] = [
        Category::Physical,
        Category::Sexual,
        Category::Threats,
        Category::VerbalEmotional,
        Category::CoerciveControl,
        Category::Economic,
        Category::TechnologySurveillance,
        Category::Stalking,
        Category::PropertyDamage,
        Category::BreachOfOrder,
        Category::Children,
    ];

    /// The stored identifier, e.g. `coercive-control`.
    pub fn id(self) -> &'static str {
        match self {
            Category::Physical => "physical",
            Category::Sexual => "sexual",
            Category::Threats => "threats",
            Category::VerbalEmotional => "verbal-emotional",
            Category::CoerciveControl => "coercive-control",
            Category::Economic => "economic",
            Category::TechnologySurveillance => "technology-surveillance",
            Category::Stalking => "stalking",
            Category::PropertyDamage => "property-damage",
            Category::BreachOfOrder => "breach-of-order",
            Category::Children => "children",
        }
    }

    /// Plain-English label.
    pub fn label(self) -> &'static str {
        match self {
            Category::Physical => "Physical",
            Category::Sexual => "Sexual",
            Category::Threats => "Threats",
            Category::VerbalEmotional => "Verbal or emotional",
            Category::CoerciveControl => "Coercive or controlling behaviour",
            Category::Economic => "Economic",
            Category::TechnologySurveillance => "Technology or surveillance",
            Category::Stalking => "Stalking",
            Category::PropertyDamage => "Damage to property",
            Category::BreachOfOrder => "Breach of an order",
            Category::Children => "Involving children",
        }
    }

    /// Parses an identifier or label, ignoring case.
    pub fn parse(s: &str) -> Result<Category> {
        let t = s.trim().to_lowercase();
        Category::ALL
            .into_iter()
            .find(|c| c.id() == t || c.label().to_lowercase() == t)
            .ok_or_else(|| {
                let ids: Vec<&str> = Category::ALL.iter().map(|c| c.id()).collect();
                Error::Invalid(format!(
                    "\"{}\" is not a category; use one of: {}.",
                    s.trim(),
                    ids.join(", ")
                ))
            })
    }
}

/// When an incident happened: a moment or date, optionally approximate, optionally a range.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Occurred {
    /// RFC 3339 date-time with its offset, or a date `YYYY-MM-DD`.
    pub start: String,
    /// End of a range, in the same forms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    /// She is not sure of the exact time.
    #[serde(default, skip_serializing_if = "is_false")]
    pub approximate: bool,
}

/// Checks and normalises a date or RFC 3339 date-time.
pub fn normalise_when(s: &str) -> Result<String> {
    let s = s.trim();
    if let Some(t) = parse_rfc3339(s) {
        return Ok(format_rfc3339(t));
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    if let Ok(d) = time::Date::parse(s, &fmt) {
        return Ok(d.format(&fmt).unwrap_or_default());
    }
    Err(Error::Invalid(format!(
        "\"{s}\" is not a date or time; write it like 2026-11-03 or 2026-11-03T21:40:00+00:00."
    )))
}

impl Occurred {
    /// Validates and normalises the times.
    pub fn normalised(&self) -> Result<Occurred> {
        let start = normalise_when(&self.start)?;
        let end = match &self.end {
            Some(e) => {
                let e = normalise_when(e)?;
                if sort_key(&e) < sort_key(&start) {
                    return Err(Error::Invalid(
                        "The end of a time range is before its start.".into(),
                    ));
                }
                Some(e)
            }
            None => None,
        };
        Ok(Occurred {
            start,
            end,
            approximate: self.approximate,
        })
    }
}

/// A sortable UTC form of a normalised date or date-time.
pub fn sort_key(s: &str) -> String {
    match parse_rfc3339(s) {
        Some(t) => format_rfc3339(t.to_offset(time::UtcOffset::UTC)),
        None => format!("{s}T00:00:00Z"),
    }
}

/// An agency she told or that was involved.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgencyContact {
    /// e.g. "Police", "GP", "Hospital", "IDVA", "MARAC", "Social services".
    pub agency: String,
    /// Force or organisation name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub organisation: String,
    /// Person spoken to.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub person: String,
    /// Officer's collar number.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub collar_number: String,
    /// Crime, incident or CAD reference.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reference: String,
    /// Anything else.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
}

/// Fields for abuse by a police officer or police staff.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoliceFields {
    /// He used his status, or threatened that she would not be believed.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub used_status: String,
    /// Information he could only have had from police systems.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub police_information: String,
    /// How police responded.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub police_response: String,
    /// Professional Standards or IOPC complaint references.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub complaint_references: String,
    /// Counter-allegations made against her.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub counter_allegations: String,
}

impl PoliceFields {
    fn is_empty(&self) -> bool {
        *self == PoliceFields::default()
    }
}

/// An incident entry (USERS.md, "An incident entry").
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incident {
    /// A short title.
    pub title: String,
    /// When it happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurred: Option<Occurred>,
    /// Where.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub location: String,
    /// Categories from the fixed list.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<Category>,
    /// What happened, in her own words.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub body: String,
    /// The exact words said.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub words_said: String,
    /// Injuries: where.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub injuries: String,
    /// Treatment received.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub treatment: String,
    /// Witnesses (people can also be linked).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub witnesses: String,
    /// Whether children were present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub children_present: Option<bool>,
    /// Impact: fear, daily life, work, sleep.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub impact: String,
    /// What she did afterwards.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub actions_after: String,
    /// Agencies contacted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub agencies: Vec<AgencyContact>,
    /// Police-perpetrator fields.
    #[serde(default, skip_serializing_if = "PoliceFields::is_empty")]
    pub police: PoliceFields,
    /// Free tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Private reflections: kept out of exports unless she chooses.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub private_notes: String,
}

impl Incident {
    /// Validates and normalises (times, categories order, tags).
    pub fn normalised(mut self) -> Result<Incident> {
        self.title = self.title.trim().to_string();
        if self.title.is_empty() {
            return Err(Error::Invalid("An incident needs a title.".into()));
        }
        if let Some(o) = &self.occurred {
            self.occurred = Some(o.normalised()?);
        }
        self.categories.sort();
        self.categories.dedup();
        let mut tags: Vec<String> = self
            .tags
            .iter()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
        tags.sort();
        tags.dedup();
        self.tags = tags;
        Ok(self)
    }
}

/// A person's role.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// The person harming her.
    Harming,
    /// A witness.
    Witness,
    /// A police officer or member of police staff.
    Officer,
    /// A professional: GP, IDVA, social worker, solicitor…
    Professional,
    /// Anyone else.
    Other,
}

impl Role {
    /// Parses a role name.
    pub fn parse(s: &str) -> Result<Role> {
        Ok(match s.trim().to_lowercase().as_str() {
            "harming" | "the person harming me" | "abuser" => Role::Harming,
            "witness" => Role::Witness,
            "officer" | "police" => Role::Officer,
            "professional" => Role::Professional,
            "other" => Role::Other,
            _ => {
                return Err(Error::Invalid(format!(
                    "\"{}\" is not a role; use harming, witness, officer, professional or other.",
                    s.trim()
                )))
            }
        })
    }
}

/// Someone involved.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// Name as she knows them.
    pub name: String,
    /// Their role.
    pub role: Role,
    /// Officer's collar number.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub collar_number: String,
    /// Police force.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub force: String,
    /// Organisation (for professionals).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub organisation: String,
    /// Relationship to her.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub relationship: String,
    /// Notes.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
}

impl Person {
    /// A person with a name and a role and nothing else yet.
    pub fn new(name: impl Into<String>, role: Role) -> Person {
        Person {
            name: name.into(),
            role,
            collar_number: String::new(),
            force: String::new(),
            organisation: String::new(),
            relationship: String::new(),
            notes: String::new(),
        }
    }

    /// Validates.
    pub fn normalised(mut self) -> Result<Person> {
        self.name = self.name.trim().to_string();
        if self.name.is_empty() {
            return Err(Error::Invalid("A person needs a name.".into()));
        }
        Ok(self)
    }
}

/// Photo metadata read from EXIF.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exif {
    /// When the photo was taken, as the camera recorded it (offset if it gave one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taken_at: Option<String>,
    /// Camera maker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub camera_make: Option<String>,
    /// Camera model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub camera_model: Option<String>,
    /// Latitude in decimal degrees (text, 6 places).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gps_latitude: Option<String>,
    /// Longitude in decimal degrees (text, 6 places).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gps_longitude: Option<String>,
    /// EXIF orientation (1–8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orientation: Option<u32>,
}

/// A stored thumbnail.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thumbnail {
    /// SHA-256 of the JPEG, hex.
    pub sha256: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// An original file.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    /// Original file name (lossy UTF-8 if it was not valid UTF-8).
    pub name: String,
    /// The exact bytes of the name, hex, when they were not valid UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_bytes_hex: Option<String>,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
    /// Media type sniffed from the content.
    pub media_type: String,
    /// The file's modified time when added (RFC 3339 UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_at: Option<String>,
    /// How it was acquired, in her words.
    pub acquired: String,
    /// A description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Photo metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exif: Option<Exif>,
    /// Thumbnail, for photos.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<Thumbnail>,
}

/// What a message is.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MessageKind {
    /// Something a person wrote.
    #[default]
    Text,
    /// A line the app wrote itself ("Alice added Bob", an encryption notice).
    System,
    /// A photo, recording or document the export left out ("<Media omitted>").
    MediaOmitted,
    /// A file sent with the message; `attachment` names it.
    Attachment,
    /// A message its sender deleted.
    Deleted,
}

/// One message of an imported conversation. Every message names the original export
/// it was read from (a file item, kept byte-exact as the exhibit) and where in it.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// Where it came from: `whatsapp`, `sms`, `email`, `telegram`.
    pub source: String,
    /// The conversation, as the export names it (the other person, the group, an
    /// email thread's subject).
    pub conversation: String,
    /// Who sent it, as the exporting phone named them; empty for the app's own lines.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sender: String,
    /// Who it went to, when the source says (email, MMS).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recipients: Vec<String>,
    /// When it was sent: `YYYY-MM-DDTHH:MM:SS` when the export gives only the
    /// exporting device's wall-clock time (WhatsApp), or RFC 3339 with an offset when
    /// it gives an instant (see docs/FORMAT.md).
    pub sent_at: String,
    /// An email's subject.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub subject: String,
    /// The text, lines joined with `\n`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
    /// What the message is.
    pub kind: MessageKind,
    /// The attached file's name as the export's text gives it; empty when none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub attachment: String,
    /// The file items attached to it, kept from the export.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<String>,
    /// The file item of the original export.
    pub export: String,
    /// 1-based line of the message in the export.
    pub line: u64,
    /// The source's own id for it (Telegram's message id, an email's Message-ID).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source_id: String,
}

/// A connection between two items (incident↔file, incident↔person, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// One end.
    pub from: String,
    /// The other end.
    pub to: String,
    /// False once the link is removed (a new version, so the removal is on record).
    pub active: bool,
}

/// One exhibit handed over: its reference, the item and the SHA-256 of the bytes.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandedOver {
    /// The exhibit reference, e.g. `AB/1`.
    pub reference: String,
    /// The file item.
    pub item: String,
    /// SHA-256 of the bytes handed over (the original's, or of the copy with its
    /// location data removed; then `original_sha256` names the original).
    pub sha256: String,
    /// The original's SHA-256, when a copy without location data was handed over.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_sha256: Option<String>,
}

/// A report to an agency, or a handover of evidence (USERS.md, "reports and
/// handovers"): what answers "the police lost what she gave them".
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handover {
    /// A short title; "Report to <agency>" when left empty.
    #[serde(default)]
    pub title: String,
    /// When the report or handover was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurred: Option<Occurred>,
    /// e.g. "Police", "IOPC", "Solicitor", "IDVA".
    pub agency: String,
    /// Force or organisation.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub organisation: String,
    /// Person reported to.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub person: String,
    /// Officer's collar number.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub collar_number: String,
    /// Crime, incident, CAD or complaint reference.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reference: String,
    /// What came of it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub outcome: String,
    /// Which exhibits were handed over, by hash.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exhibits: Vec<HandedOver>,
    /// For a bundle made by Cairn: the SHA-256 of the bundle file.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub bundle_sha256: String,
    /// For a bundle made by Cairn: the SHA-256 of its evidence manifest (what the
    /// bundle's own cover and `bag-info.txt` show).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub evidence_sha256: String,
    /// Anything else.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
}

impl Handover {
    /// Validates and normalises (the date, the default title).
    pub fn normalised(mut self) -> Result<Handover> {
        self.agency = self.agency.trim().to_string();
        if self.agency.is_empty() {
            return Err(Error::Invalid(
                "A report needs the agency it was made to.".into(),
            ));
        }
        if let Some(o) = &self.occurred {
            self.occurred = Some(o.normalised()?);
        }
        self.title = self.title.trim().to_string();
        if self.title.is_empty() {
            self.title = format!("Report to {}", self.agency);
        }
        Ok(self)
    }
}

/// Top-level fields whose values differ between two records (for "what changed").
pub fn changed_fields(old: Option<&Value>, new: Option<&Value>) -> Vec<String> {
    let empty = serde_json::Map::new();
    let o = old.and_then(|v| v.as_object()).unwrap_or(&empty);
    let n = new.and_then(|v| v.as_object()).unwrap_or(&empty);
    let mut keys: Vec<&String> = o.keys().chain(n.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| o.get(*k) != n.get(*k))
        .cloned()
        .collect()
}
