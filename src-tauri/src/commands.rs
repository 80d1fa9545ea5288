//! The commands the UI may call. Each is a short mapping onto the core API; slow work
//! runs on a blocking thread so the window stays responsive.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use cairn_core::{
    AddFile, Added, AddedFile, Incident, Passphrase, Person, Report, Settings, Strength,
    TimelineHead, TimelineItem, Vault, VerifyOptions,
};
use tauri::ipc::Channel;
use tauri::State;

use crate::error::{AppError, CmdResult};
use crate::state::{guard, AppState, Shared};
use crate::views::{AppStatus, Created, HistoryView, ItemView, Progress};

/// Runs `f` on a blocking thread with the app state.
pub(crate) async fn blocking<T: Send + 'static>(
    state: State<'_, Shared>,
    f: impl FnOnce(&AppState) -> CmdResult<T> + Send + 'static,
) -> CmdResult<T> {
    let st = Arc::clone(&state);
    tauri::async_runtime::spawn_blocking(move || f(&st))
        .await
        .map_err(|_| AppError::internal())?
}

/// Sends a job's progress, a message per `step` bytes and one at the end: a few
/// hundred at most, however large the job.
pub(crate) struct Throttled<'a> {
    channel: &'a Channel<Progress>,
    step: u64,
    last: AtomicU64,
}

impl<'a> Throttled<'a> {
    pub(crate) fn new(channel: &'a Channel<Progress>, step: u64) -> Throttled<'a> {
        Throttled {
            channel,
            step,
            last: AtomicU64::new(0),
        }
    }

    /// Reports `done` of `total` for file `index` of `count`, if it is time to.
    pub(crate) fn send(&self, index: u32, count: u32, done: u64, total: u64) {
        if done == total || done >= self.last.load(Ordering::Relaxed) + self.step {
            self.last.store(done, Ordering::Relaxed);
            let _ = self.channel.send(Progress {
                index,
                count,
                done,
                total,
            });
        }
    }
}

fn status_of(st: &AppState) -> AppStatus {
    let dir = st.dir();
    // One guard: a second in the same expression would wait on the first for ever.
    let (unlocked, failed_attempts, has_decoy, weak_kdf, keys_altered) = {
        let g = guard(&st.vault);
        (
            g.is_some(),
            g.as_ref().and_then(|v| v.failed_attempts().cloned()),
            g.as_ref().is_some_and(|v| v.has_decoy()),
            g.as_ref().and_then(|v| v.kdf()).is_some_and(|k| k.insecure),
            g.as_ref().is_some_and(|v| v.keys_altered()),
        )
    };
    AppStatus {
        vault_exists: Vault::exists(&dir),
        settings: Settings::load(&dir),
        vault_dir: dir.display().to_string(),
        default_dir: Vault::default_dir()
            .map(|d| d.display().to_string())
            .unwrap_or_default(),
        unlocked,
        failed_attempts,
        has_decoy,
        weak_kdf,
        keys_altered,
        retry_after_ms: st.wait_remaining().as_millis().min(u32::MAX as u128) as u32,
        version: env!("CARGO_PKG_VERSION").to_string(),
    }
}

/// Where the vault is, whether it exists and is unlocked.
#[tauri::command]
#[specta::specta]
pub async fn app_status(state: State<'_, Shared>) -> CmdResult<AppStatus> {
    Ok(status_of(&state))
}

/// Uses the vault in another folder (a USB stick, say). Only while locked. Nothing
/// remembers the choice outside that folder.
#[tauri::command]
#[specta::specta]
pub async fn choose_vault_dir(state: State<'_, Shared>, dir: String) -> CmdResult<AppStatus> {
    let st = &*state;
    if guard(&st.vault).is_some() {
        return Err(AppError::new(
            "unlocked",
            "Lock Cairn before choosing another folder.",
        ));
    }
    let dir = PathBuf::from(dir.trim());
    if !dir.is_absolute() {
        return Err(AppError::new(
            "invalid_input",
            "Choose a folder with the folder picker.",
        ));
    }
    *guard(&st.dir) = dir;
    Ok(status_of(st))
}

/// How strong a proposed passphrase is.
#[tauri::command]
#[specta::specta]
pub async fn passphrase_strength(passphrase: String) -> Strength {
    let p = Passphrase::new(passphrase);
    cairn_core::strength(p.expose(), &[])
}

/// Creates a vault in the chosen folder and unlocks it; returns the recovery code.
#[tauri::command]
#[specta::specta]
pub async fn create_vault(state: State<'_, Shared>, passphrase: String) -> CmdResult<Created> {
    let pass = Passphrase::new(passphrase);
    blocking(state, move |st| {
        cairn_core::require_strong(&pass)?;
        let dir = st.dir();
        let (vault, code) = Vault::init(&dir, &pass, st.kdf)?;
        let shown = code.display().to_string();
        keep_open(st, vault);
        Ok(Created {
            recovery_code: shown,
            status: status_of(st),
        })
    })
    .await
}

/// Ends an attempt begun with `begin_attempt`: counts a wrong secret, and turns the
/// error into one that says how long to wait.
fn finish_attempt<T>(st: &AppState, result: cairn_core::Result<T>) -> CmdResult<T> {
    let delay = st.record_attempt(&result);
    result.map_err(|e| {
        let mut err = AppError::from(e);
        err.retry_after_ms = delay.filter(|d| *d > 0);
        err
    })
}

/// Holds the vault open for the window. The window stays open, so a change that needs
/// her passphrase asks for it again (Vault::authorize), whoever is at the keyboard by
/// then: the authorization that opening gives ends here.
fn keep_open(st: &AppState, v: Vault) {
    v.end_authorization();
    st.idle.touch();
    *guard(&st.vault) = Some(v);
}

fn finish_unlock(st: &AppState, opened: cairn_core::Result<Vault>) -> CmdResult<AppStatus> {
    let v = finish_attempt(st, opened)?;
    keep_open(st, v);
    Ok(status_of(st))
}

/// Unlocks with the passphrase. Wrong attempts make the next one wait longer.
#[tauri::command]
#[specta::specta]
pub async fn unlock(state: State<'_, Shared>, passphrase: String) -> CmdResult<AppStatus> {
    let pass = Passphrase::new(passphrase);
    blocking(state, move |st| {
        st.begin_attempt()?;
        // Still unlocked (a lock that failed, or one still finishing): the passphrase
        // is checked all the same, never waved through.
        let held = {
            let g = guard(&st.vault);
            g.as_ref().map(|v| v.check_passphrase(&pass, st.open))
        };
        if let Some(checked) = held {
            finish_attempt(st, checked)?;
            return Ok(status_of(st));
        }
        let opened = Vault::open(&st.dir(), &pass, st.open);
        finish_unlock(st, opened)
    })
    .await
}

/// Unlocks with the recovery code and sets a new passphrase.
#[tauri::command]
#[specta::specta]
pub async fn recover(
    state: State<'_, Shared>,
    code: String,
    new_passphrase: String,
) -> CmdResult<AppStatus> {
    let code = zeroize::Zeroizing::new(code);
    let pass = Passphrase::new(new_passphrase);
    blocking(state, move |st| {
        cairn_core::require_strong(&pass)?;
        if guard(&st.vault).is_some() {
            return Err(AppError::new(
                "unlocked",
                "Cairn is unlocked; change the passphrase in Settings instead.",
            ));
        }
        st.begin_attempt()?;
        // Opening with the code makes its slot one a re-key keeps, so no new code is
        // made here.
        let opened = Vault::open_with_recovery(&st.dir(), &code, st.open).and_then(|mut v| {
            v.change_passphrase(&pass, st.kdf)?;
            Ok(v)
        });
        finish_unlock(st, opened)
    })
    .await
}

/// The window was used just now (a key, a press, the wheel): the idle deadline kept in
/// Rust starts again. The window sends this at most every 15 s.
#[tauri::command]
#[specta::specta]
pub async fn touch(state: State<'_, Shared>) -> CmdResult<()> {
    state.idle.touch();
    Ok(())
}

/// Locks now: running jobs stop and every key is dropped.
#[tauri::command]
#[specta::specta]
pub async fn lock(state: State<'_, Shared>) -> CmdResult<AppStatus> {
    blocking(state, |st| {
        st.lock();
        Ok(status_of(st))
    })
    .await
}

/// Every item for the timeline.
#[tauri::command]
#[specta::specta]
pub async fn timeline(state: State<'_, Shared>) -> CmdResult<Vec<TimelineItem>> {
    blocking(state, |st| st.with_vault(|v| Ok(v.timeline()?))).await
}

/// The newest items and the total, for the timeline's first paint.
#[tauri::command]
#[specta::specta]
pub async fn timeline_head(state: State<'_, Shared>, limit: u32) -> CmdResult<TimelineHead> {
    blocking(state, move |st| {
        st.with_vault(|v| Ok(v.timeline_head(limit as usize)?))
    })
    .await
}

/// Ids of the items containing every word of `query`.
#[tauri::command]
#[specta::specta]
pub async fn search(state: State<'_, Shared>, query: String) -> CmdResult<Vec<String>> {
    blocking(state, move |st| st.with_vault(|v| Ok(v.search(&query)?))).await
}

/// One item with its links and integrity details.
#[tauri::command]
#[specta::specta]
pub async fn item(state: State<'_, Shared>, id: String) -> CmdResult<ItemView> {
    blocking(state, move |st| {
        st.with_vault(|v| {
            let d = v.show(&id)?;
            Ok(ItemView::new(v, d)?)
        })
    })
    .await
}

/// Every version of an item and what changed.
#[tauri::command]
#[specta::specta]
pub async fn history(state: State<'_, Shared>, id: String) -> CmdResult<HistoryView> {
    blocking(state, move |st| {
        st.with_vault(|v| Ok(v.history(&id)?.into()))
    })
    .await
}

/// Adds an incident, or a new version of one.
#[tauri::command]
#[specta::specta]
pub async fn save_incident(
    state: State<'_, Shared>,
    id: Option<String>,
    incident: Incident,
) -> CmdResult<Added> {
    blocking(state, move |st| {
        st.with_vault(|v| {
            Ok(match id {
                Some(id) => v.edit_incident(&id, incident)?,
                None => v.add_incident(incident)?,
            })
        })
    })
    .await
}

/// Adds a person, or a new version of one.
#[tauri::command]
#[specta::specta]
pub async fn save_person(
    state: State<'_, Shared>,
    id: Option<String>,
    person: Person,
) -> CmdResult<Added> {
    blocking(state, move |st| {
        st.with_vault(|v| {
            Ok(match id {
                Some(id) => v.edit_person(&id, person)?,
                None => v.add_person(person)?,
            })
        })
    })
    .await
}

/// Links two items.
#[tauri::command]
#[specta::specta]
pub async fn link_items(state: State<'_, Shared>, a: String, b: String) -> CmdResult<Added> {
    blocking(state, move |st| st.with_vault(|v| Ok(v.link(&a, &b)?))).await
}

/// Removes a link (the removal is recorded).
#[tauri::command]
#[specta::specta]
pub async fn unlink_items(state: State<'_, Shared>, link: String) -> CmdResult<Added> {
    blocking(state, move |st| st.with_vault(|v| Ok(v.unlink(&link)?))).await
}

/// Adds files (paths from the file dialog or a drop), optionally linked to an
/// incident. Reports bytes stored; `cancel_job(job)` stops it. Each file is committed
/// on its own: after an error or a cancel, the files before it stay added (the UI adds
/// one file per call). Returns the files added.
#[tauri::command]
#[specta::specta]
pub async fn add_files(
    state: State<'_, Shared>,
    paths: Vec<String>,
    link_to: Option<String>,
    acquired: String,
    job: String,
    progress: Channel<Progress>,
) -> CmdResult<Vec<AddedFile>> {
    // Registered before the work is queued, so an early cancel is not lost.
    let cancel = state.start_job(&job);
    blocking(state, move |st| {
        let count = paths.len() as u32;
        let mut added = Vec::new();
        let result = (|| {
            for (i, p) in paths.iter().enumerate() {
                let path = PathBuf::from(p);
                let total = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
                let throttled = Throttled::new(&progress, 1 << 20);
                let report = |done: u64| throttled.send(i as u32, count, done, total);
                let opts = AddFile {
                    acquired: acquired.clone(),
                    link_to: link_to.clone(),
                    progress: &report,
                    cancel: &cancel,
                };
                let f = st.with_vault(|v| Ok(v.add_file(&path, &opts)?))?;
                added.push(f);
            }
            Ok(())
        })();
        st.end_job(&job);
        result.map(|()| added)
    })
    .await
}

/// Stops a running job.
#[tauri::command]
#[specta::specta]
pub async fn cancel_job(state: State<'_, Shared>, job: String) -> CmdResult<()> {
    state.cancel_job(&job);
    Ok(())
}

/// Types her passphrase again, when the UI has it, before a change that needs it (the
/// core refuses the change with `passphrase_needed` otherwise, and the UI asks).
pub(crate) fn authorize_with(st: &AppState, current: Option<String>) -> CmdResult<()> {
    match current {
        Some(c) => reauthenticate(st, &Passphrase::new(c)),
        None => Ok(()),
    }
}

/// Redacts an item: its content is destroyed and a tombstone with the reason stays.
/// Needs her passphrase (`current`).
#[tauri::command]
#[specta::specta]
pub async fn redact(
    state: State<'_, Shared>,
    id: String,
    reason: String,
    current: Option<String>,
) -> CmdResult<Added> {
    blocking(state, move |st| {
        authorize_with(st, current)?;
        st.with_vault(|v| Ok(v.redact(&id, &reason)?))
    })
    .await
}

/// Checks the whole vault; reports bytes checked.
#[tauri::command]
#[specta::specta]
pub async fn verify(
    state: State<'_, Shared>,
    quick: bool,
    progress: Channel<Progress>,
) -> CmdResult<Report> {
    let (job, cancel) = state.start_own_job("verify");
    blocking(state, move |st| {
        let r = st.with_vault(|v| {
            let throttled = Throttled::new(&progress, 4 << 20);
            let report = |done: u64, total: u64| throttled.send(0, 1, done, total);
            Ok(v.verify_cancellable(VerifyOptions { quick }, &report, &cancel)?)
        });
        st.end_job(&job);
        r
    })
    .await
}

/// Checks her passphrase again before a change made from the unlocked window, through
/// the same attempt accounting as the unlock screen: someone who finds the window
/// unlocked can neither make the change nor guess faster here.
pub(crate) fn reauthenticate(st: &AppState, pass: &Passphrase) -> CmdResult<()> {
    st.begin_attempt()?;
    let checked = st.with_vault(|v| Ok(v.authorize(pass, st.open)));
    let checked = match checked {
        Ok(c) => c,
        Err(e) => {
            st.abandon_attempt();
            return Err(e);
        }
    };
    finish_attempt(st, checked)
}

/// Changes the passphrase after checking the current one; the vault is re-keyed.
/// Returns a new recovery code when one had to be made (a vault whose recovery slot
/// predates re-keying), to be shown once.
#[tauri::command]
#[specta::specta]
pub async fn change_passphrase(
    state: State<'_, Shared>,
    current: String,
    new_passphrase: String,
) -> CmdResult<Option<String>> {
    let current = Passphrase::new(current);
    let new = Passphrase::new(new_passphrase);
    blocking(state, move |st| {
        cairn_core::require_strong(&new)?;
        reauthenticate(st, &current)?;
        let made = st.with_vault(|v| {
            v.end_authorization();
            Ok(v.change_passphrase(&new, st.kdf)?)
        })?;
        Ok(made.map(|c| c.display().to_string()))
    })
    .await
}

/// A new recovery code to show her; it replaces the old one only when she confirms
/// with `replace_recovery_code` (until then the old code still works).
#[tauri::command]
#[specta::specta]
pub async fn draft_recovery_code(state: State<'_, Shared>) -> CmdResult<String> {
    blocking(state, |st| {
        st.with_vault(|v| Ok(v.draft_recovery_code()?.to_string()))
    })
    .await
}

/// Makes the code shown by `draft_recovery_code` her recovery code, after checking
/// the passphrase; the old code stops working (the vault is re-keyed).
#[tauri::command]
#[specta::specta]
pub async fn replace_recovery_code(state: State<'_, Shared>, current: String) -> CmdResult<()> {
    let current = Passphrase::new(current);
    blocking(state, move |st| {
        reauthenticate(st, &current)?;
        st.with_vault(|v| {
            v.end_authorization();
            Ok(v.replace_recovery_code(&current)?)
        })
    })
    .await
}

/// Saves the settings; one that makes Cairn easier to read over her shoulder or keeps
/// it open longer needs her passphrase (`current`).
#[tauri::command]
#[specta::specta]
pub async fn save_settings(
    state: State<'_, Shared>,
    settings: Settings,
    current: Option<String>,
) -> CmdResult<AppStatus> {
    blocking(state, move |st| {
        if guard(&st.vault).is_none() {
            return Err(AppError::locked());
        }
        authorize_with(st, current)?;
        st.with_vault(|v| Ok(v.save_settings(&settings)?))?;
        st.with_shell(|w| w.set_look(&settings, false));
        Ok(status_of(st))
    })
    .await
}

/// Makes a decoy: a separate, empty vault that `passphrase` opens instead of this one.
#[tauri::command]
#[specta::specta]
pub async fn set_decoy(
    state: State<'_, Shared>,
    passphrase: String,
    current: Option<String>,
) -> CmdResult<AppStatus> {
    let pass = Passphrase::new(passphrase);
    blocking(state, move |st| {
        authorize_with(st, current)?;
        st.with_vault(|v| Ok(v.set_decoy(&pass, st.kdf, st.open)?))?;
        Ok(status_of(st))
    })
    .await
}

/// Removes the decoy and everything in it.
#[tauri::command]
#[specta::specta]
pub async fn remove_decoy(
    state: State<'_, Shared>,
    current: Option<String>,
) -> CmdResult<AppStatus> {
    blocking(state, move |st| {
        authorize_with(st, current)?;
        st.with_vault(|v| Ok(v.remove_decoy()?))?;
        Ok(status_of(st))
    })
    .await
}

/// Quick exit: locks at once (every key dropped), then closes the window or leaves a
/// neutral page, as her settings say. Works locked or unlocked.
#[tauri::command]
#[specta::specta]
pub async fn quick_exit(state: State<'_, Shared>) -> CmdResult<AppStatus> {
    blocking(state, |st| {
        // What shows goes first; dropping the keys may wait a moment for running work
        // to see its cancel switch.
        let settings = Settings::load(&st.dir());
        if settings.quick_exit == cairn_core::QuickExit::Close {
            st.lock_on_exit();
            st.with_shell(|w| w.close());
        } else {
            st.with_shell(|w| w.set_look(&settings, true));
        }
        st.lock();
        Ok(status_of(st))
    })
    .await
}

/// Puts the window's own title and icon back after the neutral page.
#[tauri::command]
#[specta::specta]
pub async fn restore_look(state: State<'_, Shared>) -> CmdResult<()> {
    blocking(state, |st| {
        let settings = Settings::load(&st.dir());
        st.with_shell(|w| w.set_look(&settings, false));
        Ok(())
    })
    .await
}
