import DequeModule
import Dispatch
import Logging
import ServiceLifecycle
import TrackerCore
import TrackerStore

/// Why the collector could not take a request's messages; each answers 503 with `Retry-After`.
public enum StagingError: Error, Equatable, Sendable {
    /// More rows wait in memory than the collector keeps; it sheds load instead of queueing without end.
    case overloaded
    /// The workers are behind: staging holds more rows than its configured limit.
    case backlogFull(rows: Int)
    /// The last write or probe failed; requests fail fast until a probe succeeds.
    case databaseUnavailable
    case shuttingDown
    /// PostgreSQL refused this request's own rows (answered 400): the database is fine, so neither
    /// the other requests of its group nor later ones pay for it.
    case unstorable(String)
}

/// Group commit: concurrent requests share one multi-row insert and one `COMMIT`.
///
/// A request's rows join the queue; whenever fewer than `maxConcurrentFlushes` flushes are running,
/// the queue is taken (up to `maxFlushRows`) and written at once — no fixed wait, so a lone request is
/// flushed immediately while a busy collector batches naturally. Each request resumes only after the
/// `COMMIT` holding its rows returned. Workers are woken by at most one NOTIFY per `notifyInterval`.
public actor StagingWriter: Service {
    public struct Settings: Sendable {
        /// Rows per insert at most.
        public var maxFlushRows = 5_000
        /// Bytes (COPY text and envelopes) per insert at most, beyond the first request.
        public var maxFlushBytes = 16 << 20
        /// Flushes in flight at once (each holds one pooled connection).
        public var maxConcurrentFlushes = 4
        /// Rows waiting in memory before new requests get 503.
        public var maxQueuedRows = 50_000
        /// Bytes waiting in memory before new requests get 503: rows alone do not bound memory, as a
        /// row can be 32 KB.
        public var maxQueuedBytes = 64 << 20
        /// Staging rows before new requests get 503 (`TRACKER_BACKLOG_LIMIT`).
        public var backlogLimit = 1_000_000
        public var backlogCheckInterval: Duration = .seconds(1)
        /// How often a database marked down is probed.
        public var recoveryProbeInterval: Duration = .milliseconds(250)
        public var notifyInterval: Duration = .milliseconds(25)
        /// How long a flush may take to reach its `COMMIT`; past it the flush is rolled back and
        /// its requests answered 503.
        public var flushTimeout: Duration = .seconds(5)
        /// How long a sent `COMMIT` is awaited before its outcome is asked of the server instead.
        public var commitTimeout: Duration = .seconds(60)

        public init() {}
    }

    private struct Waiter {
        var rows: StagedRows
        var continuation: CheckedContinuation<Void, any Error>
    }

    let store: StagingStore
    public let settings: Settings
    let logger: Logger

    private var queue: Deque<Waiter> = []
    private var queuedRows = 0
    private var queuedBytes = 0
    private var inFlight = 0
    private var databaseDown = false
    private var backlog = StagingBacklog.empty
    private var stopped = false
    private let wakeups = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    private let notifications = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))

    let metrics: CollectorMetrics

    init(store: StagingStore, settings: Settings = .init(), metrics: CollectorMetrics, logger: Logger) {
        self.store = store
        self.settings = settings
        self.metrics = metrics
        self.logger = logger
    }

    /// Stages `rows` and returns once they are committed.
    public func stage(_ rows: StagedRows) async throws {
        guard rows.count > 0 else { return }
        if stopped { throw StagingError.shuttingDown }
        if databaseDown { throw StagingError.databaseUnavailable }
        if backlog.rows > settings.backlogLimit { throw StagingError.backlogFull(rows: backlog.rows) }
        let bytes = rows.byteCount
        if queuedRows + rows.count > settings.maxQueuedRows || queuedBytes + bytes > settings.maxQueuedBytes {
            throw StagingError.overloaded
        }
        try await withCheckedThrowingContinuation { continuation in
            queue.append(Waiter(rows: rows, continuation: continuation))
            queuedRows += rows.count
            queuedBytes += bytes
            metrics.queued(rows: queuedRows)
            wakeups.continuation.yield()
        }
    }

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.monitorDatabase() }
            group.addTask { await self.sendNotifications() }
            await withDiscardingTaskGroup { flushes in
                await withGracefulShutdownHandler {
                    for await _ in wakeups.stream {
                        while let batch = takeBatch() {
                            flushes.addTask { await self.flush(batch) }
                        }
                    }
                } onGracefulShutdown: { [wakeups] in
                    wakeups.continuation.finish()
                }
            }
            stop()
        }
    }

    /// Takes the next group of waiting requests if a flush slot is free.
    private func takeBatch() -> [Waiter]? {
        guard inFlight < settings.maxConcurrentFlushes, !queue.isEmpty else { return nil }
        var batch: [Waiter] = []
        var rows = 0
        var bytes = 0
        while let first = queue.first,
            batch.isEmpty
                || (rows + first.rows.count <= settings.maxFlushRows
                    && bytes + first.rows.byteCount <= settings.maxFlushBytes)
        {
            batch.append(queue.removeFirst())
            rows += first.rows.count
            bytes += first.rows.byteCount
        }
        queuedRows -= rows
        queuedBytes -= bytes
        metrics.queued(rows: queuedRows)
        inFlight += 1
        return batch
    }

    private func flush(_ batch: [Waiter]) async {
        await write(batch)
        inFlight -= 1
        wakeups.continuation.yield()
    }

    /// Writes a group; when PostgreSQL refuses its contents, writes each request alone so only the
    /// request that holds the bad row fails.
    private func write(_ batch: [Waiter]) async {
        let rows = batch.map(\.rows)
        let rowCount = rows.reduce(0) { $0 + $1.count }
        let start = DispatchTime.now()
        do {
            try await DatabaseUse.shared.track { [store, settings, logger] in
                try await store.insert(
                    rows, deadline: settings.flushTimeout, commitTimeout: settings.commitTimeout, logger: logger)
            }
            metrics.flushed(rows: rowCount, since: start)
            setDatabaseDown(false)
            for waiter in batch { waiter.continuation.resume() }
            notifications.continuation.yield()
        } catch StagingInsertError.unstorable(let reason) {
            metrics.flushFailed()
            guard batch.count > 1 else {
                logger.warning("staging refused a request's rows", metadata: ["reason": "\(reason)"])
                batch[0].continuation.resume(throwing: StagingError.unstorable(reason))
                return
            }
            for waiter in batch { await write([waiter]) }
        } catch {
            metrics.flushFailed()
            logger.error(
                "staging insert failed", metadata: ["rows": "\(rowCount)", "error": "\(String(reflecting: error))"])
            setDatabaseDown(true)
            for waiter in batch { waiter.continuation.resume(throwing: StagingError.databaseUnavailable) }
        }
    }

    private func stop() {
        stopped = true
        notifications.continuation.finish()
        while let waiter = queue.popFirst() { waiter.continuation.resume(throwing: StagingError.shuttingDown) }
        queuedRows = 0
        queuedBytes = 0
    }

    private func setDatabaseDown(_ down: Bool) {
        if down != databaseDown {
            logger.log(level: down ? .warning : .notice, down ? "database marked unavailable" : "database available")
        }
        databaseDown = down
        metrics.database(up: !down)
    }

    /// Reads the staging backlog on a schedule; the same query tells whether the database is back.
    /// A probe may take as long as a flush before the database counts as down: a busy database that
    /// answered a probe in over 2 s was marked down, and requests it would have stored got 503.
    private func monitorDatabase() async {
        while !stopped, !Task.isCancelled {
            do {
                let backlog = try await raceAgainstDeadline(settings.flushTimeout) { [store, logger] in
                    try await store.backlog(logger: logger)
                }
                self.backlog = backlog
                metrics.backlog(backlog)
                setDatabaseDown(false)
            } catch {
                setDatabaseDown(true)
            }
            try? await Task.sleep(for: databaseDown ? settings.recoveryProbeInterval : settings.backlogCheckInterval)
        }
    }

    /// Wakes the workers after commits, at most once per `notifyInterval` however many flushes ran.
    private func sendNotifications() async {
        for await _ in notifications.stream {
            do {
                try await raceAgainstDeadline(.seconds(2)) { [store, logger] in
                    try await store.notifyWorkers(logger: logger)
                }
                metrics.notifiedWorkers()
            } catch {
                logger.debug("notify failed; workers fall back to polling", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: settings.notifyInterval)
        }
    }
}
