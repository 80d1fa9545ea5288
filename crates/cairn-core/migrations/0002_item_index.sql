-- Schema 2: a derived summary of each item's latest version, so listing 100,000 items
-- is one sequential scan. It holds nothing that is not in `versions`/`entries`, is
-- kept in step in the same transaction as every change, and `verify` checks it.
CREATE TABLE item_index (
    created_seq INTEGER PRIMARY KEY REFERENCES entries(seq),
    item_id     TEXT NOT NULL UNIQUE REFERENCES items(id),
    kind        TEXT NOT NULL,
    recorded_at INTEGER NOT NULL,
    version     INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    title       TEXT NOT NULL,
    occurred    TEXT,
    redacted    INTEGER NOT NULL DEFAULT 0
) STRICT;

-- What item_index must hold, derived from the evidence tables. The migration fills the
-- table from it, and `verify` compares the two.
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

INSERT INTO item_index (created_seq, item_id, kind, recorded_at, version, updated_at, title, occurred, redacted)
SELECT created_seq, item_id, kind, recorded_at, version, updated_at, title, occurred, redacted
FROM item_index_derived;
