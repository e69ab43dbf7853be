import Logging
import PostgresNIO
import TrackerStore

/// `/readyz` for a server backed by PostgreSQL: the database answers within two seconds and every
/// migration this binary knows is applied.
public func databaseReadiness(client: PostgresClient, logger: Logger) -> ReadinessCheck {
    let migrator = Migrator(logger: logger)
    return {
        do {
            let current = try await raceAgainstDeadline(.seconds(2)) { try await migrator.isCurrent(client: client) }
            guard current else {
                return .failure(
                    .unavailable(
                        "schema_outdated", "The database schema is behind this version; run `tracker migrate`.",
                        retryAfter: 5))
            }
            return .success(())
        } catch {
            return .failure(.databaseUnavailable)
        }
    }
}
