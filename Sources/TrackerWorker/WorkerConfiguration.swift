import TrackerStore

/// How a worker replica claims, validates and keeps data.
public struct WorkerConfiguration: Sendable {
    /// Staged rows claimed per move transaction (`TRACKER_BATCH_SIZE`).
    public var batchSize = 2_000
    /// Bytes of payloads and envelopes per claim at most (always at least one row): 2,000 messages
    /// of 32 KB each, decoded, would not fit a 256 MiB pod.
    public var maxClaimBytes = 16 << 20
    /// Move transactions at once while staging holds more than a batch, counting other replicas'
    /// moves in flight: a replica runs fewer while they move, and at least one.
    public var concurrency = 2
    /// How long a (source, messageId) pair is remembered to drop retries (`TRACKER_DEDUPE_WINDOW_DAYS`).
    public var dedupeWindowDays = 7
    /// Events older than this many days are refused and their partitions dropped (`TRACKER_RETENTION_DAYS`).
    public var retentionDays = 400
    /// Daily partitions made ahead of need.
    public var partitionsAhead = 7
    /// Failed attempts at moving one message before it is set aside as `poison_message`.
    public var maxAttempts = 3
    /// A move transaction still running after this is abandoned (its connection closed, so it rolls
    /// back) and retried.
    public var moveTimeout: Duration = .seconds(30)
    /// The fallback poll, for notifications lost while the listener was away.
    public var pollInterval: Duration = .seconds(1)
    /// How often the leader folds new (day, person) pairs into the week and month sets and refreshes
    /// the views that publish them (`TRACKER_VIEW_REFRESH_SECONDS`): how stale weekly and monthly
    /// active people may be. A run costs what arrived since the last one, not what is kept; a run
    /// slower than a ninth of this stretches the wait (`ViewRefresher.interval(after:)`).
    public var viewRefreshInterval: Duration = .seconds(5)
    /// What moves keep for funnels, retention and breakdowns (`TRACKER_BREAKDOWN_PROPERTIES`); nil
    /// skips it (the drain benchmark's comparison).
    public var analysis: AnalysisUpkeep? = AnalysisUpkeep()
    /// How often a replica that is not the leader tries to become it.
    public var electionInterval: Duration = .seconds(2)

    public init() {}
}
