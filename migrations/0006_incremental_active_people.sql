-- Distinct people per week and month, kept incrementally. The views of 0002 recomputed every week
-- and month from the whole per-day table on each refresh: 6.4–6.7 s per view at 3 million
-- (day, person) rows, a cost that grew with the data kept and halved the worker's drain rate
-- while the leader refreshed. Now the move transaction queues each (day, person) pair it sees
-- for the first time; the leader folds the queue into per-week and per-month sets, counting the
-- pairs that are new there too, and the views only publish those counts: a refresh costs what
-- arrived since the last one, and the views keep their names, columns and `as_of`.

-- First-seen (day, person) pairs not yet folded into the weeks and months. A queue: no key.
CREATE TABLE active_people_new (
    day date NOT NULL,
    person text NOT NULL
);
ALTER TABLE active_people_new SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 10000);

CREATE TABLE active_people_weeks (
    week date NOT NULL,
    person text NOT NULL,
    PRIMARY KEY (week, person)
);
CREATE INDEX active_people_weeks_person_idx ON active_people_weeks (person);

CREATE TABLE active_people_months (
    month date NOT NULL,
    person text NOT NULL,
    PRIMARY KEY (month, person)
);
CREATE INDEX active_people_months_person_idx ON active_people_months (person);

CREATE TABLE active_people_totals (
    granularity text NOT NULL CHECK (granularity IN ('week', 'month')),
    bucket date NOT NULL,
    people bigint NOT NULL,
    PRIMARY KEY (granularity, bucket)
);

-- Truncated as a UTC timestamp: date_trunc on a bare date would go through the session's zone.
INSERT INTO active_people_weeks (week, person)
    SELECT DISTINCT date_trunc('week', day::timestamp)::date, person FROM active_people_daily;
INSERT INTO active_people_months (month, person)
    SELECT DISTINCT date_trunc('month', day::timestamp)::date, person FROM active_people_daily;
INSERT INTO active_people_totals (granularity, bucket, people)
    SELECT 'week', week, count(*) FROM active_people_weeks GROUP BY week
    UNION ALL
    SELECT 'month', month, count(*) FROM active_people_months GROUP BY month;

DROP MATERIALIZED VIEW active_people_weekly;
DROP MATERIALIZED VIEW active_people_monthly;

CREATE MATERIALIZED VIEW active_people_weekly AS
    SELECT bucket AS week, people FROM active_people_totals WHERE granularity = 'week';
CREATE UNIQUE INDEX active_people_weekly_key ON active_people_weekly (week);

CREATE MATERIALIZED VIEW active_people_monthly AS
    SELECT bucket AS month, people FROM active_people_totals WHERE granularity = 'month';
CREATE UNIQUE INDEX active_people_monthly_key ON active_people_monthly (month);
