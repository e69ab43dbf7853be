import Logging
import PostgresNIO
import TrackerStore

/// The worker's own connections, outside `PostgresClient`'s pool: a move transaction whose backend is
/// terminated must fail at once and be retried on a new connection, and a pooled lease was seen to
/// hang after its connection was killed mid-transaction.
actor DedicatedConnections {
    let database: DatabaseURL
    let logger: Logger
    private var idle: [PostgresConnection] = []
    private var nextID = 1

    init(database: DatabaseURL, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    /// An open connection: an idle one, or a new one.
    func take() async throws -> PostgresConnection {
        while let connection = idle.popLast() {
            if !connection.isClosed { return connection }
        }
        nextID += 1
        return try await PostgresConnection.connect(
            configuration: database.connectionConfiguration(), id: nextID, logger: logger)
    }

    /// Returns a connection for reuse; a closed one is dropped.
    func give(_ connection: PostgresConnection) {
        if !connection.isClosed { idle.append(connection) }
    }

    func closeAll() async {
        for connection in idle {
            await connection.closeWithin()
        }
        idle.removeAll()
    }
}
