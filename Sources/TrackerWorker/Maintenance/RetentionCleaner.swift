import Foundation
import Logging
import Metrics
import PostgresNIO
import TrackerCore
import TrackerStore

/// Drops whole partitions older than the retention period (never row by row), and the rollup
/// rows of those days, weeks and months with them.
struct RetentionCleaner: MaintenanceTask {
    let name = "retention_cleaner"
    let interval: Duration = .seconds(3600)
    let retentionDays: Int
    /// How long a partition's `DETACH` may wait for its lock on `events` (moves and reads queue
    /// behind it meanwhile); past it the partition stays until the next run.
    var lockTimeout: Duration = .seconds(2)
    /// Tells the movers to forget dropped partitions.
    let onDropped: @Sendable (UTCDay) -> Void

    func runOnce(on connection: PostgresConnection, now: Date, logger: Logger) async throws -> String {
        let expired = UTCDay(now).adding(days: -retentionDays)
        let drop = try await PartitionStore.drop(
            before: expired, lockTimeout: lockTimeout, on: connection, logger: logger)
        // Counts go as far as the partitions went: a day still stored keeps its rollups.
        let cutoff = drop.blocked ?? expired
        try await MaintenanceStore.deleteAggregates(before: cutoff, on: connection, logger: logger)
        onDropped(cutoff)
        let dropped = drop.dropped.map(\.description).joined(separator: ", ")
        guard let blocked = drop.blocked else {
            return dropped.isEmpty ? "nothing older than \(expired)" : "dropped \(dropped)"
        }
        let result = """
            dropped \(dropped.isEmpty ? "nothing" : dropped); kept \(blocked) and later: no lock on events \
            within \(lockTimeout) (a long read?), the next run retries
            """
        logger.notice("retention postponed", metadata: ["result": "\(result)"])
        return result
    }
}
