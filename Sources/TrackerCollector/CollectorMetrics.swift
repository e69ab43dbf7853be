import Dispatch
import Metrics
import Synchronization
import TrackerStore

/// The wire protocols the collector speaks, each a label value of `tracker_collector_messages_total`.
enum IngestProtocol: String, CaseIterable, Sendable {
    /// Segment's HTTP Tracking API (`/v1/*`).
    case segment
    /// The original tracker's `POST /events`.
    case tracker
    case posthog
    case snowplow
}

/// Every metric the collector declares, beside Hummingbird's per-route request metrics and the
/// process's database pool use. Counters with a label are made once per label value: making one
/// goes through the metrics factory's lock and name sanitizer, too slow for every request.
final class CollectorMetrics: Sendable {
    /// The sources a label may name: the configured ones and `default`. Any other (a source named by
    /// an original-tracker body) counts as `other`, or every distinct string sent would become a
    /// series that is never freed.
    private let sources: Set<String>
    private let acceptedBySource = Mutex<[String: Counter]>([:])
    private let rejectedByCode = Mutex<[String: Counter]>([:])
    /// Made for every protocol at start, so each series exists (at 0) before its first message.
    private let messagesByProtocol: [IngestProtocol: Counter]

    private let flushRows = Recorder(label: "tracker_collector_flush_rows")
    private let commitDuration = Metrics.Timer(label: "tracker_collector_commit_duration_seconds")
    private let flushFailures = Counter(label: "tracker_collector_flush_failures_total")
    private let queuedRows = Gauge(label: "tracker_collector_queued_rows")
    private let databaseUp = Gauge(label: "tracker_collector_database_up")
    private let backlogRows = Gauge(label: "tracker_staging_backlog_rows")
    private let backlogAge = Gauge(label: "tracker_staging_oldest_age_seconds")
    private let notifications = Counter(label: "tracker_collector_notifications_total")

    /// Sources labelled by name: those of `writeKeys` and the default one.
    init(writeKeys: WriteKeys) {
        self.sources = Set(writeKeys.sources.values).union([WriteKeys.defaultSource])
        self.messagesByProtocol = Dictionary(
            uniqueKeysWithValues: IngestProtocol.allCases.map {
                ($0, Counter(label: "tracker_collector_messages_total", dimensions: [("protocol", $0.rawValue)]))
            })
    }

    func accepted(_ count: Int, source: String, protocol: IngestProtocol) {
        messagesByProtocol[`protocol`]?.increment(by: Int64(count))
        let source = sources.contains(source) ? source : "other"
        let counter = acceptedBySource.withLock { counters in
            if let counter = counters[source] { return counter }
            let counter = Counter(label: "tracker_collector_events_accepted_total", dimensions: [("source", source)])
            counters[source] = counter
            return counter
        }
        counter.increment(by: Int64(count))
    }

    /// A group commit of `rows` rows answered, `start` being when its insert began.
    func flushed(rows: Int, since start: DispatchTime) {
        commitDuration.recordInterval(since: start)
        flushRows.record(rows)
    }

    func flushFailed() {
        flushFailures.increment()
    }

    /// Rows accepted and waiting in memory for a flush.
    func queued(rows: Int) {
        queuedRows.record(rows)
    }

    /// Whether the staging writer takes the database to be up.
    func database(up: Bool) {
        databaseUp.record(up ? 1 : 0)
    }

    func backlog(_ backlog: StagingBacklog) {
        backlogRows.record(backlog.rows)
        backlogAge.record(backlog.oldestAge)
    }

    /// A NOTIFY sent to wake the workers.
    func notifiedWorkers() {
        notifications.increment()
    }

    func rejected(code: String) {
        let counter = rejectedByCode.withLock { counters in
            if let counter = counters[code] { return counter }
            let counter = Counter(label: "tracker_collector_rejected_requests_total", dimensions: [("code", code)])
            counters[code] = counter
            return counter
        }
        counter.increment()
    }
}
