import Logging
import PostgresNIO
import TrackerCore

/// What `/readyz` asks of a server backed by PostgreSQL: whether every migration this binary knows
/// is applied, answered within two seconds; it throws when the database cannot answer in that time.
public func databaseReadiness(client: PostgresClient, logger: Logger) -> @Sendable () async throws -> Bool {
    let migrator = Migrator(logger: logger)
    return { try await raceAgainstDeadline(.seconds(2)) { try await migrator.isCurrent(client: client) } }
}
