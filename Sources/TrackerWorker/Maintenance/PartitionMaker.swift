import Foundation
import Logging
import Metrics
import PostgresNIO
import TrackerCore
import TrackerStore

/// Creates the daily partitions of the coming days before any event needs them.
struct PartitionMaker: MaintenanceTask {
    let name = "partition_maker"
    let interval: Duration = .seconds(600)
    let daysAhead: Int

    func runOnce(on connection: PostgresConnection, now: Date, logger: Logger) async throws -> String {
        let today = UTCDay(now)
        var created: [String] = []
        for offset in 0...daysAhead
        where try await PartitionStore.create(today.adding(days: offset), on: connection, logger: logger) {
            created.append(today.adding(days: offset).description)
        }
        return created.isEmpty ? "partitions up to date" : "created \(created.joined(separator: ", "))"
    }
}
