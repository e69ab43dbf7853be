-- Funnels, retention cohorts and property breakdowns. Everything here is kept in the worker's move
-- transaction from the events it stores (pre-aggregated per batch, keys in sorted order), so its
-- upkeep costs what arrives, not what is kept.

-- Which user an anonymous id belongs to: set by an identify carrying both ids, or an alias from
-- previousId to userId. The first link of an anonymous id wins; funnels count its events as the
-- user's.
CREATE TABLE identity_links (
    anonymous_id text COLLATE "C" PRIMARY KEY,
    user_id text COLLATE "C" NOT NULL,
    linked_at timestamptz NOT NULL
);
CREATE INDEX identity_links_user_idx ON identity_links (user_id);

-- Each person's first active UTC day: their retention cohort. Person = user_id, else anonymous_id
-- (not merged through identity_links). A move locks the rows of its batch's people before it writes,
-- so two moves of one person never compute cohort changes from each other's stale snapshot.
CREATE TABLE person_first_seen (
    person text COLLATE "C" PRIMARY KEY,
    first_day date NOT NULL
);

-- Weeks in which each person was active, so a move knows in O(1) whether a (week, person) pair is
-- new; filled from the (day, person) pairs new to active_people_daily.
CREATE TABLE retention_person_weeks (
    week date NOT NULL,
    person text COLLATE "C" NOT NULL,
    PRIMARY KEY (week, person)
);
CREATE INDEX retention_person_weeks_person_idx ON retention_person_weeks (person);

-- People of a cohort active in a bucket: (day, first day, active day) and (week, first week,
-- active week). returned[k] of a cohort is its row with bucket = cohort + k.
CREATE TABLE retention_counts (
    granularity text NOT NULL CHECK (granularity IN ('day', 'week')),
    cohort date NOT NULL,
    bucket date NOT NULL,
    people bigint NOT NULL,
    PRIMARY KEY (granularity, cohort, bucket)
);

-- Counts of an event per value of a property named in TRACKER_BREAKDOWN_PROPERTIES, per UTC hour
-- and day. `value` is the value's JSON text ('null' for a missing property); a value longer than
-- 200 bytes is counted under one marker string (see docs/api.md).
CREATE TABLE breakdown_counts_hour (
    property text COLLATE "C" NOT NULL,
    event text COLLATE "C" NOT NULL,
    bucket timestamptz NOT NULL,
    value text COLLATE "C" NOT NULL,
    count bigint NOT NULL,
    PRIMARY KEY (property, event, bucket, value)
);

CREATE TABLE breakdown_counts_day (
    property text COLLATE "C" NOT NULL,
    event text COLLATE "C" NOT NULL,
    bucket timestamptz NOT NULL,
    value text COLLATE "C" NOT NULL,
    count bigint NOT NULL,
    PRIMARY KEY (property, event, bucket, value)
);

-- Existing data: links, cohorts and active weeks from what is stored.
INSERT INTO identity_links (anonymous_id, user_id, linked_at)
SELECT DISTINCT ON (anonymous_id) anonymous_id, user_id, timestamp FROM (
    SELECT anonymous_id, user_id, timestamp, id FROM events
    WHERE type = 'identify' AND user_id IS NOT NULL AND anonymous_id IS NOT NULL AND anonymous_id <> user_id
    UNION ALL
    SELECT previous_id, user_id, timestamp, id FROM events
    WHERE type = 'alias' AND user_id IS NOT NULL AND previous_id IS NOT NULL AND previous_id <> user_id
) AS l
ORDER BY anonymous_id, id;

INSERT INTO person_first_seen (person, first_day)
SELECT person, min(day) FROM active_people_daily GROUP BY person;

INSERT INTO retention_person_weeks (week, person)
SELECT DISTINCT date_trunc('week', day::timestamp)::date, person FROM active_people_daily;

INSERT INTO retention_counts (granularity, cohort, bucket, people)
SELECT 'day', f.first_day, d.day, count(*)
FROM active_people_daily AS d JOIN person_first_seen AS f USING (person) GROUP BY 2, 3
UNION ALL
SELECT 'week', date_trunc('week', f.first_day::timestamp)::date, w.week, count(*)
FROM retention_person_weeks AS w JOIN person_first_seen AS f USING (person) GROUP BY 2, 3;
