import Foundation
import Logging
import PostgresNIO
import TrackerCollector
import TrackerCore
import TrackerStore
import TrackerWorker

/// `tracker-bench pipeline`: ingest and drain at once, sustained — a collector and two worker
/// replicas in this process under flat-out Segment batches from clients that wait out
/// `Retry-After` like the SDKs — against the SQL-only move measured in the same run.
///
/// Flat out, the collector outruns the workers until the staging backlog passes its limit; from
/// then on it answers `backlog_full` (503, `Retry-After: 5`) while the workers catch up, so over the
/// measured window what is stored per second is what the pipeline sustains end to end.
struct PipelineBenchmark: Sendable {
    var database: DatabaseURL
    var duration: Duration
    var warmup: Duration
    var rounds: Int
    var logger: Logger

    /// The collector's backlog limit in this benchmark: reached in seconds, and more than the
    /// workers drain in the five seconds the refused clients wait, so they never run dry.
    static let backlogLimit = 300_000
    static let replicas = 2

    init(database: DatabaseURL, duration: Duration, warmup: Duration, rounds: Int = 3, logger: Logger) {
        self.database = database
        self.duration = duration
        self.warmup = warmup
        self.rounds = max(1, rounds)
        self.logger = logger
    }

    /// One measured window of the pipeline.
    struct Round {
        var stored: Double
        var acknowledged: Double
        var backlogBefore: Int
        var backlogAfter: Int
        var refused: Int
    }

    func run() async throws -> String {
        let baseline = DrainBenchmark(database: database, rows: 200_000, rounds: 1, logger: logger)
        let (sqlOnly, pipeline) = try await database.withConnection(logger: logger) { connection in
            try await Migrator(logger: logger).migrate(on: connection)
            try await PartitionStore.create(UTCDay(Date()), on: connection, logger: logger)
            var sqlOnly: [Double] = []
            var pipeline: [Round] = []
            for round in 1...rounds {
                try await baseline.reset(connection)
                let seconds = try await baseline.measure { try await baseline.sqlOnlyDrain() }.seconds
                sqlOnly.append(Double(baseline.rows) / seconds)
                try await baseline.empty(connection)
                pipeline.append(try await measurePipeline(connection))
                logger.info(
                    "pipeline round",
                    metadata: [
                        "round": "\(round)", "SQL-only events/s": "\(Int(sqlOnly.last!))",
                        "stored events/s": "\(Int(pipeline.last!.stored))",
                        "acknowledged events/s": "\(Int(pipeline.last!.acknowledged))",
                    ])
            }
            try await baseline.empty(connection)
            return (sqlOnly, pipeline)
        }
        return report(sqlOnly: sqlOnly, pipeline: pipeline, baselineRows: baseline.rows)
    }

    private func measurePipeline(_ connection: PostgresConnection) async throws -> Round {
        var collector = CollectorConfiguration()
        collector.staging.backlogLimit = Self.backlogLimit
        var quiet = logger
        quiet.logLevel = .error
        let workers = (0..<Self.replicas).map { _ in
            Worker(database: database, configuration: WorkerConfiguration(), logger: quiet)
        }
        let track =
            #"{"type":"track","event":"Clicked","userId":"user-42","properties":{"plan":"pro","path":"/pricing","n":1},"context":{"library":{"name":"bench"}}}"#
        let scenario = LoadGenerator.Scenario(
            name: "batch of 100", path: "/v1/batch",
            body: #"{"batch":[\#(Array(repeating: track, count: 100).joined(separator: ","))]}"#,
            eventsPerRequest: 100, connections: 16, honoursRetryAfter: true)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in workers { group.addTask { try await worker.run() } }
            let round = try await withLocalServer(
                database: database, connections: 20, logger: logger,
                build: { client, address, logger in
                    buildCollectorApplication(
                        client: client, configuration: collector, address: address, logger: logger)
                }
            ) { port in
                let generator = LoadGenerator(port: port)
                // Flat out until the backlog reached the limit (the first refusal), then the warm-up.
                let started = ContinuousClock.now
                var refused = 0
                while refused == 0, ContinuousClock.now - started < .seconds(120) {
                    refused = try await generator.measure(scenario, for: .seconds(1)).failures
                }
                _ = try await generator.measure(scenario, for: warmup)
                let before = try await Self.snapshot(connection, logger: logger)
                let result = try await generator.measure(scenario, for: duration)
                let after = try await Self.snapshot(connection, logger: logger)
                return Round(
                    stored: Double(after.stored - before.stored) / (after.at - before.at).inSeconds,
                    acknowledged: result.eventsPerSecond, backlogBefore: before.backlog,
                    backlogAfter: after.backlog, refused: result.failures)
            }
            group.cancelAll()
            try await group.waitForAll()
            return round
        }
    }

    /// Events stored and staged now, and when.
    private static func snapshot(_ connection: PostgresConnection, logger: Logger) async throws -> (
        stored: Int, backlog: Int, at: ContinuousClock.Instant
    ) {
        let rows = try await connection.query(
            "SELECT (SELECT count(*) FROM events)::int8, (SELECT count(*) FROM ingest_staging)::int8", logger: logger)
        for try await (stored, backlog) in rows.decode((Int64, Int64).self) {
            return (Int(stored), Int(backlog), ContinuousClock.now)
        }
        throw PostgresDecodingError.Code.missingData
    }

    private func report(sqlOnly: [Double], pipeline: [Round], baselineRows: Int) -> String {
        let baseline = sqlOnly.median
        let stored = pipeline.map(\.stored)
        let acknowledged = pipeline.map(\.acknowledged)
        let backlogs = pipeline.map { "\($0.backlogBefore) → \($0.backlogAfter)" }.joined(separator: ", ")
        return [
            "| ingest and drain at once | events/s (median of \(pipeline.count)) | each round | × SQL-only |",
            "|---|---|---|---|",
            "| SQL-only move of \(baselineRows) staged events, \(WorkerConfiguration().concurrency) statements at once (baseline) | "
                + "\(Int(baseline)) | \(sqlOnly.listedRates) | 1.00 |",
            "| stored: collector + \(Self.replicas) worker replicas, batches of 100 on 16 connections | "
                + "\(Int(stored.median)) | \(stored.listedRates) | \(String(format: "%.2f", stored.ratios(over: sqlOnly).median)) |",
            "| acknowledged by the collector in the same windows | "
                + "\(Int(acknowledged.median)) | \(acknowledged.listedRates) | \(String(format: "%.2f", acknowledged.ratios(over: sqlOnly).median)) |",
            "",
            "Staging backlog at each window's start → end: \(backlogs) (collector limit \(Self.backlogLimit)); "
                + "requests refused with 503 and waited out: \(pipeline.map { "\($0.refused)" }.joined(separator: ", ")).",
        ].joined(separator: "\n")
    }
}
