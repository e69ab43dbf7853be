import Foundation
import Logging
import PostgresNIO
import TrackerStore
import TrackerTestSupport

@testable import TrackerWorker

/// Test settings: quick polls and elections, small batches so there are many transactions.
func testConfiguration(batchSize: Int = 500) -> WorkerConfiguration {
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
    func stage(_ payloads: [String], source: String = "web", receivedAt: Date = Date(), client: PostgresClient)
        async throws
    {
        let rows = payloads.enumerated().map { index, payload in
            StagedRow(
                receivedAt: receivedAt, source: source, kind: .segment, impliedType: nil,
                messageId: Self.messageId(in: payload) ?? "generated-\(UUID().uuidString)", payload: payload,
                envelope: nil)
        }
        let repository = PostgresStagingRepository(client: client)
        for start in stride(from: 0, to: rows.count, by: 5_000) {
            try await repository.insert(Array(rows[start..<min(rows.count, start + 5_000)]), logger: logger)
        }
    }

    static func messageId(in payload: String) -> String? {
        guard let range = payload.range(of: #""messageId":"([^"]*)""#, options: .regularExpression) else { return nil }
        return String(payload[range].dropFirst(#""messageId":""#.count).dropLast())
    }

    /// Runs `count` worker replicas while `body` runs.
    func withWorkers<Result: Sendable>(
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

    func waitUntilDrained(timeout: Duration = .seconds(60)) async throws {
        try await waitUntil(timeout: timeout, "staging is empty") {
            try await scalar("SELECT count(*)::int FROM ingest_staging") == 0
        }
    }

    /// Ends every connection to this database but the ones `keep` lists.
    func terminateBackends(where condition: String = "true") async throws {
        let name = url.database
        try await TestDatabase.onServer { server, logger in
            try await server.query(
                PostgresQuery(
                    unsafeSQL: """
                        SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                        WHERE datname = '\(name)' AND pid <> pg_backend_pid() AND (\(condition))
                        """), logger: logger)
        }
    }
}

func track(_ index: Int, event: String = "Clicked", timestamp: String? = nil, messageId: String? = nil) -> String {
    let time = timestamp.map { #","timestamp":"\#($0)""# } ?? ""
    return
        #"{"type":"track","userId":"user-\#(index % 97)","event":"\#(event)","messageId":"\#(messageId ?? "msg-\(index)")"\#(time)}"#
}
