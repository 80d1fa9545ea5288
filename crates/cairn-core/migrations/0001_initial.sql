-- Schema 1: the first Cairn vault.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- The Ed25519 device key that signs checkpoints; created at init.
CREATE TABLE device_key (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    secret BLOB NOT NULL,
    public BLOB NOT NULL
) STRICT;

-- The hash chain. Append-only: the triggers below refuse UPDATE and DELETE.
CREATE TABLE entries (
    seq            INTEGER PRIMARY KEY,
    prev           BLOB NOT NULL,
    recorded_at    INTEGER NOT NULL,
    kind           TEXT NOT NULL,
    item           TEXT NOT NULL,
    content_sha256 BLOB NOT NULL,
    meta           TEXT NOT NULL,
    hash           BLOB NOT NULL
) STRICT;
CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'chain entries are append-only'); END;
CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'chain entries are append-only'); END;

CREATE TABLE items (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('incident', 'file', 'person', 'link')),
    created_seq INTEGER NOT NULL REFERENCES entries(seq)
) STRICT;
CREATE TRIGGER items_no_update BEFORE UPDATE ON items
BEGIN SELECT RAISE(ABORT, 'items are permanent'); END;
CREATE TRIGGER items_no_delete BEFORE DELETE ON items
BEGIN SELECT RAISE(ABORT, 'items are permanent'); END;

-- Encrypted files under blobs/. `pending` rows exist only while a file is being
-- written; a crash leaves them for the sweep at the next open.
CREATE TABLE blobs (
    id     TEXT PRIMARY KEY,
    key    BLOB,
    size   INTEGER NOT NULL DEFAULT 0,
    sha256 BLOB,
    state  TEXT NOT NULL CHECK (state IN ('pending', 'stored', 'destroyed'))
) STRICT;

-- Every version of every item. `record` is canonical JSON; redaction sets it to NULL
-- and is the only change a version row ever receives.
CREATE TABLE versions (
    item_id        TEXT NOT NULL REFERENCES items(id),
    version        INTEGER NOT NULL,
    seq            INTEGER NOT NULL UNIQUE REFERENCES entries(seq),
    record         TEXT,
    record_sha256  BLOB NOT NULL,
    content_sha256 BLOB NOT NULL,
    blob_id        TEXT REFERENCES blobs(id),
    thumb_blob_id  TEXT REFERENCES blobs(id),
    PRIMARY KEY (item_id, version)
) STRICT;
CREATE TRIGGER versions_only_redact BEFORE UPDATE ON versions
WHEN NEW.record IS NOT NULL
  OR NEW.item_id IS NOT OLD.item_id OR NEW.version IS NOT OLD.version
  OR NEW.seq IS NOT OLD.seq OR NEW.record_sha256 IS NOT OLD.record_sha256
  OR NEW.content_sha256 IS NOT OLD.content_sha256
BEGIN SELECT RAISE(ABORT, 'versions change only by redaction'); END;
CREATE TRIGGER versions_no_delete BEFORE DELETE ON versions
BEGIN SELECT RAISE(ABORT, 'versions are permanent'); END;

-- What is left of a redacted item: content hashes, time (via the entry) and reason.
CREATE TABLE tombstones (
    item_id TEXT PRIMARY KEY REFERENCES items(id),
    seq     INTEGER NOT NULL UNIQUE REFERENCES entries(seq),
    record  TEXT NOT NULL
) STRICT;

-- Signed checkpoints (C2SP signed-note text), one per write.
CREATE TABLE checkpoints (
    size INTEGER PRIMARY KEY,
    note TEXT NOT NULL
) STRICT;
