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
-- a bundle can leave out an export that still holds messages she redacted. A message
-- redacted before schema 7 has no record left to say. Another message of the same run
-- of messages names it; else (every message of that import redacted) the write that
-- added it does: an import writes its export, its attachments, then its messages, in
-- one transaction, and every write signs a checkpoint at its last entry, so the export
-- is the first file added after the checkpoint before the message.
ALTER TABLE message_index ADD COLUMN export TEXT;
UPDATE message_index SET export = (
    SELECT json_extract(v.record, '$.export') FROM versions v
    WHERE v.item_id = message_index.item_id AND v.version = 1 AND v.record IS NOT NULL);
-- For each message whose record is gone: the last entry before its run of messages.
CREATE TEMP TABLE lost_export AS
SELECT m.item_id AS item_id,
       (SELECT e.seq FROM entries e
        WHERE e.seq < m.created_seq AND e.kind != 'message.create'
        ORDER BY e.seq DESC LIMIT 1) AS before
FROM message_index m WHERE m.export IS NULL;
UPDATE message_index SET export = (
    SELECT k.export FROM lost_export l
    JOIN message_index k ON k.created_seq = (
        SELECT min(k2.created_seq) FROM message_index k2
        WHERE k2.created_seq > l.before AND k2.export IS NOT NULL)
    WHERE l.item_id = message_index.item_id
      AND NOT EXISTS (SELECT 1 FROM entries e
                      WHERE e.seq > l.before AND e.seq < k.created_seq
                        AND e.kind != 'message.create'))
WHERE export IS NULL;
DROP TABLE lost_export;
UPDATE message_index SET export = (
    SELECT i.id FROM items i JOIN entries e ON e.seq = i.created_seq
    WHERE i.kind = 'file' AND e.kind = 'file.add'
      AND e.seq > coalesce((SELECT max(c.size) FROM checkpoints c
                            WHERE c.size < message_index.created_seq), 0)
      AND e.seq < message_index.created_seq
    ORDER BY e.seq LIMIT 1)
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
