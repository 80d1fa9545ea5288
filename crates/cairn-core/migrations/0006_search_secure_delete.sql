-- Schema 6: a redacted item's words leave the search index at once.
--
-- FTS5 deletes a row by adding a note that it is gone; the words themselves stay in
-- the index's older pages until segments happen to merge, so someone who opened the
-- database directly could read a redacted item's words back out of `search_data`.
-- With FTS5's secure-delete on, a delete removes them from the index in place (and
-- `secure_delete`, on for the whole database, zeroes the freed space). The rebuild
-- writes the index again from what it should hold, so words of items redacted before
-- this version are gone too.
INSERT INTO search (search, rank) VALUES ('secure-delete', 1);
INSERT INTO search (search) VALUES ('rebuild');
