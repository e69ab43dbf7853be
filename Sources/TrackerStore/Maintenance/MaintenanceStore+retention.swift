import Logging
import PostgresNIO
import TrackerCore

extension MaintenanceStore {
    /// Deletes the rollup rows of the days before `day`: counts per minute, hour and day (property
    /// breakdowns too), the people per day and their queue, the retention counts of those days, and
    /// the weeks and months that began before `day`'s own (the one `day` falls in keeps its whole
    /// count until it is entirely past).
    public static func deleteAggregates(before day: UTCDay, on connection: PostgresConnection, logger: Logger)
        async throws
    {
        var time = PostgresBindings()
        time.append(day.start)
        var date = PostgresBindings()
        date.append(day.description)
        // Table and column names are constants of these lists.
        for table in [
            "event_counts_minute", "event_counts_hour", "event_counts_day", "event_totals", "breakdown_counts_hour",
            "breakdown_counts_day",
        ] {
            try await connection.query(
                PostgresQuery(unsafeSQL: "DELETE FROM \(table) WHERE bucket < $1", binds: time), logger: logger)
        }
        for table in ["active_people_daily", "active_people_counts", "active_people_new"] {
            try await connection.query(
                PostgresQuery(unsafeSQL: "DELETE FROM \(table) WHERE day < $1::date", binds: date), logger: logger)
        }
        // Retention cohorts keep each person's first day (their cohort) but not the activity before
        // the kept days.
        try await connection.query(
            PostgresQuery(unsafeSQL: "DELETE FROM retention_counts WHERE bucket < $1::date", binds: date),
            logger: logger)
        try await connection.query(
            PostgresQuery(
                unsafeSQL:
                    "DELETE FROM retention_person_weeks WHERE week < date_trunc('week', $1::date::timestamp)::date",
                binds: date),
            logger: logger)
        for (table, column) in [("active_people_weeks", "week"), ("active_people_months", "month")] {
            try await connection.query(
                PostgresQuery(
                    unsafeSQL: """
                        DELETE FROM \(table) WHERE \(column) < date_trunc('\(column)', $1::date::timestamp)::date
                        """, binds: date),
                logger: logger)
            try await connection.query(
                PostgresQuery(
                    unsafeSQL: """
                        DELETE FROM active_people_totals
                        WHERE granularity = '\(column)' AND bucket < date_trunc('\(column)', $1::date::timestamp)::date
                        """, binds: date),
                logger: logger)
        }
    }
}
