import Dispatch
import Foundation
import Logging
import Metrics
import PostgresNIO
import Synchronization
import TrackerCore
import TrackerStore

/// One move transaction: claim staged rows, validate them, write `events`, `failed_events` and the
/// rollups, delete the claimed rows — all committed together, so a crash anywhere rolls it all back.
final class BatchMover: Sendable {
    struct Outcome: Sendable, Equatable {
        var claimed = 0
        var moved = 0
        var failed = 0
        var duplicates = 0
    }

    let client: PostgresClient
    let configuration: WorkerConfiguration
    let metrics: WorkerMetrics
    let logger: Logger
    /// Days known to have a partition, so most batches skip the catalog.
    private let knownPartitions = Mutex<Set<UTCDay>>([])

    init(client: PostgresClient, configuration: WorkerConfiguration, metrics: WorkerMetrics, logger: Logger) {
        self.client = client
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
    }

    /// Moves up to `limit` rows. Throws `MoveError.batchFailed` with the claimed ids when a statement
    /// failed, so the caller can count the attempt.
    func moveBatch(limit: Int) async throws -> Outcome {
        let start = DispatchTime.now()
        let claimedIds = Mutex<[Int64]>([])
        let outcome: Outcome
        let stored: [EventRow]
        do {
            (outcome, stored) = try await client.withTransaction(logger: logger) { connection in
                let rows = try await MoveStore.claim(limit: limit, on: connection, logger: logger)
                claimedIds.withLock { $0 = rows.map(\.id) }
                guard !rows.isEmpty else { return (Outcome(), []) }
                let plan = MovePlan(rows: rows, now: Date(), configuration: configuration)
                try await ensurePartitions(plan.days)
                let fresh = try await MoveStore.recordFirstSeen(
                    plan.events.map { ($0.source, $0.messageId) }, on: connection, logger: logger)
                let stored = plan.events.filter {
                    fresh.contains(DedupeKey(source: $0.source, messageId: $0.messageId))
                }
                try await MoveStore.insertEvents(stored, on: connection, logger: logger)
                try await MoveStore.insertFailed(plan.failed, on: connection, logger: logger)
                try await MoveStore.addMinuteCounts(MovePlan.minuteCounts(stored), on: connection, logger: logger)
                try await MoveStore.addActivePeople(MovePlan.activePeople(stored), on: connection, logger: logger)
                let outcome = Outcome(
                    claimed: rows.count, moved: stored.count, failed: plan.failed.count,
                    duplicates: plan.duplicates + plan.events.count - stored.count)
                return (outcome, stored)
            }
        } catch {
            metrics.batchErrors.increment()
            let ids = claimedIds.withLock { $0 }
            throw ids.isEmpty || Self.isConnectionError(error)
                ? error : MoveError.batchFailed(ids: ids, underlying: "\(String(reflecting: error))")
        }
        guard outcome.claimed > 0 else { return outcome }
        metrics.batchRows.record(outcome.claimed)
        metrics.batchDuration.recordInterval(since: start)
        metrics.moved.increment(by: Int64(outcome.moved))
        metrics.duplicates.increment(by: Int64(outcome.duplicates))
        metrics.recordLag(stored, storedAt: Date())
        return outcome
    }

    /// Makes the partitions a batch needs (on another connection, committed at once, so the DDL
    /// never waits inside a move transaction).
    func ensurePartitions(_ days: Set<UTCDay>) async throws {
        let missing = knownPartitions.withLock { days.subtracting($0) }
        guard !missing.isEmpty else { return }
        for day in missing.sorted() {
            try await PartitionStore.create(day, on: client, logger: logger)
        }
        let all = try await PartitionStore.list(on: client, logger: logger)
        knownPartitions.withLock { $0 = all }
        metrics.partitions.record(all.count)
    }

    /// Forgets partitions the leader dropped.
    func forgetPartitions(before day: UTCDay) {
        knownPartitions.withLock { known in known = known.filter { $0 >= day } }
    }

    static func isConnectionError(_ error: any Error) -> Bool {
        if error is DeadlineExceeded || error is CancellationError { return true }
        guard let error = error as? PSQLError else { return false }
        switch error.code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .poolClosed, .queryCancelled:
            return true
        default:
            return false
        }
    }
}

enum MoveError: Error {
    /// A statement of the move failed for these rows; nothing was committed.
    case batchFailed(ids: [Int64], underlying: String)
}
