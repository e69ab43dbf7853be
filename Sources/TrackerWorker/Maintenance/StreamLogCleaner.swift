import Foundation
import Logging
import PostgresNIO
import TrackerStore

/// Deletes the live tail's log rows older than its resume window, in bounded deletes so no
/// transaction is long (a long one would hold every stream back).
struct StreamLogCleaner: MaintenanceTask {
    let name = "stream_log_cleaner"
    let interval: Duration = .seconds(60)
    var window = EventStreamLog.window
    var batchSize = 10_000

    func runOnce(on connection: PostgresConnection, now: Date, logger: Logger) async throws -> String {
        let cutoff = now.addingTimeInterval(-Double(window.components.seconds))
        var total = 0
        while true {
            let deleted = try await EventStreamLog.delete(
                before: cutoff, limit: batchSize, on: connection, logger: logger)
            total += deleted
            if deleted < batchSize { break }
        }
        return "deleted \(total) stream log rows"
    }
}
