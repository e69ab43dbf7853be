import Foundation
import Logging
import PostgresNIO
import TrackerTestSupport

@testable import TrackerWorker

extension MaintenanceTask {
    /// One round on a connection of its own, as the leader would run it.
    func runOnce(in database: TestDatabase, now: Date = Date()) async throws -> String {
        try await database.withConnection { try await runOnce(on: $0, now: now, logger: database.logger) }
    }
}
