//! Backups from the app: *Back up now* to a folder she chooses, with progress, the
//! newest backup for the reminder, and the monthly check of a backup. Each command is
//! one call into cairn-core.

use std::path::PathBuf;

use cairn_core::backup::{BackupProgress, BackupReport, BackupStatus, BackupStep};
use cairn_core::scrub::ScrubReport;
use tauri::ipc::Channel;
use tauri::State;

use crate::commands::blocking;
use crate::error::CmdResult;
use crate::pace::Paced;
use crate::state::Shared;

/// Backs the vault up to `dest` (an empty folder the first time, the same folder
/// after), reporting each step; locking stops it, leaving the previous backup whole.
#[tauri::command]
#[specta::specta]
pub async fn backup_now(
    state: State<'_, Shared>,
    dest: String,
    current: Option<String>,
    progress: Channel<BackupProgress>,
) -> CmdResult<BackupReport> {
    let (job, cancel) = state.start_own_job("backup");
    blocking(state, move |st| {
        // A new folder needs her passphrase (the core asks for it).
        if let Err(e) = crate::commands::authorize_with(st, current) {
            st.end_job(&job);
            return Err(e);
        }
        let paced = Paced::new(&progress);
        let report = |p: BackupProgress| paced.send(p.step, p.done >= p.total, p);
        let r = st.with_vault(|v| Ok(v.backup(&PathBuf::from(&dest), &cancel, &report)?));
        st.end_job(&job);
        r
    })
    .await
}

/// When the newest backup was made, and whether to remind her.
#[tauri::command]
#[specta::specta]
pub async fn backup_status(state: State<'_, Shared>) -> CmdResult<BackupStatus> {
    blocking(state, |st| st.with_vault(|v| Ok(v.backup_status()?))).await
}

/// Checks the backup in `dest` (the monthly check): every stored file there is read
/// back and compared with the vault, its database checked page by page, and what
/// decayed put right from the vault. Locking stops it between files.
#[tauri::command]
#[specta::specta]
pub async fn check_backup(
    state: State<'_, Shared>,
    dest: String,
    progress: Channel<BackupProgress>,
) -> CmdResult<ScrubReport> {
    let (job, cancel) = state.start_own_job("check-backup");
    blocking(state, move |st| {
        let paced = Paced::new(&progress);
        let report = |done: u64, total: u64| {
            let p = BackupProgress {
                step: BackupStep::Checking,
                done,
                total,
            };
            paced.send(p.step, done >= total, p)
        };
        let r = st.with_vault(|v| Ok(v.scrub_backup(&PathBuf::from(&dest), &cancel, &report)?));
        st.end_job(&job);
        r
    })
    .await
}
