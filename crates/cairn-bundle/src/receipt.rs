//! Receipts: the vault's newest signed checkpoint as short text she can email to
//! herself or her solicitor, or write down. A later bundle whose chain extends the
//! receipt shows the history before it was not rewritten.

use base64::Engine;
use cairn_core::{Error, Result, Vault};
use serde::Serialize;

/// A receipt as printed by `cairn receipt`.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct Receipt {
    /// The vault.
    pub vault_id: String,
    /// Chain entries covered.
    pub size: u64,
    /// Hash of entry `size`, hex.
    pub head: String,
    /// When the checkpoint was signed.
    pub time: String,
    /// The line to write down: `cairn-receipt <vault> <size> <first 16 of head>`.
    pub short: String,
    /// The signed note (C2SP signed-note form).
    pub note: String,
}

/// A receipt read back: from a signed note, or from the short line.
pub(crate) struct Parsed {
    pub vault_id: String,
    pub size: u64,
    /// Hex, possibly a prefix (at least 16 digits) from the short form.
    pub head: String,
    /// The note, when the whole note was given (its signature is then checked).
    pub note: Option<String>,
}

/// The vault's current receipt.
pub fn receipt(vault: &Vault) -> Result<Receipt> {
    let note = vault.latest_checkpoint()?.ok_or_else(|| {
        Error::Invalid("The vault has no signed checkpoint yet; add something first.".into())
    })?;
    let cp = cairn_core::checkpoint::verify(&note, &vault.device_public_key()).map_err(|why| {
        Error::DatabaseDamaged(format!("its newest checkpoint does not verify ({why})"))
    })?;
    let short = format!(
        "cairn-receipt {} {} {}",
        vault.vault_id(),
        cp.size,
        &cp.head[..16]
    );
    Ok(Receipt {
        vault_id: vault.vault_id().to_string(),
        size: cp.size,
        head: cp.head,
        time: cp.time,
        short,
        note,
    })
}

/// Reads a receipt: the signed note (as printed, perhaps inside an email) or the
/// short line.
pub(crate) fn parse(text: &str) -> Option<Parsed> {
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    if let Some(i) = lines.iter().position(|l| l.starts_with("cairn/vault/")) {
        let vault_id = lines[i].strip_prefix("cairn/vault/")?.to_string();
        let size: u64 = lines.get(i + 1)?.trim().parse().ok()?;
        let head = base64::engine::general_purpose::STANDARD
            .decode(lines.get(i + 2)?.trim())
            .ok()
            .filter(|h| h.len() == 32)?;
        // The note runs from the origin line to the signature line.
        let end = lines
            .iter()
            .skip(i)
            .position(|l| l.starts_with('\u{2014}'))?
            + i;
        let note = lines[i..=end].join("\n") + "\n";
        return Some(Parsed {
            vault_id,
            size,
            head: crate::bag::hex(&head),
            note: Some(note),
        });
    }
    let line = lines
        .iter()
        .find(|l| l.trim_start().starts_with("cairn-receipt "))?;
    let mut parts = line.split_whitespace().skip(1);
    let vault_id = parts.next()?.to_string();
    let size: u64 = parts.next()?.parse().ok()?;
    let head = parts.next()?.to_ascii_lowercase();
    if head.len() < 16 || !head.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some(Parsed {
        vault_id,
        size,
        head,
        note: None,
    })
}
