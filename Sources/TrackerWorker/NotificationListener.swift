import Logging
import Metrics
import PostgresNIO
import TrackerStore

/// LISTENs for staging wake-ups on a dedicated connection (the pool cannot listen).
///
/// When the connection drops it reconnects with backoff, and it reports a wake-up after every
/// (re)connect: notifications sent while it was away are lost, so the backlog must be drained.
struct NotificationListener: Sendable {
    let database: DatabaseURL
    let metrics: WorkerMetrics
    let logger: Logger
    var maximumBackoff: Duration = .seconds(5)

    func run(onWakeUp: @Sendable @escaping () -> Void) async {
        var backoff: Duration = .milliseconds(100)
        while !Task.isCancelled {
            do {
                try await database.withConnection(logger: logger) { connection in
                    // The notification sequence does not end on cancellation; closing the connection does.
                    try await withTaskCancellationHandler {
                        try await connection.listen(on: StagingChannel.name) { notifications in
                            metrics.listenerConnected.record(1)
                            backoff = .milliseconds(100)
                            onWakeUp()
                            for try await _ in notifications {
                                metrics.notifications.increment()
                                onWakeUp()
                            }
                        }
                    } onCancel: {
                        connection.startClosing()
                    }
                }
            } catch {
                if !Task.isCancelled { logger.warning("listener connection lost", metadata: ["error": "\(error)"]) }
            }
            metrics.listenerConnected.record(0)
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, maximumBackoff)
        }
    }
}
