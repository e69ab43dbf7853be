import Logging
import Metrics
import PostgresNIO
import ServiceLifecycle
import Synchronization
import TrackerCore
import TrackerHTTP
import TrackerStore

/// A worker replica: wakes on NOTIFY (or the fallback poll), drains staging in move transactions,
/// and campaigns to be the maintenance leader. Any number of replicas run side by side.
///
/// Moves are transactions and may go through a transaction-mode pooler (`database`); LISTEN and the
/// leader's session lock, with the maintenance run on its connection, need a session (`direct`).
public final class Worker: Service {
    let database: DatabaseURL
    let direct: DatabaseURL
    let configuration: WorkerConfiguration
    let logger: Logger
    let metrics = WorkerMetrics()
    let mover: BatchMover
    let connections: DedicatedConnections
    let storedEvents = StoredEventsNotifier()
    /// Set on graceful shutdown: finish the batch in hand, claim no more.
    private let stopping = Atomic<Bool>(false)
    /// Rows the next move claims: halved after a move that ran out of time, doubled back after each
    /// that did not. Kept across drains: each drain starting over at `batchSize` would run out of
    /// time again on every wake-up.
    private let claimSize: Atomic<Int>

    public init(database: DatabaseURL, direct: DatabaseURL? = nil, configuration: WorkerConfiguration, logger: Logger) {
        self.database = database
        self.direct = direct ?? database
        self.configuration = configuration
        self.logger = logger
        self.claimSize = Atomic(configuration.batchSize)
        self.mover = BatchMover(database: database, configuration: configuration, metrics: metrics, logger: logger)
        self.connections = DedicatedConnections(database: database, logger: logger)
    }

    public func run() async throws {
        let (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let listener = NotificationListener(database: direct, metrics: metrics, logger: logger)
        let elector = Elector(
            database: direct, interval: configuration.electionInterval, metrics: metrics, logger: logger)
        let scheduler = MaintenanceScheduler(
            tasks: maintenanceTasks(), metrics: metrics, logger: logger)
        await withDiscardingTaskGroup { group in
            group.addTask { await listener.run { wake.yield() } }
            group.addTask { [metrics, configuration] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: configuration.pollInterval)
                    metrics.polls.increment()
                    wake.yield()
                }
            }
            group.addTask {
                await elector.run { connection, stillLeader in
                    await scheduler.run(on: connection, stillLeader: stillLeader)
                }
            }
            group.addTask { [self] in await reportBacklog() }
            group.addTask { [self] in await storedEvents.run(connections: connections, logger: logger) }
            await withGracefulShutdownHandler {
                for await _ in wakeups {
                    await drain()
                }
            } onGracefulShutdown: { [self] in
                stopping.store(true, ordering: .relaxed)
                wake.finish()
            }
            group.cancelAll()
        }
        await connections.closeAll()
        logger.info("worker stopped")
    }

    func maintenanceTasks() -> [any MaintenanceTask] {
        [
            PartitionMaker(daysAhead: configuration.partitionsAhead),
            RetentionCleaner(retentionDays: configuration.retentionDays) { [mover] in mover.forgetPartitions(before: $0)
            },
            DedupeCleaner(windowDays: configuration.dedupeWindowDays),
            EnvelopeCleaner(),
            StreamLogCleaner(),
            ViewRefresher(interval: configuration.viewRefreshInterval),
        ]
    }

    /// Moves batches until staging is empty. One mover starts; the others join only once it claimed
    /// a full batch: split among several movers, the few rows of one wake-up would become several
    /// small transactions and empty claims, each paying a statement's fixed cost.
    func drain() async {
        guard await drainLoop(untilFullBatch: true) else { return }
        let movers = Self.movers(concurrency: configuration.concurrency, elsewhere: await movesElsewhere())
        await withDiscardingTaskGroup { group in
            for _ in 0..<movers {
                group.addTask { await self.drainLoop() }
            }
        }
    }

    /// Movers for a backlog: `concurrency` less the moves other replicas have in flight, at least one,
    /// so replicas together run about `concurrency` moves: more moves at once than the database has
    /// cores for cost more of its CPU per event and drain no faster.
    static func movers(concurrency: Int, elsewhere: Int) -> Int {
        max(1, concurrency - elsewhere)
    }

    /// Moves other replicas have in flight now (this replica's first mover has committed); none
    /// when they cannot be counted.
    private func movesElsewhere() async -> Int {
        await readAside { [logger] in try await MoveStore.movesInFlight(on: $0, logger: logger) } ?? 0
    }

    /// Runs a short read on one of the worker's connections within 5 s; `nil` when it failed.
    private func readAside<Value: Sendable>(
        _ read: @escaping @Sendable (PostgresConnection) async throws -> Value
    ) async -> Value? {
        guard let connection = try? await connections.take() else { return nil }
        guard let value = try? await raceAgainstDeadline(.seconds(5), { try await read(connection) }) else {
            // An abandoned read may still be in flight: a move must not get this connection.
            await connection.closeWithin()
            return nil
        }
        await connections.give(connection)
        return value
    }

    /// Moves batches until staging is empty, and then returns false. With `untilFullBatch` it returns
    /// true as soon as a claim came back full or a move failed: more waits than one mover should take
    /// alone, or the failure needs the full loop's halving and backoff.
    @discardableResult
    private func drainLoop(untilFullBatch: Bool = false) async -> Bool {
        var limit = claimSize.load(ordering: .relaxed)
        var backoff: Duration = .milliseconds(100)
        var failureBackoff: Duration = .milliseconds(250)
        while !stopping.load(ordering: .relaxed), !Task.isCancelled {
            let connection: PostgresConnection
            do {
                connection = try await connections.take()
            } catch {
                logger.warning("cannot connect; backing off", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(5))
                continue
            }
            do {
                // A move whose connection closed under it (PostgreSQL restarted) was seen never to
                // return: it is abandoned when the connection closes, not only at the deadline.
                let outcome = try await raceAgainstDeadline(
                    configuration.moveTimeout, abandonWhen: { try await connection.waitUntilClosed() }
                ) { [mover, limit] in
                    try await DatabaseUse.shared.track { try await mover.moveBatch(limit: limit, on: connection) }
                }
                await connections.give(connection)
                if outcome.moved > 0 { storedEvents.storedEvents() }
                backoff = .milliseconds(100)
                failureBackoff = .milliseconds(250)
                if outcome.claimed < limit { return false }  // staging is empty, for now
                if untilFullBatch { return true }
                limit = min(configuration.batchSize, limit * 2)
                claimSize.store(limit, ordering: .relaxed)
            } catch MoveError.batchFailed(let ids, let underlying) {
                // Halve until the failing message is alone; only then count attempts against it, so a
                // poison message is set aside without its neighbours paying for it. A short pause
                // per failure keeps a failing database from being hammered (and the log flooded);
                // it grows only for a message failing alone, so one is set aside within seconds.
                logger.warning("move failed", metadata: ["rows": "\(ids.count)", "error": "\(underlying)"])
                if ids.count == 1 {
                    await recordFailure(of: ids[0], error: underlying, on: connection)
                }
                await connections.give(connection)
                if untilFullBatch { return true }
                limit = max(1, (ids.isEmpty ? limit : ids.count) / 2)
                if ids.count == 1 {
                    try? await Task.sleep(for: failureBackoff)
                    failureBackoff = min(failureBackoff * 2, .seconds(2))
                } else {
                    try? await Task.sleep(for: .milliseconds(50))
                }
            } catch {
                // The connection failed (terminated, database down) or the move ran out of time: nothing
                // was committed; retry anew. Out of time, with half the rows: at the same size the move
                // would run out of time again, and the queue would never move.
                logger.warning("move failed; retrying", metadata: ["error": "\(String(reflecting: error))"])
                await connection.closeWithin()
                if error is DeadlineExceeded {
                    limit = max(1, limit / 2)
                    claimSize.store(limit, ordering: .relaxed)
                }
                if untilFullBatch { return true }
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(5))
            }
        }
        return false
    }

    /// Counts a failed attempt against a message that failed alone. One that failed even after it
    /// was turned into a `poison_message` refusal is set aside at once, as the smallest row there
    /// is, in a transaction of its own: nothing may hold the queue.
    private func recordFailure(of id: Int64, error: String, on connection: PostgresConnection) async {
        do {
            let attempts = try await MoveStore.recordAttempt(id: id, error: error, on: connection, logger: logger)
            guard attempts > configuration.maxAttempts else { return }
            try await MoveStore.setAside(
                id: id, detail: "Moving this message failed \(attempts) times; it was set aside so the queue goes on.",
                on: connection, logger: logger)
            metrics.failed(reason: RejectionReason.poisonMessage.rawValue, count: 1)
            logger.error("a staged message was set aside", metadata: ["id": "\(id)", "error": "\(error)"])
        } catch {
            logger.warning("cannot record a failed move", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    /// Publishes the staging backlog every few seconds.
    private func reportBacklog() async {
        while !Task.isCancelled {
            if let backlog = await readAside({ [logger] in try await StagingBacklog.read(on: $0, logger: logger) }) {
                metrics.backlogRows.record(backlog.rows)
                metrics.backlogAge.record(backlog.oldestAge)
            }
            try? await Task.sleep(for: .seconds(2))
        }
    }
}
