import Foundation
import Logging
import PostgresNIO
import TrackerStore
import TrackerWorker

/// Test settings: quick polls and elections, small batches so there are many transactions.
public func testConfiguration(batchSize: Int = 500) -> WorkerConfiguration {
    var configuration = WorkerConfiguration()
    configuration.batchSize = batchSize
    configuration.pollInterval = .milliseconds(200)
    configuration.electionInterval = .milliseconds(200)
    configuration.viewRefreshInterval = .milliseconds(500)
    configuration.moveTimeout = .seconds(3)
    return configuration
}

extension TestDatabase {
    /// Stages Segment messages as the collector would.
    public func stage(_ payloads: [String], source: String = "web", receivedAt: Date = Date(), client: PostgresClient)
        async throws
    {
        let rows = payloads.enumerated().map { index, payload in
            StagedRow(
                receivedAt: receivedAt, source: source, kind: .segment, impliedType: nil,
                messageId: Self.messageId(in: payload) ?? "generated-\(UUID().uuidString)", payload: payload,
                envelope: nil)
        }
        let store = StagingStore(client: client)
        for start in stride(from: 0, to: rows.count, by: 5_000) {
            try await store.insert(
                [StagedRows(Array(rows[start..<min(rows.count, start + 5_000)]))], deadline: .seconds(30),
                commitTimeout: .seconds(30), logger: logger)
        }
    }

    static func messageId(in payload: String) -> String? {
        guard let range = payload.range(of: #""messageId":"([^"]*)""#, options: .regularExpression) else { return nil }
        return String(payload[range].dropFirst(#""messageId":""#.count).dropLast())
    }

    /// Runs `count` worker replicas while `body` runs.
    public func withWorkers<Result: Sendable>(
        _ count: Int = 1,
        configuration: WorkerConfiguration = testConfiguration(),
        _ body: @Sendable @escaping (PostgresClient, [Worker]) async throws -> Result
    ) async throws -> Result {
        try await withClient { client in
            let workers = (0..<count).map { _ in
                Worker(database: url, configuration: configuration, logger: logger)
            }
            return try await withThrowingTaskGroup(of: Result?.self) { group in
                for worker in workers {
                    group.addTask {
                        try await worker.run()
                        return nil
                    }
                }
                defer { group.cancelAll() }
                return try await body(client, workers)
            }
        }
    }

    public func waitUntilDrained(timeout: Duration = .seconds(60)) async throws {
        try await waitUntil(timeout: timeout, "staging is empty") {
            try await scalar("SELECT count(*)::int FROM ingest_staging") == 0
        }
    }
}

extension TestDatabase {
    /// Minute-rollup rows that disagree with the same counts computed over `events`, both ways.
    public static let minuteCountMismatches = """
        SELECT count(*)::int FROM (
          (SELECT bucket, event, count FROM event_counts_minute
           EXCEPT SELECT date_trunc('minute', timestamp), coalesce(event, ''), count(*) FROM events GROUP BY 1, 2)
          UNION ALL
          (SELECT date_trunc('minute', timestamp), coalesce(event, ''), count(*) FROM events GROUP BY 1, 2
           EXCEPT SELECT bucket, event, count FROM event_counts_minute)) AS d
        """

    /// (day, person) rows that disagree with the people active in `events`, both ways.
    public static let activeDayMismatches = """
        SELECT count(*)::int FROM (
          (SELECT day, person FROM active_people_daily
           EXCEPT SELECT DISTINCT (timestamp AT TIME ZONE 'UTC')::date, coalesce(user_id, anonymous_id) FROM events)
          UNION ALL
          (SELECT DISTINCT (timestamp AT TIME ZONE 'UTC')::date, coalesce(user_id, anonymous_id) FROM events
           EXCEPT SELECT day, person FROM active_people_daily)) AS d
        """

    /// Distinct people per week and month that disagree with `events`, both ways. `figures` is a
    /// query of (granularity, bucket, people) rows: the totals table by default, or the views.
    public static func periodPeopleMismatches(
        in figures: String = "SELECT granularity, bucket, people FROM active_people_totals WHERE people > 0"
    ) -> String {
        let fromEvents = """
            SELECT g, date_trunc(g, timestamp AT TIME ZONE 'UTC')::date, count(DISTINCT coalesce(user_id, anonymous_id))
            FROM events, unnest(ARRAY['week', 'month']) AS g GROUP BY 1, 2
            """
        return """
            SELECT count(*)::int FROM (
              ((\(figures)) EXCEPT (\(fromEvents)))
              UNION ALL
              ((\(fromEvents)) EXCEPT (\(figures)))) AS d
            """
    }
}

extension TestDatabase {
    /// Makes every commit of a transaction that inserted into `table` wait in a deferred trigger, so
    /// a test can end the backend after the statement completed and before the commit did.
    public func holdCommits(insertingInto table: String) async throws {
        try await withConnection { connection in
            try await connection.query(
                """
                CREATE FUNCTION held_commit() RETURNS trigger LANGUAGE plpgsql
                AS $$ BEGIN PERFORM pg_sleep(30); RETURN NULL; END $$
                """, logger: logger)
            try await connection.query(
                """
                CREATE CONSTRAINT TRIGGER held_commit AFTER INSERT ON \(unescaped: table)
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION held_commit()
                """, logger: logger)
        }
    }

    /// Waits until one commit is held by `holdCommits`, then terminates its backend.
    public func terminateHeldCommit() async throws {
        let held = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'PgSleep'"
        try await waitUntil("a commit is held") {
            try await scalar("SELECT count(*)::int FROM (\(unescaped: held)) AS held") == 1
        }
        _ = try await scalar("SELECT count(pg_terminate_backend(pid))::int FROM (\(unescaped: held)) AS held")
    }
}
