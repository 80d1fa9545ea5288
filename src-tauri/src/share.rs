//! Sharing evidence: the *Share with your solicitor* wizard (plan, export), *Open a
//! bundle*, the receipt, and the log of reports and handovers. Each command is one
//! call into cairn-bundle or cairn-core.

use std::path::PathBuf;

use cairn_bundle::{
    BundleReport, Disclosure, ExportOptions, Exported, Key, Plan, Receipt, ReceiptCheck, Seal,
    Selection,
};
use cairn_core::{Added, Handover, KdfCost, Passphrase};
use serde::{Deserialize, Serialize};
use tauri::ipc::Channel;
use tauri::State;

use crate::commands::Throttled;
use crate::error::{AppError, CmdResult};
use crate::state::Shared;
use crate::views::Progress;

/// Which items go out.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Choice {
    /// Everything in the vault.
    All,
    /// These items, with what is linked to them.
    Items {
        /// Item ids.
        ids: Vec<String>,
    },
    /// What happened between two dates (inclusive; either may be empty).
    Dates {
        /// First day, `YYYY-MM-DD`.
        from: Option<String>,
        /// Last day, `YYYY-MM-DD`.
        to: Option<String>,
    },
}

impl Choice {
    fn selection(self) -> Selection {
        let day = |d: Option<String>| d.filter(|s| !s.trim().is_empty());
        match self {
            Choice::All => Selection::All,
            Choice::Items { ids } => Selection::Items(ids),
            Choice::Dates { from, to } => Selection::Dates {
                from: day(from),
                to: day(to),
            },
        }
    }
}

/// How the bundle is sealed. There is no unsealed choice in the app: an open bag is
/// plaintext outside the vault (the CLI's `--no-encrypt` is for those who mean it).
#[derive(Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum SealChoice {
    /// A passphrase she gives the recipient separately.
    Passphrase {
        /// The bundle's passphrase.
        passphrase: String,
    },
    /// The recipient's age public key (`age1…`).
    Recipient {
        /// The key.
        recipient: String,
    },
}

/// Everything the wizard asks.
#[derive(Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ExportRequest {
    /// Which items.
    pub choice: Choice,
    /// Initials for exhibit references.
    pub initials: String,
    /// Let photo location data go out.
    pub include_location: bool,
    /// Which chain entries go out: only the exported items' with proofs, or all.
    pub disclosure: Disclosure,
    /// Send original exports whole even when they hold location data or redacted
    /// messages.
    pub whole_exports: bool,
    /// How it is sealed.
    pub seal: SealChoice,
    /// Who it is for: "Solicitor", "IOPC", …
    pub agency: String,
    /// The person, if she wants it on record.
    pub person: String,
    /// Where to write the bundle (a new file).
    pub out: String,
}

/// The key to open a bundle with.
#[derive(Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum OpenKey {
    /// The bundle is not sealed.
    None,
    /// Its passphrase.
    Passphrase {
        /// The passphrase.
        passphrase: String,
    },
    /// An age identity file (`AGE-SECRET-KEY-…`).
    Identity {
        /// Its path.
        path: String,
    },
}

/// A report or handover as the reports screen lists it.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ReportRow {
    /// Item id.
    pub id: String,
    /// Latest version.
    pub version: u64,
    /// First recorded.
    pub recorded_at: String,
    /// The report; None once redacted.
    pub report: Option<Handover>,
}

/// What an export with `choice` and `initials` would hold; nothing is stored.
#[tauri::command]
#[specta::specta]
pub async fn plan_export(
    state: State<'_, Shared>,
    choice: Choice,
    initials: String,
) -> CmdResult<Plan> {
    crate::commands::blocking(state, move |st| {
        st.with_vault(|v| Ok(cairn_bundle::plan(v, &choice.selection(), &initials)?))
    })
    .await
}

/// Writes a sealed bundle and records the handover; reports bytes of exhibits
/// written. `cancel_job(job)` stops it and leaves nothing behind.
#[tauri::command]
#[specta::specta]
pub async fn export_bundle(
    state: State<'_, Shared>,
    request: ExportRequest,
    current: Option<String>,
    job: String,
    progress: Channel<Progress>,
) -> CmdResult<Exported> {
    let seal = match request.seal {
        SealChoice::Passphrase { passphrase } => {
            let p = Passphrase::new(passphrase);
            cairn_core::require_strong(&p)?;
            Seal::Passphrase(p)
        }
        SealChoice::Recipient { recipient } => {
            let r = recipient.trim().to_string();
            cairn_bundle::parse_recipient(&r)?;
            Seal::Recipient(r)
        }
    };
    let cancel = state.start_job(&job);
    crate::commands::blocking(state, move |st| {
        let throttled = Throttled::new(&progress, 1 << 20);
        let report = |done: u64, total: u64| throttled.send(0, 1, done, total);
        let opts = ExportOptions {
            selection: request.choice.selection(),
            initials: request.initials,
            include_location: request.include_location,
            seal,
            agency: request.agency,
            person: request.person,
            progress: &report,
            cancel: &cancel,
            fast_kdf_for_tests: st.kdf == KdfCost::InsecureTestOnly,
            disclosure: request.disclosure,
            whole_exports: request.whole_exports,
            receipts: Vec::new(),
        };
        let out = PathBuf::from(&request.out);
        // Her passphrase first (the core refuses the export without it).
        if let Err(e) = crate::commands::authorize_with(st, current) {
            st.end_job(&job);
            return Err(e);
        }
        let r = st.with_vault(|v| Ok(cairn_bundle::export(v, &out, &opts)?));
        st.end_job(&job);
        r
    })
    .await
}

/// Whether the file is sealed with age (so the app asks for its passphrase or key).
#[tauri::command]
#[specta::specta]
pub async fn bundle_is_sealed(path: String) -> bool {
    cairn_bundle::is_sealed(&PathBuf::from(path))
}

/// Opens a bundle and checks it; with an earlier receipt, that its history extends
/// it. Needs no vault: a bundle is checked on its own.
#[tauri::command]
#[specta::specta]
pub async fn check_bundle(
    path: String,
    key: OpenKey,
    receipt: Option<String>,
) -> CmdResult<BundleReport> {
    let key = match key {
        OpenKey::None => Key::None,
        OpenKey::Passphrase { passphrase } => Key::Passphrase(Passphrase::new(passphrase)),
        OpenKey::Identity { path } => Key::IdentityFile(PathBuf::from(path)),
    };
    let receipt = receipt.filter(|r| !r.trim().is_empty());
    tauri::async_runtime::spawn_blocking(move || {
        cairn_bundle::verify_bundle(&PathBuf::from(path), &key, receipt.as_deref())
    })
    .await
    .map_err(|_| AppError::internal())?
    .map_err(AppError::from)
}

/// The current checkpoint as short text to keep somewhere else.
#[tauri::command]
#[specta::specta]
pub async fn receipt(state: State<'_, Shared>) -> CmdResult<Receipt> {
    crate::commands::blocking(state, |st| st.with_vault(|v| Ok(cairn_bundle::receipt(v)?))).await
}

/// Checks the vault against a receipt she kept: a vault put back to an older copy is
/// shorter than the receipt, and says so.
#[tauri::command]
#[specta::specta]
pub async fn check_receipt(state: State<'_, Shared>, receipt: String) -> CmdResult<ReceiptCheck> {
    crate::commands::blocking(state, move |st| {
        st.with_vault(|v| Ok(cairn_bundle::check_vault_receipt(v, &receipt)?))
    })
    .await
}

/// Every report and handover, oldest first.
#[tauri::command]
#[specta::specta]
pub async fn reports(state: State<'_, Shared>) -> CmdResult<Vec<ReportRow>> {
    crate::commands::blocking(state, |st| {
        st.with_vault(|v| {
            Ok(v.reports()?
                .into_iter()
                .map(|d| ReportRow {
                    report: match (&d.redaction, d.record) {
                        (None, Some(r)) => serde_json::from_value(r).ok(),
                        _ => None,
                    },
                    id: d.id,
                    version: d.version,
                    recorded_at: d.recorded_at,
                })
                .collect())
        })
    })
    .await
}

/// Adds a report (no `id`) or saves a new version of one.
#[tauri::command]
#[specta::specta]
pub async fn save_report(
    state: State<'_, Shared>,
    id: Option<String>,
    report: Handover,
) -> CmdResult<Added> {
    crate::commands::blocking(state, move |st| {
        st.with_vault(|v| {
            Ok(match id {
                Some(id) => v.edit_report(&id, report)?,
                None => v.add_report(report)?,
            })
        })
    })
    .await
}
