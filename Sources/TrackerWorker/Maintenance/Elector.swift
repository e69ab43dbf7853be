import Logging
import Metrics
import PostgresNIO
import TrackerCore
import TrackerStore

/// Leader election on a session advisory lock held by a dedicated connection: the lock lives as long
/// as the connection, so a leader that dies (or loses its connection) frees it for another replica.
struct Elector: Sendable {
    let database: DatabaseURL
    let interval: Duration
    let metrics: WorkerMetrics
    let logger: Logger

    /// Campaigns until cancelled; while leader, runs `lead` with the lock's connection and a check
    /// that the lock is still held.
    func run(
        lead: @Sendable (_ connection: PostgresConnection, _ stillLeader: @Sendable () async -> Bool) async -> Void
    ) async {
        while !Task.isCancelled {
            do {
                try await database.withConnection(logger: logger) { connection in
                    while !Task.isCancelled {
                        if try await tryLock(on: connection) {
                            logger.notice("became the maintenance leader")
                            metrics.leader.record(1)
                            await lead(connection) {
                                (try? await raceAgainstDeadline(.seconds(5)) {
                                    try await LeaderLock.confirm(on: connection, logger: logger)
                                }) != nil
                            }
                            metrics.leader.record(0)
                            logger.notice("no longer the maintenance leader")
                            if connection.isClosed { return }
                            _ = try? await LeaderLock.release(on: connection, logger: logger)
                        }
                        try await Task.sleep(for: interval)
                    }
                }
            } catch {
                metrics.leader.record(0)
                if !Task.isCancelled {
                    logger.warning("leader election connection failed", metadata: ["error": "\(error)"])
                }
            }
            try? await Task.sleep(for: interval)
        }
    }

    private func tryLock(on connection: PostgresConnection) async throws -> Bool {
        try await raceAgainstDeadline(.seconds(5)) { [logger] in
            try await LeaderLock.tryAcquire(on: connection, logger: logger)
        }
    }
}
