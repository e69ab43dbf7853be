import TrackerCore
import TrackerHTTP

/// Everything the collector can be told, with defaults a laptop and a cluster both live with.
public struct CollectorConfiguration: Sendable {
    /// Write key → source name. Empty: no authentication, every event's source is `default`.
    public var writeKeys: WriteKeys
    public var limits: IngestLimits
    /// Messages per second each write key may send; nil leaves rate limiting off.
    public var rateLimit: Double?
    public var staging: StagingWriter.Settings
    /// How long a request may take to send its body: a client trickling bytes (slow loris) gets 408
    /// and its connection closed instead of holding it forever.
    public var bodyTimeout: Duration
    /// Keep-alive connections with no request for this long are closed.
    public var idleTimeout: Duration
    /// The web pages that may send events from a browser (`TRACKER_CORS_ORIGINS`).
    public var crossOrigins: AllowedOrigins

    public init(
        writeKeys: WriteKeys = WriteKeys(),
        limits: IngestLimits = IngestLimits(),
        rateLimit: Double? = nil,
        staging: StagingWriter.Settings = .init(),
        bodyTimeout: Duration = .seconds(10),
        idleTimeout: Duration = .seconds(60),
        crossOrigins: AllowedOrigins = .any
    ) {
        self.writeKeys = writeKeys
        self.limits = limits
        self.rateLimit = rateLimit
        self.staging = staging
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
        self.crossOrigins = crossOrigins
    }
}
