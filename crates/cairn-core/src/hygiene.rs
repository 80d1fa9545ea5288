//! What Cairn does to its own process before it holds any secret.

/// Stops the process ever writing a core dump (which would hold keys and whatever
/// was open) and, on Linux, stops other processes of the same user from reading its
/// memory through ptrace or `/proc` (the process is marked not dumpable). Call first
/// thing in `main`. Failure is not fatal: there is nothing better to do than go on.
pub fn no_core_dumps() {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{
            set_dumpable_behavior, setrlimit, DumpableBehavior, Resource, Rlimit,
        };
        let _ = setrlimit(
            Resource::Core,
            Rlimit {
                current: Some(0),
                maximum: Some(0),
            },
        );
        let _ = set_dumpable_behavior(DumpableBehavior::NotDumpable);
    }
}
