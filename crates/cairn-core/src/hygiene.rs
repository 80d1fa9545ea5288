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

static SECURE_DATABASE_MEMORY: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// Turns on SQLCipher's memory security for this process: every allocation SQLite
/// makes (decrypted pages included) is locked in memory, so it is never written to
/// swap, and wiped when freed. It cannot be turned off again. It doubles the time of a
/// large import (issue 5 measured 6.5 s against 13.4 s for 100,000 messages), so the
/// desktop app turns it on, where a vault stays open for a long time, and the
/// command line, whose commands are short and run bulk imports, leaves it off.
pub fn secure_database_memory() {
    SECURE_DATABASE_MEMORY.store(true, std::sync::atomic::Ordering::SeqCst);
    // Turned on now, before any database is opened.
    if let Ok(c) = rusqlite::Connection::open_in_memory() {
        let _ = c.execute_batch("PRAGMA cipher_memory_security = ON;");
    }
}

/// Whether [`secure_database_memory`] was called.
pub(crate) fn database_memory_wanted() -> bool {
    SECURE_DATABASE_MEMORY.load(std::sync::atomic::Ordering::SeqCst)
}

/// What SQLCipher reports: is its memory security on in this process?
pub fn database_memory_secured() -> bool {
    use rusqlite::types::Value;
    // SQLCipher answers with the text "1" or "0".
    rusqlite::Connection::open_in_memory()
        .and_then(|c| {
            c.query_row("PRAGMA cipher_memory_security", [], |r| {
                r.get::<_, Value>(0)
            })
        })
        .is_ok_and(|v| matches!(v, Value::Integer(1)) || v == Value::Text("1".into()))
}
