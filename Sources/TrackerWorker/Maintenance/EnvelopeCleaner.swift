import Foundation
import Logging
import PostgresNIO
import TrackerStore

/// Deletes batch envelopes nothing names any more, in bounded deletes. Moves delete most of them
/// themselves; this collects what two moves sharing one request, replays and erasures leave.
struct EnvelopeCleaner: MaintenanceTask {
    let name = "envelope_cleaner"
    let interval: Duration = .seconds(60)
    /// Only envelopes older than this are considered: recent ones are left to the moves that
    /// delete their own, so the two seldom contend for the same rows.
    var minimumAge: TimeInterval = 600
    var batchSize = 1_000

    func runOnce(on connection: PostgresConnection, now: Date, logger: Logger) async throws -> String {
        var total = 0
        while true {
            let deleted = try await MaintenanceStore.deleteUnusedEnvelopes(
                before: now.addingTimeInterval(-minimumAge), limit: batchSize, on: connection, logger: logger)
            total += deleted
            if deleted < batchSize { break }
        }
        return "deleted \(total) unused envelopes"
    }
}
