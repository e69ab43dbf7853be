-- What the query API reads besides the rollups of 0002.
--
-- Hour and day buckets are UTC whatever the server's TimeZone setting: the views of 0002 truncated
-- in the session's zone, which is wrong on a server not set to UTC (and for half-hour zones even
-- for hours), so they are rebuilt with date_trunc's explicit zone.
DROP MATERIALIZED VIEW event_counts_hourly;
DROP MATERIALIZED VIEW event_counts_daily;

CREATE MATERIALIZED VIEW event_counts_hourly AS
    SELECT date_trunc('hour', bucket, 'UTC') AS bucket, event, sum(count)::bigint AS count
    FROM event_counts_minute GROUP BY 1, 2;
CREATE UNIQUE INDEX event_counts_hourly_key ON event_counts_hourly (bucket, event);

CREATE MATERIALIZED VIEW event_counts_daily AS
    SELECT date_trunc('day', bucket, 'UTC') AS bucket, event, sum(count)::bigint AS count
    FROM event_counts_minute GROUP BY 1, 2;
CREATE UNIQUE INDEX event_counts_daily_key ON event_counts_daily (bucket, event);

-- Distinct people per day, so a 30-day active-users read touches 30 rows, not every (day, person).
-- Days after the last refresh are counted live from active_people_daily.
CREATE MATERIALIZED VIEW active_people_daily_counts AS
    SELECT day, count(*)::bigint AS people FROM active_people_daily GROUP BY 1;
CREATE UNIQUE INDEX active_people_daily_counts_key ON active_people_daily_counts (day);

-- The refresh times recorded for the dropped views no longer describe the new ones.
DELETE FROM view_refreshes WHERE view_name IN ('event_counts_hourly', 'event_counts_daily');

