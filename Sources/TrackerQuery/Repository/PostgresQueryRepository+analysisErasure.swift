import Logging
import PostgresNIO
import TrackerStore

extension PostgresQueryRepository {
    /// CTEs over the erasure's `gone(timestamp, event, person, properties)` events: subtracts them
    /// from the kept property breakdowns, for every property kept (found by a skip scan of the day
    /// table's key, one probe per property). Constant SQL, no values.
    static let breakdownErasure = """
        kept_properties AS (
            SELECT property FROM kept_scan WHERE property IS NOT NULL
        ), breakdown_gone AS (
            SELECT k.property, g.event, date_trunc('hour', g.timestamp, 'UTC') AS bucket,
                   \(MoveStore.breakdownValue(properties: "g.properties", property: "k.property")) AS value, count(*) AS n
            FROM gone AS g, kept_properties AS k WHERE g.event <> ''
            GROUP BY 1, 2, 3, 4
        ), breakdown_hour AS (
            UPDATE breakdown_counts_hour AS c SET count = c.count - b.n FROM breakdown_gone AS b
            WHERE c.property = b.property AND c.event = b.event AND c.bucket = b.bucket AND c.value = b.value
        ), breakdown_day AS (
            UPDATE breakdown_counts_day AS c SET count = c.count - b.n
            FROM (SELECT property, event, date_trunc('day', bucket, 'UTC') AS bucket, value, sum(n) AS n
                  FROM breakdown_gone GROUP BY 1, 2, 3, 4) AS b
            WHERE c.property = b.property AND c.event = b.event AND c.bucket = b.bucket AND c.value = b.value
        )
        """

    /// The recursive skip scan `breakdownErasure` reads; first in its WITH RECURSIVE list.
    static let keptPropertyScan = """
        kept_scan(property) AS (
            SELECT min(property) FROM breakdown_counts_day
            UNION ALL
            SELECT (SELECT min(property) FROM breakdown_counts_day WHERE property > kept_scan.property)
            FROM kept_scan WHERE kept_scan.property IS NOT NULL
        )
        """

    /// Before an erasure changes `people`'s active days: locks their retention rows (waiting for a
    /// move of theirs to commit), takes their cohort contributions from the retention counts and
    /// forgets their first day and weeks; `restoreRetention` adds back what remains. Also drops the
    /// identity links naming `person` on either side.
    static func forgetRetention(
        person: String, people: [String], on connection: PostgresConnection, logger: Logger
    ) async throws {
        try await connection.query(
            "DELETE FROM identity_links WHERE anonymous_id = \(person) OR user_id = \(person)", logger: logger)
        // Locked in a statement of its own, so the next one's snapshot holds what a move committed.
        try await connection.query(
            """
            SELECT 1 FROM person_first_seen WHERE person = ANY(\(people)::text[]) ORDER BY person FOR UPDATE
            """,
            logger: logger)
        try await connection.query(
            """
            WITH seen AS (
                SELECT person, first_day, date_trunc('week', first_day::timestamp)::date AS first_week
                FROM person_first_seen WHERE person = ANY(\(people)::text[]) AND first_day <> 'infinity'
            ), contribution AS (
                SELECT 'day' AS g, s.first_day AS cohort, d.day AS bucket
                FROM seen AS s, LATERAL (SELECT day FROM active_people_daily AS a WHERE a.person = s.person) AS d
                UNION ALL
                SELECT 'week', s.first_week, w.week
                FROM seen AS s, LATERAL (SELECT week FROM retention_person_weeks AS r WHERE r.person = s.person) AS w
            ), subtracted AS (
                UPDATE retention_counts AS r SET people = r.people - c.n
                FROM (SELECT g, cohort, bucket, count(*) AS n FROM contribution GROUP BY 1, 2, 3) AS c
                WHERE r.granularity = c.g AND r.cohort = c.cohort AND r.bucket = c.bucket
            ), weeks AS (
                DELETE FROM retention_person_weeks WHERE person = ANY(\(people)::text[])
            )
            DELETE FROM person_first_seen WHERE person = ANY(\(people)::text[])
            """,
            logger: logger)
    }

    /// After an erasure changed `people`'s active days: their first day, weeks and cohort counts
    /// again, from the days they still have (work proportional to those days).
    static func restoreRetention(people: [String], on connection: PostgresConnection, logger: Logger) async throws {
        guard !people.isEmpty else { return }
        try await connection.query(
            """
            WITH days AS (
                SELECT person, day FROM active_people_daily WHERE person = ANY(\(people)::text[])
            ), seen AS (
                INSERT INTO person_first_seen (person, first_day)
                SELECT person, min(day) FROM days GROUP BY person ORDER BY person
                RETURNING person, first_day, date_trunc('week', first_day::timestamp)::date AS first_week
            ), weeks AS (
                INSERT INTO retention_person_weeks (week, person)
                SELECT DISTINCT date_trunc('week', day::timestamp)::date, person FROM days ORDER BY 1, 2
                RETURNING week, person
            ), contribution AS (
                SELECT 'day' AS g, s.first_day AS cohort, d.day AS bucket FROM days AS d JOIN seen AS s USING (person)
                UNION ALL
                SELECT 'week', s.first_week, w.week FROM weeks AS w JOIN seen AS s USING (person)
            )
            INSERT INTO retention_counts AS r (granularity, cohort, bucket, people)
            SELECT g, cohort, bucket, count(*) FROM contribution GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
            ON CONFLICT (granularity, cohort, bucket) DO UPDATE SET people = r.people + EXCLUDED.people
            """,
            logger: logger)
    }
}
