//! Entry points and shared constants for the fuzz targets in `fuzz/` and the seed
//! maker `examples/fuzz_seeds.rs`. Hidden from the documentation: not part of the
//! crate's API, and may change at any time.

/// The passphrase the `bundle_reader` fuzz target tries on sealed input, and the one
/// its seed bundle is sealed with.
pub const SEAL_PASSPHRASE: &str = "seven bridges over the quiet river Tay";

/// First byte of a `bundle_reader` input (taken modulo 4): the rest is read with no
/// key, as `cairn verify-bundle FILE` does.
pub const MODE_NO_KEY: u8 = 0;
/// First byte: the rest is read with [`SEAL_PASSPHRASE`].
pub const MODE_PASSPHRASE: u8 = 1;
/// First byte: the target seals the rest (as ZIP bytes) to an age X25519 key of its
/// own and reads it back with that key's identity file, so fuzzed ZIP structure is
/// read through age's decrypting, seeking stream.
pub const MODE_SEAL_TO_KEY: u8 = 2;
/// First byte: the rest is files (split at [`PACKED_SEPARATOR`], each its name, a
/// newline, then its bytes) that the target packs into a ZIP itself, with correct
/// CRCs, and reads with no key: fuzzed bag, chain and record content reaches the
/// checks past the ZIP layer (whose CRC check stops most edits to a real bundle).
pub const MODE_PACKED: u8 = 3;
/// Between the files of a [`MODE_PACKED`] input.
pub const PACKED_SEPARATOR: &[u8] = b"\n\0cairn-fuzz-file\0\n";

/// A receipt as [`verify_bundle`](crate::verify_bundle) reads one.
pub type ParsedReceipt = (String, u64, Option<String>, Option<String>, Option<String>);

/// Reads a receipt exactly as [`verify_bundle`](crate::verify_bundle) does with one:
/// `(vault id, entries covered, tree head in hex, head entry's hash in hex — each
/// perhaps only a prefix, from a short form — and the signed note when the whole
/// note was given)`, or `None` when `text` is not a Cairn receipt.
pub fn parse_receipt(text: &str) -> Option<ParsedReceipt> {
    crate::receipt::parse(text).map(|p| (p.vault_id, p.size, p.root, p.head, p.note))
}
