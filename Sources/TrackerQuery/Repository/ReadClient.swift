import Logging
import PostgresNIO
import TrackerCore

/// The pool reads go to. On a standby, a read is abandoned (and answered 503) as soon as the
/// monitor finds the standby unreachable: postgres-nio keeps a request waiting for a connection
/// while it retries a server that refuses them, for a minute before it gives up.
struct ReadClient: Sendable {
    let client: PostgresClient
    var monitor: StandbyMonitor? = nil

    func query(_ query: PostgresQuery, logger: Logger) async throws -> PostgresRowSequence {
        try await abandoningOnUnreachable { [client] in try await client.query(query, logger: logger) }
    }

    /// A transaction on the read pool, abandoned like `query` when the standby is unreachable.
    func withTransaction<Result: Sendable>(
        logger: Logger, _ closure: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await abandoningOnUnreachable { [client] in
            try await client.withTransaction(logger: logger) { try await closure($0) }
        }
    }

    private func abandoningOnUnreachable<Result: Sendable>(
        _ read: @escaping @Sendable () async throws -> Result
    ) async throws -> Result {
        guard let monitor else { return try await read() }
        do {
            // No deadline of its own: the statement timeout bounds a read that runs.
            return try await raceAgainstDeadline(.seconds(86_400), abandonWhen: { await monitor.unreachable() }, read)
        } catch is ConnectionLost {
            throw DeadlineExceeded()
        }
    }
}
