import Foundation
import PostgresNIO
import TrackerStore

extension PostgresQueryRepository {
    /// A breakdown of a property not kept as a rollup reads `events` for at most this long, however
    /// long the role's statement timeout is: past it the answer says to keep the property.
    static let breakdownTimeoutMilliseconds: Int64 = 10_000

    public func breakdown(event: String, property: String, from: Date, to: Date, limit: Int, kept: Bool) async throws
        -> [(value: String, count: Int64)]
    {
        var binds = PostgresBindings()
        binds.append(event)
        binds.append(property)
        let value = MoveStore.breakdownValue(properties: "e.properties", property: "$2::text")
        let parts: String
        if kept {
            // Whole days and hours from the rollups; the minutes at the edges from events.
            let plan = RollupPlan(
                from: Int64(from.timeIntervalSince1970), to: Int64(to.timeIntervalSince1970), coarsest: .day)
            parts = plan.segments.map { segment in
                binds.append(Date(timeIntervalSince1970: Double(segment.from)))
                binds.append(Date(timeIntervalSince1970: Double(segment.to)))
                let range =
                    "$\(binds.count - 1) AND \(segment.level == .minute ? "e.timestamp" : "bucket") < $\(binds.count)"
                switch segment.level {
                case .minute:
                    return """
                        SELECT \(value) AS value, count(*) * \(segment.sign) AS n FROM events AS e
                        WHERE e.event = $1 AND e.timestamp >= \(range) GROUP BY 1
                        """
                case .hour, .day:
                    return """
                        SELECT value, count * \(segment.sign) AS n FROM breakdown_counts_\(segment.level.rawValue)
                        WHERE property = $2 AND event = $1 AND bucket >= \(range)
                        """
                }
            }
            .joined(separator: " UNION ALL ")
        } else {
            binds.append(from)
            binds.append(to)
            parts = """
                SELECT \(value) AS value, count(*) AS n FROM events AS e
                WHERE e.event = $1 AND e.timestamp >= $3 AND e.timestamp < $4 GROUP BY 1
                """
        }
        guard !parts.isEmpty else { return [] }
        binds.append(limit)
        let query = PostgresQuery(
            unsafeSQL: """
                SELECT value, sum(n)::int8 AS count FROM (\(parts)) AS parts
                GROUP BY value HAVING sum(n) > 0 ORDER BY count DESC, value LIMIT $\(binds.count)
                """, binds: binds)
        return try await metrics.timed(kept ? "breakdown_kept" : "breakdown_events") {
            guard !kept else { return try await Self.values(client.query(query, logger: logger)) }
            return try await client.withTransaction(logger: logger) { connection in
                // Lowers the role's timeout for this read only (SET LOCAL), never raises it.
                try await connection.query(
                    """
                    SELECT set_config('statement_timeout', (CASE WHEN c = 0 THEN l ELSE least(c, l) END)::text, true)
                    FROM (SELECT (extract(epoch FROM current_setting('statement_timeout')::interval) * 1000)::int8,
                                 \(Self.breakdownTimeoutMilliseconds)::int8) AS s(c, l)
                    """,
                    logger: logger)
                return try await Self.values(connection.query(query, logger: logger))
            }
        }
    }

    private static func values(_ rows: PostgresRowSequence) async throws -> [(value: String, count: Int64)] {
        var result: [(value: String, count: Int64)] = []
        for try await (value, count) in rows.decode((String, Int64).self) { result.append((value, count)) }
        return result
    }
}
