import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOHTTP1
import PostgresNIO
import ServiceLifecycle
import TrackerCollector
import TrackerStore

/// `tracker bench ingest`: acknowledged events/s through the collector, against a baseline that
/// commits every event in its own transaction, measured in the same run on the same database.
public struct IngestBenchmark: Sendable {
    public var database: DatabaseURL
    public var duration: Duration
    public var warmup: Duration
    public var logger: Logger

    public init(database: DatabaseURL, duration: Duration, warmup: Duration, logger: Logger) {
        self.database = database
        self.duration = duration
        self.warmup = warmup
        self.logger = logger
    }

    /// Runs every scenario and returns the report as Markdown.
    public func run() async throws -> String {
        let results = try await database.withConnection(logger: logger) { connection in
            try await Migrator(logger: logger).migrate(on: connection)

            let track =
                #"{"type":"track","event":"Clicked","userId":"user-42","properties":{"plan":"pro","path":"/pricing","n":1},"context":{"library":{"name":"bench"}},"timestamp":"2026-11-25T12:00:00Z"}"#
            let batch = #"{"batch":[\#(Array(repeating: track, count: 100).joined(separator: ","))]}"#
            let scenarios: [(LoadGenerator.Scenario, groupCommit: Bool)] = [
                (
                    .init(
                        name: "batch of 100, group commit", path: "/v1/batch", body: batch, eventsPerRequest: 100,
                        connections: 16), true
                ),
                (
                    .init(
                        name: "single event, group commit", path: "/v1/track", body: track, eventsPerRequest: 1,
                        connections: 64), true
                ),
                (
                    .init(
                        name: "single event, one transaction per event (baseline)", path: "/v1/track", body: track,
                        eventsPerRequest: 1, connections: 64), false
                ),
            ]
            var results: [(LoadGenerator.Result, rss: Int)] = []
            for (scenario, groupCommit) in scenarios {
                try await connection.query("TRUNCATE ingest_staging", logger: logger)
                let result = try await withCollector(groupCommit: groupCommit) { port in
                    let client = HTTPClient(
                        eventLoopGroup: HTTPClient.defaultEventLoopGroup,
                        configuration: .init(
                            connectionPool: .init(
                                idleTimeout: .seconds(60),
                                concurrentHTTP1ConnectionsPerHostSoftLimit: scenario.connections)
                        ))
                    let generator = LoadGenerator(client: client, baseURL: "http://127.0.0.1:\(port)")
                    let result = try await generator.run(scenario, warmup: warmup, duration: duration)
                    try await client.shutdown()
                    return result
                }
                let staged = try await connection.query("SELECT count(*)::int FROM ingest_staging", logger: logger)
                for try await count in staged.decode(Int.self) {
                    logger.info("scenario done", metadata: ["scenario": "\(scenario.name)", "staged": "\(count)"])
                }
                results.append((result, ProcessMemory.peakResidentBytes()))
            }
            try await connection.query("TRUNCATE ingest_staging", logger: logger)
            return results
        }
        return report(results)
    }

    /// Runs a collector in this process on a free port for the duration of `body`.
    private func withCollector<Result: Sendable>(
        groupCommit: Bool, _ body: @Sendable @escaping (Int) async throws -> Result
    ) async throws -> Result {
        var configuration = CollectorConfiguration()
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

    private func report(_ results: [(LoadGenerator.Result, rss: Int)]) -> String {
        let baseline = results.last!.0.eventsPerSecond
        var lines = [
            "| scenario | connections | events/s acknowledged | requests/s | p50 ms | p99 ms | non-2xx | × baseline | peak RSS MB |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for (result, rss) in results {
            lines.append(
                "| \(result.scenario.name) | \(result.scenario.connections) | \(Int(result.eventsPerSecond)) | \(Int(result.requestsPerSecond)) | "
                    + String(format: "%.2f | %.2f", result.percentile(0.5), result.percentile(0.99))
                    + " | \(result.failures) | " + String(format: "%.1f", result.eventsPerSecond / baseline)
                    + " | \(rss / 1_048_576) |")
        }
        return lines.joined(separator: "\n")
    }
}

enum ProcessMemory {
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
