import Logging
import Metrics
import PostgresNIO
import ServiceLifecycle
import TrackerStore

/// Wakes the live tail's reader: LISTENs on a dedicated connection (the pool cannot listen), with a
/// fallback poll for hints lost while it was away. The connection is reconnected with backoff, and
/// every (re)connect reads at once, since notifications sent meanwhile are gone.
struct EventStreamListener: Service {
    let hub: EventStreamHub
    /// `nil`: no LISTEN, the poll alone wakes the reader.
    let database: DatabaseURL?
    let logger: Logger
    var maximumBackoff: Duration = .seconds(5)

    func run() async throws {
        let (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                if let database {
                    group.addTask { await listen(on: database) { wake.yield() } }
                }
                group.addTask { [hub] in
                    while !Task.isCancelled {
                        try? await Task.sleep(for: hub.settings.pollInterval)
                        wake.yield()
                    }
                }
                for await _ in wakeups {
                    do {
                        try await hub.readNew()
                    } catch {
                        logger.warning("live tail read failed", metadata: ["error": "\(String(reflecting: error))"])
                    }
                }
                group.cancelAll()
            }
        }
    }

    private func listen(on database: DatabaseURL, onWakeUp: @Sendable @escaping () -> Void) async {
        var backoff: Duration = .milliseconds(100)
        while !Task.isCancelled {
            do {
                try await database.withConnection(logger: logger) { connection in
                    // The notification sequence does not end on cancellation; closing the connection does.
                    try await withTaskCancellationHandler {
                        try await connection.listen(on: EventStreamChannel.name) { notifications in
                            hub.metrics.listenerConnected.record(1)
                            backoff = .milliseconds(100)
                            onWakeUp()
                            for try await _ in notifications { onWakeUp() }
                        }
                    } onCancel: {
                        connection.startClosing()
                    }
                }
            } catch {
                if !Task.isCancelled {
                    logger.warning("live tail listener connection lost", metadata: ["error": "\(error)"])
                }
            }
            hub.metrics.listenerConnected.record(0)
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, maximumBackoff)
        }
    }
}
