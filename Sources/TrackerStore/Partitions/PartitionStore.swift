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
}
