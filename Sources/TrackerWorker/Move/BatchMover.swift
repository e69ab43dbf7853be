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
        var failedByReason: [String: Int] = [:]
    }

    let database: DatabaseURL
    let configuration: WorkerConfiguration
    let metrics: WorkerMetrics
    let logger: Logger
    /// Days known to have a partition, so most batches skip the catalog.
    private let knownPartitions = Mutex<Set<UTCDay>>([])

    init(database: DatabaseURL, configuration: WorkerConfiguration, metrics: WorkerMetrics, logger: Logger) {
        self.database = database
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
    }

    /// Moves up to `limit` rows. Throws `MoveError.batchFailed` with the claimed ids when a statement
    /// failed, so the caller can count the attempt.
    func moveBatch(limit: Int, on connection: PostgresConnection) async throws -> Outcome {
        let start = DispatchTime.now()
        let claimedIds = ClaimedIds()
        let outcome: Outcome
        let receivedAt: [Date]
        do {
            // A query in flight when its backend is terminated was seen to hang; closing the
            // connection on cancellation (the caller's deadline) ends it.
            (outcome, receivedAt) = try await withTaskCancellationHandler {
                try await move(limit: limit, claimedIds: claimedIds, on: connection)
            } onCancel: {
                connection.startClosing()
            }
        } catch {
            metrics.batchErrors.increment()
            // Anything but a lost connection halves the next claim, a failed claim included: a claim
            // too large for memory or a statement timeout must not be retried at the same size.
            throw isConnectionFailure(error)
                ? error
                : MoveError.batchFailed(ids: claimedIds.ids.withLock { $0 }, underlying: "\(String(reflecting: error))")
        }
        guard outcome.claimed > 0 else { return outcome }
        metrics.batchRows.record(outcome.claimed)
        metrics.batchDuration.recordInterval(since: start)
        metrics.moved.increment(by: Int64(outcome.moved))
        metrics.duplicates.increment(by: Int64(outcome.duplicates))
        for (reason, count) in outcome.failedByReason { metrics.failed(reason: reason, count: count) }
        metrics.recordLag(receivedAt: receivedAt, storedAt: Date())
        return outcome
    }

    private func move(
        limit: Int, claimedIds: ClaimedIds, on connection: PostgresConnection
    ) async throws -> (Outcome, receivedAt: [Date]) {
        try await connection.withTransaction(logger: logger) { connection in
            try await MoveStore.announceMove(on: connection, logger: logger)
            let rows = try await MoveStore.claim(
                limit: limit, maxBytes: configuration.maxClaimBytes, on: connection, logger: logger)
            claimedIds.ids.withLock { $0 = rows.map(\.id) }
            guard !rows.isEmpty else { return (Outcome(), []) }
            let plan = MovePlan(rows: rows, now: Date(), configuration: configuration)
            try await ensurePartitions(plan.days)
            if configuration.analysis != nil {
                try await MoveStore.lockPeople(plan.events, on: connection, logger: logger)
            }
            let stored = try await MoveStore.write(
                plan.events, deleting: rows.map(\.id), analysis: configuration.analysis, on: connection, logger: logger)
            try await MoveStore.insertFailed(plan.failed, on: connection, logger: logger)
            try await MoveStore.deleteUnusedEnvelopes(
                Array(Set(rows.compactMap(\.envelopeId))), on: connection, logger: logger)
            let outcome = Outcome(
                claimed: rows.count, moved: stored.count, failed: plan.failed.count,
                duplicates: plan.duplicates + plan.events.count - stored.count,
                failedByReason: Dictionary(plan.failed.map { ($0.reason, 1) }, uniquingKeysWith: +))
            return (outcome, stored.map { plan.events[$0].receivedAt })
        }
    }

    /// Makes the partitions a batch needs (on another connection, committed at once, so the DDL
    /// never waits inside a move transaction).
    func ensurePartitions(_ days: Set<UTCDay>) async throws {
        let missing = knownPartitions.withLock { days.subtracting($0) }
        guard !missing.isEmpty else { return }
        let all = try await database.withConnection(logger: logger) { connection in
            for day in missing.sorted() {
                try await PartitionStore.create(day, on: connection, logger: logger)
            }
            return try await PartitionStore.list(on: connection, logger: logger)
        }
        knownPartitions.withLock { $0 = all }
        metrics.partitions.record(all.count)
    }

    /// Forgets partitions the leader dropped.
    func forgetPartitions(before day: UTCDay) {
        knownPartitions.withLock { known in known = known.filter { $0 >= day } }
    }
}

/// The ids a move claimed, known to the caller even when the move throws.
final class ClaimedIds: Sendable {
    let ids = Mutex<[Int64]>([])
}

enum MoveError: Error {
    /// A statement of the move failed for these rows (none when the claim itself failed); nothing
    /// was committed.
    case batchFailed(ids: [Int64], underlying: String)
}
