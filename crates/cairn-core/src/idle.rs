//! The idle deadline: an open vault locks after the minutes her settings give without
//! use. The window watches for use and locks on time; this is the same rule kept on
//! the Rust side, so a page that hangs (or a script that stops the window's timer)
//! cannot keep the vault open. The window reports use with [`Idle::touch`], at most
//! every [`TOUCH_EVERY`]; the deadline allows for that, and for the window's own lock
//! coming first, with [`GRACE`].

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::Settings;

/// How often the window reports use, at most.
pub const TOUCH_EVERY: Duration = Duration::from_secs(15);
/// Added to her auto-lock minutes: the window's lock comes first when it works.
pub const GRACE: Duration = Duration::from_secs(30);

/// When the vault was last used.
#[derive(Debug)]
pub struct Idle {
    last: Mutex<Instant>,
}

impl Default for Idle {
    fn default() -> Self {
        Idle::new()
    }
}

impl Idle {
    /// Used just now.
    pub fn new() -> Idle {
        Idle {
            last: Mutex::new(Instant::now()),
        }
    }

    /// Notes use now.
    pub fn touch(&self) {
        *self.last.lock().unwrap_or_else(|p| p.into_inner()) = Instant::now();
    }

    /// True once `now` is past the deadline `settings` give.
    pub fn expired_at(&self, settings: &Settings, now: Instant) -> bool {
        let last = *self.last.lock().unwrap_or_else(|p| p.into_inner());
        let limit = Duration::from_secs(u64::from(settings.auto_lock_minutes) * 60) + GRACE;
        now.saturating_duration_since(last) > limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deadline_is_her_minutes_and_the_grace_from_the_last_use() {
        let idle = Idle::new();
        let s = Settings {
            auto_lock_minutes: 1,
            ..Settings::default()
        };
        let t0 = Instant::now();
        assert!(!idle.expired_at(&s, t0 + Duration::from_secs(60)));
        assert!(idle.expired_at(&s, t0 + Duration::from_secs(91)));
        idle.touch();
        assert!(!idle.expired_at(&s, Instant::now() + Duration::from_secs(89)));
    }
}
