import Foundation
import Testing
import TrackerCore
import TrackerStore
import TrackerTestSupport

@testable import TrackerWorker

@Suite struct PartitionMakerTests {
    @Test func makesTodayAndTheDaysAheadOnce() async throws {
        let database = try await TestDatabase.create("maint_partitions")
        let today = UTCDay(Date())
        let first = try await PartitionMaker(daysAhead: 7).runOnce(in: database)
        #expect(first.hasPrefix("created"))
        let days = try await database.withConnection { try await PartitionStore.list(on: $0, logger: database.logger) }
        #expect(days == Set((0...7).map { today.adding(days: $0) }))
        #expect(try await PartitionMaker(daysAhead: 7).runOnce(in: database) == "partitions up to date")
        try await database.drop()
    }
}
