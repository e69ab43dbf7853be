import Logging
import PostgresNIO
import ServiceLifecycle
import TrackerStore

/// The live tail of one query process: the shared reader its stream clients join, and the
/// listener that wakes it, run as a service beside the HTTP server.
public struct LiveTail: Sendable {
    let hub: EventStreamHub

    /// Reads on `client`.
    public init(client: PostgresClient, settings: LiveTailSettings = .init(), logger: Logger) {
        self.init(reads: ReadClient(client: client), settings: settings, logger: logger)
    }

    /// Reads on `reads`; `primary`, when `reads` is a standby, tells how far it must replay before each read.
    init(reads: ReadClient, primary: PostgresClient? = nil, settings: LiveTailSettings, logger: Logger) {
        hub = EventStreamHub(
            settings: settings, store: EventStreamStore(client: reads, primary: primary, logger: logger))
    }

    /// The service that wakes the reader: LISTEN on `database` (the primary: NOTIFY is not
    /// replicated) with the fallback poll, or the poll alone without one.
    public func listener(database: DatabaseURL?, logger: Logger) -> some Service {
        EventStreamListener(hub: hub, database: database, logger: logger)
    }
}
