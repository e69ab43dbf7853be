import Foundation
import Logging
import PostgresNIO
import TrackerCollector
import TrackerStore

/// `tracker-bench protocols`: acknowledged events/s of the same events sent as a batch of 100 in
/// each protocol the collector speaks, as a ratio to Segment's `/v1/batch` in the same run. Each
/// protocol is a translation at the edge into Segment messages, so its cost is the translation.
struct ProtocolBenchmark: Sendable {
    var database: DatabaseURL
    var duration: Duration
    var warmup: Duration
    var rounds: Int
    var logger: Logger

    static let eventsPerBatch = 100

    /// One batch of the same event per protocol, the first being the baseline; one line each.
    static var scenarios: [(name: String, path: String, body: String)] {
        let segment =
            #"{"type":"track","event":"Clicked","userId":"user-42","properties":{"plan":"pro","path":"/pricing","n":1},"context":{"library":{"name":"bench"}},"timestamp":"2026-11-25T12:00:00Z"}"#
        let postHog =
            #"{"event":"Clicked","distinct_id":"user-42","properties":{"plan":"pro","path":"/pricing","n":1,"$lib":"bench"},"timestamp":"2026-11-25T12:00:00Z"}"#
        let snowplow =
            #"{"e":"se","se_ac":"Clicked","se_ca":"pro","se_la":"/pricing","se_va":"1","uid":"user-42","tv":"bench","p":"web","dtm":"1764072000000"}"#
        func batch(_ event: String) -> String { Array(repeating: event, count: eventsPerBatch).joined(separator: ",") }
        return [
            ("Segment /v1/batch (baseline)", "/v1/batch", #"{"batch":[\#(batch(segment))]}"#),
            ("PostHog /batch/", "/batch/", #"{"api_key":"bench","batch":[\#(batch(postHog))]}"#),
            (
                "Snowplow tp2", "/com.snowplowanalytics.snowplow/tp2",
                #"{"schema":"iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4","data":[\#(batch(snowplow))]}"#
            ),
        ]
    }

    /// Runs every scenario and returns the report as Markdown.
    func run() async throws -> String {
        try await database.withConnection(logger: logger) { connection in
            try await Migrator(logger: logger).migrate(on: connection)
            let scenarios = Self.scenarios
            var rates = Array(repeating: [Double](), count: scenarios.count)
            var failures = Array(repeating: 0, count: scenarios.count)
            // Rounds of every scenario in turn, so a noisy neighbour slows all of them alike.
            for round in 1...max(1, rounds) {
                for (index, scenario) in scenarios.enumerated() {
                    try await connection.query("TRUNCATE ingest_staging", logger: logger)
                    let load = LoadGenerator.Scenario(
                        name: scenario.name, path: scenario.path, body: scenario.body,
                        eventsPerRequest: Self.eventsPerBatch, connections: 16)
                    let result = try await withCollector { port in
                        try await LoadGenerator(port: port).run(load, warmup: warmup, duration: duration)
                    }
                    logger.info(
                        "scenario done",
                        metadata: [
                            "round": "\(round)", "scenario": "\(scenario.name)",
                            "events/s": "\(Int(result.eventsPerSecond))",
                        ])
                    rates[index].append(result.eventsPerSecond)
                    failures[index] += result.failures
                }
            }
            try await connection.query("TRUNCATE ingest_staging", logger: logger)
            let medians = rates.map { $0.sorted()[$0.count / 2] }
            var lines = [
                "| protocol, batches of \(Self.eventsPerBatch) | events/s acknowledged (median of \(rates[0].count)) | each round | non-2xx | × Segment |",
                "|---|---|---|---|---|",
            ]
            for (index, scenario) in scenarios.enumerated() {
                let each = rates[index].map { String(Int($0)) }.joined(separator: ", ")
                lines.append(
                    "| \(scenario.name) | \(Int(medians[index])) | \(each) | \(failures[index]) | "
                        + String(format: "%.2f", medians[index] / medians[0]) + " |")
            }
            return lines.joined(separator: "\n")
        }
    }

    /// A collector with auth off (the events' source is `default`) on a free port, no workers:
    /// the backlog limit must not cut the run short.
    private func withCollector<Result: Sendable>(_ body: @Sendable @escaping (Int) async throws -> Result)
        async throws -> Result
    {
        var configuration = CollectorConfiguration()
        configuration.staging.backlogLimit = .max
        return try await withLocalServer(
            database: database, connections: 20, logger: logger,
            build: { client, address, logger in
                buildCollectorApplication(
                    client: client, configuration: configuration, address: address, logger: logger)
            }, body)
    }
}
