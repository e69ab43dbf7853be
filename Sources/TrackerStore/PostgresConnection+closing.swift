import NIOCore
import PostgresNIO

extension PostgresConnection {
    /// Closes the connection, giving up after `timeout`: closing one whose backend was terminated
    /// was seen to hang, and nothing should wait on that.
    public func closeWithin(_ timeout: Duration = .seconds(2)) async {
        _ = try? await raceAgainstDeadline(timeout) { try await self.close() }
    }

    /// Starts closing without waiting, for synchronous code such as a cancellation handler; queries
    /// in flight then fail instead of waiting on the server.
    public func startClosing() {
        let closing: EventLoopFuture<Void> = close()
        closing.whenComplete { _ in }
    }
}
