import Foundation
import Logging
import PostgresNIO

/// A staged row a worker claimed.
public struct ClaimedRow: Sendable, Equatable {
    public var id: Int64
    public var receivedAt: Date
    public var source: String
    public var kind: StagedRow.Kind
    public var impliedType: String?
    public var messageId: String
    public var payload: String
    /// The batch envelope's text: one `String` shared by every row of a request.
    public var envelope: String?
    /// The stored envelope the row names (`ingest_envelopes`); nil for rows that carry their own.
    public var envelopeId: UUID?
    public var attempts: Int

    public init(
        id: Int64, receivedAt: Date, source: String, kind: StagedRow.Kind, impliedType: String?, messageId: String,
        payload: String, envelope: String?, envelopeId: UUID? = nil, attempts: Int
    ) {
        self.id = id
        self.receivedAt = receivedAt
        self.source = source
        self.kind = kind
        self.impliedType = impliedType
        self.messageId = messageId
        self.payload = payload
        self.envelope = envelope
        self.envelopeId = envelopeId
        self.attempts = attempts
    }
}

extension ClaimedRow {
    /// Decodes a claim: one row of arrays, one per column, in the claim's column order. A row per
    /// claimed message cost postgres-nio a message, a row and a cell decode per value.
    static func batch(_ row: PostgresRow) throws -> [ClaimedRow] {
        let cells = Array(row)
        guard cells.count == 10 else { throw PostgresDecodingError.Code.missingData }
        let ids = try cells[0].arrayValues(Int64.self), receivedAt = try cells[1].arrayValues(Date.self)
        let sources = try cells[2].arrayValues(String.self), kinds = try cells[3].arrayValues(String.self)
        let impliedTypes = try cells[4].arrayValues(String.self), messageIds = try cells[5].arrayValues(String.self)
        let payloads = try cells[6].arrayValues(String.self), envelopes = try cells[7].arrayValues(String.self)
        let attempts = try cells[8].arrayValues(Int32.self), envelopeIds = try cells[9].arrayValues(UUID.self)
        let count = ids.count
        guard
            [
                receivedAt.count, sources.count, kinds.count, impliedTypes.count, messageIds.count, payloads.count,
                envelopes.count, attempts.count, envelopeIds.count,
            ].allSatisfy({ $0 == count })
        else { throw PostgresDecodingError.Code.failure }
        func required<Value>(_ value: Value?) throws -> Value {
            guard let value else { throw PostgresDecodingError.Code.missingData }
            return value
        }
        return try (0..<count).map { index in
            ClaimedRow(
                id: try required(ids[index]), receivedAt: try required(receivedAt[index]),
                source: try required(sources[index]),
                kind: StagedRow.Kind(rawValue: try required(kinds[index])) ?? .segment,
                impliedType: impliedTypes[index], messageId: try required(messageIds[index]),
                payload: try required(payloads[index]), envelope: envelopes[index], envelopeId: envelopeIds[index],
                attempts: Int(try required(attempts[index])))
        }
    }
}

/// One row for `events`, with its JSON already encoded.
public struct EventRow: Sendable, Equatable {
    public var messageId: String
    public var type: String
    public var event: String?
    public var userId: String?
    public var anonymousId: String?
    public var sessionId: String?
    public var groupId: String?
    public var previousId: String?
    public var timestamp: Date
    public var originalTimestamp: Date?
    public var sentAt: Date?
    public var receivedAt: Date
    public var source: String
    public var properties: String
    public var context: String
    public var traits: String
    public var integrations: String

    public init(
        messageId: String, type: String, event: String?, userId: String?, anonymousId: String?, sessionId: String?,
        groupId: String?, previousId: String?, timestamp: Date, originalTimestamp: Date?, sentAt: Date?,
        receivedAt: Date, source: String, properties: String, context: String, traits: String, integrations: String
    ) {
        self.messageId = messageId
        self.type = type
        self.event = event
        self.userId = userId
        self.anonymousId = anonymousId
        self.sessionId = sessionId
        self.groupId = groupId
        self.previousId = previousId
        self.timestamp = timestamp
        self.originalTimestamp = originalTimestamp
        self.sentAt = sentAt
        self.receivedAt = receivedAt
        self.source = source
        self.properties = properties
        self.context = context
        self.traits = traits
        self.integrations = integrations
    }
}

/// One row for `failed_events`.
public struct FailedRow: Sendable, Equatable {
    public var row: ClaimedRow
    /// Every id the message names, of any length: indexed only as hashes (`person_keys`).
    public var people: [String]
    public var reason: String
    public var detail: String

    public init(row: ClaimedRow, people: [String], reason: String, detail: String) {
        self.row = row
        self.people = people
        self.reason = reason
        self.detail = detail
    }

    /// The first id, shown with the failed event.
    public var person: String? { people.first }
}

/// The statements of the worker's move transaction. Each takes the connection the transaction runs
/// on; every value is bound, arrays travel through `unnest` (`ColumnArray`).
public enum MoveStore {
    /// Marks the transaction on `connection` as a move until it ends.
    public static func announceMove(on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            "SELECT pg_advisory_xact_lock_shared(\(AdvisoryLock.mover.0), \(AdvisoryLock.mover.1))", logger: logger)
    }

    /// Move transactions open now in this database, on every replica.
    public static func movesInFlight(on connection: PostgresConnection, logger: Logger) async throws -> Int {
        let rows = try await connection.query(
            """
            SELECT count(*)::int FROM pg_locks
            WHERE locktype = 'advisory' AND granted AND objsubid = 2
              AND classid = \(AdvisoryLock.mover.0)::oid AND objid = \(AdvisoryLock.mover.1)::oid
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """,
            logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    /// Claims up to `limit` staged rows, oldest first, skipping rows other workers hold, and no more
    /// than about `maxBytes` of payloads and the envelopes they name (always at least one row), so a
    /// claim of large messages fits a worker's memory. The rows stay locked until the transaction
    /// ends; `write` deletes them, a rollback releases them. Rows locked past the byte budget are
    /// not returned and stay where they are.
    ///
    /// A plain `SELECT … FOR UPDATE SKIP LOCKED` by the primary key: a queue's statistics are always
    /// stale, and after an ANALYZE of a nearly empty staging table a joined `DELETE … USING (…)`
    /// was planned as a nested loop rescanning the claimed rows for every staged row — minutes per
    /// batch once a backlog built up. This has no plan worse than one index pass. The rows come
    /// back as one row of arrays (`ClaimedRow.batch`), aggregated straight from the locking
    /// subquery rather than from a CTE, which would copy them into a tuplestore first. Envelopes
    /// come from `envelopes(for:)`, once each.
    public static func claim(
        limit: Int, maxBytes: Int, on connection: PostgresConnection, logger: Logger
    ) async throws -> [ClaimedRow] {
        let rows = try await connection.query(
            """
            SELECT array_agg(id), array_agg(received_at), array_agg(source), array_agg(kind),
                   array_agg(implied_type), array_agg(message_id), array_agg(payload), array_agg(envelope),
                   array_agg(attempts), array_agg(envelope_id)
            FROM (
                SELECT locked.*, sized.bytes, sum(sized.bytes) OVER (ORDER BY locked.id) AS running
                FROM (
                    SELECT id, received_at, source, kind, implied_type, message_id, payload, envelope, attempts,
                           envelope_id
                    FROM ingest_staging ORDER BY id LIMIT \(limit) FOR UPDATE SKIP LOCKED
                ) AS locked
                LEFT JOIN ingest_envelopes e ON e.id = locked.envelope_id,
                LATERAL (SELECT octet_length(locked.payload) + coalesce(octet_length(locked.envelope), 0)
                                + coalesce(octet_length(e.envelope), 0) AS bytes) AS sized
            ) AS claimed
            WHERE running - bytes < \(Int64(maxBytes))
            """,
            logger: logger)
        var claimed: [ClaimedRow] = []
        for try await row in rows {
            claimed = try ClaimedRow.batch(row)
        }
        let envelopeIds = Set(claimed.compactMap(\.envelopeId))
        guard !envelopeIds.isEmpty else { return claimed }
        let envelopes = try await envelopes(Array(envelopeIds), on: connection, logger: logger)
        for index in claimed.indices {
            if let id = claimed[index].envelopeId { claimed[index].envelope = envelopes[id] }
        }
        return claimed
    }

    /// The stored envelopes with these ids.
    static func envelopes(_ ids: [UUID], on connection: PostgresConnection, logger: Logger) async throws
        -> [UUID: String]
    {
        let rows = try await connection.query(
            "SELECT id, envelope FROM ingest_envelopes WHERE id = ANY(\(ids))", logger: logger)
        var envelopes: [UUID: String] = [:]
        for try await (id, envelope) in rows.decode((UUID, String).self) { envelopes[id] = envelope }
        return envelopes
    }

    /// Deletes the envelopes among `ids` that no staged or failed row names any more. Rows another
    /// move holds still count, so two moves splitting one request may both keep its envelope: the
    /// leader's `MaintenanceStore.deleteUnusedEnvelopes` collects those later.
    public static func deleteUnusedEnvelopes(_ ids: [UUID], on connection: PostgresConnection, logger: Logger)
        async throws
    {
        guard !ids.isEmpty else { return }
        try await connection.query(
            """
            DELETE FROM ingest_envelopes e WHERE e.id = ANY(\(ids))
              AND NOT EXISTS (SELECT 1 FROM ingest_staging s WHERE s.envelope_id = e.id)
              AND NOT EXISTS (SELECT 1 FROM failed_events f WHERE f.envelope_id = e.id)
            """,
            logger: logger)
    }

    /// Stores a claimed batch in one statement: deletes the claimed staging rows, records the
    /// events' keys in the dedupe window (sorted, so concurrent workers lock in one order), inserts
    /// the events new to it, and adds them to every count rollup and to the distinct people per
    /// day — pre-aggregated per batch, upserted in sorted key order. Returns the indexes (into
    /// `events`) of the events stored; the others were already in the window.
    ///
    /// One statement instead of one per table: the worker no longer decodes the fresh keys, filters
    /// and aggregates in Swift, and sends the same values back.
    /// `events` must hold one message per key (`MovePlan` keeps the first copy).
    public static func write(
        _ events: [EventRow], deleting ids: [Int64], on connection: PostgresConnection, logger: Logger
    ) async throws -> [Int] {
        func column<Value>(_ value: @escaping (Int) -> Value?) -> ColumnArray<Value> {
            ColumnArray(count: events.count, value)
        }
        let rows = try await connection.query(
            """
            WITH claimed AS (
                DELETE FROM ingest_staging WHERE id = ANY(\(ids))
                RETURNING 1
            ), batch AS (
                SELECT * FROM unnest(
                    \(column { events[$0].messageId })::text[], \(column { events[$0].type })::text[], \(column { events[$0].event })::text[],
                    \(column { events[$0].userId })::text[], \(column { events[$0].anonymousId })::text[],
                    \(column { events[$0].sessionId })::text[], \(column { events[$0].groupId })::text[],
                    \(column { events[$0].previousId })::text[], \(column { events[$0].timestamp })::timestamptz[],
                    \(column { events[$0].originalTimestamp })::timestamptz[], \(column { events[$0].sentAt })::timestamptz[],
                    \(column { events[$0].receivedAt })::timestamptz[], \(column { events[$0].source })::text[],
                    \(column { events[$0].properties })::text[], \(column { events[$0].context })::text[],
                    \(column { events[$0].traits.nonEmptyObject })::text[],
                    \(column { events[$0].integrations.nonEmptyObject })::text[]
                ) WITH ORDINALITY AS e(mid, typ, ev, uid, aid, sid, gid, pid, ts, ots, sat, rat, src, props, ctx, trt, integ, ord)
            ), fresh AS (
                INSERT INTO event_dedupe (source, message_id)
                SELECT src, mid FROM batch ORDER BY 1, 2
                ON CONFLICT DO NOTHING
                RETURNING source, message_id
            ), accepted AS (
                SELECT batch.* FROM batch JOIN fresh ON fresh.source = batch.src AND fresh.message_id = batch.mid
            ), stored AS (
                INSERT INTO events (message_id, type, event, user_id, anonymous_id, session_id, group_id, previous_id,
                                    timestamp, original_timestamp, sent_at, received_at, source,
                                    properties, context, traits, integrations)
                SELECT mid, typ, ev, uid, aid, sid, gid, pid, ts, ots, sat, rat, src,
                       props::jsonb, ctx::jsonb, coalesce(trt::jsonb, '{}'), coalesce(integ::jsonb, '{}')
                FROM accepted
                RETURNING timestamp, event, coalesce(user_id, anonymous_id) AS person
            ), \(unescaped: aggregateUpserts)
            -- Naming the CTEs in this order runs them in this order: the lock order of every writer.
            SELECT (SELECT count(*) FROM claimed), (SELECT count(*) FROM minute), (SELECT count(*) FROM hour),
                   (SELECT count(*) FROM day), (SELECT count(*) FROM totals), (SELECT count(*) FROM people_counts),
                   (SELECT coalesce(array_agg(ord::int8), '{}') FROM accepted)
            """,
            logger: logger)
        var stored: [Int64] = []
        for try await (_, _, _, _, _, _, indexes) in rows.decode(
            (Int64, Int64, Int64, Int64, Int64, Int64, [Int64]).self)
        {
            stored = indexes
        }
        return stored.map { Int($0) - 1 }
    }

    /// Writes refusals. Nothing unbounded is indexed (ids only as md5 hashes in `person_keys`), so
    /// this cannot fail on an oversized value.
    public static func insertFailed(_ failed: [FailedRow], on connection: PostgresConnection, logger: Logger)
        async throws
    {
        guard !failed.isEmpty else { return }
        func column<Value>(_ value: @escaping (Int) -> Value?) -> ColumnArray<Value> {
            ColumnArray(count: failed.count, value)
        }
        // Each failed row's ids, flattened with the (1-based) row they belong to.
        let owners = failed.indices.flatMap { index in failed[index].people.map { _ in Int64(index + 1) } }
        let ids = failed.flatMap(\.people)
        try await connection.query(
            """
            WITH keys AS (
                SELECT owner, array_agg(DISTINCT md5(id)) AS keys
                FROM unnest(\(ids)::text[], \(owners)::int8[]) AS k(id, owner) GROUP BY owner
            )
            INSERT INTO failed_events (received_at, source, kind, implied_type, message_id, person, person_keys, reason,
                                       detail, payload, envelope, envelope_id)
            SELECT rat, src, knd, typ, mid, per, coalesce(keys.keys, '{}'), rsn, dtl, pay, env, eid
            FROM unnest(
                \(column { failed[$0].row.receivedAt })::timestamptz[], \(column { failed[$0].row.source })::text[],
                \(column { failed[$0].row.kind.rawValue })::text[], \(column { failed[$0].row.impliedType })::text[],
                \(column { failed[$0].row.messageId })::text[], \(column { failed[$0].person })::text[], \(column { failed[$0].reason })::text[],
                \(column { failed[$0].detail })::text[], \(column { failed[$0].row.payload })::text[], \(column { failed[$0].row.envelopeId == nil ? failed[$0].row.envelope : nil })::text[],
                \(column { failed[$0].row.envelopeId })::uuid[]
            ) WITH ORDINALITY AS f(rat, src, knd, typ, mid, per, rsn, dtl, pay, env, eid, ord)
            LEFT JOIN keys ON keys.owner = f.ord
            """,
            logger: logger)
    }

    /// Sets a staged row aside as `poison_message` in a transaction of its own when even its refusal
    /// could not be written: the smallest row there is (no ids, nothing parsed), so it always goes.
    public static func setAside(
        id: Int64, detail: String, on connection: PostgresConnection, logger: Logger
    ) async throws {
        try await connection.query(
            """
            WITH gone AS (DELETE FROM ingest_staging WHERE id = \(id) RETURNING *)
            INSERT INTO failed_events (received_at, source, kind, implied_type, message_id, reason, detail, payload,
                                       envelope, envelope_id)
            SELECT received_at, source, kind, implied_type, message_id, 'poison_message', \(detail), payload,
                   envelope, envelope_id
            FROM gone
            """,
            logger: logger)
    }

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

    /// Counts a failed attempt at moving the row `id`, so a message that keeps failing is set
    /// aside; returns its attempts so far (0 when it is gone).
    public static func recordAttempt(
        id: Int64, error: String, on connection: PostgresConnection, logger: Logger
    ) async throws -> Int {
        let rows = try await connection.query(
            """
            UPDATE ingest_staging SET attempts = attempts + 1, last_error = \(String(error.prefix(1000)))
            WHERE id = \(id) RETURNING attempts
            """,
            logger: logger)
        for try await attempts in rows.decode(Int32.self) { return Int(attempts) }
        return 0
    }
}

extension String {
    /// `nil` for `{}`: most events carry no traits or integrations, and a NULL costs PostgreSQL
    /// no parse.
    fileprivate var nonEmptyObject: String? { self == "{}" ? nil : self }
}
