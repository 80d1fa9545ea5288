//! Reading secrets: from a file's first line, or from the terminal without echo.

use std::io::IsTerminal;
use std::path::Path;

use cairn_core::{Error, Passphrase};
use zeroize::Zeroizing;

fn first_line(path: &Path) -> Result<Zeroizing<String>, Error> {
    let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
        Error::Invalid(format!("Could not read {} ({}).", path.display(), e.kind()))
    })?);
    let line = text.lines().next().unwrap_or("");
    Ok(Zeroizing::new(line.trim_end_matches('\r').to_string()))
}

fn prompt(label: &str) -> Result<Zeroizing<String>, Error> {
    if !std::io::stdin().is_terminal() {
        return Err(Error::Invalid(
            "There is no terminal to ask on; give the secret in a file with --passphrase-file (or the matching --…-file option).".into(),
        ));
    }
    rpassword::prompt_password(label)
        .map(Zeroizing::new)
        .map_err(|e| Error::Invalid(format!("Could not read from the terminal ({e}).")))
}

/// The passphrase: first line of `file`, or asked on the terminal.
pub fn read_passphrase(file: Option<&Path>, label: &str) -> Result<Passphrase, Error> {
    let s = match file {
        Some(f) => first_line(f)?,
        None => prompt(label)?,
    };
    if s.is_empty() {
        return Err(Error::Invalid("The passphrase is empty.".into()));
    }
    Ok(Passphrase::new(s.as_str()))
}

/// A new passphrase: first line of `file`, or asked twice on the terminal.
pub fn read_new_passphrase(file: Option<&Path>) -> Result<Passphrase, Error> {
    if let Some(f) = file {
        return read_passphrase(Some(f), "");
    }
    let a = prompt("New passphrase: ")?;
    let b = prompt("Type it again: ")?;
    if *a != *b {
        return Err(Error::Invalid(
            "The two passphrases are different; nothing was changed.".into(),
        ));
    }
    Ok(Passphrase::new(a.as_str()))
}

/// The recovery code: first line of `file`, or asked on the terminal.
pub fn read_recovery_code(file: Option<&Path>) -> Result<Zeroizing<String>, Error> {
    match file {
        Some(f) => first_line(f),
        None => prompt("Recovery code: "),
    }
}
