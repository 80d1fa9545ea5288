//! `cairn`: the command-line front end. Each command is one call into cairn-core;
//! this file only parses arguments, reads secrets and prints results.
#![forbid(unsafe_code)]

/// Prints a line to standard output, ignoring a closed pipe (`cairn list | head`):
/// `println!` would panic there. The exit status still tells the truth.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

mod bundle_cmd;
mod import_cmd;
mod input;
mod output;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use cairn_core::{
    AddFile, Category, Error, Incident, KdfCost, Occurred, OpenOptions, Passphrase, Person,
    RecoveryCode, Role, Vault, VerifyOptions,
};
use clap::{Args, Parser, Subcommand};

use crate::input::{read_new_passphrase, read_passphrase, read_recovery_code};
use crate::output::{print_json, Out};

/// Set by tests only: makes the passphrase KDF fast and insecure (see README).

#[derive(Parser)]
#[command(
    name = "cairn",
    version,
    about = "Cairn keeps evidence of abuse encrypted on this computer, with a record that shows nothing was changed.",
    after_help = "The passphrase is asked for on the terminal, or read from the first line of --passphrase-file.\n\
                  Exit codes: 0 ok, 1 verify found problems, 2 usage or I/O error, 3 wrong passphrase or recovery code."
)]
struct Cli {
    /// The vault folder (default: the platform data folder).
    #[arg(long, env = "CAIRN_VAULT", global = true, value_name = "DIR")]
    vault: Option<PathBuf>,
    /// Read the passphrase from the first line of FILE instead of asking.
    #[arg(long, global = true, value_name = "FILE")]
    passphrase_file: Option<PathBuf>,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Create a vault; the recovery code is printed once.
    Init {
        /// Print {"vault", "recovery_code"} as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Incidents: what happened.
    #[command(subcommand)]
    Note(NoteCmd),
    /// Original files: photos, recordings, documents.
    #[command(subcommand)]
    File(FileCmd),
    /// People involved.
    #[command(subcommand)]
    Person(PersonCmd),
    /// Link two items (an incident and a file or person).
    Link {
        /// First item id.
        a: String,
        /// Second item id.
        b: String,
        #[arg(long)]
        json: bool,
    },
    /// Remove a link (the removal is recorded).
    Unlink {
        /// Link id.
        link: String,
        #[arg(long)]
        json: bool,
    },
    /// List every item.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show one item.
    Show {
        /// Item id.
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Show every version of an item and what changed.
    History {
        /// Item id.
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Write a file's original bytes exactly.
    Extract {
        /// File item id.
        id: String,
        /// Where to write (must not exist).
        #[arg(long, value_name = "PATH")]
        out: PathBuf,
    },
    /// Remove an item's content for good, leaving a visible tombstone.
    Redact {
        /// Item id.
        id: String,
        /// Why (kept on record).
        #[arg(long)]
        reason: String,
    },
    /// Change the passphrase. The vault is re-keyed: a copy of the old key file opens
    /// nothing with the old passphrase.
    Passwd {
        /// Read the new passphrase from the first line of FILE.
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: Option<PathBuf>,
        /// Also replace the recovery code (the old one stops working).
        #[arg(long)]
        new_code: bool,
    },
    /// Make a new recovery code; the old one stops working.
    NewRecoveryCode,
    /// A decoy passphrase, which opens a separate, ordinary vault instead of this one.
    /// It does not hide that a second vault exists from someone who looks at the folder.
    Decoy {
        #[command(subcommand)]
        cmd: DecoyCmd,
    },
    /// Set a new passphrase using the recovery code.
    Recover {
        /// Read the recovery code from the first line of FILE.
        #[arg(long, value_name = "FILE")]
        recovery_code_file: Option<PathBuf>,
        /// Read the new passphrase from the first line of FILE.
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: Option<PathBuf>,
        /// Also replace the recovery code (the old one stops working).
        #[arg(long)]
        new_code: bool,
    },
    /// Check everything: chain, items, files, checkpoints, database pages.
    Verify {
        /// Skip decrypting file contents.
        #[arg(long)]
        quick: bool,
        #[arg(long)]
        json: bool,
        /// A receipt you kept (its text, or a file holding it): checks that the vault
        /// still holds everything it covered, unchanged (a vault put back to an older
        /// copy is shorter than its receipt).
        #[arg(long, value_name = "RECEIPT")]
        receipt: Option<String>,
    },
    /// Print the chain's entry headers (JSON Lines with --json).
    Chain {
        #[arg(long)]
        json: bool,
    },
    /// Write a sealed bundle for a solicitor (BagIt + age, with an evidence schedule).
    Export(ExportArgs),
    /// Check a bundle without trusting the vault it came from.
    VerifyBundle {
        /// The bundle file.
        file: PathBuf,
        /// The age identity file (`age-keygen` output) the bundle was sealed to. For a
        /// bundle sealed with a passphrase, give --passphrase-file (or be asked).
        #[arg(long, value_name = "AGE_KEY_FILE")]
        identity: Option<PathBuf>,
        /// An earlier receipt (its text, or a file holding it): checks that the
        /// bundle's chain extends it.
        #[arg(long, value_name = "TEXT")]
        receipt: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Print a receipt: the current checkpoint, to keep somewhere else.
    Receipt {
        #[arg(long)]
        json: bool,
    },
    /// Reports to agencies and handovers of evidence.
    #[command(subcommand)]
    Report(ReportCmd),
    /// Import messages from an app's export, keeping the export itself as an exhibit.
    #[command(subcommand)]
    Import(ImportCmd),
    /// Back the vault up to a folder (a USB stick, another drive): an empty folder the
    /// first time, the same folder after. The backup is itself a vault, opened with
    /// the same passphrase or recovery code.
    Backup {
        /// The backup folder.
        dest: PathBuf,
        /// Instead of backing up: read every file in that backup back, check it, and
        /// replace from the vault whatever has decayed (do this every month or so).
        #[arg(long)]
        scrub: bool,
        #[arg(long)]
        json: bool,
    },
    /// Copy a backup into a new folder and check it (asks for its passphrase).
    Restore {
        /// The backup folder.
        src: PathBuf,
        /// The new vault folder (must be new or empty).
        #[arg(long, value_name = "DIR")]
        to: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Search incidents, messages, people and file names (every word, as a prefix).
    Search {
        /// The words to look for.
        query: String,
        /// At most this many results, best first.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum DecoyCmd {
    /// Make the decoy: a new, empty vault that the decoy passphrase opens.
    Set {
        /// Read the decoy passphrase from the first line of FILE.
        #[arg(long, value_name = "FILE")]
        decoy_passphrase_file: Option<PathBuf>,
    },
    /// Remove the decoy and everything in it.
    Remove,
}

#[derive(Subcommand)]
enum ImportCmd {
    /// A WhatsApp "Export chat": the .txt, or the .zip with media (Android or iOS).
    Whatsapp {
        /// The exported chat file (.txt or .zip).
        path: PathBuf,
        /// How the export writes dates, when reading them from the file is not enough.
        #[arg(long, value_enum)]
        dates: Option<import_cmd::Dates>,
        #[arg(long)]
        json: bool,
    },
    /// The XML backup made by the Android app "SMS Backup & Restore" (SMS and MMS).
    Sms {
        /// The backup file (sms-….xml).
        path: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// An email (.eml) or a mailbox (.mbox).
    Email {
        /// The .eml or .mbox file.
        path: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Telegram Desktop's JSON export (result.json, or the folder holding it).
    Telegram {
        /// result.json or its folder.
        path: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
struct ExportArgs {
    /// Where to write the bundle (must not exist).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Everything in the vault.
    #[arg(long, conflicts_with_all = ["item", "from", "to"])]
    all: bool,
    /// An item to export, with what is linked to it (repeat for several).
    #[arg(long, value_name = "ID", num_args = 1..)]
    item: Vec<String>,
    /// First day of a date range.
    #[arg(long, value_name = "DATE")]
    from: Option<String>,
    /// Last day of a date range (inclusive).
    #[arg(long, value_name = "DATE")]
    to: Option<String>,
    /// Initials for exhibit references (AB gives AB/1, AB/2, …).
    #[arg(long, default_value = "EX")]
    initials: String,
    /// Seal with the passphrase on the first line of FILE (give it to the recipient
    /// separately). The vault's own passphrase is --passphrase-file before `export`.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["recipient", "no_encrypt"])]
    bundle_passphrase_file: Option<PathBuf>,
    /// Seal to an age public key (age1…) the recipient gave.
    #[arg(long, value_name = "AGE_RECIPIENT", conflicts_with = "no_encrypt")]
    recipient: Option<String>,
    /// Write the open, unencrypted ZIP.
    #[arg(long)]
    no_encrypt: bool,
    /// Let photo location data go out (off by default).
    #[arg(long)]
    include_location: bool,
    /// Put every entry header of the vault's chain in the bundle (for her own
    /// solicitor). By default a bundle carries only the exported items' entries, each
    /// with a proof that it belongs to the signed history; of the rest it shows only how
    /// many entries there are.
    #[arg(long)]
    full_chain: bool,
    /// Send original exports (a chat's zip, a mailbox) whole even when they hold
    /// location data or messages that were redacted (left out by default).
    #[arg(long)]
    whole_exports: bool,
    /// A receipt given out earlier (its text, or a file holding it) the bundle should
    /// be checkable against even if it carries only the exported entries (repeat for
    /// several).
    #[arg(long, value_name = "RECEIPT")]
    receipt: Vec<String>,
    /// Who it is for, for the handover log (default "Solicitor").
    #[arg(long, default_value = "Solicitor")]
    agency: String,
    /// The person it is for.
    #[arg(long, default_value = "")]
    person: String,
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
// Parsed once per process; boxing the larger variant would buy nothing.
#[allow(clippy::large_enum_variant)]
enum ReportCmd {
    /// Record a report to an agency or a handover of evidence.
    Add {
        /// The agency: police, IOPC, solicitor, IDVA…
        #[arg(long)]
        agency: String,
        /// When (date or time); today if left out.
        #[arg(long, value_name = "WHEN")]
        date: Option<String>,
        /// Force or organisation.
        #[arg(long, default_value = "")]
        organisation: String,
        /// Person reported to.
        #[arg(long, default_value = "")]
        person: String,
        /// Their collar number.
        #[arg(long, default_value = "")]
        collar_number: String,
        /// Crime, incident, CAD or complaint reference.
        #[arg(long, default_value = "")]
        reference: String,
        /// What came of it.
        #[arg(long, default_value = "")]
        outcome: String,
        /// A file item handed over (repeat for several); recorded by its SHA-256.
        #[arg(long = "exhibit", value_name = "ID")]
        exhibits: Vec<String>,
        /// Anything else.
        #[arg(long, default_value = "")]
        notes: String,
        #[arg(long)]
        json: bool,
    },
    /// List every report and handover.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Clone)]
struct IncidentArgs {
    /// A short title.
    #[arg(long)]
    title: Option<String>,
    /// What happened, in your own words.
    #[arg(long, conflicts_with = "body_file")]
    body: Option<String>,
    /// Read what happened from a file.
    #[arg(long, value_name = "FILE")]
    body_file: Option<PathBuf>,
    /// When it happened: 2026-11-03 or 2026-11-03T21:40:00+00:00.
    #[arg(long, value_name = "WHEN")]
    occurred_at: Option<String>,
    /// End of a time range.
    #[arg(long, value_name = "WHEN")]
    occurred_until: Option<String>,
    /// The time is approximate.
    #[arg(long)]
    approximate: bool,
    /// Category (repeat for several), e.g. threats, coercive-control.
    #[arg(long = "category", value_name = "C")]
    categories: Vec<String>,
    /// Where it happened.
    #[arg(long)]
    location: Option<String>,
    /// The exact words said.
    #[arg(long)]
    words_said: Option<String>,
    /// A tag (repeat for several).
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
}

#[derive(Subcommand)]
enum NoteCmd {
    /// Record an incident.
    Add {
        #[command(flatten)]
        fields: IncidentArgs,
        #[arg(long)]
        json: bool,
    },
    /// Record a new version of an incident (the old one is kept).
    Edit {
        /// Incident id.
        id: String,
        #[command(flatten)]
        fields: IncidentArgs,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum FileCmd {
    /// Add files; prints each new id with its SHA-256.
    Add {
        /// Files to add.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Link each file to this incident.
        #[arg(long, value_name = "ID")]
        note: Option<String>,
        /// How the file was acquired, e.g. "photo taken on my phone".
        #[arg(long)]
        acquired: Option<String>,
        /// One JSON object per line, printed as each file is committed.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Clone)]
struct PersonArgs {
    /// Name.
    #[arg(long)]
    name: Option<String>,
    /// harming, witness, officer, professional or other.
    #[arg(long)]
    role: Option<String>,
    /// Collar number (officers).
    #[arg(long)]
    collar_number: Option<String>,
    /// Police force.
    #[arg(long)]
    force: Option<String>,
    /// Organisation.
    #[arg(long)]
    organisation: Option<String>,
    /// Relationship to you.
    #[arg(long)]
    relationship: Option<String>,
    /// Notes.
    #[arg(long)]
    notes: Option<String>,
}

#[derive(Subcommand)]
enum PersonCmd {
    /// Record a person.
    Add {
        #[command(flatten)]
        fields: PersonArgs,
        #[arg(long)]
        json: bool,
    },
    /// Record a new version of a person.
    Edit {
        /// Person id.
        id: String,
        #[command(flatten)]
        fields: PersonArgs,
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    cairn_core::hygiene::no_core_dumps();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            // One sentence, like every other error: clap's first line, without its prefix.
            let text = e.to_string();
            let first = text
                .lines()
                .next()
                .unwrap_or("invalid arguments")
                .trim_start_matches("error: ");
            eprintln!("cairn: {first}; see `cairn --help`.");
            return ExitCode::from(2);
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("cairn: {e}");
            ExitCode::from(if e.is_wrong_secret() { 3 } else { 2 })
        }
    }
}

fn vault_dir(cli: &Cli) -> Result<PathBuf, Error> {
    cli.vault
        .clone()
        .or_else(Vault::default_dir)
        .ok_or_else(|| {
            Error::Invalid("No vault folder: give --vault DIR or set CAIRN_VAULT.".into())
        })
}

fn test_kdf() -> bool {
    cairn_core::switches::insecure_kdf()
}

fn kdf_cost() -> KdfCost {
    if test_kdf() {
        KdfCost::InsecureTestOnly
    } else {
        KdfCost::Calibrated
    }
}

fn open(cli: &Cli) -> Result<Vault, Error> {
    open_keeping_passphrase(cli).map(|(v, _)| v)
}

/// Opens the vault, and keeps the passphrase for a command that seals it again.
fn open_keeping_passphrase(cli: &Cli) -> Result<(Vault, Passphrase), Error> {
    let dir = vault_dir(cli)?;
    if !Vault::exists(&dir) {
        return Err(Error::NoVault(dir));
    }
    let pass = read_passphrase(cli.passphrase_file.as_deref(), "Passphrase: ")?;
    let vault = Vault::open(
        &dir,
        &pass,
        OpenOptions {
            allow_insecure_kdf: test_kdf(),
        },
    )?;
    if let Some(f) = vault.failed_attempts() {
        let times = if f.count == 1 {
            "once".to_string()
        } else {
            format!("{} times", f.count)
        };
        eprintln!(
            "cairn: note: someone tried to open this vault {times} with a wrong passphrase or recovery code (last at {}); this is kept in its history.",
            f.last
        );
    }
    if vault.keys_altered() {
        eprintln!("cairn: warning: {}", cairn_core::KEYS_ALTERED_NOTICE);
    }
    Ok((vault, pass))
}

/// Says what a rotation did; prints a new recovery code if one was made.
fn tell_rotation(
    vault: &mut Vault,
    new: &Passphrase,
    new_code: bool,
    made: Option<RecoveryCode>,
) -> Result<(), Error> {
    say!("The vault was re-keyed: a copy of its old key file no longer opens it. A backup made before still opens with the old passphrase until you next back up to it.");
    match (made, new_code) {
        (Some(code), _) => output::print_new_code(&code.display()),
        (None, true) => replace_code(vault, new)?,
        (None, false) => say!("Your recovery code still works."),
    }
    Ok(())
}

/// Shows a new recovery code, then makes it hers: killed in between, the old code
/// still works (and this never said "Done").
fn replace_code(vault: &mut Vault, pass: &Passphrase) -> Result<(), Error> {
    let code = vault.draft_recovery_code()?;
    output::print_new_code(&code);
    vault.replace_recovery_code(pass)?;
    say!("Done: the code above is now your recovery code, and the old one no longer opens this vault.");
    Ok(())
}

fn apply_incident(mut inc: Incident, f: IncidentArgs) -> Result<Incident, Error> {
    if let Some(t) = f.title {
        inc.title = t;
    }
    if let Some(b) = f.body {
        inc.body = b;
    }
    if let Some(p) = f.body_file {
        inc.body = std::fs::read_to_string(&p)
            .map_err(|e| Error::Invalid(format!("Could not read {} ({e}).", p.display())))?;
    }
    if let Some(start) = f.occurred_at {
        inc.occurred = Some(Occurred {
            start,
            end: f.occurred_until.clone(),
            approximate: f.approximate,
        });
    } else if f.occurred_until.is_some() || f.approximate {
        match &mut inc.occurred {
            Some(o) => {
                if f.occurred_until.is_some() {
                    o.end = f.occurred_until;
                }
                o.approximate |= f.approximate;
            }
            None => {
                return Err(Error::Invalid(
                    "Give --occurred-at with --occurred-until or --approximate.".into(),
                ))
            }
        }
    }
    if !f.categories.is_empty() {
        inc.categories = f
            .categories
            .iter()
            .map(|c| Category::parse(c))
            .collect::<Result<_, _>>()?;
    }
    if let Some(l) = f.location {
        inc.location = l;
    }
    if let Some(w) = f.words_said {
        inc.words_said = w;
    }
    if !f.tags.is_empty() {
        inc.tags = f.tags;
    }
    Ok(inc)
}

fn apply_person(mut p: Person, f: PersonArgs) -> Result<Person, Error> {
    if let Some(n) = f.name {
        p.name = n;
    }
    if let Some(r) = f.role {
        p.role = Role::parse(&r)?;
    }
    let set = |field: &mut String, v: Option<String>| {
        if let Some(v) = v {
            *field = v;
        }
    };
    set(&mut p.collar_number, f.collar_number);
    set(&mut p.force, f.force);
    set(&mut p.organisation, f.organisation);
    set(&mut p.relationship, f.relationship);
    set(&mut p.notes, f.notes);
    Ok(p)
}

fn current_record<T: serde::de::DeserializeOwned>(vault: &Vault, id: &str) -> Result<T, Error> {
    let detail = vault.show(id)?;
    let rec = detail
        .record
        .ok_or_else(|| Error::Redacted(detail.id.clone()))?;
    serde_json::from_value(rec)
        .map_err(|_| Error::Invalid(format!("{} is not that kind of item.", detail.id)))
}

fn run(cli: Cli) -> Result<ExitCode, Error> {
    let out = Out::new();
    match &cli.cmd {
        Cmd::Init { json } => {
            let dir = vault_dir(&cli)?;
            if Vault::exists(&dir) {
                return Err(Error::FolderNotEmpty(dir));
            }
            let pass = read_new_passphrase(cli.passphrase_file.as_deref())?;
            let (_vault, code) = Vault::init(&dir, &pass, kdf_cost())?;
            // Only once the vault exists, so a refused init prints just its error.
            if test_kdf() {
                eprintln!("cairn: warning: the test switch is on — this vault uses a fast, insecure passphrase setting meant only for tests.");
            }
            if *json {
                print_json(
                    &serde_json::json!({"vault": dir, "recovery_code": code.display().as_str()}),
                );
            } else {
                output::print_init(&dir, &code.display());
            }
        }
        Cmd::Note(NoteCmd::Add { fields, json }) => {
            let mut vault = open(&cli)?;
            let f = fields.clone();
            if f.title.is_none() {
                return Err(Error::Invalid(
                    "An incident needs a title: give --title.".into(),
                ));
            }
            let added = vault.add_incident(apply_incident(Incident::default(), f)?)?;
            out.added("Recorded incident", &added, *json);
        }
        Cmd::Note(NoteCmd::Edit { id, fields, json }) => {
            let mut vault = open(&cli)?;
            let inc = apply_incident(current_record(&vault, id)?, fields.clone())?;
            let added = vault.edit_incident(id, inc)?;
            out.added("Recorded a new version of", &added, *json);
        }
        Cmd::File(FileCmd::Add {
            paths,
            note,
            acquired,
            json,
        }) => {
            let mut vault = open(&cli)?;
            let cancel = AtomicBool::new(false);
            let opts = AddFile {
                acquired: acquired.clone().unwrap_or_default(),
                link_to: note.clone(),
                progress: &|_| {},
                cancel: &cancel,
            };
            for p in paths {
                let added = vault.add_file(p, &opts)?;
                out.file_added(&added, *json);
            }
        }
        Cmd::Person(PersonCmd::Add { fields, json }) => {
            let mut vault = open(&cli)?;
            let f = fields.clone();
            let (Some(name), Some(role)) = (f.name.clone(), f.role.clone()) else {
                return Err(Error::Invalid("A person needs --name and --role.".into()));
            };
            let base = Person::new(name, Role::parse(&role)?);
            let added = vault.add_person(apply_person(base, f)?)?;
            out.added("Recorded person", &added, *json);
        }
        Cmd::Person(PersonCmd::Edit { id, fields, json }) => {
            let mut vault = open(&cli)?;
            let p = apply_person(current_record(&vault, id)?, fields.clone())?;
            let added = vault.edit_person(id, p)?;
            out.added("Recorded a new version of", &added, *json);
        }
        Cmd::Link { a, b, json } => {
            let mut vault = open(&cli)?;
            let added = vault.link(a, b)?;
            out.added("Recorded link", &added, *json);
        }
        Cmd::Unlink { link, json } => {
            let mut vault = open(&cli)?;
            let added = vault.unlink(link)?;
            out.added("Recorded the removal of", &added, *json);
        }
        Cmd::List { json } => {
            let vault = open(&cli)?;
            let items = vault.list()?;
            if *json {
                print_json(&items);
            } else {
                output::print_list(&items);
            }
        }
        Cmd::Show { id, json } => {
            let vault = open(&cli)?;
            let d = vault.show(id)?;
            if *json {
                print_json(&d);
            } else {
                output::print_detail(&d);
            }
        }
        Cmd::History { id, json } => {
            let vault = open(&cli)?;
            let h = vault.history(id)?;
            if *json {
                print_json(&h);
            } else {
                output::print_history(&h);
            }
        }
        Cmd::Extract { id, out: path } => {
            let vault = open(&cli)?;
            let x = vault.extract(id, path)?;
            say!(
                "Wrote {} bytes to {}; SHA-256 {} matches the record.",
                x.size,
                path.display(),
                x.sha256
            );
        }
        Cmd::Redact { id, reason } => {
            let mut vault = open(&cli)?;
            let added = vault.redact(id, reason)?;
            say!(
                "Redacted {}: its content was deleted and its stored files overwritten. A tombstone with its hashes, the time and your reason is chain entry {}.",
                added.id, added.seq
            );
        }
        Cmd::Passwd {
            new_passphrase_file,
            new_code,
        } => {
            let mut vault = open(&cli)?;
            let new = read_new_passphrase(new_passphrase_file.as_deref())?;
            let made = vault.change_passphrase(&new, kdf_cost())?;
            say!("Passphrase changed.");
            tell_rotation(&mut vault, &new, *new_code, made)?;
        }
        Cmd::NewRecoveryCode => {
            let (mut vault, pass) = open_keeping_passphrase(&cli)?;
            replace_code(&mut vault, &pass)?;
            say!("The vault was re-keyed: a copy of its old key file no longer opens it.");
        }
        Cmd::Decoy { cmd } => {
            let vault = open(&cli)?;
            match cmd {
                DecoyCmd::Set {
                    decoy_passphrase_file,
                } => {
                    let pass = read_new_passphrase(decoy_passphrase_file.as_deref())?;
                    vault.set_decoy(
                        &pass,
                        kdf_cost(),
                        OpenOptions {
                            allow_insecure_kdf: test_kdf(),
                        },
                    )?;
                    say!("Decoy set: that passphrase now opens a separate, empty vault. Put ordinary things in it by opening it with that passphrase.");
                }
                DecoyCmd::Remove => {
                    vault.remove_decoy()?;
                    say!("Decoy removed, with everything in it.");
                }
            }
        }
        Cmd::Recover {
            recovery_code_file,
            new_passphrase_file,
            new_code,
        } => {
            let dir = vault_dir(&cli)?;
            if !Vault::exists(&dir) {
                return Err(Error::NoVault(dir));
            }
            let code = read_recovery_code(recovery_code_file.as_deref())?;
            let mut vault = Vault::open_with_recovery(
                &dir,
                &code,
                OpenOptions {
                    allow_insecure_kdf: test_kdf(),
                },
            )?;
            let altered = vault.keys_altered();
            let new = read_new_passphrase(new_passphrase_file.as_deref())?;
            let made = vault.change_passphrase(&new, kdf_cost())?;
            say!("New passphrase set.");
            if altered {
                say!("The key file had been changed by someone without the vault's key; it is now rewritten, and wrong-passphrase tries recorded since then may have been yours.");
            }
            tell_rotation(&mut vault, &new, *new_code, made)?;
        }
        Cmd::Verify {
            quick,
            json,
            receipt,
        } => {
            let vault = match open(&cli) {
                Ok(v) => v,
                // Damage that stops the vault opening is what verify is for: report it as a finding.
                Err(e @ (Error::DatabaseDamaged(_) | Error::KeysDamaged(_))) => {
                    if *json {
                        print_json(&serde_json::json!({
                            "ok": false,
                            "problems": [{"code": e.code(), "message": e.to_string()}],
                        }));
                    } else {
                        say!("Problems found (1).\n  - {e}");
                    }
                    return Ok(ExitCode::from(1));
                }
                Err(e) => return Err(e),
            };
            let report = vault.verify(VerifyOptions { quick: *quick }, &|_, _| {})?;
            let checked = receipt
                .as_deref()
                .map(|r| {
                    bundle_cmd::read_receipt(r)
                        .and_then(|t| cairn_bundle::check_vault_receipt(&vault, &t))
                })
                .transpose()?;
            if *json {
                let mut v =
                    serde_json::to_value(&report).map_err(|e| Error::Internal(e.to_string()))?;
                if let Some(c) = &checked {
                    v["receipt"] =
                        serde_json::to_value(c).map_err(|e| Error::Internal(e.to_string()))?;
                }
                print_json(&v);
            } else {
                output::print_report(&report);
                if let Some(c) = &checked {
                    say!("Receipt: {}", c.message);
                }
            }
            let receipt_ok = checked.as_ref().is_none_or(|c| c.ok);
            return Ok(if report.ok && receipt_ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            });
        }
        Cmd::Chain { json } => {
            let vault = open(&cli)?;
            output::print_chain(&vault.chain()?, *json);
        }
        Cmd::Export(a) => return bundle_cmd::export(&cli, a),
        Cmd::VerifyBundle {
            file,
            identity,
            receipt,
            json,
        } => return bundle_cmd::verify(&cli, file, identity.as_deref(), receipt.as_deref(), *json),
        Cmd::Import(ImportCmd::Whatsapp { path, dates, json }) => {
            let mut vault = open(&cli)?;
            import_cmd::whatsapp(&mut vault, path, *dates, *json)?;
        }
        Cmd::Import(ImportCmd::Sms { path, json }) => {
            let mut vault = open(&cli)?;
            import_cmd::report(
                &cairn_import::vault::sms(&mut vault, path, &cairn_import::progress::quiet)?,
                *json,
            );
        }
        Cmd::Import(ImportCmd::Email { path, json }) => {
            let mut vault = open(&cli)?;
            import_cmd::report(
                &cairn_import::vault::email(&mut vault, path, &cairn_import::progress::quiet)?,
                *json,
            );
        }
        Cmd::Import(ImportCmd::Telegram { path, json }) => {
            let mut vault = open(&cli)?;
            import_cmd::report(
                &cairn_import::vault::telegram(&mut vault, path, &cairn_import::progress::quiet)?,
                *json,
            );
        }
        Cmd::Search { query, limit, json } => {
            let vault = open(&cli)?;
            import_cmd::search(&vault, query, *limit, *json)?;
        }
        Cmd::Backup {
            dest,
            scrub: true,
            json,
        } => {
            let mut vault = open(&cli)?;
            let r = vault.scrub_backup(dest, &AtomicBool::new(false), &|_, _| {})?;
            if *json {
                print_json(&r);
            } else if r.files_repaired.is_empty() && !r.database_repaired && !r.keys_repaired {
                say!(
                    "Scrubbed {}: all {} stored files, the database and the key file read back and checked; nothing had decayed.",
                    r.dest, r.files_checked
                );
            } else if r.files_repaired.is_empty() && !r.database_repaired {
                say!(
                    "Scrubbed {}: all {} stored files and the database read back and checked; its key file was not the vault's (changed there, or decayed) and was replaced from the vault, so the backup opens again with your passphrase and recovery code.",
                    r.dest, r.files_checked
                );
            } else {
                say!(
                    "Scrubbed {}: {} stored files read back; {} had decayed or gone and were replaced from the vault{}. The drive may be failing: consider a new one.",
                    r.dest,
                    r.files_checked,
                    r.files_repaired.len(),
                    if r.database_repaired {
                        ", and so were the database and the key file"
                    } else if r.keys_repaired {
                        ", and so was the key file"
                    } else {
                        ""
                    }
                );
            }
        }
        Cmd::Backup {
            dest,
            scrub: false,
            json,
        } => {
            let mut vault = open(&cli)?;
            let r = vault.backup(dest, &AtomicBool::new(false), &|_| {})?;
            if *json {
                print_json(&r);
            } else {
                say!(
                    "Backed up to {}: {} new files copied, {} already there, {} removed after redaction; checked, and recorded in the chain.",
                    r.dest, r.files_copied, r.files_kept, r.files_removed
                );
            }
        }
        Cmd::Restore { src, to, json } => {
            let r = cairn_core::backup::restore(src, to, &AtomicBool::new(false))?;
            let pass =
                read_passphrase(cli.passphrase_file.as_deref(), "Passphrase of the backup: ")?;
            let vault = Vault::open(
                to,
                &pass,
                OpenOptions {
                    allow_insecure_kdf: test_kdf(),
                },
            )?;
            let report = vault.verify(VerifyOptions { quick: false }, &|_, _| {})?;
            if *json {
                print_json(&serde_json::json!({"restore": r, "verify": report}));
            } else {
                say!("Restored {} files into {}.", r.files, r.to);
                output::print_report(&report);
            }
            return Ok(if report.ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            });
        }
        Cmd::Receipt { json } => {
            let mut vault = open(&cli)?;
            bundle_cmd::receipt(&mut vault, *json)?;
        }
        Cmd::Report(ReportCmd::List { json }) => {
            let vault = open(&cli)?;
            bundle_cmd::report_list(&vault, *json)?;
        }
        Cmd::Report(ReportCmd::Add {
            agency,
            date,
            organisation,
            person,
            collar_number,
            reference,
            outcome,
            exhibits,
            notes,
            json,
        }) => {
            let mut vault = open(&cli)?;
            let mut handed = Vec::new();
            let refs = vault.exhibit_refs()?;
            for id in exhibits {
                let d = vault.show(id)?;
                if d.kind != cairn_core::ItemKind::File {
                    return Err(Error::Invalid(format!("{} is not a file.", d.id)));
                }
                handed.push(cairn_core::HandedOver {
                    reference: refs.get(&d.id).map(|r| r.label()).unwrap_or_default(),
                    item: d.id.clone(),
                    sha256: d.content_sha256.clone(),
                    original_sha256: None,
                });
            }
            let today = time::OffsetDateTime::now_utc().date().to_string();
            let r = cairn_core::Handover {
                occurred: Some(Occurred {
                    start: date.clone().unwrap_or(today),
                    end: None,
                    approximate: false,
                }),
                agency: agency.clone(),
                organisation: organisation.clone(),
                person: person.clone(),
                collar_number: collar_number.clone(),
                reference: reference.clone(),
                outcome: outcome.clone(),
                exhibits: handed,
                notes: notes.clone(),
                ..Default::default()
            };
            let added = vault.add_report(r)?;
            out.added("Report", &added, *json);
        }
    }
    Ok(ExitCode::SUCCESS)
}
