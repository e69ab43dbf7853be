import Dispatch
import Foundation
import Metrics
import Synchronization
import TrackerStore

/// The worker's metrics; counters with a label are made once per value.
final class WorkerMetrics: Sendable {
    let moved = Counter(label: "tracker_worker_events_moved_total")
    let duplicates = Counter(label: "tracker_worker_duplicates_dropped_total")
    let batchRows = Recorder(label: "tracker_worker_batch_rows")
    let batchDuration = Metrics.Timer(label: "tracker_worker_batch_duration_seconds")
    let batchErrors = Counter(label: "tracker_worker_batch_errors_total")
    let pipelineLag = Metrics.Timer(label: "tracker_pipeline_lag_seconds")
    let leader = Gauge(label: "tracker_worker_leader")
    let partitions = Gauge(label: "tracker_events_partitions")
    let listenerConnected = Gauge(label: "tracker_worker_listener_connected")
    let backlogRows = Gauge(label: "tracker_staging_backlog_rows")
    let backlogAge = Gauge(label: "tracker_staging_oldest_age_seconds")
    let notifications = Counter(label: "tracker_worker_wakeups_total", dimensions: [("via", "notify")])
    let polls = Counter(label: "tracker_worker_wakeups_total", dimensions: [("via", "poll")])
    private let failedByReason = Mutex<[String: Counter]>([:])
    private let maintenanceRuns = Mutex<[String: Counter]>([:])

    func failed(reason: String, count: Int) {
        cached(failedByReason, reason) {
            Counter(label: "tracker_worker_events_failed_total", dimensions: [("reason", $0)])
        }
        .increment(by: Int64(count))
    }

    func maintenanceRun(task: String, succeeded: Bool) {
        cached(maintenanceRuns, "\(task)/\(succeeded)") { _ in
            Counter(
                label: "tracker_maintenance_runs_total",
                dimensions: [("task", task), ("result", succeeded ? "ok" : "error")])
        }.increment()
    }

    /// Received → stored, for every event of a committed batch.
    func recordLag(receivedAt: [Date], storedAt: Date) {
        for received in receivedAt {
            pipelineLag.recordNanoseconds(Int64(max(0, storedAt.timeIntervalSince(received)) * 1e9))
        }
    }

    private func cached(_ box: borrowing Mutex<[String: Counter]>, _ key: String, make: (String) -> Counter) -> Counter
    {
        box.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = make(key)
            counters[key] = counter
            return counter
        }
    }
}
