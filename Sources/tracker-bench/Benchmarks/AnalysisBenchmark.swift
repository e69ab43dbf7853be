import AsyncHTTPClient
import Foundation
import Logging
import NIOHTTP1
import PostgresNIO
import TrackerCore
@_spi(Benchmarks) import TrackerQuery
import TrackerStore
import TrackerWorker

/// `tracker-bench analysis`: funnel, retention and breakdown answer times on the query
/// benchmark's data set (with identity links for a fifth of the people) against the plain SQL a
/// user would otherwise write over `events`, and the worker's drain rate with the analysis upkeep
/// against without it, in the same run.
struct AnalysisBenchmark: Sendable {
    var data: QueryBenchmark
    /// Where the drains run (emptied each round), apart from the data set; nil skips them.
    var drainDatabase: DatabaseURL?
    var drainRows: Int
    var rounds: Int
    var logger: Logger

    /// The kept property (`n`: 100 values) and another (`plan`), broken down for one event.
    static let kept = "n"
    static let steps = ["event-1", "event-2", "event-3"]

    func run() async throws -> String {
        let from = ISO8601.string(from: Date().addingTimeInterval(-Double(data.days) * 86_400))
        try await data.database.withConnection(logger: logger) { connection in
            try await Migrator(logger: logger).migrate(on: connection)
            let reseed = try await data.scalar("SELECT count(*)::int8 FROM events", connection) != data.events
            if reseed { try await data.seed(connection) }
            let kept = try await data.scalar("SELECT count(*)::int8 FROM retention_counts", connection)
            if reseed || kept == 0 { try await seedAnalysis(connection) }
        }
        let api = try await measureAPI(from: from)
        let raw = try await measureRaw(from: from)
        func ms(_ value: Double) -> String { String(format: "%.2f", value) }
        var lines = [
            "Data set: \(data.events) events over \(data.days) days, \(data.people) people, anonymous ids of a fifth "
                + "of them linked to their user. API: \(data.samples) sequential requests each over HTTP; raw: "
                + "\(data.rawSamples) runs each over one connection.",
            "",
            "| read (\(data.days) days) | API p50 ms | API p99 ms | plain SQL p50 ms | plain SQL p99 ms | SQL p50 / API p50 |",
            "|---|---|---|---|---|---|",
        ]
        for (result, baseline) in zip(api, raw) {
            lines.append(
                "| \(result.name) | \(ms(result.percentile(0.5))) | \(ms(result.percentile(0.99))) | "
                    + "\(ms(baseline.percentile(0.5))) | \(ms(baseline.percentile(0.99))) | "
                    + "\(String(format: "%.1f", baseline.percentile(0.5) / result.percentile(0.5)))× |")
        }
        lines += ["", "Plan of the funnel statement:", "", "```"] + (try await explainFunnel(from: from)) + ["```"]
        if let drainDatabase { lines += ["", try await drains(on: drainDatabase)] }
        return lines.joined(separator: "\n")
    }

    /// Links, cohorts and the kept property's counts from the seeded events: what workers would
    /// have written.
    func seedAnalysis(_ connection: PostgresConnection) async throws {
        logger.info("building the analysis tables from events")
        for statement: PostgresQuery in [
            """
            TRUNCATE identity_links, person_first_seen, retention_person_weeks, retention_counts,
                     breakdown_counts_hour, breakdown_counts_day
            """,
            """
            INSERT INTO identity_links (anonymous_id, user_id, linked_at)
            SELECT 'anon-' || k, 'user-' || k, now() - interval '40 days'
            FROM generate_series(0, \(Int64(data.people - 1))) AS k WHERE k % 5 = 0
            """,
            "INSERT INTO person_first_seen (person, first_day) SELECT person, min(day) FROM active_people_daily GROUP BY 1",
            """
            INSERT INTO retention_person_weeks (week, person)
            SELECT DISTINCT date_trunc('week', day::timestamp)::date, person FROM active_people_daily
            """,
            """
            INSERT INTO retention_counts (granularity, cohort, bucket, people)
            SELECT 'day', f.first_day, d.day, count(*)
            FROM active_people_daily AS d JOIN person_first_seen AS f USING (person) GROUP BY 2, 3
            UNION ALL
            SELECT 'week', date_trunc('week', f.first_day::timestamp)::date, w.week, count(*)
            FROM retention_person_weeks AS w JOIN person_first_seen AS f USING (person) GROUP BY 2, 3
            """,
            """
            INSERT INTO breakdown_counts_hour (property, event, bucket, value, count)
            SELECT \(Self.kept), event, date_trunc('hour', timestamp, 'UTC'),
                   \(unescaped: MoveStore.breakdownValue(properties: "properties", property: "'\(Self.kept)'::text")),
                   count(*)
            FROM events WHERE event IS NOT NULL GROUP BY 2, 3, 4
            """,
            """
            INSERT INTO breakdown_counts_day (property, event, bucket, value, count)
            SELECT property, event, date_trunc('day', bucket, 'UTC'), value, sum(count) FROM breakdown_counts_hour
            GROUP BY 1, 2, 3, 4
            """,
            "VACUUM ANALYZE",
        ] {
            try await connection.query(statement, logger: logger)
        }
    }

    func endpoints(from: String) -> [(String, String)] {
        let steps = Self.steps.map { "step=\($0)" }.joined(separator: "&")
        return [
            ("funnel, 3 steps within P1D", "/v1/stats/funnel?\(steps)&within=P1D&from=\(from)"),
            ("retention, \(data.days) daily cohorts × 30", "/v1/stats/retention?interval=day&periods=30&from=\(from)"),
            ("breakdown of a kept property", "/v1/stats/breakdown?event=event-1&property=\(Self.kept)&from=\(from)"),
            ("breakdown of another property", "/v1/stats/breakdown?event=event-1&property=plan&from=\(from)"),
        ]
    }

    /// What a user would write over `events` for the same answers: the funnel from each person's
    /// earliest first step, cohorts from each person's first day, a `GROUP BY` of the property.
    func rawQueries(from: String) -> [PostgresQuery] {
        let (one, two, three) = (Self.steps[0], Self.steps[1], Self.steps[2])
        return [
            """
            WITH ev AS (
                SELECT coalesce(e.user_id, l.user_id, e.anonymous_id) AS person, e.event, e.timestamp AS ts
                FROM events AS e LEFT JOIN identity_links AS l ON e.user_id IS NULL AND l.anonymous_id = e.anonymous_id
                WHERE e.event IN (\(one), \(two), \(three)) AND e.timestamp >= \(from)::timestamptz
            ), s1 AS (
                SELECT person, min(ts) AS t1 FROM ev WHERE event = \(one) GROUP BY person
            ), s2 AS (
                SELECT s1.person, s1.t1, min(ev.ts) AS t2 FROM s1 JOIN ev ON ev.person = s1.person
                WHERE ev.event = \(two) AND ev.ts >= s1.t1 AND ev.ts <= s1.t1 + interval '1 day' GROUP BY 1, 2
            ), s3 AS (
                SELECT DISTINCT s2.person FROM s2 JOIN ev ON ev.person = s2.person
                WHERE ev.event = \(three) AND ev.ts >= s2.t2 AND ev.ts <= s2.t1 + interval '1 day'
            )
            SELECT (SELECT count(*) FROM s1), (SELECT count(*) FROM s2), (SELECT count(*) FROM s3)
            """,
            """
            WITH days AS (
                SELECT DISTINCT coalesce(user_id, anonymous_id) AS person, (timestamp AT TIME ZONE 'UTC')::date AS day
                FROM events
            ), firsts AS (SELECT person, min(day) AS first FROM days GROUP BY person)
            SELECT f.first, d.day - f.first, count(*) FROM days AS d JOIN firsts AS f USING (person)
            WHERE f.first >= (\(from)::timestamptz AT TIME ZONE 'UTC')::date AND d.day < f.first + 30
            GROUP BY 1, 2
            """,
            """
            SELECT properties -> \(Self.kept), count(*) FROM events WHERE event = 'event-1' AND timestamp >= \(from)::timestamptz
            GROUP BY 1 ORDER BY 2 DESC LIMIT 10
            """,
            """
            SELECT properties -> 'plan', count(*) FROM events WHERE event = 'event-1' AND timestamp >= \(from)::timestamptz
            GROUP BY 1 ORDER BY 2 DESC LIMIT 10
            """,
        ]
    }

    func measureAPI(from: String) async throws -> [QueryBenchmark.Latencies] {
        let endpoints = endpoints(from: from)
        let (samples, logger) = (data.samples, logger)
        return try await withLocalServer(database: data.database, connections: 8, logger: logger) {
            client, address, logger in
            buildQueryApplication(
                client: client, readTokens: ReadTokens(), address: address, breakdownProperties: [Self.kept],
                logger: logger)
        } _: { port in
            var results: [QueryBenchmark.Latencies] = []
            for (name, path) in endpoints {
                logger.info("measuring the API", metadata: ["read": "\(name)"])
                var latencies: [Double] = []
                for index in 0..<(samples + 3) {
                    let start = ContinuousClock.now
                    let response = try await HTTPClient.shared.execute(
                        HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)"), timeout: .seconds(60))
                    _ = try await response.body.collect(upTo: 16 << 20)
                    guard response.status.code == 200 else {
                        throw BenchmarkError("\(name) answered \(response.status)")
                    }
                    // The first 3 warm caches and connections.
                    if index >= 3 { latencies.append(QueryBenchmark.milliseconds(since: start)) }
                }
                results.append(QueryBenchmark.Latencies(name: name, milliseconds: latencies))
            }
            return results
        }
    }

    func measureRaw(from: String) async throws -> [QueryBenchmark.Latencies] {
        try await data.database.withConnection(logger: logger) { connection in
            try await connection.query("SET statement_timeout = 0", logger: logger)
            var results: [QueryBenchmark.Latencies] = []
            for (query, (name, _)) in zip(rawQueries(from: from), endpoints(from: from)) {
                logger.info("measuring the plain SQL", metadata: ["read": "\(name)"])
                var latencies: [Double] = []
                for index in 0..<(data.rawSamples + 1) {
                    let start = ContinuousClock.now
                    for try await _ in try await connection.query(query, logger: logger) {}
                    if index > 0 { latencies.append(QueryBenchmark.milliseconds(since: start)) }
                }
                results.append(QueryBenchmark.Latencies(name: name, milliseconds: latencies))
            }
            return results
        }
    }

    /// `EXPLAIN (ANALYZE, BUFFERS)` of the statement the funnel endpoint sends, with its binds and
    /// settings.
    func explainFunnel(from: String) async throws -> [String] {
        let end = Date()
        let start = end.addingTimeInterval(-Double(data.days) * 86_400)
        let query = PostgresQueryRepository.funnelQuery(steps: Self.steps, within: 86_400, from: start, to: end)
        return try await data.database.withConnection(logger: logger) { connection in
            try await connection.query("BEGIN", logger: logger)
            try await PostgresQueryRepository.configureFunnel(on: connection, logger: logger)
            let explain = PostgresQuery(unsafeSQL: "EXPLAIN (ANALYZE, BUFFERS) " + query.sql, binds: query.binds)
            var lines: [String] = []
            for try await line in try await connection.query(explain, logger: logger).decode(String.self) {
                lines.append(line)
            }
            try await connection.query("COMMIT", logger: logger)
            return lines
        }
    }

    /// One worker replica (default settings) draining the same backlog with the analysis upkeep
    /// (one kept property) and without, alternately, on an emptied pipeline each time.
    func drains(on database: DatabaseURL) async throws -> String {
        let drain = DrainBenchmark(database: database, rows: drainRows, logger: logger)
        // The kept property's share apart from the links' and cohorts'.
        let variants: [(name: String, upkeep: AnalysisUpkeep?)] = [
            ("without the analysis upkeep", nil),
            ("with links and cohorts", AnalysisUpkeep()),
            ("with links, cohorts and one kept property", AnalysisUpkeep(breakdownProperties: ["plan"])),
        ]
        var rates = Array(repeating: [Double](), count: variants.count)
        try await database.withConnection(logger: logger) { connection in
            try await Migrator(logger: logger).migrate(on: connection)
            try await PartitionStore.create(UTCDay(Date()), on: connection, logger: logger)
            for round in 1...rounds {
                for (index, variant) in variants.enumerated() {
                    try await connection.query(
                        """
                        TRUNCATE identity_links, person_first_seen, retention_person_weeks, retention_counts,
                                 breakdown_counts_hour, breakdown_counts_day
                        """, logger: logger)
                    try await drain.reset(connection)
                    let seconds = try await drain.measure {
                        try await drainWithWorker(database, variant.upkeep, connection)
                    }
                    .seconds
                    rates[index].append(Double(drainRows) / seconds)
                }
                logger.info("drain round", metadata: ["round": "\(round)", "rates": "\(rates)"])
            }
        }
        var lines = [
            "| drain of \(drainRows) staged track events, 1 replica | events/s | each round | × without |",
            "|---|---|---|---|",
            "| \(variants[0].name) | \(Int(rates[0].median)) | \(rates[0].listedRates) | 1.00 |",
        ]
        for index in variants.indices.dropFirst() {
            let paired = rates[index].ratios(over: rates[0])
            lines.append(
                "| \(variants[index].name) | \(Int(rates[index].median)) | \(rates[index].listedRates) | "
                    + "\(String(format: "%.2f", paired.median)) (each round \(paired.listed)) |")
        }
        return lines.joined(separator: "\n")
    }

    private func drainWithWorker(_ database: DatabaseURL, _ upkeep: AnalysisUpkeep?, _ connection: PostgresConnection)
        async throws
    {
        var quiet = logger
        quiet.logLevel = .error
        var configuration = WorkerConfiguration()
        configuration.analysis = upkeep
        let worker = Worker(database: database, configuration: configuration, logger: quiet)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await worker.run() }
            let rowLeft: PostgresQuery =
                "SELECT count(*)::int FROM (SELECT FROM ingest_staging ORDER BY id LIMIT 1) AS head"
            while try await data.scalar(rowLeft, connection) > 0 {
                try await Task.sleep(for: .milliseconds(20))
            }
            group.cancelAll()
        }
    }
}
