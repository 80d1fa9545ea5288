-- Schema 7 (format 2): the Merkle tree head checkpoints sign, salts that commit to the
-- fields a bundle may withhold, and the sizes at which a tree head left the laptop.

-- The right edge of the RFC 6962 tree over every entry hash (docs/FORMAT.md §7): the
-- roots of its perfect subtrees, largest first, 32 bytes each. Kept in step with the
-- chain in every write; filled from the chain when a vault is upgraded.
CREATE TABLE merkle (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    size     INTEGER NOT NULL,
    frontier BLOB NOT NULL
) STRICT;

-- Withholdable fields (docs/FORMAT.md §5.6): canonical JSON {field: salt} for a
-- version whose record hash is over its committed form; NULL for versions written
-- before schema 7 and for records with no withholdable field. Redaction empties it.
ALTER TABLE versions ADD COLUMN salts TEXT;
DROP TRIGGER versions_only_redact;
CREATE TRIGGER versions_only_redact BEFORE UPDATE ON versions
WHEN NEW.record IS NOT NULL OR NEW.salts IS NOT NULL
  OR NEW.item_id IS NOT OLD.item_id OR NEW.version IS NOT OLD.version
  OR NEW.seq IS NOT OLD.seq OR NEW.record_sha256 IS NOT OLD.record_sha256
  OR NEW.content_sha256 IS NOT OLD.content_sha256
BEGIN SELECT RAISE(ABORT, 'versions change only by redaction'); END;

-- Tree sizes whose signed head left the laptop (a receipt she was shown, a bundle
-- she made): bundles that carry only the exported entries carry a consistency proof
-- from each, so a receipt or an earlier bundle can be checked against them. Not
-- evidence, not in the chain.
CREATE TABLE heads_given (
    size INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('receipt', 'bundle')),
    at   INTEGER NOT NULL
) STRICT;
