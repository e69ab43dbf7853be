/// How the live tail (`GET /v1/events/stream`) serves its clients.
public struct LiveTailSettings: Sendable {
    /// Streams open at once (`TRACKER_STREAM_MAX_CLIENTS`); one more is answered 503.
    public var maxClients = 100
    /// A comment line this often keeps proxies from closing an idle stream and finds dead clients.
    public var heartbeat: Duration = .seconds(15)
    /// Events waiting for one client; a client this far behind is dropped, not buffered further.
    /// Several pages, so a burst (a backlog drained after a worker restart) drops no healthy
    /// client; the clients share the bytes of an event, so lagging together costs little more.
    public var clientBuffer = 5_000
    /// The read without a notification, for hints lost while the listener was away.
    public var pollInterval: Duration = .seconds(1)
    /// Log rows one read takes at most.
    public var pageSize = 500

    public init() {}
}
