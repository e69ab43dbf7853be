import Metrics

/// The collector's own counters, beside Hummingbird's per-route request metrics.
struct CollectorMetrics: Sendable {
    func accepted(_ count: Int, source: String) {
        Counter(label: "tracker_collector_events_accepted_total", dimensions: [("source", source)])
            .increment(by: Int64(count))
    }

    func rejected(code: String) {
        Counter(label: "tracker_collector_rejected_requests_total", dimensions: [("code", code)]).increment()
    }
}
