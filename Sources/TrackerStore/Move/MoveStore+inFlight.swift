import Logging
import PostgresNIO

extension MoveStore {
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
}
