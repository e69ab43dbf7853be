import Foundation
import PostgresNIO

extension PostgresQueryRepository {
    /// One statement over `events` (step names through the (event, timestamp) index, the range
    /// pruning partitions). A person is `user_id`, else the user their `anonymous_id` is linked to,
    /// else the `anonymous_id`.
    ///
    /// The step events are sorted once by (person, timestamp, id), and running counts in that one
    /// order number the events of each step name (`o`: an event's number among its name's) and say
    /// how many events of each name come before an event's timestamp (`b`). The earliest event of
    /// a name at or after an event is then the one numbered `b + 1`, found by a join on one integer
    /// (`code`), if it is the same person's. From every candidate first step in `[from, to)` that
    /// earliest next step is followed: the earliest choice leaves the most room for the steps after
    /// it, so a chain from that first step exists exactly when this one does, and a person counts
    /// at step k when any of their first steps reaches k. Equal timestamps are in order; a step
    /// named like an earlier one must use a later event than that one (a higher number).
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
        func index(_ step: Int) -> Int { names.firstIndex(of: steps[step])! }
        // Names are at most 10, so a number and its name's index fit one integer: number * 16 + index.
        let counts = names.indices.flatMap { name in
            [
                "count(*) FILTER (WHERE idx = \(name)) OVER upto AS o\(name)",
                "count(*) FILTER (WHERE idx = \(name)) OVER through - count(*) FILTER (WHERE idx = \(name)) OVER same AS b\(name)",
            ]
        }
        let number = "CASE idx " + names.indices.map { "WHEN \($0) THEN o\($0)" }.joined(separator: " ") + " END"
        func before(_ step: Int) -> String { step + 1 < steps.count ? ", x.b\(index(step + 1)) AS nb" : "" }
        var chain = [
            """
            c0 AS (
                SELECT x.person, x.ts AS t0, x.code / 16 AS o0\(before(0))
                FROM r AS x WHERE x.idx = \(index(0)) AND x.ts < $3
            )
            """
        ]
        for k in steps.indices.dropFirst() {
            // The number of the first event the step may use: after the events of its name before
            // the previous step's time, and after the event an earlier step of the same name used.
            var first = "c.nb + 1"
            if let same = steps[..<k].lastIndex(of: steps[k]) { first = "greatest(c.nb + 1, c.o\(same) + 1)" }
            let carried = (0..<k).map { "c.o\($0)" }.joined(separator: ", ")
            chain.append(
                """
                c\(k) AS (
                    SELECT c.person, c.t0, \(carried), x.code / 16 AS o\(k)\(before(k))
                    FROM c\(k - 1) AS c JOIN r AS x ON x.code = (\(first)) * 16 + \(index(k))
                    WHERE x.person = c.person AND x.ts <= c.t0 + $4 * interval '1 second'
                )
                """)
        }
        let people = steps.indices.map { "(SELECT count(DISTINCT person) FROM c\($0))" }
        let sql = """
            WITH ev AS (
                SELECT coalesce(e.user_id, l.user_id, e.anonymous_id) AS person, array_position($1::text[], e.event) - 1 AS idx,
                       e.timestamp AS ts, e.id
                FROM events AS e LEFT JOIN identity_links AS l ON e.user_id IS NULL AND l.anonymous_id = e.anonymous_id
                WHERE e.event = ANY($1::text[]) AND e.timestamp >= $2 AND e.timestamp < $3 + $4 * interval '1 second'
            ), numbered AS (
                SELECT person, idx, ts, \(counts.joined(separator: ", "))
                FROM ev
                WINDOW upto AS (ORDER BY person, ts, id ROWS UNBOUNDED PRECEDING),
                       through AS (ORDER BY person, ts RANGE UNBOUNDED PRECEDING),
                       same AS (PARTITION BY person, ts)
            ), r AS MATERIALIZED (
                SELECT person, idx, ts, (\(number)) * 16 + idx AS code, \(names.indices.map { "b\($0)" }.joined(separator: ", "))
                FROM numbered
            ), \(chain.joined(separator: ", "))
            SELECT ARRAY[\(people.joined(separator: ", "))]::int8[]
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
