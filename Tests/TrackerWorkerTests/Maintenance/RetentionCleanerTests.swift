import Foundation
import Synchronization
import Testing
import TrackerCore
import TrackerStore
import TrackerTestSupport

@testable import TrackerWorker

@Suite struct RetentionCleanerTests {
    @Test func dropsWholePartitionsOlderThanRetention() async throws {
        let database = try await TestDatabase.create("maint_retention")
        let today = UTCDay(Date())
        let old = today.adding(days: -31)
        let kept = today.adding(days: -29)
        try await database.withConnection { connection in
            for day in [old, kept] { try await PartitionStore.create(day, on: connection, logger: database.logger) }
            try await connection.query(
                "INSERT INTO event_counts_minute VALUES (\(old.start), 'E', 3), (\(kept.start), 'E', 4)",
                logger: database.logger)
        }
        let forgotten = Forgotten()
        let cleaner = RetentionCleaner(retentionDays: 30) { day in forgotten.day.withLock { $0 = day } }
        let result = try await cleaner.runOnce(in: database)
        #expect(result == "dropped \(old)")
        let days = try await database.withConnection { try await PartitionStore.list(on: $0, logger: database.logger) }
        #expect(days == [kept])
        #expect(try await database.scalar("SELECT coalesce(sum(count), 0)::int FROM event_counts_minute") == 4)
        #expect(forgotten.day.withLock { $0 } == today.adding(days: -30))
        try await database.drop()
    }
}

final class Forgotten: Sendable {
    let day = Mutex<UTCDay?>(nil)
}
