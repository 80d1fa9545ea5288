//! The error every command returns: a stable code the UI can branch on and one plain
//! sentence it can show as is.

use serde::Serialize;

/// An error crossing into the UI.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AppError {
    /// Stable machine code (`wrong_passphrase`, `locked`, `disk_full`, …).
    pub code: String,
    /// One plain sentence for her.
    pub message: String,
    /// After repeated wrong passphrases: wait this long before trying again.
    pub retry_after_ms: Option<u32>,
}

impl AppError {
    /// An error the shell itself raises.
    pub fn new(code: &str, message: impl Into<String>) -> AppError {
        AppError {
            code: code.into(),
            message: message.into(),
            retry_after_ms: None,
        }
    }

    /// A failure inside the shell itself (a worker thread that did not finish).
    pub fn internal() -> AppError {
        AppError::new(
            "internal",
            "Something went wrong inside Cairn; nothing was changed.",
        )
    }

    /// The vault is locked (or was locked while the request was on its way).
    pub fn locked() -> AppError {
        AppError::new("locked", "Cairn is locked. Unlock it to continue.")
    }
}

impl From<cairn_core::Error> for AppError {
    fn from(e: cairn_core::Error) -> AppError {
        let mut a = AppError::new(e.code(), e.to_string());
        if let cairn_core::Error::TooSoon { wait_ms } = e {
            a.retry_after_ms = Some(wait_ms.min(u32::MAX as u64) as u32);
        }
        a
    }
}

/// What every command returns.
pub type CmdResult<T> = Result<T, AppError>;
