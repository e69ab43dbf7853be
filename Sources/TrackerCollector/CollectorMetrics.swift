import Metrics
import Synchronization

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

    // The staging writer's.
    let flushRows = Recorder(label: "tracker_collector_flush_rows")
    let commitDuration = Metrics.Timer(label: "tracker_collector_commit_duration_seconds")
    let flushFailures = Counter(label: "tracker_collector_flush_failures_total")
    let queuedRows = Gauge(label: "tracker_collector_queued_rows")
    let databaseUp = Gauge(label: "tracker_collector_database_up")
    let backlogRows = Gauge(label: "tracker_staging_backlog_rows")
    let backlogAge = Gauge(label: "tracker_staging_oldest_age_seconds")
    let notifications = Counter(label: "tracker_collector_notifications_total")

    /// Sources labelled by name: those of `writeKeys` and the default one.
    init(writeKeys: WriteKeys) {
        self.sources = Set(writeKeys.sources.values).union([WriteKeys.defaultSource])
    }

    func accepted(_ count: Int, source: String) {
        let source = sources.contains(source) ? source : "other"
        let counter = acceptedBySource.withLock { counters in
            if let counter = counters[source] { return counter }
            let counter = Counter(label: "tracker_collector_events_accepted_total", dimensions: [("source", source)])
            counters[source] = counter
            return counter
        }
        counter.increment(by: Int64(count))
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
