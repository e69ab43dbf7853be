import Foundation
import Logging
import Metrics
import PostgresNIO

/// Refreshes the materialized views built on the rollups (distinct people per week and month, which
/// cannot be added up from days), CONCURRENTLY so reads never wait, and records when: the query
/// API's `as_of` for those reads.
struct ViewRefresher: MaintenanceTask {
    static let views = ["active_people_weekly", "active_people_monthly"]

    let name = "view_refresher"
    let interval: Duration

    /// A refresh recomputes every week and month from the per-day table, so its cost grows with the
    /// data (6.4–6.7 s per view at 3 million (day, person) rows): the wait stretches to nine times
    /// the last refresh, so refreshing never takes more than a tenth of the leader's core.
    func interval(after duration: Duration) -> Duration {
        max(interval, duration * 9)
    }

    func runOnce(on connection: PostgresConnection, now: Date, logger: Logger) async throws -> String {
        for view in Self.views {
            // View names are constants of this file, not input.
            try await connection.query(
                PostgresQuery(unsafeSQL: "REFRESH MATERIALIZED VIEW CONCURRENTLY \(view)"), logger: logger)
            try await connection.query(
                """
                INSERT INTO view_refreshes (view_name, refreshed_at) VALUES (\(view), now())
                ON CONFLICT (view_name) DO UPDATE SET refreshed_at = EXCLUDED.refreshed_at
                """,
                logger: logger)
        }
        return "refreshed \(Self.views.count) views"
    }
}
