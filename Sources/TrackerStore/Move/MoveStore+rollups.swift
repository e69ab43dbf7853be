import Foundation
import Logging
import PostgresNIO

extension MoveStore {
    /// Everything a move adds for the events it inserted, as CTEs over a `stored(timestamp, event,
    /// person)` CTE of them (constant SQL, no values): the batch's minute counts per event name
    /// added to every count rollup, its (day, person) pairs to the people per day and, when new
    /// there, to the leader's queue (`ActivePeopleStore.fold`). `write` and the drain benchmark's
    /// SQL-only move share them; the benchmark alone outside this module, through its SPI.
    @_spi(Benchmarks) public static let aggregateUpserts = """
        input AS (
            SELECT date_trunc('minute', timestamp, 'UTC') AS b, coalesce(event, '') AS e, count(*) AS n
            FROM stored GROUP BY 1, 2
        ), \(rollupUpserts), people AS (
            INSERT INTO active_people_daily (day, person)
            SELECT DISTINCT (timestamp AT TIME ZONE 'UTC')::date, person FROM stored WHERE person IS NOT NULL
            ORDER BY 1, 2
            ON CONFLICT DO NOTHING
            RETURNING day, person
        ), people_queued AS (
            INSERT INTO active_people_new (day, person) SELECT day, person FROM people
        ), people_counts AS (
            INSERT INTO active_people_counts AS c (day, people)
            SELECT day, count(*) FROM people GROUP BY day ORDER BY day
            ON CONFLICT (day) DO UPDATE SET people = c.people + EXCLUDED.people
            RETURNING 1
        )
        """

    /// A move's rollup upserts, as CTEs over an `input(b, e, n)` CTE of minute counts (constant SQL,
    /// no values): `aggregateUpserts` and `addCounts` share them.
    static let rollupUpserts = """
        minute AS (
            INSERT INTO event_counts_minute AS c (bucket, event, count)
            SELECT b, e, n FROM input ORDER BY b, e
            ON CONFLICT (bucket, event) DO UPDATE SET count = c.count + EXCLUDED.count
            RETURNING 1
        ), hour AS (
            INSERT INTO event_counts_hour AS c (bucket, event, count)
            SELECT date_trunc('hour', b, 'UTC'), e, sum(n) FROM input GROUP BY 1, 2 ORDER BY 1, 2
            ON CONFLICT (bucket, event) DO UPDATE SET count = c.count + EXCLUDED.count
            RETURNING 1
        ), day AS (
            INSERT INTO event_counts_day AS c (bucket, event, count)
            SELECT date_trunc('day', b, 'UTC'), e, sum(n) FROM input GROUP BY 1, 2 ORDER BY 1, 2
            ON CONFLICT (bucket, event) DO UPDATE SET count = c.count + EXCLUDED.count
            RETURNING 1
        ), totals AS (
            INSERT INTO event_totals AS t (granularity, bucket, count)
            SELECT g, date_trunc(g, b, 'UTC'), sum(n) FROM input, unnest(ARRAY['day', 'hour', 'minute']) AS g
            GROUP BY 1, 2 ORDER BY 1, 2
            ON CONFLICT (granularity, bucket) DO UPDATE SET count = t.count + EXCLUDED.count
            RETURNING 1
        )
        """

    /// Adds (or, with `sign` -1, subtracts) a batch's pre-aggregated minute counts to every count
    /// rollup: per event per minute, hour and day, and the totals per minute, hour and day. One
    /// statement; tables are locked in one order and keys in sorted order, so replicas never
    /// deadlock.
    public static func addCounts(
        _ counts: [(bucket: Date, event: String, count: Int)], sign: Int64 = 1, on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        guard !counts.isEmpty else { return }
        let sorted = counts.sorted { ($0.bucket, $0.event) < ($1.bucket, $1.event) }
        try await connection.query(
            """
            WITH input AS (
                SELECT b, e, n * \(sign)::int8 AS n
                FROM unnest(\(sorted.map(\.bucket))::timestamptz[], \(sorted.map(\.event))::text[],
                            \(sorted.map { Int64($0.count) })::int8[]) AS r(b, e, n)
            ), \(unescaped: rollupUpserts)
            -- Naming the CTEs in this order runs them in this order: the lock order of every writer.
            SELECT (SELECT count(*) FROM minute), (SELECT count(*) FROM hour), (SELECT count(*) FROM day),
                   (SELECT count(*) FROM totals)
            """,
            logger: logger)
    }
}
