-- Stored events, partitioned by day on the corrected timestamp. Partitions are made by the worker
-- (ahead of time by the maintenance leader, on demand for late events); there is no default
-- partition, since one would block adding partitions.
CREATE SEQUENCE events_id_seq AS bigint;

CREATE TABLE events (
    id bigint NOT NULL DEFAULT nextval('events_id_seq'),
    message_id text NOT NULL,
    type text NOT NULL,
    -- The track event's name, or the page/screen name: both count under it in the aggregates.
    event text,
    user_id text,
    anonymous_id text,
    session_id text,
    group_id text,
    previous_id text,
    timestamp timestamptz NOT NULL,
    -- The client's own timestamp when skew correction or the future clamp changed it.
    original_timestamp timestamptz,
    sent_at timestamptz,
    received_at timestamptz NOT NULL,
    stored_at timestamptz NOT NULL DEFAULT now(),
    source text NOT NULL,
    properties jsonb NOT NULL DEFAULT '{}',
    context jsonb NOT NULL DEFAULT '{}',
    traits jsonb NOT NULL DEFAULT '{}',
    integrations jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (timestamp, id)
) PARTITION BY RANGE (timestamp);

ALTER SEQUENCE events_id_seq OWNED BY events.id;

-- Newest first for everyone, per person, and per event name over time.
CREATE INDEX events_timestamp_idx ON events (timestamp DESC, id DESC);
CREATE INDEX events_user_idx ON events (user_id, timestamp DESC, id DESC) WHERE user_id IS NOT NULL;
CREATE INDEX events_anonymous_idx ON events (anonymous_id, timestamp DESC, id DESC) WHERE anonymous_id IS NOT NULL;
CREATE INDEX events_event_idx ON events (event, timestamp DESC) WHERE event IS NOT NULL;
CREATE INDEX events_message_idx ON events (message_id);

-- The dedupe window: a unique index on events would have to include the partition key, and a
-- retried message may carry another timestamp, so (source, message_id) lives here. Rows older than
-- the window are deleted by maintenance.
CREATE TABLE event_dedupe (
    source text NOT NULL,
    message_id text NOT NULL,
    first_seen timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, message_id)
);
CREATE INDEX event_dedupe_first_seen_idx ON event_dedupe (first_seen);

-- Messages the worker refused, with why; replay puts them back into staging.
CREATE TABLE failed_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    received_at timestamptz NOT NULL,
    failed_at timestamptz NOT NULL DEFAULT now(),
    source text NOT NULL,
    kind text NOT NULL,
    implied_type text,
    message_id text NOT NULL,
    -- Who the message was about, when it said, so erasure can find it.
    person text,
    reason text NOT NULL,
    detail text NOT NULL,
    payload text NOT NULL,
    envelope text
);
CREATE INDEX failed_events_reason_idx ON failed_events (reason, id DESC);
CREATE INDEX failed_events_person_idx ON failed_events (person) WHERE person IS NOT NULL;

-- Incremental rollups, maintained in the move transaction. `event` is '' for calls without a name
-- (identify, group, alias), so totals include them while name rankings skip them.
CREATE TABLE event_counts_minute (
    bucket timestamptz NOT NULL,
    event text NOT NULL,
    count bigint NOT NULL,
    PRIMARY KEY (bucket, event)
);

-- Exact distinct people per day: one row per (day, person), person = user_id else anonymous_id.
CREATE TABLE active_people_daily (
    day date NOT NULL,
    person text NOT NULL,
    PRIMARY KEY (day, person)
);
CREATE INDEX active_people_daily_person_idx ON active_people_daily (person);

-- Heavier reads, built on the rollups (never on events) and refreshed CONCURRENTLY by the leader.
CREATE MATERIALIZED VIEW event_counts_hourly AS
    SELECT date_trunc('hour', bucket) AS bucket, event, sum(count)::bigint AS count
    FROM event_counts_minute GROUP BY 1, 2;
CREATE UNIQUE INDEX event_counts_hourly_key ON event_counts_hourly (bucket, event);

CREATE MATERIALIZED VIEW event_counts_daily AS
    SELECT date_trunc('day', bucket) AS bucket, event, sum(count)::bigint AS count
    FROM event_counts_minute GROUP BY 1, 2;
CREATE UNIQUE INDEX event_counts_daily_key ON event_counts_daily (bucket, event);

CREATE MATERIALIZED VIEW active_people_weekly AS
    SELECT date_trunc('week', day)::date AS week, count(DISTINCT person)::bigint AS people
    FROM active_people_daily GROUP BY 1;
CREATE UNIQUE INDEX active_people_weekly_key ON active_people_weekly (week);

CREATE MATERIALIZED VIEW active_people_monthly AS
    SELECT date_trunc('month', day)::date AS month, count(DISTINCT person)::bigint AS people
    FROM active_people_daily GROUP BY 1;
CREATE UNIQUE INDEX active_people_monthly_key ON active_people_monthly (month);

-- When each view was last refreshed: the query API's `as_of`.
CREATE TABLE view_refreshes (
    view_name text PRIMARY KEY,
    refreshed_at timestamptz NOT NULL
);

-- Maintenance bookkeeping, for operators and metrics.
CREATE TABLE maintenance_runs (
    task text PRIMARY KEY,
    last_run_at timestamptz NOT NULL,
    last_result text NOT NULL
);
