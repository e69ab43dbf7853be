import Foundation
import Logging
import PostgresNIO
import TrackerCore
@_spi(Benchmarks) import TrackerStore
import TrackerWorker

/// `tracker-bench drain`: how fast a worker replica empties a staged backlog, against a SQL-only
/// move of the same rows measured in the same run on the same database.
struct DrainBenchmark: Sendable {
    var database: DatabaseURL
    var rows: Int
    /// Drain onto the events already stored (e.g. the data set of `tracker-bench query`) instead of an
    /// empty pipeline: the drain rate must not depend on the size of `events`.
    var ontoStored: Bool
    /// With `ontoStored`: a database whose pipeline is emptied, where one replica drains the same
    /// backlog in every round, so the drain onto stored events is compared within the round.
    var emptyPipeline: DatabaseURL?
    /// The scenarios run in turn this many times, so a noisy neighbour hits them all alike.
    var rounds: Int
    var logger: Logger

    init(
        database: DatabaseURL, rows: Int, ontoStored: Bool = false, emptyPipeline: DatabaseURL? = nil, rounds: Int = 3,
        logger: Logger
    ) {
        self.database = database
        self.rows = rows
        self.ontoStored = ontoStored
        self.emptyPipeline = ontoStored ? emptyPipeline : nil
        self.rounds = max(1, rounds)
        self.logger = logger
    }

    func run() async throws -> String {
        let empty = emptyPipeline.map { DrainBenchmark(database: $0, rows: rows, logger: logger) }
        if let empty { try await empty.database.withConnection(logger: logger) { try await empty.prepare($0) } }
        return try await database.withConnection(logger: logger) { connection in
            try await prepare(connection)
            var header = "drain of \(rows) staged track events"
            var stored = ""
            if ontoStored {
                try await fillDedupeWindow(connection)
                stored = "onto \(try await count("SELECT count(*)::int FROM events", connection)) stored"
                header += " " + stored
            }
            // SQL-only, then (replicas, concurrency of each) as in `scenarios`.
            var rates: [[Double]] = Array(repeating: [], count: 1 + Self.scenarios.count)
            var cpuPerEvent: [[Double]] = Array(repeating: [], count: 1 + Self.scenarios.count)
            var processCPUPerEvent: [[Double]] = Array(repeating: [], count: 1 + Self.scenarios.count)
            func record(_ index: Int, _ measurement: Measurement) {
                rates[index].append(Double(rows) / measurement.seconds)
                if let cpu = measurement.cpuSeconds { cpuPerEvent[index].append(cpu / Double(rows) * 1e6) }
                processCPUPerEvent[index].append(measurement.processCPUSeconds / Double(rows) * 1e6)
            }
            var emptyRates: [Double] = []
            for round in 1...rounds {
                try await reset(connection)
                record(0, try await measure { try await sqlOnlyDrain() })
                for (index, scenario) in Self.scenarios.enumerated() {
                    try await reset(connection)
                    record(
                        1 + index,
                        try await measure {
                            try await drainWithWorkers(scenario.replicas, loops: scenario.loops, connection)
                        })
                }
                if let empty {
                    emptyRates.append(Double(rows) / (try await empty.drainEmptyPipeline()).seconds)
                }
                logger.info(
                    "drain round", metadata: ["round": "\(round)", "events/s": "\(rates.map { Int($0.last!) })"])
            }
            let medians = rates.map(\.median)
            let names =
                ["SQL-only move, \(WorkerConfiguration().concurrency) statements at once (baseline)"]
                + Self.scenarios.map {
                    "\($0.replicas) worker replica(s), concurrency \($0.loops)\($0.loops == 2 ? " (default)" : ""), batches of 2,000"
                }
            var lines = [
                "| \(header) | events/s | each round | × SQL-only | × SQL-only each round | machine CPU µs/event | CPU × SQL-only | of it in this process µs/event |",
                "|---|---|---|---|---|---|---|---|",
            ]
            for (index, name) in names.enumerated() {
                // Within each round, then the median: the machine's speed drifts between rounds by
                // more than the margin a ratio is judged on.
                let paired = rates[index].ratios(over: rates[0])
                let cpu =
                    if cpuPerEvent[index].count == rates[index].count, cpuPerEvent[0].count == rates[0].count {
                        String(
                            format: "%.1f | %.2f", cpuPerEvent[index].median,
                            cpuPerEvent[index].ratios(over: cpuPerEvent[0]).median)
                    } else {
                        "– | –"
                    }
                let own = String(format: "%.1f", processCPUPerEvent[index].median)
                lines.append(
                    "| \(name) | \(Int(medians[index])) | \(rates[index].listedRates) | \(String(format: "%.2f", paired.median)) | \(paired.listed) | \(cpu) | \(own) |"
                )
            }
            // `scenarios[0]`, one replica at the default concurrency, is the one drained on both.
            if !emptyRates.isEmpty {
                let onto = rates[1]
                let paired = onto.ratios(over: emptyRates)
                lines += [
                    "",
                    "| \(names[1]): \(stored) vs. an empty pipeline | onto stored, events/s | empty pipeline, events/s | × empty | × empty each round |",
                    "|---|---|---|---|---|",
                    "| same backlog, same round | \(Int(onto.median)) | \(Int(emptyRates.median)) | \(String(format: "%.2f", paired.median)) | \(paired.listed) |",
                ]
            }
            try await reset(connection)
            return lines.joined(separator: "\n")
        }
    }

    private func prepare(_ connection: PostgresConnection) async throws {
        try await Migrator(logger: logger).migrate(on: connection)
        try await PartitionStore.create(UTCDay(Date()), on: connection, logger: logger)
    }

    /// One replica at the default concurrency draining a fresh backlog on an emptied pipeline.
    private func drainEmptyPipeline() async throws -> Measurement {
        try await database.withConnection(logger: logger) { connection in
            try await reset(connection)
            let concurrency = WorkerConfiguration().concurrency
            return try await measure { try await drainWithWorkers(1, loops: concurrency, connection) }
        }
    }

    /// The baseline: as many statements at once as a replica runs move loops. One statement on
    /// one connection would use one core, and the workers' ratio would flatter them.
    func sqlOnlyDrain() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<WorkerConfiguration().concurrency {
                group.addTask {
                    try await database.withConnection(logger: logger) { connection in
                        while try await sqlOnlyMove(connection) > 0 {}
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// Empties staging, events, the dedupe window and every rollup.
    func empty(_ connection: PostgresConnection) async throws {
        try await connection.query(
            """
            TRUNCATE ingest_staging, events, event_dedupe, failed_events, event_counts_minute, event_counts_hour,
                     event_counts_day, event_totals, active_people_daily, active_people_counts, active_people_new,
                     active_people_weeks, active_people_months, active_people_totals
            """,
            logger: logger)
    }

    /// Empties the pipeline (or only staging, onto stored events) and stages `rows` new messages.
    func reset(_ connection: PostgresConnection) async throws {
        if ontoStored {
            try await connection.query("TRUNCATE ingest_staging", logger: logger)
        } else {
            try await empty(connection)
        }
        // Fresh ids each time, so the messages are new to the dedupe window whatever it holds.
        let prefix = "drain-\(UInt32.random(in: .min ... .max))-"
        try await connection.query(
            """
            INSERT INTO ingest_staging (received_at, source, kind, message_id, payload)
            SELECT now(), 'bench', 'segment', \(prefix) || g,
                   '{"type":"track","event":"Clicked","userId":"user-' || (g % 1000) || '","messageId":"'
                   || \(prefix) || g || '","properties":{"plan":"pro","n":' || g
                   || '},"context":{"library":{"name":"bench"}},"timestamp":"'
                   || to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') || '"}'
            FROM generate_series(1, \(rows)) AS g
            """,
            logger: logger)
        try await connection.query("VACUUM ANALYZE ingest_staging", logger: logger)
    }

    /// A pipeline that has run for a while remembers every messageId of the dedupe window.
    private func fillDedupeWindow(_ connection: PostgresConnection) async throws {
        logger.info("filling the dedupe window from the stored events of the last 7 days")
        try await connection.query(
            """
            INSERT INTO event_dedupe (source, message_id, first_seen)
            SELECT source, message_id, timestamp FROM events WHERE timestamp > now() - interval '7 days'
            ON CONFLICT DO NOTHING
            """,
            logger: logger)
        try await connection.query("VACUUM ANALYZE event_dedupe", logger: logger)
    }

    /// How long a drain took, and the CPU the whole machine and this process (the worker replicas,
    /// or the SQL-only move's client) spent meanwhile.
    struct Measurement {
        var seconds: Double
        var cpuSeconds: Double?
        var processCPUSeconds: Double
    }

    /// Times `body`.
    func measure(_ body: () async throws -> Void) async throws -> Measurement {
        let start = ContinuousClock.now
        let busy = MachineCPU.busySeconds()
        let own = ProcessCPU.seconds()
        try await body()
        let seconds = (ContinuousClock.now - start).inSeconds
        let processCPU = ProcessCPU.seconds() - own
        guard let busy, let now = MachineCPU.busySeconds() else {
            return Measurement(seconds: seconds, processCPUSeconds: processCPU)
        }
        return Measurement(seconds: seconds, cpuSeconds: now - busy, processCPUSeconds: processCPU)
    }

    /// One batch of the baseline: the same move — claim, dedupe, insert into the partitioned table
    /// with its indexes, every count rollup and the distinct people per day — in one SQL statement,
    /// without validation. Returns the rows claimed.
    private func sqlOnlyMove(_ connection: PostgresConnection) async throws -> Int {
        let rows = try await connection.query(
            """
            WITH claimed AS (
                DELETE FROM ingest_staging WHERE id IN (
                    SELECT id FROM ingest_staging ORDER BY id LIMIT 2000 FOR UPDATE SKIP LOCKED)
                RETURNING message_id, source, received_at, payload::jsonb AS p
            ), fresh AS (
                INSERT INTO event_dedupe (source, message_id)
                SELECT source, message_id FROM claimed ORDER BY 1, 2
                ON CONFLICT DO NOTHING
                RETURNING source, message_id
            ), stored AS (
                INSERT INTO events (message_id, type, event, user_id, timestamp, received_at, source, properties, context)
                SELECT c.message_id, p->>'type', p->>'event', p->>'userId', (p->>'timestamp')::timestamptz, received_at,
                       c.source, coalesce(p->'properties', '{}'), coalesce(p->'context', '{}')
                FROM claimed AS c JOIN fresh USING (source, message_id)
                RETURNING timestamp, event, user_id AS person
            ), \(unescaped: MoveStore.aggregateUpserts)
            SELECT (SELECT count(*) FROM claimed)::int
            """,
            logger: logger)
        for try await moved in rows.decode(Int.self) { return moved }
        return 0
    }

    /// The worker runs: the default replica, two of them (which share the default concurrency of 2
    /// between them: `Worker.movers`), and two with a concurrency of one each.
    static let scenarios = [(replicas: 1, loops: 2), (replicas: 2, loops: 2), (replicas: 2, loops: 1)]

    private func drainWithWorkers(_ replicas: Int, loops: Int, _ connection: PostgresConnection) async throws {
        var quiet = logger
        quiet.logLevel = .error
        var configuration = WorkerConfiguration()
        configuration.concurrency = loops
        let workers = (0..<replicas).map { _ in
            Worker(database: database, configuration: configuration, logger: quiet)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in workers { group.addTask { try await worker.run() } }
            // Only whether a row is left, by the primary key: counting the whole backlog every few
            // milliseconds took a third of a core from the drain it was timing.
            let rowLeft: PostgresQuery =
                "SELECT count(*)::int FROM (SELECT FROM ingest_staging ORDER BY id LIMIT 1) AS head"
            while try await count(rowLeft, connection) > 0 {
                try await Task.sleep(for: .milliseconds(20))
            }
            group.cancelAll()
        }
    }

    private func count(_ query: PostgresQuery, _ connection: PostgresConnection) async throws -> Int {
        for try await value in try await connection.query(query, logger: logger).decode(Int.self) { return value }
        return 0
    }
}
