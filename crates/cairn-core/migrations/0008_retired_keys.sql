-- Schema 8: master keys retired by a rotation (a passphrase change or a new recovery
-- code). A backup written before the rotation is still under the old key; the next
-- backup opens it with the retired key to check it is this vault's before replacing
-- it with a copy under the current one. Whoever can read this table already holds the
-- current key, which opens everything the retired ones do.
CREATE TABLE retired_keys (
    master     BLOB PRIMARY KEY CHECK (length(master) = 32),
    retired_at INTEGER NOT NULL
) STRICT;
