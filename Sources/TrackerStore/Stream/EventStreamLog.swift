import Foundation
import Logging
import PostgresNIO

/// The live tail's log of stored events (`event_stream`), which the move transaction appends to.
public enum EventStreamLog {
    /// How long the log keeps a row: a stream resumes without a gap within this window.
    public static let window: Duration = .seconds(86_400)

    /// Deletes up to `limit` rows logged before `cutoff`; returns how many went.
    public static func delete(before cutoff: Date, limit: Int, on connection: PostgresConnection, logger: Logger)
        async throws -> Int
    {
        let rows = try await connection.query(
            """
            WITH old AS (SELECT stored_xid, id FROM event_stream WHERE stored_at < \(cutoff) LIMIT \(limit))
            DELETE FROM event_stream s USING old WHERE s.stored_xid = old.stored_xid AND s.id = old.id
            RETURNING 1
            """, logger: logger)
        var count = 0
        for try await _ in rows { count += 1 }
        return count
    }
}
