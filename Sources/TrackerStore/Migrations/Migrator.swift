import Foundation
import Logging
import PostgresNIO

/// Applies `migrations/` in order: each file in its own transaction, all under one advisory lock, so
/// any number of runners started together apply everything exactly once.
public struct Migrator: Sendable {
    public var migrations: [Migration]
    public var logger: Logger

    public init(migrations: [Migration] = Migration.embedded, logger: Logger) {
        self.migrations = migrations.sorted { $0.name < $1.name }
        self.logger = logger
    }

    public enum State: String, Sendable {
        case applied, pending
    }

    public struct Status: Sendable, Equatable {
        public var name: String
        public var state: State
        public var appliedAt: Date?
    }

    /// Applies what is pending and returns the names it applied.
    @discardableResult
    public func migrate(on connection: PostgresConnection) async throws -> [String] {
        try await AdvisoryLock.withSessionLock(AdvisoryLock.migrations, on: connection, logger: logger) {
            let applied = try await verifiedApplied(on: connection)
            var names: [String] = []
            for migration in migrations where applied[migration.name] == nil {
                logger.info("applying migration", metadata: ["migration": "\(migration.name)"])
                try await connection.withTransaction(logger: logger) { connection in
                    for statement in migration.statements {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    try await connection.query(
                        """
                        INSERT INTO schema_migrations (name, checksum)
                        VALUES (\(migration.name), encode(sha256(convert_to(\(migration.sql), 'UTF8')), 'hex'))
                        """,
                        logger: logger)
                }
                names.append(migration.name)
            }
            return names
        }
    }

    /// Lists every known migration as applied or pending, refusing if an applied file changed.
    public func status(on connection: PostgresConnection) async throws -> [Status] {
        try await AdvisoryLock.withSessionLock(AdvisoryLock.migrations, on: connection, logger: logger) {
            _ = try await verifiedApplied(on: connection)
            let rows = try await connection.query(
                "SELECT name, applied_at FROM schema_migrations ORDER BY name", logger: logger)
            var appliedAt: [String: Date] = [:]
            for try await (name, date) in rows.decode((String, Date).self) { appliedAt[name] = date }
            return migrations.map {
                Status(
                    name: $0.name, state: appliedAt[$0.name] == nil ? .pending : .applied, appliedAt: appliedAt[$0.name]
                )
            }
        }
    }

    /// Whether every migration this binary knows is applied (what `/readyz` asks).
    public func isCurrent(client: PostgresClient) async throws -> Bool {
        let names = migrations.map(\.name)
        let rows = try await client.query(
            "SELECT count(*)::int FROM schema_migrations WHERE name = ANY(\(names))", logger: logger)
        for try await count in rows.decode(Int.self) { return count == names.count }
        return false
    }

    /// The applied migrations by name, after checking none of them changed since it was applied.
    private func verifiedApplied(on connection: PostgresConnection) async throws -> [String: String] {
        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                name text PRIMARY KEY,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            logger: logger)
        let rows = try await connection.query(
            """
            SELECT m.name, m.checksum, encode(sha256(convert_to(f.sql, 'UTF8')), 'hex')
            FROM schema_migrations m
            LEFT JOIN unnest(\(migrations.map(\.name)), \(migrations.map(\.sql))) AS f(name, sql) USING (name)
            """,
            logger: logger)
        var applied: [String: String] = [:]
        for try await (name, checksum, current) in rows.decode((String, String, String?).self) {
            if let current, current != checksum {
                throw MigrationError.changedAfterApply(name: name)
            }
            applied[name] = checksum
        }
        return applied
    }
}

public enum MigrationError: Error, CustomStringConvertible, Equatable {
    case changedAfterApply(name: String)

    public var description: String {
        switch self {
        case .changedAfterApply(let name):
            "migration \(name) was changed after it was applied (its checksum differs from the one recorded); "
                + "restore the file and add a new migration instead"
        }
    }
}
