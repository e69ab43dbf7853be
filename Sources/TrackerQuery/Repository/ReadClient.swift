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
        guard let monitor else { return try await client.query(query, logger: logger) }
        do {
            // No deadline of its own: the statement timeout bounds a read that runs.
            return try await raceAgainstDeadline(.seconds(86_400), abandonWhen: { await monitor.unreachable() }) {
                [client] in try await client.query(query, logger: logger)
            }
        } catch is ConnectionLost {
            throw DeadlineExceeded()
        }
    }

    func withTransaction<Result>(
        logger: Logger, isolation: isolated (any Actor)? = #isolation,
        _ closure: (PostgresConnection) async throws -> sending Result
    ) async throws -> sending Result {
        try await client.withTransaction(logger: logger, closure)
    }
}
