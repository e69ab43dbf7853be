import Metrics
import Synchronization

/// The collector's own counters, beside Hummingbird's per-route request metrics. Counters are made
/// once per label value: making one goes through the metrics factory's lock and name sanitizer,
/// too slow for every request.
final class CollectorMetrics: Sendable {
    /// The sources a label may name: the configured ones and `default`. Any other (a source named by
    /// an original-tracker body) counts as `other`, or every distinct string sent would become a
    /// series that is never freed.
    private let sources: Set<String>
    private let acceptedBySource = Mutex<[String: Counter]>([:])
    private let rejectedByCode = Mutex<[String: Counter]>([:])

    init(sources: Set<String>) {
        self.sources = sources
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
