//! How far an import has got, for a progress bar: which step, and how much of it.

use std::io::{self, Read};

/// A step of an import, in the order they run (a step an export does not need is
/// skipped).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename = "ImportStep", rename_all = "lowercase")]
pub enum Step {
    /// Reading and checking the export (bytes).
    Reading,
    /// Keeping the export, encrypted, as the exhibit (bytes).
    Keeping,
    /// Keeping the attached files (files).
    Files,
    /// Writing the messages on record (messages).
    Recording,
}

/// Where an import is: `done` of `total` in `step` (bytes, files or messages).
#[cfg_attr(feature = "specta", derive(specta::Type))]
// Named for the UI, which has another Progress (a file job's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename = "ImportProgress")]
pub struct Progress {
    /// The step.
    pub step: Step,
    /// How much of it is done.
    pub done: u64,
    /// How much there is (0 when not known).
    pub total: u64,
}

/// Told of each step's progress; called on the importing thread.
pub type OnProgress<'a> = &'a (dyn Fn(Progress) + Sync);

/// Says nothing (the CLI's imports).
pub fn quiet(_: Progress) {}

/// Tells `progress` that `done` of `total` of `step` is done.
pub(crate) fn tell(progress: OnProgress<'_>, step: Step, done: u64, total: u64) {
    progress(Progress { step, done, total });
}

/// Reads through to `inner`, reporting the bytes read so far in `step` every MiB.
pub(crate) struct Counting<'a, R> {
    inner: R,
    step: Step,
    total: u64,
    done: u64,
    reported: u64,
    progress: OnProgress<'a>,
}

impl<'a, R> Counting<'a, R> {
    pub(crate) fn new(inner: R, step: Step, total: u64, progress: OnProgress<'a>) -> Self {
        tell(progress, step, 0, total);
        Counting {
            inner,
            step,
            total,
            done: 0,
            reported: 0,
            progress,
        }
    }
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.done += n as u64;
        if self.done >= self.reported + (1 << 20) || (n == 0 && self.done > self.reported) {
            self.reported = self.done;
            tell(
                self.progress,
                self.step,
                self.done,
                self.total.max(self.done),
            );
        }
        Ok(n)
    }
}
