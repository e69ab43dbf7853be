-- Two indexes of `events` that no read uses, each paid for by every stored event (the worker's
-- move is bound by PostgreSQL's CPU): `events_timestamp_idx` repeats the primary key
-- (timestamp, id), which PostgreSQL scans backwards for "newest first" just as well, and nothing
-- looks events up by `message_id` (retries are caught by `event_dedupe`).
DROP INDEX events_timestamp_idx;
DROP INDEX events_message_idx;
