import Foundation
import Testing
import TrackerTestSupport

@testable import TrackerWorker

@Suite struct DedupeCleanerTests {
    @Test func forgetsIdsOlderThanTheWindowOnly() async throws {
        let database = try await TestDatabase.create("maint_dedupe")
        _ = try await database.withConnection { connection in
            try await connection.query(
                """
                INSERT INTO event_dedupe (source, message_id, first_seen)
                SELECT 'web', 'old-' || i, now() - interval '8 days' FROM generate_series(1, 25) AS i
                UNION ALL SELECT 'web', 'new-' || i, now() - interval '6 days' FROM generate_series(1, 5) AS i
                """, logger: database.logger)
        }
        let result = try await DedupeCleaner(windowDays: 7, batchSize: 10).runOnce(in: database)
        #expect(result == "forgot 25 message ids")
        #expect(try await database.scalar("SELECT count(*)::int FROM event_dedupe") == 5)
        try await database.drop()
    }
}
