import Foundation
import Logging
import PostgresNIO
import Testing
import TrackerStore
import TrackerTestSupport

@testable import TrackerWorker

extension TestDatabase {
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

/// Stages a valid message the database refuses to store (a CHECK on `events`, plus `alsoRefusing`)
/// between 100 others, and expects the others stored and it set aside as `poison_message`.
func expectPoisonSetAside(in suite: String, alsoRefusing constraint: String? = nil) async throws {
    let database = try await TestDatabase.create(suite)
    var configuration = testConfiguration(batchSize: 64)
    configuration.maxAttempts = 2
    let poison = #"{"type":"track","userId":"u","event":"E","messageId":"poison"}"#
    try await database.withConnection { connection in
        try await connection.query(
            "ALTER TABLE events ADD CONSTRAINT no_poison CHECK (message_id <> 'poison')", logger: database.logger)
        if let constraint {
            try await connection.query(PostgresQuery(unsafeSQL: constraint), logger: database.logger)
        }
    }
    try await database.withWorkers(configuration: configuration) { client, _ in
        try await database.stage((0..<50).map { track($0) } + [poison] + (50..<100).map { track($0) }, client: client)
        try await database.waitUntilDrained(timeout: .seconds(60))
    }
    #expect(try await database.scalar("SELECT count(*)::int FROM events") == 100)
    #expect(
        try await database.scalar(
            "SELECT count(*)::int FROM failed_events WHERE reason = 'poison_message' AND message_id = 'poison'") == 1)
    try await database.drop()
}
