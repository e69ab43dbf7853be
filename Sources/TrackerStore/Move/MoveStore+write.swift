import Foundation
import Logging
import PostgresNIO

extension MoveStore {
    /// Stores a claimed batch in one statement: deletes the claimed staging rows, records the
    /// events' keys in the dedupe window with their timestamps, for receipts (sorted, so concurrent
    /// workers lock in one order), inserts the events new to it, and adds them to every count
    /// rollup and to the distinct people per day — pre-aggregated per batch, upserted in sorted
    /// key order — and logs them for the live tail (`event_stream`, stamped with this
    /// transaction's id). Returns the indexes (into `events`) of the events stored; the others
    /// were already in the window.
    ///
    /// One statement, not one per table, so the worker never decodes the fresh keys, filters and
    /// aggregates in Swift only to send the same values back.
    /// `events` must hold one message per key (`MovePlan` keeps the first copy). With `analysis`, it
    /// also keeps identity links, retention cohorts and `breakdownProperties`' counts
    /// (`AnalysisUpkeep`); the caller must have run `lockPeople` for these events first.
    public static func write(
        _ events: [EventRow], deleting ids: [Int64], analysis: AnalysisUpkeep? = nil, on connection: PostgresConnection,
        logger: Logger
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
                INSERT INTO event_dedupe (source, message_id, event_timestamp)
                SELECT src, mid, ts FROM batch ORDER BY 1, 2
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
                RETURNING id, timestamp, event, coalesce(user_id, anonymous_id) AS person\(unescaped: analysis?.returning ?? "")
            ), streamed AS (
                INSERT INTO event_stream (id, timestamp) SELECT id, timestamp FROM stored
            ), breakdown_properties AS (
                SELECT unnest(\(analysis?.breakdownProperties ?? [])::text[]) AS property
            ), \(unescaped: aggregateUpserts)\(unescaped: analysis?.upserts ?? "")
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
}

extension String {
    /// `nil` for `{}`: most events carry no traits or integrations, and a NULL costs PostgreSQL
    /// no parse.
    fileprivate var nonEmptyObject: String? { self == "{}" ? nil : self }
}
