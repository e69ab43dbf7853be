import Foundation
import Logging
import PostgresNIO

/// The statements of the worker's move transaction. Each takes the connection the transaction runs
/// on; every value is bound, arrays travel through `unnest` (`ColumnArray`).
public enum MoveStore {
    /// Claims up to `limit` staged rows, oldest first, skipping rows other workers hold, and no more
    /// than about `maxBytes` of payloads and the envelopes they name (always at least one row), so a
    /// claim of large messages fits a worker's memory. The rows stay locked until the transaction
    /// ends; `write` deletes them, a rollback releases them. Rows locked past the byte budget are
    /// not returned and stay where they are.
    ///
    /// A plain `SELECT … FOR UPDATE SKIP LOCKED` by the primary key: a queue's statistics are always
    /// stale, and after an ANALYZE of a nearly empty staging table a joined `DELETE … USING (…)` can
    /// be planned as a nested loop rescanning the claimed rows for every staged row. This has no
    /// plan worse than one index pass. The rows come
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
}
