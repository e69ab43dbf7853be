import Foundation
import Logging
import PostgresNIO

extension MaintenanceStore {
    /// Forgets up to `limit` message ids first seen before `cutoff` (`event_dedupe`); returns how
    /// many went.
    public static func deleteDedupeKeys(
        before cutoff: Date, limit: Int, on connection: PostgresConnection, logger: Logger
    ) async throws -> Int {
        let rows = try await connection.query(
            """
            WITH old AS (
                SELECT source, message_id FROM event_dedupe WHERE first_seen < \(cutoff) LIMIT \(limit)
            )
            DELETE FROM event_dedupe d USING old WHERE d.source = old.source AND d.message_id = old.message_id
            RETURNING 1
            """,
            logger: logger)
        var deleted = 0
        for try await _ in rows { deleted += 1 }
        return deleted
    }
}
