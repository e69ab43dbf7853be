import Foundation
import PostgresNIO

extension PostgresQueryRepository {
    /// One statement over `events` (step names through the (event, timestamp) index, the range
    /// pruning partitions). A person is `user_id`, else the user their `anonymous_id` is linked to,
    /// else the `anonymous_id`. Per person, events are numbered in (timestamp, id) order; for every
    /// event, window functions give the number of the next event of each step name at or after it.
    /// Then, from every candidate first step in `[from, to)`, the earliest possible next step is
    /// followed by joins on those numbers: the earliest choice leaves the most room for the steps
    /// after it, so a chain from that first step exists exactly when this one does, and a person
    /// counts at step k when any of their first steps reaches k. Equal timestamps are in order
    /// (the next step may start at the first event sharing the previous one's time); a step named
    /// like an earlier one must use a later event than that one.
    @_spi(Benchmarks) public static func funnelQuery(steps: [String], within: Int64, from: Date, to: Date)
        -> PostgresQuery
    {
        var names: [String] = []
        for step in steps where !names.contains(step) { names.append(step) }
        var binds = PostgresBindings()
        binds.append(names)
        binds.append(from)
        binds.append(to)
        binds.append(within)
        func name(_ step: String) -> String { "$\(5 + names.firstIndex(of: step)!)" }
        for name in names { binds.append(name) }
        let nexts = names.indices.map { "min(rn) FILTER (WHERE event = $\(5 + $0)) OVER back AS n\($0)" }
        var chain = [
            "c0 AS (SELECT person, ts AS t0, rn AS r0, peer AS p0 FROM r WHERE event = \(name(steps[0])) AND ts < $3)"
        ]
        for k in steps.indices.dropFirst() {
            // The first event the step may use: at the previous step's time, and after the event an
            // earlier step of the same name used.
            var start = "c.p\(k - 1)"
            if let same = steps[..<k].lastIndex(of: steps[k]) {
                start = same == k - 1 ? "c.r\(same) + 1" : "greatest(c.p\(k - 1), c.r\(same) + 1)"
            }
            let next = "n\(names.firstIndex(of: steps[k])!)"
            chain.append(
                """
                c\(k) AS (
                    SELECT c.*, x.rn AS r\(k), x.peer AS p\(k)
                    FROM c\(k - 1) AS c JOIN r AS a ON a.person = c.person AND a.rn = \(start)
                    JOIN r AS x ON x.person = c.person AND x.rn = a.\(next)
                    WHERE x.ts <= c.t0 + $4 * interval '1 second'
                )
                """)
        }
        let counts = steps.indices.map { "(SELECT count(DISTINCT person) FROM c\($0))" }
        let sql = """
            WITH ev AS (
                SELECT coalesce(e.user_id, l.user_id, e.anonymous_id) AS person, e.event, e.timestamp AS ts, e.id
                FROM events AS e LEFT JOIN identity_links AS l ON e.user_id IS NULL AND l.anonymous_id = e.anonymous_id
                WHERE e.event = ANY($1::text[]) AND e.timestamp >= $2 AND e.timestamp < $3 + $4 * interval '1 second'
            ), ranked AS (
                SELECT person, event, ts, row_number() OVER (PARTITION BY person ORDER BY ts, id) AS rn,
                       rank() OVER (PARTITION BY person ORDER BY ts) AS peer
                FROM ev
            ), r AS MATERIALIZED (
                SELECT person, event, ts, rn, peer, \(nexts.joined(separator: ", "))
                FROM ranked WINDOW back AS (PARTITION BY person ORDER BY rn DESC ROWS UNBOUNDED PRECEDING)
            ), \(chain.joined(separator: ", "))
            SELECT ARRAY[\(counts.joined(separator: ", "))]::int8[]
            """
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }

    public func funnel(steps: [String], within: Int64, from: Date, to: Date) async throws -> [Int64] {
        try await metrics.timed("funnel") {
            let rows = try await client.query(
                Self.funnelQuery(steps: steps, within: within, from: from, to: to), logger: logger)
            for try await counts in rows.decode([Int64].self) { return counts }
            return Array(repeating: 0, count: steps.count)
        }
    }
}
