import Foundation
import Logging
import PostgresNIO
import Synchronization
import Testing
import TrackerTestSupport

@testable import TrackerWorker

@Suite struct MaintenanceSchedulerTests {
    /// A new leader takes up each task's schedule where the last leader left it: a task run 10 s ago
    /// with a 60 s interval waits; one run 2 minutes ago, or never, runs at once.
    @Test func aNewLeaderRunsOnlyWhatIsDue() async throws {
        let database = try await TestDatabase.create("maint_scheduler")
        _ = try await database.withConnection { connection in
            try await connection.query(
                """
                INSERT INTO maintenance_runs (task, last_run_at, last_result) VALUES
                    ('recent', now() - interval '10 seconds', 'before'),
                    ('stale', now() - interval '2 minutes', 'before')
                """, logger: database.logger)
        }
        let ran = RunLog()
        let scheduler = MaintenanceScheduler(
            tasks: ["recent", "stale", "never"].map { RecordingTask(name: $0, interval: .seconds(60), ran: ran) },
            metrics: WorkerMetrics(), logger: database.logger)

        let start = ContinuousClock.now
        let due = try await database.withConnection { await scheduler.firstDue(on: $0) }
        #expect(due[0] > start + .seconds(45) && due[0] < start + .seconds(55))
        #expect(due[1] <= ContinuousClock.now && due[2] <= ContinuousClock.now)

        try await database.withConnection { connection in
            let leading = Task { await scheduler.run(on: connection, stillLeader: { true }) }
            try await waitUntil("the due tasks ran") { ran.names.withLock { $0.count } >= 2 }
            leading.cancel()
            await leading.value
        }
        #expect(ran.names.withLock { $0 } == ["stale", "never"])
        #expect(
            try await database.scalar(
                "SELECT count(*)::int FROM maintenance_runs WHERE last_result = 'before'") == 1)
        try await database.drop()
    }
}

/// A task that only records that it ran.
struct RecordingTask: MaintenanceTask {
    let name: String
    let interval: Duration
    let ran: RunLog

    func runOnce(on connection: PostgresConnection, now: Date, logger: Logger) async throws -> String {
        ran.names.withLock { $0.append(name) }
        return "ran"
    }
}

/// The names of the tasks that ran, in order.
final class RunLog: Sendable {
    let names = Mutex<[String]>([])
}
