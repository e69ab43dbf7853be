import Logging
import Metrics
import PostgresNIO
import TrackerStore

/// Leader election on a session advisory lock held by a dedicated connection: the lock lives as long
/// as the connection, so a leader that dies (or loses its connection) frees it for another replica.
struct Elector: Sendable {
    static let lockKey: Int64 = 0x7472_6B5F_6C65_6164  // "trk_lead"

    let database: DatabaseURL
    let interval: Duration
    let metrics: WorkerMetrics
    let logger: Logger

    /// Campaigns until cancelled; while leader, runs `lead` with a check that the lock is still held.
    func run(lead: @Sendable (_ stillLeader: @Sendable () async -> Bool) async -> Void) async {
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(
                    configuration: database.connectionConfiguration(), id: 0, logger: logger)
                while !Task.isCancelled {
                    let rows = try await connection.query(
                        "SELECT pg_try_advisory_lock(\(Self.lockKey))", logger: logger)
                    var acquired = false
                    for try await value in rows.decode(Bool.self) { acquired = value }
                    if acquired {
                        logger.notice("became the maintenance leader")
                        metrics.leader.record(1)
                        await lead {
                            (try? await connection.query("SELECT 1", logger: logger)) != nil
                        }
                        metrics.leader.record(0)
                        logger.notice("no longer the maintenance leader")
                        if connection.isClosed { break }
                        _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                    }
                    try await Task.sleep(for: interval)
                }
                try? await connection.close()
            } catch {
                metrics.leader.record(0)
                logger.warning("leader election connection failed", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: interval)
            }
        }
    }
}
