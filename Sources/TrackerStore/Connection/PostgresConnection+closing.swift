import NIOCore
import PostgresNIO
import TrackerCore

extension PostgresConnection {
    /// Closes the connection, giving up after `timeout`: closing one whose backend was terminated
    /// was seen to hang, and nothing should wait on that.
    public func closeWithin(_ timeout: Duration = .seconds(2)) async {
        _ = try? await raceAgainstDeadline(timeout) { try await self.close() }
    }

    /// Returns once the connection is closed; cancellable. It polls: awaiting `closeFuture` could
    /// not be cancelled, and one waiter per query would pile up on a long-lived connection.
    public func waitUntilClosed(checkingEvery interval: Duration = .milliseconds(200)) async throws {
        while !isClosed { try await Task.sleep(for: interval) }
    }

    /// Starts closing without waiting, for synchronous code such as a cancellation handler; queries
    /// in flight then fail instead of waiting on the server.
    public func startClosing() {
        let closing: EventLoopFuture<Void> = close()
        closing.whenComplete { _ in }
    }
}
