//! The SQLCipher database `vault.db`: opening with a raw key, the pragmas Cairn relies
//! on, versioned migrations, and mapping SQLCipher's terse errors to our own.

use std::path::Path;

use rusqlite::{Connection, ErrorCode, OpenFlags};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::secret::SecretKey;

/// Name of the database file inside the vault folder.
pub const DB_FILE: &str = "vault.db";

/// Schema migrations, applied in order; `PRAGMA user_version` records how many ran.
pub(crate) const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_initial.sql"),
    include_str!("../migrations/0002_item_index.sql"),
    include_str!("../migrations/0003_reports_exhibits.sql"),
    include_str!("../migrations/0004_messages_search.sql"),
    include_str!("../migrations/0005_conversations.sql"),
    include_str!("../migrations/0006_search_secure_delete.sql"),
    include_str!("../migrations/0007_tree_commitments.sql"),
    include_str!("../migrations/0008_retired_keys.sql"),
];

/// Highest schema version this build understands.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Maps a rusqlite error to a Cairn error.
pub(crate) fn map_err(e: rusqlite::Error) -> Error {
    if let rusqlite::Error::SqliteFailure(f, _) = &e {
        match f.code {
            ErrorCode::NotADatabase => {
                return Error::DatabaseDamaged(
                    "it cannot be decrypted with this vault's key".into(),
                )
            }
            ErrorCode::DatabaseCorrupt => {
                return Error::DatabaseDamaged(
                    "a page failed its check; run `cairn verify` to see which".into(),
                )
            }
            ErrorCode::DiskFull => return Error::DiskFull,
            ErrorCode::SystemIoFailure | ErrorCode::CannotOpen => {
                return Error::DatabaseIo(e.to_string())
            }
            ErrorCode::ReadOnly => return Error::DatabaseIo("the disk is read-only".into()),
            ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => return Error::Busy,
            _ => {}
        }
    }
    Error::Database(e.to_string())
}

/// SQLite reports a full disk as a plain I/O error when it cannot grow its shared-memory
/// or log file; if the vault's disk has (almost) no space left, say that instead.
pub(crate) fn refine_io(dir: &Path, e: Error) -> Error {
    match e {
        Error::DatabaseIo(_) if fs4::available_space(dir).is_ok_and(|free| free < 1 << 20) => {
            Error::DiskFull
        }
        e => e,
    }
}

/// If `e` means damage, asks SQLCipher which page is bad and says so.
pub(crate) fn locate_damage(conn: &Connection, e: Error) -> Error {
    match e {
        Error::DatabaseDamaged(_) => match integrity_problems(conn).into_iter().next() {
            Some(line) => Error::DatabaseDamaged(format!("SQLCipher reports \"{line}\"")),
            None => e,
        },
        e => e,
    }
}

/// Opens (or creates) `vault.db` keyed with `key`, applies pragmas and migrations.
pub(crate) fn open(dir: &Path, key: &SecretKey, create: bool) -> Result<Connection> {
    let path = dir.join(DB_FILE);
    if !create && !path.exists() {
        return Err(Error::DatabaseDamaged(
            "the database file is missing".into(),
        ));
    }
    // A link planted where the database should be is refused before this (see
    // fsutil::check_vault_shape); SQLite's own NOFOLLOW would also refuse folders above
    // the vault that are links (`/home` on some systems).
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let conn = Connection::open_with_flags(&path, flags).map_err(map_err)?;
    // SQLite creates files 0644; the WAL and shared-memory files copy the database's mode.
    #[cfg(unix)]
    if create {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| Error::io("protect", &path, e))?;
    }
    // Off unless the process asked for it (see `hygiene::secure_database_memory`):
    // once on, SQLCipher keeps it on for the life of the process.
    conn.execute_batch(if crate::hygiene::database_memory_wanted() {
        "PRAGMA cipher_memory_security = ON;"
    } else {
        "PRAGMA cipher_memory_security = OFF;"
    })
    .map_err(map_err)?;
    conn.execute_batch(&key_pragma("key", key))
        .map_err(map_err)?;
    // SQLCipher logs to stderr by default; our errors say everything the user needs.
    // This must come after the key: keying first activates SQLCipher, which resets a
    // level of NONE set earlier to its default (WARN, to stderr).
    let _ = conn.execute_batch("PRAGMA cipher_log_level = NONE;");
    // SQLCipher only notices a wrong key (or a damaged first page) at the first read.
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(map_err)?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .map_err(map_err)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(Error::Database(format!(
            "could not switch to WAL (got {mode})"
        )));
    }
    conn.execute_batch(
        "PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA secure_delete = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -65536;
         PRAGMA busy_timeout = 5000;",
    )
    .map_err(map_err)?;
    migrate(&conn).map_err(|e| locate_damage(&conn, e))?;
    Ok(conn)
}

/// Opens the database file at `path` read-only with `key`, only to look (no
/// migration, no journal change); `None` if it does not open with that key.
pub(crate) fn peek(path: &Path, key: &SecretKey) -> Option<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).ok()?;
    conn.execute_batch(&key_pragma("key", key)).ok()?;
    let _ = conn.execute_batch("PRAGMA cipher_log_level = NONE;");
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })
    .ok()?;
    Some(conn)
}

/// `PRAGMA <name> = "x'<hex>'";`, built in place in one zeroizing buffer (no
/// intermediate copies of the key text).
fn key_pragma(name: &str, key: &SecretKey) -> Zeroizing<String> {
    let mut sql = Zeroizing::new(String::with_capacity(96));
    sql.push_str("PRAGMA ");
    sql.push_str(name);
    sql.push_str(" = \"x'");
    for b in key.expose() {
        const H: &[u8; 16] = b"0123456789abcdef";
        sql.push(H[(b >> 4) as usize] as char);
        sql.push(H[(b & 15) as usize] as char);
    }
    sql.push_str("'\";");
    sql
}

/// Folds the write-ahead log into `vault.db` and empties it, so the file alone holds
/// everything committed (before it is copied or re-keyed); `Busy` if another
/// connection holds it.
pub(crate) fn fold_log(conn: &Connection) -> Result<()> {
    let busy: i64 = conn
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))
        .map_err(map_err)?;
    if busy != 0 {
        return Err(Error::Busy);
    }
    Ok(())
}

/// Re-encrypts every page of the open database under `key`, in one transaction: a
/// crash leaves it wholly under the old key or wholly under the new one. SQLCipher's
/// re-key is not crash-safe in WAL mode (a kill mid-way was seen to leave pages under
/// both keys), so the log is folded in and the database switched to a rollback journal
/// for it: the journal keeps each page as it was, under the old key, and a hot journal
/// found at the next opening puts them back. Then back to WAL.
pub(crate) fn rekey(conn: &Connection, key: &SecretKey) -> Result<()> {
    fold_log(conn)?;
    let journal = |mode: &str| -> Result<()> {
        let got: String = conn
            .query_row(&format!("PRAGMA journal_mode = {mode}"), [], |r| r.get(0))
            .map_err(map_err)?;
        if !got.eq_ignore_ascii_case(mode) {
            return Err(Error::Database(format!(
                "could not switch the journal to {mode} (got {got})"
            )));
        }
        Ok(())
    };
    journal("DELETE")?;
    let rekeyed = conn
        .execute_batch(&key_pragma("rekey", key))
        .map_err(map_err);
    let back = journal("WAL");
    rekeyed.and(back)
}

/// Applies every migration the vault has not had yet.
pub(crate) fn migrate(conn: &Connection) -> Result<()> {
    let current: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(map_err)?;
    if current > SCHEMA_VERSION {
        return Err(Error::NewerFormat {
            found: current,
            supported: SCHEMA_VERSION,
        });
    }
    if current == SCHEMA_VERSION {
        return Ok(());
    }
    // A migration may rebuild a table that others reference (SQLite's procedure for
    // schema changes ALTER TABLE cannot make): foreign keys are off while migrations
    // run (the pragma is ignored inside a transaction), and each migration is checked
    // with foreign_key_check before it commits.
    conn.execute_batch("PRAGMA foreign_keys = OFF;")
        .map_err(map_err)?;
    let result = (|| {
        for v in current..SCHEMA_VERSION {
            let sql = MIGRATIONS[v as usize];
            let step = (|| {
                conn.execute_batch(&format!(
                    "BEGIN IMMEDIATE; {sql}\nPRAGMA user_version = {};",
                    v + 1
                ))?;
                // Work SQL scripts cannot do, in the same transaction.
                if v + 1 == 4 || v + 1 == 6 {
                    crate::search::rebuild(conn)?;
                }
                if v + 1 == 7 {
                    crate::tree::rebuild(conn)?;
                }
                let broken: i64 =
                    conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                        r.get(0)
                    })?;
                Ok::<i64, rusqlite::Error>(broken)
            })();
            match step {
                Ok(0) => conn.execute_batch("COMMIT;").map_err(map_err)?,
                Ok(n) => {
                    let _ = conn.execute_batch("ROLLBACK;");
                    return Err(Error::DatabaseDamaged(format!(
                        "upgrading it to schema {} would leave {n} broken references",
                        v + 1
                    )));
                }
                Err(e) => {
                    let _ = conn.execute_batch("ROLLBACK;");
                    return Err(map_err(e));
                }
            }
        }
        Ok(())
    })();
    conn.execute_batch("PRAGMA foreign_keys = ON;")
        .map_err(map_err)?;
    result
}

/// `PRAGMA cipher_integrity_check` and `PRAGMA integrity_check`: one line per problem.
pub(crate) fn integrity_problems(conn: &Connection) -> Vec<String> {
    let mut out = Vec::new();
    for pragma in ["PRAGMA cipher_integrity_check", "PRAGMA integrity_check"] {
        let rows = conn.prepare(pragma).and_then(|mut st| {
            st.query_map([], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<String>>>()
        });
        match rows {
            Ok(lines) => out.extend(lines.into_iter().filter(|l| l != "ok")),
            Err(e) => out.push(format!("{pragma} failed: {e}")),
        }
    }
    out
}
