import Foundation
import Logging
import PostgresNIO
import TrackerCore

/// Daily partitions of `events`: `events_pYYYYMMDD`, one UTC day each.
///
/// Partition names and bounds are DDL, which takes no bind parameters; both are built here from a
/// `UTCDay`, never from input.
public enum PartitionStore {
    static let prefix = "events_p"

    public static func name(of day: UTCDay) -> String { prefix + day.compact }

    /// The days that have a partition.
    public static func list(on connection: PostgresConnection, logger: Logger) async throws -> Set<UTCDay> {
        let rows = try await connection.query(
            """
            SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'events'::regclass
            """,
            logger: logger)
        var days: Set<UTCDay> = []
        for try await name in rows.decode(String.self) where name.hasPrefix(prefix) {
            if let day = UTCDay(name.dropFirst(prefix.count)) { days.insert(day) }
        }
        return days
    }

    /// Creates the day's partition unless it exists: a plain table with the range as a CHECK
    /// constraint, then `ATTACH`, which then needs no scan and only a SHARE UPDATE EXCLUSIVE lock on
    /// `events`, so inserts into other days go on. Returns whether it created one.
    @discardableResult
    public static func create(_ day: UTCDay, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let name = name(of: day)
        let from = "'\(day.description) 00:00:00+00'"
        let to = "'\(day.adding(days: 1).description) 00:00:00+00'"
        return try await connection.withTransaction(logger: logger) { connection in
            try await AdvisoryLock.lockForTransaction(AdvisoryLock.partitions, on: connection, logger: logger)
            let existing = try await connection.query(
                "SELECT count(*)::int FROM pg_class WHERE relname = \(name) AND relkind IN ('r', 'p')", logger: logger)
            for try await count in existing.decode(Int.self) where count > 0 { return false }
            for statement in [
                "CREATE TABLE \(name) (LIKE events INCLUDING DEFAULTS INCLUDING CONSTRAINTS)",
                "ALTER TABLE \(name) ADD CONSTRAINT \(name)_range CHECK (timestamp >= \(from) AND timestamp < \(to))",
                "ALTER TABLE events ATTACH PARTITION \(name) FOR VALUES FROM (\(from)) TO (\(to))",
            ] {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            return true
        }
    }

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
