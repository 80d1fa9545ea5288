-- Schema 6: a redacted item's words leave the search index at once, and a message's
-- source, kind and time are no longer indexed as words.
--
-- FTS5 deletes a row by adding a note that it is gone; the words themselves stay in
-- the index's older pages until segments happen to merge, so someone who opened the
-- database directly could read a redacted item's words back out of `search_data`.
-- With FTS5's secure-delete on, a delete removes them from the index in place (and
-- `secure_delete`, on for the whole database, zeroes the freed space).
--
-- The table is made again, as schema 4 made it, which frees every page of the old
-- index (the words of items redacted before this version with them); it is filled
-- from every item's current version after this script (store.rs).
DROP TABLE search;
CREATE VIRTUAL TABLE search USING fts5(
    item_id UNINDEXED,
    kind UNINDEXED,
    body,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO search (search, rank) VALUES ('secure-delete', 1);
