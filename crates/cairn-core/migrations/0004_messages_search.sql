-- Schema 4: messages become items (kind 'message'), and full-text search.
--
-- `items` is rebuilt to widen its CHECK constraint, as in schema 3, and the view that
-- derives `item_index` is made again: a message's title is its sender and its time is
-- when it was sent.
DROP VIEW item_index_derived;
CREATE TABLE items_new (
    id          TEXT PRIMARY KEY,
    -- Comparisons, not `kind IN (…)`: SQLite builds a temporary table for an IN list
    -- on every insert, which made importing a chat several times slower.
    kind        TEXT NOT NULL CHECK (kind = 'message' OR kind = 'incident' OR kind = 'file'
                                     OR kind = 'person' OR kind = 'link' OR kind = 'report'),
    created_seq INTEGER NOT NULL REFERENCES entries(seq)
) STRICT;
INSERT INTO items_new (id, kind, created_seq) SELECT id, kind, created_seq FROM items;
DROP TABLE items;
ALTER TABLE items_new RENAME TO items;
CREATE TRIGGER items_no_update BEFORE UPDATE ON items
BEGIN SELECT RAISE(ABORT, 'items are permanent'); END;
CREATE TRIGGER items_no_delete BEFORE DELETE ON items
BEGIN SELECT RAISE(ABORT, 'items are permanent'); END;

CREATE VIEW item_index_derived AS
SELECT i.created_seq AS created_seq, i.id AS item_id, i.kind AS kind,
       e1.recorded_at AS recorded_at, v.version AS version, e2.recorded_at AS updated_at,
       coalesce(json_extract(v.record, '$.title'), json_extract(v.record, '$.name'),
                json_extract(v.record, '$.sender'), '') AS title,
       coalesce(json_extract(v.record, '$.occurred.start'), json_extract(v.record, '$.exif.taken_at'),
                json_extract(v.record, '$.sent_at')) AS occurred,
       t.item_id IS NOT NULL AS redacted
FROM items i
JOIN versions v ON v.item_id = i.id
     AND v.version = (SELECT max(version) FROM versions WHERE item_id = i.id)
JOIN entries e1 ON e1.seq = i.created_seq
JOIN entries e2 ON e2.seq = v.seq
LEFT JOIN tombstones t ON t.item_id = i.id
WHERE i.kind != 'link';

-- The words of every item's current version (not links, not redacted items), for
-- `cairn search`. FTS5 keeps its own copy of the words; it lives in the encrypted
-- database like every other page. Filled from the existing items after this script
-- (store.rs), and kept in step as versions are written and items redacted.
CREATE VIRTUAL TABLE search USING fts5(
    item_id UNINDEXED,
    kind UNINDEXED,
    body,
    tokenize = 'unicode61 remove_diacritics 2'
);
