import Foundation
import Logging
import PostgresNIO

extension MaintenanceStore {
    /// Deletes up to `limit` envelopes made before `cutoff` that no staged or failed row names: those
    /// two moves splitting one request both kept, or whose failed rows were replayed or erased.
    /// Returns how many went.
    public static func deleteUnusedEnvelopes(
        before cutoff: Date, limit: Int, on connection: PostgresConnection, logger: Logger
    ) async throws -> Int {
        let rows = try await connection.query(
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
            logger: logger)
        var deleted = 0
        for try await _ in rows { deleted += 1 }
        return deleted
    }
}
