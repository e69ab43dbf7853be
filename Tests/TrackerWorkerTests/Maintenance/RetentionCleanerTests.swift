import Foundation
import PostgresNIO
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
            var days = PostgresBindings()
            days.append(old.start)
            days.append(kept.start)
            for table in ["event_counts_minute", "event_counts_hour", "event_counts_day"] {
                try await connection.query(
                    PostgresQuery(unsafeSQL: "INSERT INTO \(table) VALUES ($1, 'E', 3), ($2, 'E', 4)", binds: days),
                    logger: database.logger)
            }
            try await connection.query(
                "INSERT INTO event_totals VALUES ('day', \(old.start), 3), ('day', \(kept.start), 4)",
                logger: database.logger)
            try await connection.query(
                """
                INSERT INTO active_people_counts VALUES (\(old.description)::date, 3), (\(kept.description)::date, 4)
                """, logger: database.logger)
        }
        let forgotten = Forgotten()
        let cleaner = RetentionCleaner(retentionDays: 30) { day in forgotten.day.withLock { $0 = day } }
        let result = try await cleaner.runOnce(in: database)
        #expect(result == "dropped \(old)")
        let days = try await database.withConnection { try await PartitionStore.list(on: $0, logger: database.logger) }
        #expect(days == [kept])
        for table in ["event_counts_minute", "event_counts_hour", "event_counts_day", "event_totals"] {
            #expect(
                try await database.scalar(.init(unsafeSQL: "SELECT coalesce(sum(count), 0)::int FROM \(table)")) == 4,
                "\(table) keeps only the kept day")
        }
        #expect(try await database.scalar("SELECT coalesce(sum(people), 0)::int FROM active_people_counts") == 4)
        #expect(forgotten.day.withLock { $0 } == today.adding(days: -30))
        try await database.drop()
    }
}

final class Forgotten: Sendable {
    let day = Mutex<UTCDay?>(nil)
}
