import Metrics
import Synchronization

/// The live tail's metrics.
final class StreamMetrics: Sendable {
    let clients = Gauge(label: "tracker_stream_clients")
    let eventsSent = Counter(label: "tracker_stream_events_sent_total")
    let listenerConnected = Gauge(label: "tracker_stream_listener_connected")
    private let dropped = Mutex<[String: Counter]>([:])

    /// Why a client was dropped: `slow` (its buffer filled), `refused` (over the client limit).
    func dropped(reason: String) {
        dropped.withLock { counters in
            if let counter = counters[reason] { return counter }
            let counter = Counter(label: "tracker_stream_clients_dropped_total", dimensions: [("reason", reason)])
            counters[reason] = counter
            return counter
        }.increment()
    }
}
