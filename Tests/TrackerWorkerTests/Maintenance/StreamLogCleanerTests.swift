import Foundation
import Testing
import TrackerTestSupport

@testable import TrackerWorker

@Suite struct StreamLogCleanerTests {
    @Test func deletesLogRowsOlderThanTheResumeWindowOnly() async throws {
        let database = try await TestDatabase.create("maint_stream_log")
        _ = try await database.withConnection { connection in
            try await connection.query(
                """
                INSERT INTO event_stream (id, timestamp, stored_at)
                SELECT i, now(), now() - interval '25 hours' FROM generate_series(1, 25) AS i
                UNION ALL SELECT 100 + i, now(), now() - interval '23 hours' FROM generate_series(1, 5) AS i
                """, logger: database.logger)
        }
        let result = try await StreamLogCleaner(batchSize: 10).runOnce(in: database)
        #expect(result == "deleted 25 stream log rows")
        #expect(try await database.scalar("SELECT count(*)::int FROM event_stream WHERE id > 100") == 5)
        #expect(try await database.scalar("SELECT count(*)::int FROM event_stream") == 5)
        try await database.drop()
    }
}
