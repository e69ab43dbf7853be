import Logging
import TrackerCore
import TrackerStore

/// Wakes the live tails after moves that stored events: one payload-free NOTIFY for however many
/// commits happened meanwhile, at most one per `interval` per replica — every transaction that
/// NOTIFYs takes a cluster-wide lock at commit, so never one per batch under load. A lost hint
/// costs only latency: the tails poll every second anyway.
struct StoredEventsNotifier: Sendable {
    var interval: Duration = .milliseconds(50)
    private let hints = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))

    /// Called after a move committed events; never waits.
    func storedEvents() {
        hints.continuation.yield()
    }

    /// Sends the hints on the worker's own connections until the task is cancelled.
    func run(connections: DedicatedConnections, logger: Logger) async {
        for await _ in hints.stream {
            do {
                let connection = try await connections.take()
                do {
                    try await raceAgainstDeadline(.seconds(2)) {
                        try await EventStreamChannel.notify(on: connection, logger: logger)
                    }
                    await connections.give(connection)
                } catch {
                    await connection.closeWithin()
                    throw error
                }
            } catch {
                logger.debug(
                    "stored-events notify failed; the tails fall back to polling", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: interval)
        }
    }
}
