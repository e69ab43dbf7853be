import Foundation
import Logging
import PostgresNIO
import TrackerCore
import TrackerStore

extension PostgresQueryRepository {
    /// Erases a person, matched by any id a message names them by (`userId`, `anonymousId`, an
    /// alias's `previousId`), in one transaction: staged messages first (waiting for a worker that
    /// holds them, so they are in `events` by the time that is cleared), then failed events, events
    /// with the counts they added (property breakdowns too), the per-day, per-week and per-month
    /// activity rows nothing backs any more, the retention cohorts they stood for (recomputed for
    /// others whose events named them) and their identity links. A deadlock with a worker's aggregate upsert is retried.
    public func erase(person: String) async throws -> ErasureCounts {
        try await metrics.timed("erase_person") {
            var attempt = 0
            while true {
                attempt += 1
                do {
                    return try await writes.withTransaction(logger: logger) { connection in
                        try await Self.erase(person: person, on: connection, logger: logger)
                    }
                } catch let error as PSQLError where error.serverInfo?[.sqlState] == "40P01" && attempt < 5 {
                    logger.notice("erasure deadlocked with a worker; retrying", metadata: ["attempt": "\(attempt)"])
                }
            }
        }
    }

    static func erase(person: String, on connection: PostgresConnection, logger: Logger) async throws
        -> ErasureCounts
    {
        var counts = ErasureCounts()

        counts.staged = try await eraseStaged(person: person, on: connection, logger: logger)

        // Failed events index a hash of every id they name, whatever its length.
        counts.failedEvents = try await count(
            """
            WITH gone AS (DELETE FROM failed_events WHERE person_keys @> ARRAY[md5(\(person))] RETURNING 1)
            SELECT count(*)::int8 FROM gone
            """,
            on: connection, logger: logger)

        // Events, grouped into the minute counts and the (day, person) rows they stand for.
        let removed = try await connection.query(
            """
            WITH RECURSIVE \(unescaped: Self.keptPropertyScan), gone AS (
                DELETE FROM events WHERE user_id = \(person) OR anonymous_id = \(person) OR previous_id = \(person)
                RETURNING timestamp, coalesce(event, '') AS event, coalesce(user_id, anonymous_id) AS person, properties
            ), \(unescaped: Self.breakdownErasure), minutes AS (
                SELECT date_trunc('minute', timestamp, 'UTC') AS bucket, event, count(*)::int8 AS n
                FROM gone GROUP BY 1, 2
            ), others AS (
                SELECT DISTINCT (timestamp AT TIME ZONE 'UTC')::date::text AS day, person FROM gone
                WHERE person <> \(person)
            )
            SELECT (SELECT count(*)::int8 FROM gone),
                   coalesce((SELECT array_agg(bucket ORDER BY bucket, event) FROM minutes), '{}')::timestamptz[],
                   coalesce((SELECT array_agg(event ORDER BY bucket, event) FROM minutes), '{}')::text[],
                   coalesce((SELECT array_agg(n ORDER BY bucket, event) FROM minutes), '{}')::int8[],
                   coalesce((SELECT array_agg(day ORDER BY day, person) FROM others), '{}')::text[],
                   coalesce((SELECT array_agg(person ORDER BY day, person) FROM others), '{}')::text[]
            """,
            logger: logger)
        var buckets: [Date] = []
        var events: [String] = []
        var amounts: [Int64] = []
        var otherDays: [String] = []
        var otherPeople: [String] = []
        for try await row in removed.decode((Int64, [Date], [String], [Int64], [String], [String]).self) {
            counts.events = Int(row.0)
            (buckets, events, amounts, otherDays, otherPeople) = (row.1, row.2, row.3, row.4, row.5)
        }

        let others = Array(Set(otherPeople))
        try await forgetRetention(person: person, people: [person] + others, on: connection, logger: logger)

        if !buckets.isEmpty {
            // Subtract from every count rollup, in the workers' lock order; empty minute rows go.
            let minutes = (0..<buckets.count).map { (bucket: buckets[$0], event: events[$0], count: Int(amounts[$0])) }
            try await MoveStore.addCounts(minutes, sign: -1, on: connection, logger: logger)
            try await connection.query(
                """
                DELETE FROM event_counts_minute AS c
                USING unnest(\(buckets)::timestamptz[], \(events)::text[]) AS r(b, e)
                WHERE c.bucket = r.b AND c.event = r.e AND c.count <= 0
                """,
                logger: logger)
        }

        counts.activeDays = try await count(
            """
            WITH gone AS (DELETE FROM active_people_daily WHERE person = \(person) RETURNING day),
            per_day AS (SELECT day, count(*) AS n FROM gone GROUP BY day),
            counted AS (
                UPDATE active_people_counts AS c SET people = c.people - per_day.n FROM per_day
                WHERE c.day = per_day.day)
            SELECT count(*)::int8 FROM gone
            """,
            on: connection, logger: logger)

        if !otherDays.isEmpty {
            // Someone else's event carried this person's anonymous id or was their alias: drop
            // that other person's day only if nothing else of theirs happened on it.
            try await connection.query(
                """
                WITH gone AS (
                    DELETE FROM active_people_daily AS a
                    USING unnest(\(otherDays)::date[], \(otherPeople)::text[]) AS o(day, person)
                    WHERE a.day = o.day AND a.person = o.person AND NOT EXISTS (
                        SELECT 1 FROM events AS e
                        WHERE (e.user_id = o.person OR (e.user_id IS NULL AND e.anonymous_id = o.person))
                          AND e.timestamp >= o.day::timestamp AT TIME ZONE 'UTC'
                          AND e.timestamp < (o.day + 1)::timestamp AT TIME ZONE 'UTC')
                    RETURNING a.day
                ), per_day AS (SELECT day, count(*) AS n FROM gone GROUP BY day)
                UPDATE active_people_counts AS c SET people = c.people - per_day.n FROM per_day
                WHERE c.day = per_day.day
                """,
                logger: logger)
        }
        try await ActivePeopleStore.forget([person] + otherPeople, on: connection, logger: logger)
        try await restoreRetention(people: others, on: connection, logger: logger)
        return counts
    }

    /// Deletes the staged messages that name `person` by a decoded id: a string whatever its escapes,
    /// or a number as its JSON text. Candidates are read without locks and matched here, so rows that
    /// merely contain the text (every row, for a one-letter id) are never locked; deleting a match
    /// waits for a worker that holds it, and one the worker moved meanwhile is skipped, to be erased
    /// from `events` or `failed_events` next.
    static func eraseStaged(person: String, on connection: PostgresConnection, logger: Logger) async throws -> Int {
        // A row without a backslash spells every string as it is, so it names the person only if it
        // holds their id's text.
        let candidates = try await connection.query(
            """
            SELECT id, payload FROM ingest_staging
            WHERE strpos(payload, \(person)) > 0 OR strpos(payload, \("\\")) > 0
            """,
            logger: logger)
        var matched: [Int64] = []
        for try await (id, payload) in candidates.decode((Int64, String).self) where names(person, in: payload) {
            matched.append(id)
        }
        guard !matched.isEmpty else { return 0 }
        return try await count(
            """
            WITH gone AS (DELETE FROM ingest_staging WHERE id = ANY(\(matched)) RETURNING 1)
            SELECT count(*)::int8 FROM gone
            """,
            on: connection, logger: logger)
    }

    /// Whether a staged message names `person` as its `userId`, `anonymousId` or `previousId`: the
    /// same bytes, as PostgreSQL compares the stored ids (Swift's `==` would also take a canonically
    /// equivalent spelling, someone else's id).
    static func names(_ person: String, in payload: String) -> Bool {
        SegmentMessage.people(in: payload).contains { $0.utf8.elementsEqual(person.utf8) }
    }

    private static func count(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws
        -> Int
    {
        let rows = try await connection.query(query, logger: logger)
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }
}
