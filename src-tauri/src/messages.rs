//! Messages: the *Import messages* flow, the conversations and their pages, and
//! search with snippets. Each command is one call into cairn-import or cairn-core.

use std::path::PathBuf;

use cairn_core::search::Found;
use cairn_core::{Anchor, Conversation, ConversationKey, ConversationPage};
use cairn_import::vault::{Imported, Source};
use cairn_import::whatsapp::DateOrder;
use cairn_import::Progress;
use tauri::ipc::Channel;
use tauri::State;

use crate::commands::blocking;
use crate::error::{AppError, CmdResult};
use crate::pace::Paced;
use crate::state::Shared;

/// The most hits a search returns to the window.
pub const MAX_HITS: usize = 200;

fn parse_date_order(s: Option<String>) -> CmdResult<Option<DateOrder>> {
    Ok(match s.as_deref().map(str::trim) {
        None | Some("") | Some("auto") => None,
        Some("day-first") => Some(DateOrder::DayFirst),
        Some("month-first") => Some(DateOrder::MonthFirst),
        Some("year-first") => Some(DateOrder::YearFirst),
        Some(_) => {
            return Err(AppError::new(
                "invalid",
                "Choose how the dates are written: day first, month first or year first.",
            ))
        }
    })
}

/// Imports an export (`path`: a file, or Telegram's folder) as one conversation or
/// more, all of it or nothing; `date_order` (`day-first`, `month-first`,
/// `year-first`) overrides WhatsApp's detection. Reports each step's progress. An
/// import cannot be stopped half-way (it is one transaction): locking waits for it.
#[tauri::command]
#[specta::specta]
pub async fn import_messages(
    state: State<'_, Shared>,
    source: Source,
    path: String,
    date_order: Option<String>,
    progress: Channel<Progress>,
) -> CmdResult<Imported> {
    let dates = parse_date_order(date_order)?;
    blocking(state, move |st| {
        let paced = Paced::new(&progress);
        let report = |p: Progress| paced.send(p.step, p.done >= p.total, p);
        let path = PathBuf::from(path);
        st.with_vault(|v| {
            Ok(cairn_import::vault::import(
                v, source, &path, dates, &report,
            )?)
        })
    })
    .await
}

/// Every conversation, the most recently active first.
#[tauri::command]
#[specta::specta]
pub async fn conversations(state: State<'_, Shared>) -> CmdResult<Vec<Conversation>> {
    blocking(state, |st| st.with_vault(|v| Ok(v.conversations()?))).await
}

/// Up to `limit` messages of a conversation from `anchor`, oldest first.
#[tauri::command]
#[specta::specta]
pub async fn conversation_page(
    state: State<'_, Shared>,
    key: ConversationKey,
    anchor: Anchor,
    limit: u32,
) -> CmdResult<ConversationPage> {
    blocking(state, move |st| {
        st.with_vault(|v| Ok(v.conversation_page(&key, &anchor, limit as usize)?))
    })
    .await
}

/// The best matches for `query` among incidents, messages, people and files, best
/// first, each with a snippet whose matched words sit between U+0002 and U+0003.
#[tauri::command]
#[specta::specta]
pub async fn search_items(state: State<'_, Shared>, query: String, limit: u32) -> CmdResult<Found> {
    let limit = (limit as usize).clamp(1, MAX_HITS);
    blocking(state, move |st| {
        st.with_vault(|v| Ok(v.search_ranked(&query, limit)?))
    })
    .await
}
