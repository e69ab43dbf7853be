import Logging
import PostgresNIO
import TrackerCore

extension PartitionStore {
    /// Detaches and drops the partitions of the days before `day`, oldest first. `DETACH` needs an
    /// ACCESS EXCLUSIVE lock on `events`, and while it waits for one every move and read of `events`
    /// queues behind it: so it waits at most `lockTimeout` (behind a long read, say), then gives up
    /// and leaves that day and the newer ones to a later run. (`DETACH … CONCURRENTLY` would not
    /// block moves, but it waits out every reader with no limit, outside a transaction, and a
    /// cancelled one leaves the partition half detached.)
    public static func drop(
        before day: UTCDay, lockTimeout: Duration, on connection: PostgresConnection, logger: Logger
    ) async throws -> PartitionDrop {
        let old = try await list(on: connection, logger: logger).filter { $0 < day }.sorted()
        var dropped: [UTCDay] = []
        for partition in old {
            let name = name(of: partition)
            do {
                try await connection.withTransaction(logger: logger) { connection in
                    try await AdvisoryLock.lockForTransaction(AdvisoryLock.partitions, on: connection, logger: logger)
                    try await connection.query(
                        "SELECT set_config('lock_timeout', \(String(lockTimeout.roundedUpMilliseconds)), true)",
                        logger: logger)
                    try await connection.query(
                        PostgresQuery(unsafeSQL: "ALTER TABLE events DETACH PARTITION \(name)"), logger: logger)
                    try await connection.query(PostgresQuery(unsafeSQL: "DROP TABLE \(name)"), logger: logger)
                }
            } catch  where isLockTimeout(error) {
                return PartitionDrop(dropped: dropped, blocked: partition)
            }
            dropped.append(partition)
        }
        return PartitionDrop(dropped: dropped, blocked: nil)
    }

    /// SQLSTATE 55P03: a lock was not granted within `lock_timeout`.
    static func isLockTimeout(_ error: any Error) -> Bool {
        let error = (error as? PostgresTransactionError)?.closureError ?? error
        return (error as? PSQLError)?.serverInfo?[.sqlState] == "55P03"
    }
}

/// What one retention pass did to the partitions of `events`.
public struct PartitionDrop: Sendable, Equatable {
    /// The days whose partitions were dropped, oldest first.
    public var dropped: [UTCDay]
    /// The day whose partition could not be detached within the lock timeout; it and every newer
    /// day are still there.
    public var blocked: UTCDay?
}
