//! `cairn import …` and `cairn search`: thin calls into cairn-import and the core.

use std::path::Path;

use cairn_core::search::{HIT_END, HIT_START};
use cairn_core::{Error, Vault};
use cairn_import::vault::Imported;
use cairn_import::whatsapp::DateOrder;

use crate::output::print_json;

/// `--dates` values (the names are what she types: `--dates day-first`).
#[derive(Clone, Copy, clap::ValueEnum)]
#[allow(clippy::enum_variant_names)]
pub enum Dates {
    /// 31/12/2023
    DayFirst,
    /// 12/31/2023
    MonthFirst,
    /// 2023-12-31
    YearFirst,
}

impl From<Dates> for DateOrder {
    fn from(d: Dates) -> DateOrder {
        match d {
            Dates::DayFirst => DateOrder::DayFirst,
            Dates::MonthFirst => DateOrder::MonthFirst,
            Dates::YearFirst => DateOrder::YearFirst,
        }
    }
}

/// `cairn import whatsapp PATH`.
pub fn whatsapp(
    vault: &mut Vault,
    path: &Path,
    dates: Option<Dates>,
    json: bool,
) -> Result<(), Error> {
    let done = cairn_import::vault::whatsapp(
        vault,
        path,
        dates.map(DateOrder::from),
        &cairn_import::progress::quiet,
    )?;
    report(&done, json);
    if !json && !done.chat.already_imported && done.date_order_guessed {
        let order = done.date_order.replace('-', " ");
        say!(
            "Dates were read {order}: nothing in the export settled it. If a date looks wrong, import again with --dates."
        );
    }
    Ok(())
}

/// What an import did, as JSON or in sentences.
pub fn report(done: &Imported, json: bool) {
    if json {
        print_json(done);
        return;
    }
    if done.chat.already_imported {
        say!(
            "This export was imported before (as {}); nothing was added.",
            done.chat.export
        );
        return;
    }
    // A conversation's name comes from the export (an email's subject): no control
    // characters reach the terminal.
    let from = match done.conversations.as_slice() {
        [one] => format!("\"{}\"", one.replace(char::is_control, " ")),
        many => format!("{} conversations", many.len()),
    };
    let files = match done.chat.attachments {
        0 => String::new(),
        1 => " and 1 attached file".into(),
        n => format!(" and {n} attached files"),
    };
    say!(
        "Imported {} messages{files} from {from}; the export itself is kept as {} (SHA-256 {}).",
        done.chat.messages,
        done.chat.export,
        done.chat.export_sha256
    );
    match done.attachments_missing {
        0 => {}
        1 => say!(
            "1 attached file is named but not in the export (exported without media?); its message is kept, saying a file was sent."
        ),
        n => say!(
            "{n} attached files are named but not in the export (exported without media?); their messages are kept, saying a file was sent."
        ),
    }
}

/// `cairn search QUERY`.
pub fn search(vault: &Vault, query: &str, limit: usize, json: bool) -> Result<(), Error> {
    let found = vault.search_ranked(query, limit)?;
    let hits = found.hits;
    if json {
        print_json(&hits);
        return Ok(());
    }
    if hits.is_empty() {
        say!("Nothing matches.");
    }
    if found.newest_only {
        say!(
            "More than {} items match; these are the best of the {} recorded most recently. Add a word to narrow the search.",
            cairn_core::search::RANKED_MATCHES,
            cairn_core::search::RANKED_MATCHES
        );
    }
    for h in &hits {
        let snippet = h
            .snippet
            .replace(HIT_START, "[")
            .replace(HIT_END, "]")
            .replace('\n', " ");
        say!(
            "{}  {:<8}  {}  {}  {}",
            h.id,
            h.kind,
            h.occurred.as_deref().unwrap_or("-"),
            h.title,
            snippet
        );
    }
    Ok(())
}
