import Logging
import PostgresNIO

extension MaintenanceStore {
    /// Seconds since each task last ran, on any leader (`maintenance_runs`), by task name.
    public static func secondsSinceLastRuns(
        on connection: PostgresConnection, logger: Logger
    ) async throws -> [String: Double] {
        let rows = try await connection.query(
            "SELECT task, extract(epoch FROM now() - last_run_at)::float8 FROM maintenance_runs", logger: logger)
        var elapsed: [String: Double] = [:]
        for try await (task, seconds) in rows.decode((String, Double).self) { elapsed[task] = seconds }
        return elapsed
    }

    /// Records that `task` ran now and what it did, so the next leader knows when it is due.
    public static func recordRun(
        task: String, result: String, on connection: PostgresConnection, logger: Logger
    ) async throws {
        try await connection.query(
            """
            INSERT INTO maintenance_runs (task, last_run_at, last_result) VALUES (\(task), now(), \(result))
            ON CONFLICT (task) DO UPDATE SET last_run_at = EXCLUDED.last_run_at, last_result = EXCLUDED.last_result
            """,
            logger: logger)
    }
}
