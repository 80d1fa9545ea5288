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

-- Which import each message came from (the file item holding the original export), so
-- a bundle can leave out an export that still holds messages she redacted. For messages
-- redacted before schema 7 it is the export imported last before them (an import
-- writes its export, its attachments, then its messages, in one transaction); unknown
-- if every message of that import was redacted.
ALTER TABLE message_index ADD COLUMN export TEXT;
UPDATE message_index SET export = (
    SELECT json_extract(v.record, '$.export') FROM versions v
    WHERE v.item_id = message_index.item_id AND v.version = 1 AND v.record IS NOT NULL);
UPDATE message_index SET export = (
    SELECT k.id FROM (
        SELECT DISTINCT m.export AS id, i.created_seq AS seq
        FROM message_index m JOIN items i ON i.id = m.export
        WHERE m.export IS NOT NULL) k
    WHERE k.seq < message_index.created_seq ORDER BY k.seq DESC LIMIT 1)
WHERE export IS NULL;
CREATE INDEX message_index_by_export ON message_index (export);

-- What each file holds as far as location goes (docs/FORMAT.md §5.7), as the rules of
-- cairn-location numbered `rules` decided: derived from the file's bytes and checked
-- again when the rules change; the location-free copy's SHA-256 itself is in the chain.
-- Removed when the file is redacted.
CREATE TABLE location_checks (
    item_id TEXT PRIMARY KEY REFERENCES items(id),
    rules   INTEGER NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('none', 'copy', 'cannot')),
    detail  TEXT NOT NULL
) STRICT;

-- The links of an item, found without reading every version (a bundle of 100,000
-- messages asks once for each): the ends a link version names.
CREATE INDEX versions_by_link_from ON versions (json_extract(record, '$.from'))
WHERE json_extract(record, '$.from') IS NOT NULL;
CREATE INDEX versions_by_link_to ON versions (json_extract(record, '$.to'))
WHERE json_extract(record, '$.to') IS NOT NULL;
