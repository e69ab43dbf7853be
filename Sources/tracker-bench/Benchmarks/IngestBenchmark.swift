import Foundation
import Hummingbird
import Logging
import NIOHTTP1
import PostgresNIO
import ServiceLifecycle
import TrackerCollector
import TrackerStore

/// `tracker-bench ingest`: acknowledged events/s through the collector, against a baseline that
/// commits every event in its own transaction, measured in the same run on the same database.
struct IngestBenchmark: Sendable {
    var database: DatabaseURL
    var duration: Duration
    var warmup: Duration
    var rounds: Int
    var logger: Logger

    init(database: DatabaseURL, duration: Duration, warmup: Duration, rounds: Int = 3, logger: Logger) {
        self.database = database
        self.duration = duration
        self.warmup = warmup
        self.rounds = max(1, rounds)
        self.logger = logger
    }

    /// Runs every scenario and returns the report as Markdown.
    func run() async throws -> String {
        try await database.withConnection(logger: logger) { connection in
            try await Migrator(logger: logger).migrate(on: connection)

            let track =
                #"{"type":"track","event":"Clicked","userId":"user-42","properties":{"plan":"pro","path":"/pricing","n":1},"context":{"library":{"name":"bench"}},"timestamp":"2026-11-25T12:00:00Z"}"#
            let legacy =
                #"{"userId":"user-42","sessionId":"session-7","eventType":"Clicked","timestamp":"2026-11-25T12:00:00Z","metadata":{"plan":"pro","path":"/pricing","n":1}}"#
            let batch = #"{"batch":[\#(Array(repeating: track, count: 100).joined(separator: ","))]}"#
            let scenarios: [(LoadGenerator.Scenario, Server)] = [
                (
                    .init(
                        name: "batch of 100, group commit", path: "/v1/batch", body: batch, eventsPerRequest: 100,
                        connections: 16), .collector(groupCommit: true)
                ),
                (
                    .init(
                        name: "single event, group commit", path: "/v1/track", body: track, eventsPerRequest: 1,
                        connections: 64), .collector(groupCommit: true)
                ),
                (
                    .init(
                        name: "single event, one transaction per event (baseline)", path: "/v1/track", body: track,
                        eventsPerRequest: 1, connections: 64), .collector(groupCommit: false)
                ),
                (
                    .init(
                        name: "HTTP ceiling: bare Hummingbird reads the body, no database", path: "/v1/track",
                        body: track, eventsPerRequest: 1, connections: 64), .bareHTTP
                ),
                (
                    .init(
                        name: "POST /events (original tracker), group commit", path: "/events", body: legacy,
                        eventsPerRequest: 1, connections: 64), .collector(groupCommit: true)
                ),
                (
                    .init(
                        name: "GET /healthz through the collector's middleware", path: "/healthz", body: "",
                        eventsPerRequest: 1, connections: 64, method: .GET), .collector(groupCommit: true)
                ),
                (
                    .init(
                        name: "GET /healthz, bare Hummingbird", path: "/healthz", body: "", eventsPerRequest: 1,
                        connections: 64, method: .GET), .bareHTTP
                ),
            ]
            // Rounds of every scenario in turn, so a noisy neighbour slows all of them alike.
            var results = Array(repeating: [(LoadGenerator.Result, rss: Int)](), count: scenarios.count)
            for round in 1...rounds {
                for (index, (scenario, server)) in scenarios.enumerated() {
                    try await connection.query("TRUNCATE ingest_staging", logger: logger)
                    ProcessMemory.resetPeak()
                    let result = try await withServer(server) { port in
                        try await LoadGenerator(port: port).run(scenario, warmup: warmup, duration: duration)
                    }
                    logger.info(
                        "scenario done",
                        metadata: [
                            "round": "\(round)", "scenario": "\(scenario.name)",
                            "events/s": "\(Int(result.eventsPerSecond))",
                        ])
                    results[index].append((result, ProcessMemory.peakResidentBytes()))
                }
            }
            try await connection.query("TRUNCATE ingest_staging", logger: logger)
            // The baseline each line is compared with: the collector committing every event on its own.
            return report(results, baseline: scenarios.firstIndex { $0.1 == .collector(groupCommit: false) }!)
        }
    }

    /// What a scenario sends its requests to.
    enum Server: Equatable {
        case collector(groupCommit: Bool)
        /// The same HTTP server with nothing behind it: what this machine allows single-event POSTs
        /// at most, whatever the collector does.
        case bareHTTP
    }

    /// Runs the scenario's server in this process on a free port for the duration of `body`.
    private func withServer<Result: Sendable>(
        _ server: Server, _ body: @Sendable @escaping (Int) async throws -> Result
    ) async throws -> Result {
        let groupCommit: Bool
        switch server {
        case .collector(let value): groupCommit = value
        case .bareHTTP:
            return try await withLocalServer(
                database: database, connections: 1, logger: logger,
                build: { _, address, logger in
                    Application(
                        router: BareHummingbird.router(), configuration: .init(address: address), logger: logger)
                }, body)
        }
        var configuration = CollectorConfiguration()
        // No workers drain during the benchmark: the backlog limit must not cut the run short.
        configuration.staging.backlogLimit = .max
        if !groupCommit {
            configuration.staging.maxFlushRows = 1
            configuration.staging.maxConcurrentFlushes = 16
        }
        return try await withLocalServer(
            database: database, connections: 20, logger: logger,
            build: { client, address, logger in
                buildCollectorApplication(
                    client: client, configuration: configuration, address: address, logger: logger)
            }, body)
    }

    /// One line per scenario: its median round (by events/s), every round's figure beside it.
    private func report(_ results: [[(LoadGenerator.Result, rss: Int)]], baseline: Int) -> String {
        let medians = results.map { rounds in
            rounds.sorted { $0.0.eventsPerSecond < $1.0.eventsPerSecond }[rounds.count / 2]
        }
        let baselineRate = medians[baseline].0.eventsPerSecond
        var lines = [
            "| scenario | connections | events/s acknowledged (median of \(rounds)) | each round | requests/s | p50 ms | p99 ms | non-2xx | × baseline | peak RSS MB |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for (rounds, (result, rss)) in zip(results, medians) {
            let each = rounds.map { "\(Int($0.0.eventsPerSecond))" }.joined(separator: ", ")
            lines.append(
                "| \(result.scenario.name) | \(result.scenario.connections) | \(Int(result.eventsPerSecond)) | \(each) | "
                    + "\(Int(result.requestsPerSecond)) | "
                    + String(format: "%.2f | %.2f", result.percentile(0.5), result.percentile(0.99))
                    + " | \(rounds.map(\.0.failures).reduce(0, +)) | "
                    + String(format: "%.1f", result.eventsPerSecond / baselineRate) + " | \(rss / 1_048_576) |")
        }
        return lines.joined(separator: "\n") + "\n\n" + ratios(results)
    }

    /// The issue's ratios, each taken within a round (both sides measured minutes apart at most) and
    /// reported as the median round's.
    private func ratios(_ results: [[(LoadGenerator.Result, rss: Int)]]) -> String {
        func ratio(_ name: String, _ over: Int, _ under: Int, goal: Double) -> String {
            let each = zip(results[over], results[under]).map { $0.0.eventsPerSecond / $1.0.eventsPerSecond }
            let median = each.sorted()[each.count / 2]
            let rounds = each.map { String(format: "%.2f", $0) }.joined(separator: ", ")
            return "| \(name) | " + String(format: "%.2f× | %.2f×", median, goal) + " | \(rounds) |"
        }
        return [
            "| ratio (same round) | median | goal | each round |",
            "|---|---|---|---|",
            ratio("single events (/v1/track) vs the bare-Hummingbird ceiling", 1, 3, goal: 0.5),
            ratio("POST /events vs /v1/track, single events", 4, 1, goal: 0.95),
            ratio("GET /healthz through the collector's middleware vs bare Hummingbird", 5, 6, goal: 0.8),
        ].joined(separator: "\n")
    }
}

enum ProcessMemory {
    /// Starts the peak over from the current resident set (Linux: `5` to `/proc/self/clear_refs`),
    /// so each scenario reports its own peak, not the largest of every scenario run before it.
    static func resetPeak() {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    }

    /// Peak resident set size of this process (VmHWM), in bytes.
    static func peakResidentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
            return kilobytes * 1024
        }
        return 0
    }
}
