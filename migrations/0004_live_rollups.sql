-- Every count the query API serves is now kept current in the move transaction, like the minute
-- counts: per event per hour and per day, totals per minute, hour and day, and distinct people per
-- day. The hourly and daily views of 0003 answered only up to their last refresh and left a minute
-- tail to sum on every read; a 30-day read now touches at most a few thousand small rows, and the
-- answer is exact at the moment of the read. Weeks and months of distinct people stay materialized
-- views (a distinct count cannot be added up from days).
CREATE TABLE event_counts_hour (
    bucket timestamptz NOT NULL,
    event text NOT NULL,
    count bigint NOT NULL,
    PRIMARY KEY (bucket, event)
);

CREATE TABLE event_counts_day (
    bucket timestamptz NOT NULL,
    event text NOT NULL,
    count bigint NOT NULL,
    PRIMARY KEY (bucket, event)
);

-- All events per bucket, so a timeseries without an event filter reads one row per bucket.
CREATE TABLE event_totals (
    granularity text NOT NULL CHECK (granularity IN ('minute', 'hour', 'day')),
    bucket timestamptz NOT NULL,
    count bigint NOT NULL,
    PRIMARY KEY (granularity, bucket)
);

CREATE TABLE active_people_counts (
    day date PRIMARY KEY,
    people bigint NOT NULL
);

INSERT INTO event_counts_hour (bucket, event, count)
    SELECT date_trunc('hour', bucket, 'UTC'), event, sum(count) FROM event_counts_minute GROUP BY 1, 2;
INSERT INTO event_counts_day (bucket, event, count)
    SELECT date_trunc('day', bucket, 'UTC'), event, sum(count) FROM event_counts_minute GROUP BY 1, 2;
INSERT INTO event_totals (granularity, bucket, count)
    SELECT g, date_trunc(g, bucket, 'UTC'), sum(count)
    FROM event_counts_minute, unnest(ARRAY['minute', 'hour', 'day']) AS g GROUP BY 1, 2;
INSERT INTO active_people_counts (day, people)
    SELECT day, count(*) FROM active_people_daily GROUP BY day;

DROP MATERIALIZED VIEW event_counts_hourly;
DROP MATERIALIZED VIEW event_counts_daily;
DROP MATERIALIZED VIEW active_people_daily_counts;
DELETE FROM view_refreshes
WHERE view_name IN ('event_counts_hourly', 'event_counts_daily', 'active_people_daily_counts');
