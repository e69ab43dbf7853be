import Foundation
import Logging
import PostgresNIO

extension PostgresQueryRepository {
    /// Settings for the funnel statement, for the transaction it runs in: memory for its sort of
    /// the step events, and no JIT compiling (hundreds of functions, a third of a second, which
    /// cost more than they save here).
    @_spi(Benchmarks) public static func configureFunnel(on connection: PostgresConnection, logger: Logger)
        async throws
    {
        try await connection.query(
            "SELECT set_config('work_mem', '64MB', true), set_config('jit', 'off', true)", logger: logger)
    }

    /// One statement over `events`: the step events come from an index-only scan of the (event,
    /// timestamp) index, which carries the ids, with the range pruning partitions. A person is
    /// `user_id`, else the user their `anonymous_id` is linked to, else the `anonymous_id`.
    ///
    /// From every candidate first step in `[from, to)` the earliest next step is followed: the
    /// earliest choice leaves the most room for the steps after it, so a chain from that first step
    /// exists exactly when this one does, and a person counts at step k when any of their first
    /// steps reaches k.
    @_spi(Benchmarks) public static func funnelQuery(steps: [String], within: Int64, from: Date, to: Date)
        -> PostgresQuery
    {
        Set(steps).count == steps.count
            ? distinctStepsQuery(steps: steps, within: within, from: from, to: to)
            : repeatedStepsQuery(steps: steps, within: within, from: from, to: to)
    }

    /// Steps of distinct names, in one sort of the step events by (person, timestamp) and one
    /// window pass per step after the first. `a<j>_<m>` is the time of step m in the chain that
    /// starts with the earliest step-j event at or after a row's time (ties count as in order).
    /// Pass j takes, over the rows at or after this one, the minimum of pass j+1's times among the
    /// step-j rows: those times only grow with the step-j event's time, so their minimum is the
    /// earliest step-j event's chain. Rows of later steps are left out of the passes after theirs
    /// (they were only sources of times). The person is sorted by a 64-bit hash first (cheap to
    /// compare), then by itself, so two people never merge on a hash collision.
    static func distinctStepsQuery(steps: [String], within: Int64, from: Date, to: Date) -> PostgresQuery {
        var binds = PostgresBindings()
        binds.append(steps)
        binds.append(from)
        binds.append(to)
        binds.append(within)
        let last = steps.count - 1
        var passes: [String] = []
        for j in stride(from: last, through: 1, by: -1) {
            let times =
                ["min(ts) FILTER (WHERE idx = \(j)) OVER w AS a\(j)_\(j)"]
                + (j < last
                    ? (j + 1...last).map { "min(a\(j + 1)_\($0)) FILTER (WHERE idx = \(j)) OVER w AS a\(j)_\($0)" }
                    : [])
            passes.append(
                """
                a\(j) AS (
                    SELECT h, person, idx, ts, \(times.joined(separator: ", "))
                    FROM \(j == last ? "ev" : "a\(j + 1) WHERE idx <= \(j)")
                    WINDOW w AS (PARTITION BY h, person ORDER BY ts DESC RANGE UNBOUNDED PRECEDING)
                )
                """)
        }
        let reached = stride(from: last, through: 1, by: -1).map {
            "WHEN a1_\($0) <= ts + $4 * interval '1 second' THEN \($0 + 1)"
        }
        let counts = steps.indices.map { "count(*) FILTER (WHERE k > \($0))" }
        let sql = """
            WITH ev AS (
                SELECT hashtextextended(p.person, 0) AS h, p.person, array_position($1::text[], e.event) - 1 AS idx,
                       e.timestamp AS ts
                FROM events AS e LEFT JOIN identity_links AS l ON e.user_id IS NULL AND l.anonymous_id = e.anonymous_id,
                     LATERAL (SELECT coalesce(e.user_id, l.user_id, e.anonymous_id)) AS p(person)
                WHERE e.event = ANY($1::text[]) AND e.timestamp >= $2 AND e.timestamp < $3 + $4 * interval '1 second'
            ), \(passes.joined(separator: ", ")), people AS (
                SELECT max(CASE \(reached.joined(separator: " ")) ELSE 1 END) AS k
                FROM a1 WHERE idx = 0 AND ts < $3 GROUP BY h, person
            )
            SELECT ARRAY[\(counts.joined(separator: ", "))]::int8[] FROM people
            """
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }

    /// Steps where a name repeats: a step named like an earlier one must use a later event than
    /// that one. The step events are sorted once by (person, timestamp, id), and running counts in
    /// that one order number the events of each step name (`o`: an event's number among its
    /// name's) and say how many events of each name come before an event's timestamp (`b`). The
    /// earliest event of a name at or after an event is then the one numbered `b + 1`, found by a
    /// join on one integer (`code`), if it is the same person's; a repeated name's step takes a
    /// higher number than its earlier step's.
    static func repeatedStepsQuery(steps: [String], within: Int64, from: Date, to: Date) -> PostgresQuery {
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
            try await client.withTransaction(logger: logger) { connection in
                try await Self.configureFunnel(on: connection, logger: logger)
                let rows = try await connection.query(
                    Self.funnelQuery(steps: steps, within: within, from: from, to: to), logger: logger)
                for try await counts in rows.decode([Int64].self) { return counts }
                return Array(repeating: 0, count: steps.count)
            }
        }
    }
}
