import Foundation
import Logging
import Metrics
import PostgresNIO
import TrackerStore

/// One job of the maintenance leader, run on its own schedule (River's `internal/maintenance`: one
/// task per file, a shared scheduler to start and stop them).
protocol MaintenanceTask: Sendable {
    var name: String { get }
    var interval: Duration { get }
    /// Does one round and says what it did, for the log and `maintenance_runs`.
    func runOnce(on connection: PostgresConnection, now: Date, logger: Logger) async throws -> String
}

/// Runs every task when it is due, one at a time, on the leader's own connection (the one holding
/// the leader lock), while this replica is the leader.
struct MaintenanceScheduler: Sendable {
    let tasks: [any MaintenanceTask]
    /// A round still running after this is abandoned; the leader connection is then suspect.
    var timeout: Duration = .seconds(120)
    let metrics: WorkerMetrics
    let logger: Logger

    /// Runs until `stillLeader` says otherwise or the task is cancelled.
    func run(on connection: PostgresConnection, stillLeader: () async -> Bool) async {
        var due = [ContinuousClock.Instant](repeating: .now, count: tasks.count)
        while !Task.isCancelled, await stillLeader() {
            for (index, task) in tasks.enumerated() where due[index] <= .now {
                await runOnce(task, on: connection)
                due[index] = .now + task.interval
            }
            try? await Task.sleep(until: due.min() ?? .now + .seconds(1), clock: .continuous)
        }
    }

    func runOnce(_ task: any MaintenanceTask, on connection: PostgresConnection) async {
        do {
            let result = try await raceAgainstDeadline(timeout) { [logger] in
                let result = try await task.runOnce(on: connection, now: Date(), logger: logger)
                try await connection.query(
                    """
                    INSERT INTO maintenance_runs (task, last_run_at, last_result) VALUES (\(task.name), now(), \(result))
                    ON CONFLICT (task) DO UPDATE SET last_run_at = EXCLUDED.last_run_at, last_result = EXCLUDED.last_result
                    """,
                    logger: logger)
                return result
            }
            metrics.maintenanceRun(task: task.name, succeeded: true)
            logger.debug("maintenance done", metadata: ["task": "\(task.name)", "result": "\(result)"])
        } catch is CancellationError {
            // Shutting down: the run is abandoned, not failed.
        } catch {
            metrics.maintenanceRun(task: task.name, succeeded: false)
            logger.error(
                "maintenance failed", metadata: ["task": "\(task.name)", "error": "\(String(reflecting: error))"])
        }
    }
}
