-- Schema 5: where each message sits in its conversation, so the conversation view
-- reads one page of one chat from an index instead of every message's record.
--
-- Like item_index it is derived (from each message's record) and kept in step in the
-- same transaction as every change; `verify` checks it. One exception, on purpose: a
-- redacted message keeps its row (its conversation and when it was sent, nothing it
-- said), so the conversation shows a tombstone where it was instead of closing the gap.
--
-- `sort_at` is `sent_at` as SQLite's strftime reads it: a wall-clock time stays as it
-- is, an instant with an offset becomes its UTC time, so a mailbox written from
-- several time zones still reads in order.
CREATE TABLE message_index (
    created_seq  INTEGER PRIMARY KEY REFERENCES entries(seq),
    item_id      TEXT NOT NULL UNIQUE REFERENCES items(id),
    source       TEXT NOT NULL,
    conversation TEXT NOT NULL,
    sort_at      TEXT NOT NULL
) STRICT;
CREATE INDEX message_index_by_conversation
    ON message_index (source, conversation, sort_at, created_seq);

INSERT INTO message_index (created_seq, item_id, source, conversation, sort_at)
SELECT i.created_seq, i.id, json_extract(v.record, '$.source'),
       json_extract(v.record, '$.conversation'),
       coalesce(strftime('%Y-%m-%dT%H:%M:%S', json_extract(v.record, '$.sent_at')), '')
FROM items i JOIN versions v ON v.item_id = i.id AND v.version = 1
WHERE i.kind = 'message' AND v.record IS NOT NULL;
