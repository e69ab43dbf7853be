import Foundation
import PostgresNIO

extension PostgresQueryRepository {
    /// Reads the cohort counts the workers keep (`retention_counts`): at most cohorts × periods
    /// small rows, whatever the number of events.
    public func retention(interval: RetentionInterval, from: Date, to: Date, periods: Int) async throws
        -> [RetentionCohort]
    {
        let name = interval.rawValue
        let span = interval.days * periods
        let query: PostgresQuery = """
            SELECT cohort::timestamp AT TIME ZONE 'UTC', (bucket - cohort)::int8, people FROM retention_counts
            WHERE granularity = \(name) AND cohort >= date_trunc(\(name), \(from) AT TIME ZONE 'UTC')::date
              AND cohort::timestamp < \(to) AT TIME ZONE 'UTC' AND bucket < cohort + \(span)::int AND people <> 0
            ORDER BY cohort, bucket
            """
        return try await metrics.timed("retention_\(name)") {
            let rows = try await client.query(query, logger: logger)
            var cohorts: [RetentionCohort] = []
            for try await (cohort, days, people) in rows.decode((Date, Int64, Int64).self) {
                if cohorts.last?.cohort != cohort {
                    cohorts.append(RetentionCohort(cohort: cohort, returned: Array(repeating: 0, count: periods)))
                }
                cohorts[cohorts.count - 1].returned[Int(days) / interval.days] = people
            }
            return cohorts.filter { $0.returned[0] > 0 }
        }
    }
}
