-- Schema 3: reports and handovers become items (kind 'report'), and exhibit references
-- (AB/1, AB/2, …) are kept so an exhibit keeps its reference across exports.
--
-- SQLite cannot change a CHECK constraint in place, so `items` is rebuilt (the
-- procedure in SQLite's ALTER TABLE documentation; migrations run with foreign keys
-- off and are checked with foreign_key_check before they commit). The view that reads
-- `items` is dropped first and made again, since renaming a table re-checks views.
DROP VIEW item_index_derived;
CREATE TABLE items_new (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('incident', 'file', 'person', 'link', 'report')),
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
       coalesce(json_extract(v.record, '$.title'), json_extract(v.record, '$.name'), '') AS title,
       coalesce(json_extract(v.record, '$.occurred.start'), json_extract(v.record, '$.exif.taken_at')) AS occurred,
       t.item_id IS NOT NULL AS redacted
FROM items i
JOIN versions v ON v.item_id = i.id
     AND v.version = (SELECT max(version) FROM versions WHERE item_id = i.id)
JOIN entries e1 ON e1.seq = i.created_seq
JOIN entries e2 ON e2.seq = v.seq
LEFT JOIN tombstones t ON t.item_id = i.id
WHERE i.kind != 'link';

-- An exhibit's reference, given the first time it is handed over. `seq` is the
-- report entry that first listed it (its record carries the same reference), so the
-- table can be checked against the chain. Permanent, like the items.
CREATE TABLE exhibit_refs (
    item_id   TEXT PRIMARY KEY REFERENCES items(id),
    initials  TEXT NOT NULL,
    number    INTEGER NOT NULL CHECK (number > 0),
    seq       INTEGER NOT NULL REFERENCES entries(seq),
    UNIQUE (initials, number)
) STRICT;
CREATE TRIGGER exhibit_refs_no_update BEFORE UPDATE ON exhibit_refs
BEGIN SELECT RAISE(ABORT, 'exhibit references are permanent'); END;
CREATE TRIGGER exhibit_refs_no_delete BEFORE DELETE ON exhibit_refs
BEGIN SELECT RAISE(ABORT, 'exhibit references are permanent'); END;
