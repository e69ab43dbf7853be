import Foundation
import Logging
import PostgresNIO
import Synchronization
import Testing
import TrackerTestSupport

@testable import TrackerWorker

@Suite struct ElectorTests {
    /// Maintenance runs on the connection that holds the lock, so a deposed leader cannot act: its
    /// connection is gone. The test checks the takeover and that the old leader notices.
    @Test func anotherReplicaTakesOverWhenTheLeadersConnectionDies() async throws {
        let database = try await TestDatabase.create("maint_elector")
        let record = Leadership()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for replica in 0..<2 {
                let elector = Elector(
                    database: database.url, interval: .milliseconds(100), metrics: WorkerMetrics(),
                    logger: database.logger)
                group.addTask {
                    await elector.run { _, stillLeader in
                        record.elected.withLock { $0.append(replica) }
                        _ = record.current.withLock { $0.insert(replica) }
                        while !Task.isCancelled, await stillLeader() {
                            try? await Task.sleep(for: .milliseconds(50))
                        }
                        record.current.withLock { _ = $0.remove(replica) }
                    }
                }
            }
            try await waitUntil("a leader is elected") { record.elected.withLock { $0.count } == 1 }
            // Kill the leader's connection: the one holding the advisory lock.
            try await database.terminateBackends(where: "pid IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory')")
            let first = record.elected.withLock { $0[0] }
            try await waitUntil(timeout: .seconds(10), "another replica takes over") {
                record.elected.withLock { $0.count } >= 2
            }
            try await waitUntil(timeout: .seconds(10), "the deposed leader notices") {
                !record.current.withLock { $0.contains(first) } || record.elected.withLock { $0.last } == first
            }
            #expect(record.current.withLock { $0.count } == 1)
            group.cancelAll()
        }
        try await database.drop()
    }
}

/// Who was elected, in order, and who leads now.
final class Leadership: Sendable {
    let elected = Mutex<[Int]>([])
    let current = Mutex<Set<Int>>([])
}
