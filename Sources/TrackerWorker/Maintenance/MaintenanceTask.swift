import Foundation
import Logging
import Metrics
import PostgresNIO
import TrackerCore
import TrackerStore

/// One job of the maintenance leader, run on its own schedule (River's `internal/maintenance`: one
/// task per file, a shared scheduler to start and stop them).
protocol MaintenanceTask: Sendable {
    var name: String { get }
    var interval: Duration { get }
    /// Does one round and says what it did, for the log and `maintenance_runs`.
    func runOnce(on connection: PostgresConnection, now: Date, logger: Logger) async throws -> String
    /// The wait before the next round, given how long this one took.
    func interval(after duration: Duration) -> Duration
}

extension MaintenanceTask {
    func interval(after duration: Duration) -> Duration { interval }
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
        var due = await firstDue(on: connection)
        while !Task.isCancelled, await stillLeader() {
            for (index, task) in tasks.enumerated() where due[index] <= .now {
                let start = ContinuousClock.now
                await runOnce(task, on: connection)
                due[index] = .now + task.interval(after: .now - start)
            }
            try? await Task.sleep(until: due.min() ?? .now + .seconds(1), clock: .continuous)
        }
    }

    /// When each task is first due: an interval after its last run by any leader, so a takeover or a
    /// restart does not pay again for what the last leader just did. A task never run, or whose
    /// history cannot be read, is due at once.
    func firstDue(on connection: PostgresConnection) async -> [ContinuousClock.Instant] {
        var elapsed: [String: Double] = [:]
        do {
            elapsed = try await MaintenanceStore.secondsSinceLastRuns(on: connection, logger: logger)
        } catch {
            logger.warning("cannot read maintenance history", metadata: ["error": "\(String(reflecting: error))"])
        }
        let now = ContinuousClock.now
        return tasks.map { task in
            guard let seconds = elapsed[task.name] else { return now }
            return now + max(.zero, task.interval - .seconds(seconds))
        }
    }

    func runOnce(_ task: any MaintenanceTask, on connection: PostgresConnection) async {
        do {
            let result = try await raceAgainstDeadline(timeout) { [logger] in
                let result = try await task.runOnce(on: connection, now: Date(), logger: logger)
                try await MaintenanceStore.recordRun(task: task.name, result: result, on: connection, logger: logger)
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
