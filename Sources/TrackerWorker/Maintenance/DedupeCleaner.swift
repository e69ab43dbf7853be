import Foundation
import Logging
import Metrics
import PostgresNIO
import TrackerStore

/// Forgets message ids older than the dedupe window, in bounded deletes so no transaction is long.
struct DedupeCleaner: MaintenanceTask {
    let name = "dedupe_cleaner"
    let interval: Duration = .seconds(60)
    let windowDays: Int
    var batchSize = 10_000

    func runOnce(on connection: PostgresConnection, now: Date, logger: Logger) async throws -> String {
        let cutoff = now.addingTimeInterval(-Double(windowDays) * 86_400)
        var total = 0
        while true {
            let deleted = try await MaintenanceStore.deleteDedupeKeys(
                before: cutoff, limit: batchSize, on: connection, logger: logger)
            total += deleted
            if deleted < batchSize { break }
        }
        return "forgot \(total) message ids"
    }
}
