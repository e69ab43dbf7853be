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
        var time = PostgresBindings()
        time.append(cutoff.start)
        var day = PostgresBindings()
        day.append(cutoff.description)
        // Table names are constants of these lists.
        for table in ["event_counts_minute", "event_counts_hour", "event_counts_day", "event_totals"] {
            try await connection.query(
                PostgresQuery(unsafeSQL: "DELETE FROM \(table) WHERE bucket < $1", binds: time), logger: logger)
        }
        for table in ["active_people_daily", "active_people_counts", "active_people_new"] {
            try await connection.query(
                PostgresQuery(unsafeSQL: "DELETE FROM \(table) WHERE day < $1::date", binds: day), logger: logger)
        }
        // A week or month goes once it began before the cutoff's own: the one the cutoff falls in
        // keeps its whole count until it is entirely past.
        for (table, column) in [("active_people_weeks", "week"), ("active_people_months", "month")] {
            try await connection.query(
                PostgresQuery(
                    unsafeSQL: """
                        DELETE FROM \(table) WHERE \(column) < date_trunc('\(column)', $1::date::timestamp)::date
                        """, binds: day),
                logger: logger)
            try await connection.query(
                PostgresQuery(
                    unsafeSQL: """
                        DELETE FROM active_people_totals
                        WHERE granularity = '\(column)' AND bucket < date_trunc('\(column)', $1::date::timestamp)::date
                        """, binds: day),
                logger: logger)
        }
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
