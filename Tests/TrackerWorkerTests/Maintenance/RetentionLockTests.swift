import Foundation
import Logging
import PostgresNIO
import Testing
import TrackerCore
import TrackerStore
import TrackerTestSupport

@testable import TrackerWorker

@Suite struct RetentionLockTests {
    /// A read of `events` left open holds its lock on every partition: retention's DETACH waits
    /// behind it at most its lock timeout, then gives up (keeping that day's rollups), while moves
    /// go on; once the read ends the next run drops the partition.
    @Test func aLongReadPostponesRetentionWithoutStoppingMoves() async throws {
        let database = try await TestDatabase.create("maint_retention_lock")
        let today = UTCDay(Date())
        let expired = today.adding(days: -31)
        try await database.withConnection { connection in
            for day in [expired, today] {
                try await PartitionStore.create(day, on: connection, logger: database.logger)
            }
            try await connection.query(
                "INSERT INTO event_counts_day VALUES (\(expired.start), 'E', 3)", logger: database.logger)
        }
        let reader = try await PostgresConnection.connect(
            configuration: database.url.connectionConfiguration(), id: 1, logger: database.logger)
        let cleaner = RetentionCleaner(retentionDays: 30, lockTimeout: .seconds(2)) { _ in }
        do {
            try await reader.query("BEGIN", logger: database.logger)
            try await reader.query("SELECT count(*) FROM events", logger: database.logger)
            try await database.withWorkers { client, _ in
                // The read holds its lock until after this run returns: returning at all means
                // retention gave up on the lock instead of waiting for it.
                let retention = Task { try await cleaner.runOnce(in: database) }
                try await waitUntil("retention's DETACH waits for its lock on events") {
                    try await database.scalar(
                        """
                        SELECT count(*)::int FROM pg_locks
                        WHERE NOT granted AND relation = 'events'::regclass
                          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                        """) > 0
                }
                try await database.stage((0..<100).map { track($0) }, client: client)
                try await waitUntil(timeout: .seconds(20), "the events staged meanwhile are moved") {
                    try await database.scalar("SELECT count(*)::int FROM events") == 100
                }
                #expect(
                    try await retention.value == """
                        dropped nothing; kept \(expired) and later: no lock on events within 2.0 seconds \
                        (a long read?), the next run retries
                        """)
            }
            #expect(
                try await database.scalar("SELECT count(*)::int FROM event_counts_day WHERE bucket = \(expired.start)")
                    == 1, "the day still stored keeps its counts")
            try await reader.query("COMMIT", logger: database.logger)
        } catch {
            await reader.closeWithin()
            throw error
        }
        await reader.closeWithin()
        #expect(try await cleaner.runOnce(in: database) == "dropped \(expired)")
        let days = try await database.withConnection { try await PartitionStore.list(on: $0, logger: database.logger) }
        #expect(!days.contains(expired) && days.contains(today))
        #expect(
            try await database.scalar("SELECT count(*)::int FROM event_counts_day WHERE bucket = \(expired.start)")
                == 0)
        try await database.drop()
    }
}
