import Logging
import PostgresNIO

/// Distinct people per week and month, kept from the (day, person) pairs the move transaction
/// sees for the first time (`active_people_new`), so their upkeep costs what arrives, not what is
/// kept.
public enum ActivePeopleStore {
    /// Folds up to `limit` queued pairs into the week and month sets, counting the pairs new
    /// there; returns how many it took. Its own transaction: a rollback leaves the queue as it was.
    public static func fold(limit: Int, on connection: PostgresConnection, logger: Logger) async throws -> Int {
        try await connection.withTransaction(logger: logger) { connection in
            try await AdvisoryLock.lockForTransaction(AdvisoryLock.activePeopleFold, on: connection, logger: logger)
            let rows = try await connection.query(
                """
                WITH taken AS (
                    DELETE FROM active_people_new
                    WHERE ctid = ANY(ARRAY(SELECT ctid FROM active_people_new LIMIT \(limit)))
                    RETURNING day, person
                ), weeks AS (
                    INSERT INTO active_people_weeks (week, person)
                    SELECT DISTINCT date_trunc('week', day::timestamp)::date, person FROM taken ORDER BY 1, 2
                    ON CONFLICT DO NOTHING
                    RETURNING 'week'::text AS granularity, week AS bucket
                ), months AS (
                    INSERT INTO active_people_months (month, person)
                    SELECT DISTINCT date_trunc('month', day::timestamp)::date, person FROM taken ORDER BY 1, 2
                    ON CONFLICT DO NOTHING
                    RETURNING 'month'::text AS granularity, month AS bucket
                ), counted AS (
                    INSERT INTO active_people_totals AS t (granularity, bucket, people)
                    SELECT granularity, bucket, count(*) FROM (SELECT * FROM weeks UNION ALL SELECT * FROM months) AS n
                    GROUP BY 1, 2 ORDER BY 1, 2
                    ON CONFLICT (granularity, bucket) DO UPDATE SET people = t.people + EXCLUDED.people
                )
                SELECT count(*)::int FROM taken
                """,
                logger: logger)
            var taken = 0
            for try await count in rows.decode(Int.self) { taken = count }
            return taken
        }
    }

    /// After `people`'s per-day rows were deleted (an erasure): drops the weeks, months and queued
    /// pairs no remaining day backs, and takes them from the counts. Runs inside the caller's
    /// transaction, which then holds the fold lock until it ends.
    public static func forget(_ people: [String], on connection: PostgresConnection, logger: Logger) async throws {
        try await AdvisoryLock.lockForTransaction(AdvisoryLock.activePeopleFold, on: connection, logger: logger)
        try await connection.query(
            """
            WITH people AS (
                SELECT DISTINCT person FROM unnest(\(people)::text[]) AS p(person)
            ), queued AS (
                DELETE FROM active_people_new AS n USING people AS p
                WHERE n.person = p.person
                  AND NOT EXISTS (SELECT 1 FROM active_people_daily AS d WHERE d.day = n.day AND d.person = n.person)
            ), weeks AS (
                DELETE FROM active_people_weeks AS w USING people AS p
                WHERE w.person = p.person AND NOT EXISTS (
                    SELECT 1 FROM active_people_daily AS d
                    WHERE d.person = w.person AND d.day >= w.week AND d.day < w.week + 7)
                RETURNING 'week'::text AS granularity, w.week AS bucket
            ), months AS (
                DELETE FROM active_people_months AS m USING people AS p
                WHERE m.person = p.person AND NOT EXISTS (
                    SELECT 1 FROM active_people_daily AS d
                    WHERE d.person = m.person AND d.day >= m.month
                      AND d.day < (m.month::timestamp + interval '1 month')::date)
                RETURNING 'month'::text AS granularity, m.month AS bucket
            ), gone AS (
                SELECT granularity, bucket, count(*) AS n FROM (SELECT * FROM weeks UNION ALL SELECT * FROM months) AS g
                GROUP BY 1, 2
            )
            UPDATE active_people_totals AS t SET people = t.people - gone.n FROM gone
            WHERE t.granularity = gone.granularity AND t.bucket = gone.bucket
            """,
            logger: logger)
    }
}
