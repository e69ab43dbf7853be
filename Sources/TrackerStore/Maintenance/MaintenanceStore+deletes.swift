import Foundation
import Logging
import PostgresNIO

extension MaintenanceStore {
    /// Forgets up to `limit` message ids first seen before `cutoff` (`event_dedupe`); returns how
    /// many went.
    public static func deleteDedupeKeys(
        before cutoff: Date, limit: Int, on connection: PostgresConnection, logger: Logger
    ) async throws -> Int {
        try await rowCount(
            """
            WITH old AS (
                SELECT source, message_id FROM event_dedupe WHERE first_seen < \(cutoff) LIMIT \(limit)
            )
            DELETE FROM event_dedupe d USING old WHERE d.source = old.source AND d.message_id = old.message_id
            RETURNING 1
            """,
            on: connection, logger: logger)
    }

    /// Deletes up to `limit` envelopes made before `cutoff` that no staged or failed row names: those
    /// two moves splitting one request both kept, or whose failed rows were replayed or erased.
    /// Returns how many went.
    public static func deleteUnusedEnvelopes(
        before cutoff: Date, limit: Int, on connection: PostgresConnection, logger: Logger
    ) async throws -> Int {
        try await rowCount(
            """
            WITH unused AS (
                SELECT e.id FROM ingest_envelopes e
                WHERE e.created_at < \(cutoff)
                  AND NOT EXISTS (SELECT 1 FROM ingest_staging s WHERE s.envelope_id = e.id)
                  AND NOT EXISTS (SELECT 1 FROM failed_events f WHERE f.envelope_id = e.id)
                LIMIT \(limit)
            )
            DELETE FROM ingest_envelopes e USING unused WHERE e.id = unused.id
            RETURNING 1
            """,
            on: connection, logger: logger)
    }

    /// Runs `query` and counts the rows it returns (a bounded `DELETE … RETURNING 1`).
    private static func rowCount(
        _ query: PostgresQuery, on connection: PostgresConnection, logger: Logger
    ) async throws -> Int {
        var count = 0
        for try await _ in try await connection.query(query, logger: logger) { count += 1 }
        return count
    }
}
