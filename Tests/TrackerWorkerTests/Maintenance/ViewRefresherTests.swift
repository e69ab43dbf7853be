import Foundation
import Testing
import TrackerTestSupport

@testable import TrackerWorker

@Suite struct ViewRefresherTests {
    @Test func foldsTheQueuedPairsPublishesTheirCountsAndRecordsWhen() async throws {
        let database = try await TestDatabase.create("maint_views")
        _ = try await database.withConnection { connection in
            try await connection.query(
                """
                INSERT INTO active_people_new VALUES
                    ('2026-11-23', 'p1'), ('2026-11-24', 'p1'), ('2026-11-24', 'p2'), ('2026-11-30', 'p3')
                """, logger: database.logger)
        }
        #expect(
            try await ViewRefresher(interval: .seconds(5)).runOnce(in: database)
                == "folded 4 new (day, person) pairs, refreshed 2 views")
        // 2026-11-23 is a Monday: p1 twice and p2 make two people that week; p3 is in the next.
        #expect(
            try await database.scalar("SELECT people::int FROM active_people_weekly WHERE week = '2026-11-23'") == 2)
        #expect(
            try await database.scalar("SELECT people::int FROM active_people_monthly WHERE month = '2026-11-01'") == 3)
        #expect(try await database.scalar("SELECT count(*)::int FROM view_refreshes") == 2)
        #expect(try await database.scalar("SELECT count(*)::int FROM active_people_new") == 0)
        // A later fold counts only who is new to the week: p2 again adds nothing, p4 adds one.
        _ = try await database.withConnection { connection in
            try await connection.query(
                "INSERT INTO active_people_new VALUES ('2026-11-25', 'p2'), ('2026-11-25', 'p4')",
                logger: database.logger)
        }
        _ = try await ViewRefresher(interval: .seconds(5)).runOnce(in: database)
        #expect(
            try await database.scalar("SELECT people::int FROM active_people_weekly WHERE week = '2026-11-23'") == 3)
        #expect(
            try await database.scalar("SELECT people::int FROM active_people_monthly WHERE month = '2026-11-01'") == 4)
        try await database.drop()
    }

    @Test func slowRefreshesStretchTheInterval() {
        let refresher = ViewRefresher(interval: .seconds(60))
        #expect(refresher.interval(after: .seconds(1)) == .seconds(60))
        #expect(refresher.interval(after: .seconds(14)) == .seconds(126))
    }
}
