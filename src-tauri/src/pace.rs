//! Passes a long job's progress to the window no more than ten times a second; a new
//! step and the end of a step always get through.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use tauri::ipc::{Channel, IpcResponse};

use crate::state::guard;

/// How often, at most, a job tells the window how far it is within a step.
const EVERY: Duration = Duration::from_millis(100);

/// Progress of one job over `channel`; `K` names the step.
pub(crate) struct Paced<'a, T: IpcResponse, K> {
    channel: &'a Channel<T>,
    last: Mutex<Option<(K, Instant)>>,
}

impl<'a, T: IpcResponse, K: PartialEq + Copy> Paced<'a, T, K> {
    pub(crate) fn new(channel: &'a Channel<T>) -> Self {
        Paced {
            channel,
            last: Mutex::new(None),
        }
    }

    /// Sends `p`, which is in step `step` and ends it when `end`, if it is time to.
    pub(crate) fn send(&self, step: K, end: bool, p: T) {
        let mut last = guard(&self.last);
        let now = Instant::now();
        let due = match *last {
            Some((s, at)) => s != step || end || now.duration_since(at) >= EVERY,
            None => true,
        };
        if due {
            *last = Some((step, now));
            let _ = self.channel.send(p);
        }
    }
}
