import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOHTTP1
import PostgresNIO
import ServiceLifecycle
import TrackerCore
import TrackerQuery
import TrackerStore

/// `tracker-bench query`: read latency of the query API on a large stored data set, against the
/// original tracker's raw `GROUP BY` queries over `events`, measured in the same run.
///
/// The data set is generated in SQL straight into `events` and its rollups (what workers would have
/// written) and kept between runs when it already has the requested size.
struct QueryBenchmark: Sendable {
    var database: DatabaseURL
    var events: Int
    var days: Int
    var people: Int
    var samples: Int
    var rawSamples: Int
    var logger: Logger

    init(
        database: DatabaseURL, events: Int, days: Int, people: Int, samples: Int, rawSamples: Int, logger: Logger
    ) {
        self.database = database
        self.events = events
        self.days = days
        self.people = people
        self.samples = samples
        self.rawSamples = rawSamples
        self.logger = logger
    }

    struct Latencies {
        var name: String
        var milliseconds: [Double]

        func percentile(_ fraction: Double) -> Double {
            let sorted = milliseconds.sorted()
            return sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
        }
    }

    func run() async throws -> String {
        let from = ISO8601.string(from: Date().addingTimeInterval(-Double(days) * 86_400))
        try await database.withConnection(logger: logger) { connection in
            try await Migrator(logger: logger).migrate(on: connection)
            let stored = try await scalar("SELECT count(*)::int8 FROM events", connection)
            if stored != events { try await seed(connection) }
        }
        let api = try await measureAPI(from: from)
        let raw = try await measureRaw(from: from)
        let total = try await database.withConnection(logger: logger) { connection in
            (
                events: try await scalar("SELECT count(*)::int8 FROM events", connection),
                minuteRows: try await scalar("SELECT count(*)::int8 FROM event_counts_minute", connection),
                dayPeople: try await scalar("SELECT count(*)::int8 FROM active_people_daily", connection)
            )
        }
        func ms(_ value: Double) -> String { String(format: "%.2f", value) }
        var lines = [
            "Data set: \(total.events) events over \(days) days, \(people) people, "
                + "\(total.minuteRows) minute-rollup rows, \(total.dayPeople) (day, person) rows. "
                + "API: \(samples) sequential requests each over HTTP; raw: \(rawSamples) runs each over one connection.",
            "",
            "| read (30 days unless said) | API p50 ms | API p99 ms | raw query p50 ms | raw p99 ms | raw p50 / API p50 |",
            "|---|---|---|---|---|---|",
        ]
        for (result, baseline) in zip(api, raw) {
            lines.append(
                "| \(result.name) | \(ms(result.percentile(0.5))) | \(ms(result.percentile(0.99))) | "
                    + "\(ms(baseline.percentile(0.5))) | \(ms(baseline.percentile(0.99))) | "
                    + "\(String(format: "%.0f", baseline.percentile(0.5) / result.percentile(0.5)))× |")
        }
        return lines.joined(separator: "\n")
    }

    /// The endpoints, in the order of `rawQueries`.
    func endpoints(from: String) -> [(String, @Sendable (Int) -> String)] {
        [
            ("top-events", { _ in "/v1/stats/top-events?from=\(from)" }),
            ("timeseries, hourly", { _ in "/v1/stats/timeseries?interval=hour&from=\(from)" }),
            ("timeseries, daily", { _ in "/v1/stats/timeseries?interval=day&from=\(from)" }),
            ("active-users, daily", { _ in "/v1/stats/active-users?interval=day&from=\(from)" }),
            ("active-users, weekly", { _ in "/v1/stats/active-users?interval=week&from=\(from)" }),
            ("per-person events, newest 100", { index in "/v1/events?user_id=user-\(person(index))" }),
        ]
    }

    /// The original tracker's way: aggregate `events` on every read; the per-person read is its
    /// `SELECT *` for the same people the API is asked about.
    func rawQueries(from: String) -> [(Int) -> PostgresQuery] {
        [
            { _ in
                """
                SELECT event, count(*) FROM events WHERE timestamp >= \(from)::timestamptz AND event IS NOT NULL
                GROUP BY event ORDER BY 2 DESC LIMIT 10
                """
            },
            { _ in
                """
                SELECT date_trunc('hour', timestamp), count(*) FROM events WHERE timestamp >= \(from)::timestamptz
                GROUP BY 1 ORDER BY 1
                """
            },
            { _ in
                """
                SELECT date_trunc('day', timestamp), count(*) FROM events WHERE timestamp >= \(from)::timestamptz
                GROUP BY 1 ORDER BY 1
                """
            },
            { _ in
                """
                SELECT date_trunc('day', timestamp), count(DISTINCT coalesce(user_id, anonymous_id)) FROM events
                WHERE timestamp >= \(from)::timestamptz GROUP BY 1 ORDER BY 1
                """
            },
            { _ in
                """
                SELECT date_trunc('week', timestamp), count(DISTINCT coalesce(user_id, anonymous_id)) FROM events
                WHERE timestamp >= \(from)::timestamptz GROUP BY 1 ORDER BY 1
                """
            },
            { index in
                """
                SELECT * FROM events WHERE user_id = \("user-\(person(index))") ORDER BY timestamp DESC LIMIT 100
                """
            },
        ]
    }

    /// The person the `index`th per-person read asks about: spread over everyone, so reads are not
    /// all served from the same cached pages.
    func person(_ index: Int) -> Int { (index + 1) * 7_919 % people }

    func measureAPI(from: String) async throws -> [Latencies] {
        let endpoints = endpoints(from: from)
        let (samples, logger) = (samples, logger)
        return try await withLocalServer(database: database, connections: 8, logger: logger) {
            client, address, logger in
            buildQueryApplication(client: client, readTokens: ReadTokens(), address: address, logger: logger)
        } _: { port in
            var results: [Latencies] = []
            for (name, path) in endpoints {
                logger.info("measuring the API", metadata: ["read": "\(name)"])
                var latencies: [Double] = []
                for index in 0..<(samples + 20) {
                    let start = ContinuousClock.now
                    let response = try await HTTPClient.shared.execute(
                        HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path(index))"), timeout: .seconds(30))
                    _ = try await response.body.collect(upTo: 16 << 20)
                    guard response.status.code == 200 else {
                        throw BenchmarkError("\(name) answered \(response.status)")
                    }
                    // The first 20 warm caches and connections.
                    if index >= 20 { latencies.append(Self.milliseconds(since: start)) }
                }
                results.append(Latencies(name: name, milliseconds: latencies))
            }
            return results
        }
    }

    func measureRaw(from: String) async throws -> [Latencies] {
        try await database.withConnection(logger: logger) { connection in
            var results: [Latencies] = []
            for (query, (name, _)) in zip(rawQueries(from: from), endpoints(from: from)) {
                logger.info("measuring the raw query", metadata: ["read": "\(name)"])
                var latencies: [Double] = []
                for index in 0..<(rawSamples + 1) {
                    let start = ContinuousClock.now
                    // Other people than the API was asked about, so neither side reads what the other cached.
                    let rows = try await connection.query(query(index + 10_000), logger: logger)
                    for try await _ in rows {}
                    if index > 0 { latencies.append(Self.milliseconds(since: start)) }
                }
                results.append(Latencies(name: name, milliseconds: latencies))
            }
            return results
        }
    }

    /// Writes the data set in chunks (with progress), then the rollups and views from it.
    func seed(_ connection: PostgresConnection) async throws {
        try await connection.query(
            """
            TRUNCATE ingest_staging, events, event_dedupe, failed_events, event_counts_minute, event_counts_hour,
                     event_counts_day, event_totals, active_people_daily, active_people_counts, active_people_new,
                     active_people_weeks, active_people_months, active_people_totals, view_refreshes
            """, logger: logger)
        let today = UTCDay(Date())
        for offset in -(days + 1)...1 {
            try await PartitionStore.create(today.adding(days: offset), on: connection, logger: logger)
        }
        let spanMilliseconds = Int64(days) * 86_400_000
        let chunk = 1_000_000
        for start in stride(from: 1, through: events, by: chunk) {
            let end = min(events, start + chunk - 1)
            logger.info("seeding events", metadata: ["rows": "\(start)...\(end) of \(events)"])
            // Deterministic spread: times over the whole span, 50 names with a skew (each person doing
            // many), 80% known users.
            try await connection.query(
                """
                INSERT INTO events (message_id, type, event, user_id, anonymous_id, timestamp, received_at, source,
                                    properties, context)
                SELECT 'seed-' || g, CASE WHEN g % 10 = 0 THEN 'page' ELSE 'track' END,
                       'event-' || h.x * h.x * 50 / 1000000,
                       CASE WHEN g % 5 <> 0 THEN 'user-' || (g * 7919) % \(Int64(people)) END,
                       CASE WHEN g % 5 = 0 THEN 'anon-' || (g * 104729) % \(Int64(people)) END,
                       ts, ts, 'bench', jsonb_build_object('n', g % 100, 'plan', 'pro'),
                       '{"library":{"name":"bench"}}'
                FROM generate_series(\(Int64(start)), \(Int64(end))) AS g,
                     LATERAL (SELECT now() - ((g * 15485863) % \(spanMilliseconds)) * interval '1 millisecond' AS ts) AS t,
                     -- A hash, not a multiple of g: names must not follow people (g modulo people).
                     LATERAL (SELECT abs(hashint8(g)) % 1000 AS x) AS h
                """, logger: logger)
        }
        logger.info("building the rollups from events")
        try await connection.query(
            """
            INSERT INTO event_counts_minute (bucket, event, count)
            SELECT date_trunc('minute', timestamp, 'UTC'), coalesce(event, ''), count(*) FROM events GROUP BY 1, 2
            """, logger: logger)
        try await connection.query(
            """
            INSERT INTO event_counts_hour (bucket, event, count)
            SELECT date_trunc('hour', bucket, 'UTC'), event, sum(count) FROM event_counts_minute GROUP BY 1, 2
            """, logger: logger)
        try await connection.query(
            """
            INSERT INTO event_counts_day (bucket, event, count)
            SELECT date_trunc('day', bucket, 'UTC'), event, sum(count) FROM event_counts_minute GROUP BY 1, 2
            """, logger: logger)
        try await connection.query(
            """
            INSERT INTO event_totals (granularity, bucket, count)
            SELECT g, date_trunc(g, bucket, 'UTC'), sum(count)
            FROM event_counts_minute, unnest(ARRAY['minute', 'hour', 'day']) AS g GROUP BY 1, 2
            """, logger: logger)
        try await connection.query(
            """
            INSERT INTO active_people_daily (day, person)
            SELECT DISTINCT (timestamp AT TIME ZONE 'UTC')::date, coalesce(user_id, anonymous_id) FROM events
            """, logger: logger)
        try await connection.query(
            "INSERT INTO active_people_counts (day, people) SELECT day, count(*) FROM active_people_daily GROUP BY day",
            logger: logger)
        try await connection.query(
            """
            INSERT INTO active_people_weeks (week, person)
            SELECT DISTINCT date_trunc('week', day::timestamp)::date, person FROM active_people_daily
            """, logger: logger)
        try await connection.query(
            """
            INSERT INTO active_people_months (month, person)
            SELECT DISTINCT date_trunc('month', day::timestamp)::date, person FROM active_people_daily
            """, logger: logger)
        try await connection.query(
            """
            INSERT INTO active_people_totals (granularity, bucket, people)
            SELECT 'week', week, count(*) FROM active_people_weeks GROUP BY week
            UNION ALL
            SELECT 'month', month, count(*) FROM active_people_months GROUP BY month
            """, logger: logger)
        for view in ["active_people_weekly", "active_people_monthly"] {
            // View names are constants of this list.
            try await connection.query(PostgresQuery(unsafeSQL: "REFRESH MATERIALIZED VIEW \(view)"), logger: logger)
            try await connection.query(
                "INSERT INTO view_refreshes (view_name, refreshed_at) VALUES (\(view), now())", logger: logger)
        }
        logger.info("analyzing")
        try await connection.query("VACUUM ANALYZE", logger: logger)
    }

    func scalar(_ query: PostgresQuery, _ connection: PostgresConnection) async throws -> Int {
        for try await value in try await connection.query(query, logger: logger).decode(Int.self) { return value }
        return 0
    }

    static func milliseconds(since start: ContinuousClock.Instant) -> Double {
        (ContinuousClock.now - start).inSeconds * 1e3
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
