import Foundation
import Logging
import PostgresNIO
import TrackerCore
import TrackerStore

/// `QueryRepository` on PostgreSQL. Answers are rendered to JSON by the database
/// (`row_to_json`), timestamps always in UTC whatever the server's TimeZone.
public struct PostgresQueryRepository: QueryRepository {
    /// Where reads go: a streaming standby when `TRACKER_READ_DATABASE_URL` names one, else `writes`.
    let client: ReadClient
    /// The primary: replay and erasure.
    let writes: PostgresClient
    /// Whether `client` is a standby, whose answers are as of its replay rather than of now.
    let readsFromStandby: Bool
    let logger: Logger
    let metrics = QueryMetrics()

    /// Reads and writes on `client`.
    public init(client: PostgresClient, logger: Logger) {
        self.init(reads: ReadClient(client: client), writes: client, logger: logger)
    }

    /// Reads on `reads` (a standby when it has a monitor), replay and erasure on `writes`.
    init(reads: ReadClient, writes: PostgresClient, logger: Logger) {
        self.client = reads
        self.writes = writes
        self.readsFromStandby = reads.monitor != nil
        self.logger = logger
    }

    /// A `timestamptz` as ISO 8601 UTC with milliseconds.
    static func utc(_ column: String) -> String {
        #"to_char(\#(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')"#
    }

    /// An event of `events AS e` as `/v1` answers it: `row_to_json(r)` after `FROM events AS e, `.
    static let eventObject = """
        LATERAL (
            SELECT e.message_id, e.type, e.event, e.user_id, e.anonymous_id, e.session_id,
                   \(utc("e.timestamp")) AS timestamp, \(utc("e.received_at")) AS received_at, e.source,
                   e.properties, e.context, e.traits
        ) AS r
        """

    /// Appends the WHERE conditions of `filter` with their binds.
    static func conditions(_ filter: EventFilter, binds: inout PostgresBindings) -> [String] {
        var conditions: [String] = []
        func add(_ column: String, _ value: String?) {
            guard let value else { return }
            binds.append(value)
            conditions.append("e.\(column) = $\(binds.count)")
        }
        add("user_id", filter.userId)
        add("anonymous_id", filter.anonymousId)
        add("event", filter.event)
        add("type", filter.type)
        if let from = filter.from {
            binds.append(from)
            conditions.append("e.timestamp >= $\(binds.count)")
        }
        if let to = filter.to {
            binds.append(to)
            conditions.append("e.timestamp < $\(binds.count)")
        }
        return conditions
    }

    static func whereClause(_ conditions: [String]) -> String {
        conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
    }

    public func events(_ filter: EventFilter, after: EventPosition?, limit: Int) async throws
        -> [RenderedRow<EventPosition>]
    {
        var binds = PostgresBindings()
        var conditions = Self.conditions(filter, binds: &binds)
        if let after {
            binds.append(after.timestampMicros)
            let micros = binds.count
            binds.append(after.id)
            // The plain bound on timestamp lets the planner prune partitions; the row comparison
            // is the keyset itself.
            let position = "('epoch'::timestamptz + $\(micros)::int8 * interval '1 microsecond')"
            conditions.append("e.timestamp <= \(position) AND (e.timestamp, e.id) < (\(position), $\(binds.count))")
        }
        binds.append(limit)
        let sql = """
            SELECT (extract(epoch FROM e.timestamp) * 1000000)::int8, e.id, row_to_json(r)::text
            FROM events AS e, \(Self.eventObject)
            \(Self.whereClause(conditions))
            ORDER BY e.timestamp DESC, e.id DESC LIMIT $\(binds.count)
            """
        return try await metrics.timed("events") {
            let rows = try await client.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
            var result: [RenderedRow<EventPosition>] = []
            for try await (micros, id, json) in rows.decode((Int64, Int64, String).self) {
                result.append(RenderedRow(json: json, key: EventPosition(timestampMicros: micros, id: id)))
            }
            return result
        }
    }

    public func legacyEvents(_ filter: EventFilter, limit: Int, offset: Int) async throws -> (
        rows: [String], total: Int
    ) {
        var binds = PostgresBindings()
        let whereClause = Self.whereClause(Self.conditions(filter, binds: &binds))
        let total = try await metrics.timed("legacy_events_total") {
            let rows = try await client.query(
                PostgresQuery(unsafeSQL: "SELECT count(*)::int8 FROM events AS e \(whereClause)", binds: binds),
                logger: logger)
            for try await count in rows.decode(Int64.self) { return Int(count) }
            return 0
        }
        binds.append(limit)
        binds.append(offset)
        let sql = """
            SELECT row_to_json(r)::text
            FROM events AS e, LATERAL (
                SELECT e.message_id AS "id", \(Self.utc("e.timestamp")) AS "timestamp", e.user_id AS "userId",
                       e.session_id AS "sessionId", coalesce(e.event, e.type) AS "eventType", e.source,
                       e.properties AS metadata
            ) AS r
            \(whereClause)
            ORDER BY e.timestamp DESC, e.id DESC LIMIT $\(binds.count - 1) OFFSET $\(binds.count)
            """
        let page = try await metrics.timed("legacy_events") {
            let rows = try await client.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
            var result: [String] = []
            for try await json in rows.decode(String.self) { result.append(json) }
            return result
        }
        return (page, total)
    }

    public func refreshTimes() async throws -> [String: Date] {
        try await metrics.timed("view_refreshes") {
            let rows = try await client.query("SELECT view_name, refreshed_at FROM view_refreshes", logger: logger)
            var result: [String: Date] = [:]
            for try await (name, at) in rows.decode((String, Date).self) { result[name] = at }
            return result
        }
    }

    /// What a count reads: the totals (one row per bucket), or the per-event rows, of one event or all.
    enum CountSource {
        case totals
        case events(only: String?)
    }

    /// The plan's segments as one UNION ALL over the rollup tables; table names are constants.
    static func countParts(_ plan: RollupPlan, of source: CountSource, binds: inout PostgresBindings) -> String {
        plan.segments.map { segment in
            binds.append(Date(timeIntervalSince1970: Double(segment.from)))
            binds.append(Date(timeIntervalSince1970: Double(segment.to)))
            let range = "bucket >= $\(binds.count - 1) AND bucket < $\(binds.count)"
            let count = segment.sign < 0 ? "-count AS count" : "count"
            switch source {
            case .totals:
                return
                    "SELECT bucket, '' AS event, \(count) FROM event_totals WHERE granularity = '\(segment.level.rawValue)' AND \(range)"
            case .events(let event):
                var sql = "SELECT bucket, event, \(count) FROM event_counts_\(segment.level.rawValue) WHERE \(range)"
                if let event {
                    binds.append(event)
                    sql += " AND event = $\(binds.count)"
                }
                return sql
            }
        }
        .joined(separator: " UNION ALL ")
    }

    public func topEvents(_ plan: RollupPlan, limit: Int) async throws -> [(event: String, count: Int64)] {
        guard !plan.segments.isEmpty else { return [] }
        var binds = PostgresBindings()
        let parts = Self.countParts(plan, of: .events(only: nil), binds: &binds)
        binds.append(limit)
        // Unnamed calls (identify, group, alias) are counted under '' and never ranked.
        let sql = """
            SELECT event, sum(count)::int8 AS total FROM (\(parts)) AS parts
            WHERE event <> '' GROUP BY event HAVING sum(count) > 0
            ORDER BY total DESC, event LIMIT $\(binds.count)
            """
        return try await metrics.timed("top_events") {
            let rows = try await client.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
            var result: [(event: String, count: Int64)] = []
            for try await (event, count) in rows.decode((String, Int64).self) { result.append((event, count)) }
            return result
        }
    }

    public func countSeries(_ plan: RollupPlan, interval: RollupLevel, event: String?) async throws -> [(
        bucket: Date, count: Int64
    )] {
        guard !plan.segments.isEmpty else { return [] }
        var binds = PostgresBindings()
        let parts = Self.countParts(plan, of: event.map { .events(only: $0) } ?? .totals, binds: &binds)
        // `date_bin` from a UTC midnight is `date_trunc` in UTC for minutes, hours and days, without
        // a time zone lookup per row.
        binds.append("1 \(interval.rawValue)")
        let sql = """
            SELECT date_bin($\(binds.count)::interval, bucket, '2000-01-01 00:00:00+00') AS b, sum(count)::int8
            FROM (\(parts)) AS parts
            GROUP BY 1 HAVING sum(count) > 0
            """
        return try await series("timeseries", PostgresQuery(unsafeSQL: sql, binds: binds))
    }

    public func activePeoplePerDay(from: UTCDay, to: UTCDay) async throws -> [(bucket: Date, count: Int64)] {
        let query: PostgresQuery = """
            SELECT day::timestamp AT TIME ZONE 'UTC', people FROM active_people_counts
            WHERE day >= \(from.description)::date AND day < \(to.description)::date AND people > 0
            """
        return try await series("active_users_day", query)
    }

    public func activePeople(per interval: ActivityInterval, from: Date, to: Date, fromView: Bool) async throws
        -> [(bucket: Date, count: Int64)]
    {
        let name = interval.rawValue
        let query: PostgresQuery
        if fromView, let view = interval.view {
            // The view's name comes from a closed enum, not from input.
            query = """
                SELECT bucket::timestamp AT TIME ZONE 'UTC', people
                FROM \(unescaped: view) AS v(bucket, people)
                WHERE bucket >= date_trunc(\(name), \(from) AT TIME ZONE 'UTC')::date
                  AND bucket::timestamp < \(to) AT TIME ZONE 'UTC'
                """
        } else {
            // Before the view's first refresh: exact, straight from the per-day table.
            query = """
                SELECT bucket AT TIME ZONE 'UTC', count(DISTINCT person)::int8 FROM (
                    SELECT date_trunc(\(name), day::timestamp) AS bucket, person FROM active_people_daily
                    WHERE day >= date_trunc(\(name), \(from) AT TIME ZONE 'UTC')::date
                      AND day < (\(to) AT TIME ZONE 'UTC')::date + 31
                ) AS days
                WHERE bucket < \(to) AT TIME ZONE 'UTC'
                GROUP BY bucket
                """
        }
        return try await series("active_users_\(name)", query)
    }

    /// Runs a `(bucket, count)` query and returns its rows ordered by bucket, fetched as one row of
    /// two arrays: a row per bucket would cost postgres-nio a message and a generic decode each.
    private func series(_ name: String, _ query: PostgresQuery) async throws -> [(bucket: Date, count: Int64)] {
        let arrays = PostgresQuery(
            unsafeSQL: "SELECT array_agg(b ORDER BY b), array_agg(n ORDER BY b) FROM (\(query.sql)) AS series(b, n)",
            binds: query.binds)
        return try await metrics.timed(name) {
            let rows = try await client.query(arrays, logger: logger)
            var result: [(bucket: Date, count: Int64)] = []
            for try await row in rows {
                let cells = Array(row)
                let buckets = try cells[0].arrayValues(Date.self), counts = try cells[1].arrayValues(Int64.self)
                guard buckets.count == counts.count else { throw PostgresDecodingError.Code.failure }
                result.reserveCapacity(buckets.count)
                for (bucket, count) in zip(buckets, counts) {
                    guard let bucket, let count else { throw PostgresDecodingError.Code.missingData }
                    result.append((bucket, count))
                }
            }
            return result
        }
    }

    public func failedEvents(reason: String?, beforeId: Int64?, limit: Int) async throws -> [RenderedRow<Int64>] {
        let query: PostgresQuery = """
            SELECT f.id, row_to_json(r)::text
            FROM failed_events AS f, LATERAL (
                SELECT f.id, \(unescaped: Self.utc("f.received_at")) AS received_at,
                       \(unescaped: Self.utc("f.failed_at")) AS failed_at, f.source, f.message_id, f.reason, f.detail,
                       f.payload
            ) AS r
            WHERE (\(reason)::text IS NULL OR f.reason = \(reason)) AND f.id < \(beforeId ?? Int64.max)
            ORDER BY f.id DESC LIMIT \(limit)
            """
        return try await metrics.timed("failed_events") {
            let rows = try await client.query(query, logger: logger)
            var result: [RenderedRow<Int64>] = []
            for try await (id, json) in rows.decode((Int64, String).self) {
                result.append(RenderedRow(json: json, key: id))
            }
            return result
        }
    }

    /// Rows per replay transaction: a reason may match millions, and no transaction should be long.
    static let replayChunk = 5_000

    public func replay(_ selection: ReplaySelection) async throws -> Int {
        let replayed = try await metrics.timed("replay") {
            switch selection {
            case .ids(let ids):
                return try await replayChunk(ids: ids, reason: nil, upTo: Int64.max)
            case .reason(let reason):
                // Rows that fail again get new ids above this bound, so the loop ends.
                let upTo =
                    try await writes.query("SELECT coalesce(max(id), 0)::int8 FROM failed_events", logger: logger)
                    .decode(Int64.self).first { _ in true } ?? 0
                var total = 0
                while true {
                    let moved = try await replayChunk(ids: nil, reason: reason, upTo: upTo)
                    total += moved
                    if moved < Self.replayChunk { return total }
                }
            }
        }
        if replayed > 0 {
            _ = try? await writes.query("SELECT pg_notify(\(StagingChannel.name), '')", logger: logger)
        }
        return replayed
    }

    /// In a transaction of its own, answered after its COMMIT: an autocommit statement reports its
    /// result before PostgreSQL commits it, at the Sync that follows.
    private func replayChunk(ids: [Int64]?, reason: String?, upTo: Int64) async throws -> Int {
        try await writes.withTransaction(logger: logger) { connection in
            let rows = try await connection.query(
                """
                WITH picked AS (
                    SELECT id FROM failed_events
                    WHERE (\(ids)::int8[] IS NULL OR id = ANY(\(ids)::int8[]))
                      AND (\(reason)::text IS NULL OR reason = \(reason)) AND id <= \(upTo)
                    ORDER BY id LIMIT \(Self.replayChunk) FOR UPDATE SKIP LOCKED
                ), moved AS (
                    DELETE FROM failed_events AS f USING picked WHERE f.id = picked.id
                    RETURNING f.id, f.received_at, f.source, f.kind, f.implied_type, f.message_id, f.payload, f.envelope,
                              f.envelope_id
                ), staged AS (
                    INSERT INTO ingest_staging (received_at, source, kind, implied_type, message_id, payload, envelope,
                                                envelope_id)
                    SELECT received_at, source, kind, implied_type, message_id, payload, envelope, envelope_id
                    FROM moved ORDER BY id
                    RETURNING 1
                )
                SELECT count(*)::int8 FROM staged
                """,
                logger: logger)
            var moved = 0
            for try await count in rows.decode(Int64.self) { moved = Int(count) }
            return moved
        }
    }
}
