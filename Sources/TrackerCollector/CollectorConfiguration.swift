import TrackerCore

/// Everything the collector can be told, with defaults a laptop and a cluster both live with.
public struct CollectorConfiguration: Sendable {
    /// Write key → source name. Empty: no authentication, every event's source is `default`.
    public var writeKeys: WriteKeys
    public var limits: IngestLimits
    /// Messages per second each write key may send; nil leaves rate limiting off.
    public var rateLimit: Double?
    public var staging: StagingWriter.Settings

    public init(
        writeKeys: WriteKeys = WriteKeys(),
        limits: IngestLimits = IngestLimits(),
        rateLimit: Double? = nil,
        staging: StagingWriter.Settings = .init()
    ) {
        self.writeKeys = writeKeys
        self.limits = limits
        self.rateLimit = rateLimit
        self.staging = staging
    }
}
