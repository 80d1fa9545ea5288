//! What the app holds while it runs: the vault folder, the unlocked vault (or nothing),
//! the count of failed unlocks, and the cancel switches of running jobs.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use cairn_core::{KdfCost, OpenOptions, Settings, Vault};

use crate::error::{AppError, CmdResult};

/// Failed unlock attempts since the last success.
#[derive(Debug, Default)]
pub struct Failures {
    /// Wrong passphrases or recovery codes in a row.
    pub count: u32,
    /// No attempt is tried before this moment.
    pub not_before: Option<Instant>,
    /// An attempt is running; others are refused until it ends (so parallel calls
    /// cannot all slip in before the first failure sets a delay).
    pub in_progress: bool,
}

/// What commands may ask of the window around them. The real app sets it; the command
/// tests run without a window.
pub trait Shell: Send + Sync {
    /// Gives the window the title and icon `settings` ask for, or the neutral look
    /// quick exit leaves behind.
    fn set_look(&self, settings: &Settings, neutral: bool);
    /// Closes the window and ends the app.
    fn close(&self);
}

/// The state as Tauri manages it: shared with the blocking threads commands run on.
pub type Shared = Arc<AppState>;

/// The app's state, managed by Tauri.
pub struct AppState {
    /// The vault folder in use.
    pub dir: Mutex<PathBuf>,
    /// The unlocked vault; `None` when locked. Dropping it wipes every key.
    pub vault: Mutex<Option<Vault>>,
    /// Set while locking: new work is refused at once instead of queueing behind the
    /// vault's mutex.
    pub locking: AtomicBool,
    /// Failed unlocks.
    pub failures: Mutex<Failures>,
    /// Cancel switches of running jobs, by the id the UI gave.
    pub jobs: Mutex<HashMap<String, Arc<AtomicBool>>>,
    /// Argon2id cost for new passphrases.
    pub kdf: KdfCost,
    /// How to treat a test-KDF vault when opening.
    pub open: OpenOptions,
    /// The window, once there is one.
    pub shell: Mutex<Option<Box<dyn Shell>>>,
    /// When the window last reported use (the idle deadline kept in Rust).
    pub idle: cairn_core::idle::Idle,
}

/// A poisoned lock only means another command panicked; the data behind it is still
/// the vault, so keep going rather than lock her out.
pub fn guard<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl AppState {
    /// State for the vault in `dir`. `insecure_test_kdf` is only for the test suites.
    pub fn new(dir: PathBuf, insecure_test_kdf: bool) -> AppState {
        // The app keeps a vault open for long: SQLCipher locks and wipes its memory.
        cairn_core::hygiene::secure_database_memory();
        AppState {
            dir: Mutex::new(dir),
            vault: Mutex::new(None),
            locking: AtomicBool::new(false),
            failures: Mutex::new(Failures::default()),
            jobs: Mutex::new(HashMap::new()),
            kdf: if insecure_test_kdf {
                KdfCost::InsecureTestOnly
            } else {
                KdfCost::Calibrated
            },
            open: OpenOptions {
                allow_insecure_kdf: insecure_test_kdf,
            },
            shell: Mutex::new(None),
            idle: cairn_core::idle::Idle::new(),
        }
    }

    /// True if the vault is open and has gone unused past her auto-lock minutes (and
    /// the grace the window's own lock has to come first).
    pub fn idle_expired(&self) -> bool {
        if guard(&self.vault).is_none() {
            return false;
        }
        self.idle.expired_at(
            &cairn_core::Settings::load(&self.dir()),
            std::time::Instant::now(),
        )
    }

    /// The vault folder in use.
    pub fn dir(&self) -> PathBuf {
        guard(&self.dir).clone()
    }

    /// Runs `f` on the window, if there is one.
    pub fn with_shell(&self, f: impl FnOnce(&dyn Shell)) {
        if let Some(s) = guard(&self.shell).as_deref() {
            f(s);
        }
    }

    /// Runs `f` on the unlocked vault.
    pub fn with_vault<T>(&self, f: impl FnOnce(&mut Vault) -> CmdResult<T>) -> CmdResult<T> {
        if self.locking.load(Ordering::SeqCst) {
            return Err(AppError::locked());
        }
        let mut g = guard(&self.vault);
        match g.as_mut() {
            Some(v) => f(v),
            None => Err(AppError::locked()),
        }
    }

    /// Locks: cancels running jobs, then drops the vault (closing the database and
    /// wiping its keys). True if there was a vault to drop.
    pub fn lock(&self) -> bool {
        self.locking.store(true, Ordering::SeqCst);
        self.cancel_all();
        // Long work (adding a file, checking integrity) sees its cancel switch and
        // returns within a moment; then the vault is ours to drop.
        let v = guard(&self.vault).take();
        let had = v.is_some();
        drop(v);
        self.locking.store(false, Ordering::SeqCst);
        had
    }

    /// On exit: stop jobs and drop the vault if nothing holds it. Never waits, so
    /// closing the window is immediate; the keys go with the process either way.
    pub fn lock_on_exit(&self) {
        self.locking.store(true, Ordering::SeqCst);
        self.cancel_all();
        if let Ok(mut g) = self.vault.try_lock() {
            drop(g.take());
        }
    }

    fn cancel_all(&self) {
        for flag in guard(&self.jobs).values() {
            flag.store(true, Ordering::SeqCst);
        }
    }

    /// How long until another unlock may be tried: the longer of this run's delay and
    /// the one the vault folder's record of failures sets (which outlasts a restart).
    pub fn wait_remaining(&self) -> Duration {
        let here = Self::wait_here(&guard(&self.failures));
        here.max(Vault::unlock_wait(&self.dir()))
    }

    fn wait_here(f: &Failures) -> Duration {
        f.not_before
            .map(|t| t.saturating_duration_since(Instant::now()))
            .unwrap_or_default()
    }

    /// Starts an attempt with a secret: refused while another runs or too soon after
    /// failures. Every `Ok` must be followed by [`AppState::record_attempt`].
    pub fn begin_attempt(&self) -> CmdResult<()> {
        let mut f = guard(&self.failures);
        if f.in_progress {
            return Err(AppError::new(
                "busy",
                "Cairn is already checking a passphrase; wait a moment.",
            ));
        }
        let wait = Self::wait_here(&f).max(Vault::unlock_wait(&self.dir()));
        if wait.is_zero() {
            f.in_progress = true;
            return Ok(());
        }
        // The core's own refusal: one sentence and one code, whichever side waits.
        Err(cairn_core::Error::TooSoon {
            wait_ms: u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
        }
        .into())
    }

    /// Ends an attempt that never got to try the secret (counts nothing).
    pub fn abandon_attempt(&self) {
        guard(&self.failures).in_progress = false;
    }

    /// Records the outcome of an attempt begun with [`AppState::begin_attempt`]; a
    /// wrong secret sets the next delay.
    pub fn record_attempt<T>(&self, result: &cairn_core::Result<T>) -> Option<u32> {
        let mut f = guard(&self.failures);
        f.in_progress = false;
        match result {
            Ok(_) => {
                *f = Failures::default();
                None
            }
            Err(e) if e.is_wrong_secret() => {
                f.count = f.count.saturating_add(1);
                // The vault folder's record may ask for longer (tries before a restart).
                let delay = cairn_core::retry_delay(f.count).max(Vault::unlock_wait(&self.dir()));
                f.not_before = Some(Instant::now() + delay);
                Some(delay.as_millis().min(u32::MAX as u128) as u32)
            }
            Err(_) => None,
        }
    }

    /// Registers a job's cancel switch.
    pub fn start_job(&self, id: &str) -> Arc<AtomicBool> {
        let flag = Arc::new(AtomicBool::new(false));
        guard(&self.jobs).insert(id.to_string(), flag.clone());
        flag
    }

    /// Registers a job the window cannot name (it is stopped by locking, not by a
    /// cancel button): its id, `kind` and a number, and its cancel switch.
    pub fn start_own_job(&self, kind: &str) -> (String, Arc<AtomicBool>) {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let id = format!("{kind}-{}", NEXT.fetch_add(1, Ordering::Relaxed));
        let cancel = self.start_job(&id);
        (id, cancel)
    }

    /// Forgets a finished job.
    pub fn end_job(&self, id: &str) {
        guard(&self.jobs).remove(id);
    }

    /// Asks a job to stop.
    pub fn cancel_job(&self, id: &str) {
        if let Some(f) = guard(&self.jobs).get(id) {
            f.store(true, Ordering::SeqCst);
        }
    }
}
