-- The live tail's log: one narrow row per stored event, naming the transaction that stored it.
-- Move transactions commit out of order, so a position taken from a timestamp or a sequence would
-- pass over a row whose transaction commits late. Rows of transactions older than every
-- transaction still running (pg_snapshot_xmin of the current snapshot) can no longer change, so
-- the stream reads that prefix in (stored_xid, id) order. A table of its own rather than a column
-- of the partitioned events table: a read across hundreds of daily partitions costs tens of
-- milliseconds to plan, and the tail reads after every wake-up. The worker's leader deletes rows
-- older than a day (the resume window); a row outliving its event (erased, or its partition
-- dropped) joins nothing.
CREATE TABLE event_stream (
    stored_xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    id bigint NOT NULL,
    timestamp timestamptz NOT NULL,
    stored_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (stored_xid, id)
) WITH (autovacuum_vacuum_scale_factor = 0.0, autovacuum_vacuum_threshold = 100000);
CREATE INDEX event_stream_stored_at_idx ON event_stream USING brin (stored_at) WITH (autosummarize = on);
