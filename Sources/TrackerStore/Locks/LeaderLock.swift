import Logging
import PostgresNIO

/// The maintenance leader's lock: a session advisory lock held by a dedicated connection, so it
/// lives exactly as long as that connection.
public enum LeaderLock {
    /// Takes the lock unless another replica holds it; true when this connection leads now.
    public static func tryAcquire(on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        try await AdvisoryLock.tryLock(AdvisoryLock.leader, on: connection, logger: logger)
    }

    /// Gives the lock up while keeping the connection, so another replica can lead.
    public static func release(on connection: PostgresConnection, logger: Logger) async throws {
        try await AdvisoryLock.unlock(AdvisoryLock.leader, on: connection, logger: logger)
    }

    /// Returns once the connection holding the lock answered a query, and throws when it cannot:
    /// the lock is held as long as the connection is alive.
    public static func confirm(on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("SELECT 1", logger: logger)
    }
}
