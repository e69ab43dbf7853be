import Logging
import PostgresNIO

extension MaintenanceStore {
    /// The materialized views that publish distinct people per week and month (which cannot be
    /// added up from days).
    public static let activePeopleViews = ["active_people_weekly", "active_people_monthly"]

    /// Refreshes each of `activePeopleViews`, CONCURRENTLY so reads never wait, and records when in
    /// `view_refreshes`: the query API's `as_of` for those reads.
    public static func refreshActivePeopleViews(on connection: PostgresConnection, logger: Logger) async throws {
        for view in activePeopleViews {
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
    }
}
