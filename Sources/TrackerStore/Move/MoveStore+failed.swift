import Logging
import PostgresNIO

extension MoveStore {
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
