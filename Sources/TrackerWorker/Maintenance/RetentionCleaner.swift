import Foundation
import Logging
import Metrics
import PostgresNIO
import TrackerCore
import TrackerStore

/// Drops whole partitions older than the retention period (never row by row), and the rollup
/// rows of those days with them.
struct RetentionCleaner: MaintenanceTask {
    let name = "retention_cleaner"
    let interval: Duration = .seconds(3600)
    let retentionDays: Int
    /// Tells the movers to forget dropped partitions.
    let onDropped: @Sendable (UTCDay) -> Void

    func runOnce(on connection: PostgresConnection, now: Date, logger: Logger) async throws -> String {
        let cutoff = UTCDay(now).adding(days: -retentionDays)
        let dropped = try await PartitionStore.drop(before: cutoff, on: connection, logger: logger)
        try await connection.query("DELETE FROM event_counts_minute WHERE bucket < \(cutoff.start)", logger: logger)
        try await connection.query(
            "DELETE FROM active_people_daily WHERE day < \(cutoff.description)::date", logger: logger)
        onDropped(cutoff)
        return dropped.isEmpty
            ? "nothing older than \(cutoff)" : "dropped \(dropped.map(\.description).joined(separator: ", "))"
    }
}
