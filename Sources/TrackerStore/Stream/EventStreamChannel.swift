import Logging
import PostgresNIO

public enum EventStreamChannel {
    /// The LISTEN/NOTIFY channel that tells the query processes' live tails that events were stored.
    public static let name = "tracker_events_stored"

    /// Sends the hint. It carries no data: the tail reads what is new itself.
    public static func notify(on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("SELECT pg_notify(\(name), '')", logger: logger)
    }
}
