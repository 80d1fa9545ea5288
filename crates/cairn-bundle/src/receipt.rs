//! Receipts: the vault's newest signed checkpoint as short text she can email to
//! herself or her solicitor, or write down. A later bundle whose tree extends the
//! receipt's shows the history before it was not rewritten.
//!
//! The line to write down is `cairn-receipt 2 <vault id> <size> <first 32 hex digits
//! of the tree head>` (128 bits). Receipts from format 1 — `cairn-receipt <vault id>
//! <size> <first 16 hex digits of the head entry's hash>`, or a checkpoint note of the
//! old form — are still read.

use base64::Engine;
use cairn_core::{Error, Result, Vault};
use serde::Serialize;

/// Hex digits of the tree head in the short form: 128 bits. Finding a second history
/// with the same prefix as one already given out takes about 2^128 tries; someone who
/// holds the keys and prepares two histories before giving the receipt needs about
/// 2^64 (a 64-bit prefix, as format 1 printed, falls to 2^32).
pub const SHORT_HEX: usize = 32;

/// A receipt as printed by `cairn receipt`.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
pub struct Receipt {
    /// The vault.
    pub vault_id: String,
    /// Chain entries covered.
    pub size: u64,
    /// The Merkle tree head over those entries, hex.
    pub root: String,
    /// Hash of entry `size`, hex.
    pub head: String,
    /// When the checkpoint was signed.
    pub time: String,
    /// The line to write down: `cairn-receipt 2 <vault> <size> <32 hex of the root>`.
    pub short: String,
    /// The signed checkpoint (C2SP tlog-checkpoint form).
    pub note: String,
}

/// A receipt read back: from a signed note, or from a short line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Parsed {
    pub vault_id: String,
    pub size: u64,
    /// The tree head, hex (a prefix of at least 32 digits from the short form).
    pub root: Option<String>,
    /// The head entry's hash, hex (a prefix of at least 16 digits from a format-1
    /// short form).
    pub head: Option<String>,
    /// The note, when the whole note was given (its signature is then checked).
    pub note: Option<String>,
}

/// The vault's current receipt, signed now; the vault notes that this tree head left
/// the laptop, so later bundles can prove they extend it.
pub fn receipt(vault: &mut Vault) -> Result<Receipt> {
    let note = vault.sign_checkpoint()?;
    let cp = cairn_core::checkpoint::verify(&note, &vault.device_public_key()).map_err(|why| {
        Error::Internal(format!("a checkpoint just signed does not verify ({why})"))
    })?;
    let root = cp
        .root
        .clone()
        .ok_or_else(|| Error::Internal("a checkpoint just signed has no tree head".into()))?;
    vault.note_head_given(cp.size, "receipt")?;
    let short = format!(
        "cairn-receipt 2 {} {} {}",
        vault.vault_id(),
        cp.size,
        &root[..SHORT_HEX]
    );
    Ok(Receipt {
        vault_id: vault.vault_id().to_string(),
        size: cp.size,
        root,
        head: cp.head,
        time: cp.time,
        short,
        note,
    })
}

/// What a receipt she kept says of the vault as it is now.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceiptCheck {
    /// The vault extends the receipt: nothing before it was changed or removed.
    pub ok: bool,
    /// Entries the receipt covers.
    pub receipt_size: u64,
    /// Entries the vault holds now.
    pub vault_size: u64,
    /// A stable code: `extends`, `rolled_back`, `rewritten`, `other_vault`.
    pub code: &'static str,
    /// One plain sentence.
    pub message: String,
}

/// Checks the vault against a receipt she kept (the note or the short line): its
/// chain must hold at least the receipt's entries, with the same tree head (or head
/// entry, for a format-1 receipt). A vault shorter than a head it once signed has been
/// put back to an older copy (or had entries removed): that is a finding naming both
/// sizes, never a quiet pass. A whole note's signature is checked too.
pub fn check_vault(vault: &Vault, text: &str) -> Result<ReceiptCheck> {
    let r = parse(text).ok_or_else(|| {
        Error::Invalid(
            "That is not a Cairn receipt (a `cairn-receipt` line or a signed checkpoint).".into(),
        )
    })?;
    let tree = vault.merkle_tree()?;
    let size = tree.size();
    let done = |ok: bool, code: &'static str, message: String| ReceiptCheck {
        ok,
        receipt_size: r.size,
        vault_size: size,
        code,
        message,
    };
    if r.vault_id != vault.vault_id() {
        return Ok(done(
            false,
            "other_vault",
            "That receipt is for a different vault.".into(),
        ));
    }
    if let Some(note) = &r.note {
        if cairn_core::checkpoint::verify(note, &vault.device_public_key()).is_err() {
            return Ok(done(
                false,
                "rewritten",
                "That receipt's signature is not this vault's: it was altered, or the vault's keys were replaced.".into(),
            ));
        }
    }
    if r.size > size {
        return Ok(done(
            false,
            "rolled_back",
            format!(
                "This vault holds {size} entries, but your receipt covers {}: entries were removed since, most likely by putting the vault folder back to an older copy. Keep the receipt and every backup, and restore the newest backup.",
                r.size
            ),
        ));
    }
    let matches = match (&r.root, &r.head) {
        (Some(root), _) => crate::bag::hex(&tree.root_at(r.size)).starts_with(root.as_str()),
        (None, Some(head)) => vault
            .chain()?
            .get(
                usize::try_from(r.size)
                    .unwrap_or(usize::MAX)
                    .wrapping_sub(1),
            )
            .is_some_and(|e| e.hash.starts_with(head.as_str())),
        (None, None) => false,
    };
    Ok(if matches {
        done(
            true,
            "extends",
            format!(
                "The vault extends your receipt: {} as {} then, and {} since.",
                entries_phrase(r.size),
                if r.size == 1 { "it was" } else { "they were" },
                match size - r.size {
                    0 => "none was added".to_string(),
                    1 => "1 was added".to_string(),
                    n => format!("{n} were added"),
                }
            ),
        )
    } else {
        done(
            false,
            "rewritten",
            format!(
                "The vault's {} not what your receipt covers: its history was rewritten since.",
                if r.size == 1 {
                    "first entry is".to_string()
                } else {
                    format!("first {} entries are", r.size)
                }
            ),
        )
    })
}

/// "its first entry", "its first 12 entries" ("its 0 entries" for an empty receipt).
fn entries_phrase(n: u64) -> String {
    match n {
        1 => "its first entry is".to_string(),
        n => format!("its first {n} entries are"),
    }
}

fn hex_of(b64: &str) -> Option<String> {
    base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok()
        .filter(|h| h.len() == 32)
        .map(|h| crate::bag::hex(&h))
}

fn is_hex(s: &str, min: usize) -> bool {
    s.len() >= min && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Reads a receipt: the signed note (as printed, perhaps inside an email) or the
/// short line, of either format.
pub(crate) fn parse(text: &str) -> Option<Parsed> {
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    if let Some(i) = lines.iter().position(|l| l.starts_with("cairn/vault/")) {
        let vault_id = lines[i].strip_prefix("cairn/vault/")?.to_string();
        let size: u64 = lines.get(i + 1)?.trim().parse().ok()?;
        let third = hex_of(lines.get(i + 2)?)?;
        // The note runs from the origin line to the signature line.
        let end = lines
            .iter()
            .skip(i)
            .position(|l| l.starts_with('\u{2014}'))?
            + i;
        let body = &lines[i..end];
        let head_ext = body.iter().find_map(|l| l.strip_prefix("cairn-head "));
        let note = lines[i..=end].join("\n") + "\n";
        // A `cairn-head` line makes the third line a tree head; `-` leaves the head
        // entry out (a bundle's checkpoint that shows only its own entries).
        let (root, head) = match head_ext {
            Some("-") => (Some(third), None),
            Some(h) => (Some(third), Some(hex_of(h)?)),
            None => (None, Some(third)),
        };
        return Some(Parsed {
            vault_id,
            size,
            root,
            head,
            note: Some(note),
        });
    }
    let line = lines
        .iter()
        .find(|l| l.trim_start().starts_with("cairn-receipt "))?;
    let parts: Vec<&str> = line.split_whitespace().skip(1).collect();
    match parts.as_slice() {
        ["2", vault, size, root] if is_hex(root, SHORT_HEX) => Some(Parsed {
            vault_id: vault.to_string(),
            size: size.parse().ok()?,
            root: Some(root.to_ascii_lowercase()),
            head: None,
            note: None,
        }),
        [vault, size, head] if is_hex(head, 16) => Some(Parsed {
            vault_id: vault.to_string(),
            size: size.parse().ok()?,
            root: None,
            head: Some(head.to_ascii_lowercase()),
            note: None,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_forms_of_both_formats() {
        let v = "ab".repeat(16);
        let p = parse(&format!("cairn-receipt 2 {v} 12 {}", "c".repeat(32))).unwrap();
        assert_eq!(
            (p.size, p.root.as_deref(), p.head),
            (12, Some(&*"c".repeat(32)), None)
        );
        let p = parse(&format!("  cairn-receipt {v} 7 {}", "D".repeat(16))).unwrap();
        assert_eq!(
            (p.size, p.root, p.head.as_deref()),
            (7, None, Some(&*"d".repeat(16)))
        );
        // A format-2 line with a 64-bit head is not enough.
        assert!(parse(&format!("cairn-receipt 2 {v} 12 {}", "c".repeat(31))).is_none());
        assert!(parse(&format!("cairn-receipt 2 {v} 12 {}", "c".repeat(16))).is_none());
        assert!(parse("cairn-receipt nonsense").is_none());
    }
}
