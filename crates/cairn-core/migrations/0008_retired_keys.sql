-- Schema 8: master keys retired by a rotation (a passphrase change or a new recovery
-- code). A backup written before the rotation is still under the old key; the next
-- backup opens it with the retired key to check it is this vault's before replacing
-- it with a copy under the current one. Whoever can read this table already holds the
-- current key, which opens everything the retired ones do.
CREATE TABLE retired_keys (
    master     BLOB PRIMARY KEY CHECK (length(master) = 32),
    retired_at INTEGER NOT NULL
) STRICT;

-- The recovery public keys Cairn itself made for this vault (docs/FORMAT.md §2.1). A
-- rotation that keeps the recovery code seals the new master key to the key in the
-- keys file only if it is one of these: a recovery slot planted in the keys file by
-- someone who edited it (its checksum is not keyed) is never carried forward.
CREATE TABLE recovery_keys (
    public   BLOB PRIMARY KEY CHECK (length(public) = 32),
    added_at INTEGER NOT NULL
) STRICT;
