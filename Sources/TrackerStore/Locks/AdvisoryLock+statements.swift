import Logging
import PostgresNIO

extension AdvisoryLock {
    /// Waits for `key` and holds it until the transaction on `connection` ends.
    static func lockForTransaction(_ key: Int64, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("SELECT pg_advisory_xact_lock(\(key))", logger: logger)
    }

    /// Runs `body` holding `key` for the session, released whether `body` succeeds or throws.
    static func withSessionLock<Result: Sendable>(
        _ key: Int64, on connection: PostgresConnection, logger: Logger, _ body: () async throws -> Result
    ) async throws -> Result {
        try await connection.query("SELECT pg_advisory_lock(\(key))", logger: logger)
        do {
            let result = try await body()
            try await unlock(key, on: connection, logger: logger)
            return result
        } catch {
            _ = try? await unlock(key, on: connection, logger: logger)
            throw error
        }
    }

    /// Takes `key` for the session unless another session holds it; true when taken.
    static func tryLock(_ key: Int64, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query("SELECT pg_try_advisory_lock(\(key))", logger: logger)
        for try await acquired in rows.decode(Bool.self) { return acquired }
        return false
    }

    /// Releases a session lock on `key` this connection holds.
    static func unlock(_ key: Int64, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("SELECT pg_advisory_unlock(\(key))", logger: logger)
    }
}
