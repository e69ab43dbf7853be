import Foundation
import Logging
import PostgresNIO

/// What a move keeps for the analysis endpoints besides the counts: identity links, retention
/// cohorts and, for `breakdownProperties`, counts per property value.
public struct AnalysisUpkeep: Sendable, Equatable {
    /// Top-level properties whose values are counted per event, hour and day.
    public var breakdownProperties: [String]

    public init(breakdownProperties: [String] = []) {
        self.breakdownProperties = breakdownProperties
    }

    /// Columns `stored` returns besides (id, timestamp, event, person); the properties only when
    /// some are broken down, so no other move copies them.
    var returning: String {
        ", id AS stored_id, type, user_id, anonymous_id, previous_id"
            + (breakdownProperties.isEmpty ? "" : ", properties")
    }

    /// CTEs after `MoveStore.aggregateUpserts` (constant SQL, no values).
    var upserts: String {
        ", " + MoveStore.identityAndRetentionUpserts
            + (breakdownProperties.isEmpty ? "" : ", " + MoveStore.breakdownUpserts)
    }
}

extension MoveStore {
    /// Locks the retention rows (`person_first_seen`) of everyone a batch names, in sorted order,
    /// adding a row with no first day yet for someone new. A move calls it before `write`: two moves
    /// of one person then run one after the other, and the second's `write` sees what the first
    /// committed, so cohort changes are never computed from a stale snapshot. The lock is taken
    /// before any other row lock of the move (one lock order for every writer); an existing row is
    /// only locked, not rewritten.
    public static func lockPeople(_ events: [EventRow], on connection: PostgresConnection, logger: Logger)
        async throws
    {
        let people = Array(Set(events.compactMap { $0.userId ?? $0.anonymousId }))
        guard !people.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO person_first_seen AS f (person, first_day)
            SELECT DISTINCT person, 'infinity'::date FROM unnest(\(people)::text[]) AS p(person) ORDER BY 1
            ON CONFLICT (person) DO UPDATE SET first_day = f.first_day WHERE false
            """,
            logger: logger)
    }

    /// Identity links from the batch's identify and alias calls (the first per anonymous id wins:
    /// the earliest stored here, and never one already kept), and retention: each person's first
    /// day moves earlier when the batch holds an earlier event (their earlier active days and weeks
    /// then move to the new cohort: work proportional to that person's active days), and every
    /// (day, person) and (week, person) pair new here adds one to its cohort's count. CTEs over
    /// `stored` and `people` (the pairs new to `active_people_daily`); the snapshot is the one after
    /// `lockPeople`, so the pairs and first days read are current for these people.
    static let identityAndRetentionUpserts = """
        links AS (
            INSERT INTO identity_links (anonymous_id, user_id, linked_at)
            SELECT DISTINCT ON (a) a, u, ts FROM (
                SELECT anonymous_id, user_id, timestamp, stored_id FROM stored
                WHERE type = 'identify' AND user_id IS NOT NULL AND anonymous_id IS NOT NULL AND anonymous_id <> user_id
                UNION ALL
                SELECT previous_id, user_id, timestamp, stored_id FROM stored
                WHERE type = 'alias' AND user_id IS NOT NULL AND previous_id IS NOT NULL AND previous_id <> user_id
            ) AS l(a, u, ts, o)
            ORDER BY a, o
            ON CONFLICT DO NOTHING
            RETURNING 1
        ), seen AS (
            SELECT b.person, f.first_day AS old_day, least(f.first_day, b.day) AS new_day,
                   date_trunc('week', f.first_day::timestamp)::date AS old_week,
                   date_trunc('week', least(f.first_day, b.day)::timestamp)::date AS new_week
            FROM (
                SELECT person, min((timestamp AT TIME ZONE 'UTC')::date) AS day FROM stored
                WHERE person IS NOT NULL GROUP BY person
            ) AS b JOIN person_first_seen AS f USING (person)
        ), first_seen AS (
            UPDATE person_first_seen AS f SET first_day = s.new_day FROM seen AS s
            WHERE f.person = s.person AND s.new_day < s.old_day
            RETURNING 1
        ), new_weeks AS (
            INSERT INTO retention_person_weeks (week, person)
            SELECT DISTINCT date_trunc('week', day::timestamp)::date, person FROM people ORDER BY 1, 2
            ON CONFLICT DO NOTHING
            RETURNING week, person
        ), moved AS (
            SELECT * FROM seen WHERE new_day < old_day AND old_day <> 'infinity'
        ), retention_delta AS (
            SELECT 'day' AS g, s.new_day AS cohort, p.day AS bucket, 1 AS n FROM people AS p JOIN seen AS s USING (person)
            UNION ALL
            SELECT 'week', s.new_week, w.week, 1 FROM new_weeks AS w JOIN seen AS s USING (person)
            UNION ALL
            SELECT 'day', c.cohort, d.day, c.n
            FROM moved AS s, LATERAL (SELECT day FROM active_people_daily AS a WHERE a.person = s.person) AS d,
                 LATERAL (VALUES (s.old_day, -1), (s.new_day, 1)) AS c(cohort, n)
            UNION ALL
            SELECT 'week', c.cohort, w.week, c.n
            FROM moved AS s, LATERAL (SELECT week FROM retention_person_weeks AS r WHERE r.person = s.person) AS w,
                 LATERAL (VALUES (s.old_week, -1), (s.new_week, 1)) AS c(cohort, n)
            WHERE s.new_week < s.old_week
        ), retention AS (
            INSERT INTO retention_counts AS r (granularity, cohort, bucket, people)
            SELECT g, cohort, bucket, sum(n) FROM retention_delta GROUP BY 1, 2, 3 HAVING sum(n) <> 0 ORDER BY 1, 2, 3
            ON CONFLICT (granularity, cohort, bucket) DO UPDATE SET people = r.people + EXCLUDED.people
            RETURNING 1
        )
        """

    /// The value a breakdown counts for `properties -> property`: its JSON text, `null` when missing,
    /// and one marker for a value longer than 200 bytes, so no key grows without bound. The query
    /// API reads events through the same expression. A plain expression, not a subquery: a
    /// subquery in the select list makes a read over `events` parallel-restricted (one process
    /// instead of three; at 10 M events 6.2 s → 2.1 s).
    public static func breakdownValue(properties: String, property: String) -> String {
        let value = "coalesce(\(properties) -> \(property), 'null')::text"
        return "CASE WHEN octet_length(\(value)) <= 200 THEN \(value) ELSE '\"(a value over 200 bytes)\"' END"
    }

    /// Counts per (property, event, hour, value) and per day for the properties in
    /// `breakdown_properties`, over `stored` (with its `properties`). Named events only.
    static let breakdownUpserts = """
        breakdown_input AS (
            SELECT bp.property AS p, s.event AS e, date_trunc('hour', s.timestamp, 'UTC') AS b,
                   \(breakdownValue(properties: "s.properties", property: "bp.property")) AS v, count(*) AS n
            FROM stored AS s, breakdown_properties AS bp WHERE s.event IS NOT NULL
            GROUP BY 1, 2, 3, 4
        ), breakdown_hour AS (
            INSERT INTO breakdown_counts_hour AS c (property, event, bucket, value, count)
            SELECT p, e, b, v, n FROM breakdown_input ORDER BY 1, 2, 3, 4
            ON CONFLICT (property, event, bucket, value) DO UPDATE SET count = c.count + EXCLUDED.count
            RETURNING 1
        ), breakdown_day AS (
            INSERT INTO breakdown_counts_day AS c (property, event, bucket, value, count)
            SELECT p, e, date_trunc('day', b, 'UTC'), v, sum(n) FROM breakdown_input GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
            ON CONFLICT (property, event, bucket, value) DO UPDATE SET count = c.count + EXCLUDED.count
            RETURNING 1
        )
        """
}
