//! Backups from the app: *Back up now* to a folder she chooses, with progress, and the
//! newest backup for the reminder. Each command is one call into cairn-core.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use cairn_core::backup::{BackupProgress, BackupReport, BackupStatus};
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
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let job = format!("backup-{}", NEXT.fetch_add(1, Ordering::Relaxed));
    let cancel = state.start_job(&job);
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
