-- The queue the collector writes and the workers claim from.
-- Rows live for milliseconds to seconds: each is deleted in the transaction that moves it, so the
-- table is tuned to be vacuumed after a fixed number of dead rows rather than a fraction of its size.
CREATE TABLE ingest_staging (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    received_at timestamptz NOT NULL,
    source text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('segment', 'legacy')),
    -- The type a single-message endpoint implies (NULL for batch items, whose payload says).
    implied_type text,
    -- The message's own messageId, or the one the collector generated when it had none.
    message_id text NOT NULL,
    -- The message exactly as it arrived: parsing is the worker's job.
    payload text NOT NULL,
    -- Batch-level context, integrations and sentAt every item of the batch inherits.
    envelope text,
    -- Failed attempts at moving this row, for poison-message handling.
    attempts integer NOT NULL DEFAULT 0,
    last_error text
) WITH (
    fillfactor = 100,
    autovacuum_vacuum_scale_factor = 0.0,
    autovacuum_vacuum_threshold = 10000,
    autovacuum_vacuum_insert_scale_factor = 0.0,
    autovacuum_vacuum_insert_threshold = 50000,
    autovacuum_analyze_scale_factor = 0.0,
    autovacuum_analyze_threshold = 10000,
    autovacuum_vacuum_cost_delay = 0
);

COMMENT ON TABLE ingest_staging IS
    'Accepted messages waiting for a worker; every row ends in events or failed_events.';
