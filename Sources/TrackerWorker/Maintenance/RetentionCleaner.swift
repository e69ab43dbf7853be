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
    /// Tells the movers to forget dropped partitions.
    let onDropped: @Sendable (UTCDay) -> Void

    func runOnce(on connection: PostgresConnection, now: Date, logger: Logger) async throws -> String {
        let cutoff = UTCDay(now).adding(days: -retentionDays)
        let dropped = try await PartitionStore.drop(before: cutoff, on: connection, logger: logger)
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
        return dropped.isEmpty
            ? "nothing older than \(cutoff)" : "dropped \(dropped.map(\.description).joined(separator: ", "))"
    }
}
