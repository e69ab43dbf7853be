import Dispatch
import Metrics
import Synchronization
import TrackerStore

/// Database time per named query, so a slow endpoint can be told from a slow statement.
final class QueryMetrics: Sendable {
    private let timers = Mutex<[String: Metrics.Timer]>([:])

    func timed<Result>(_ name: String, _ body: () async throws -> Result) async rethrows -> Result {
        let start = DispatchTime.now().uptimeNanoseconds
        defer {
            let timer = timers.withLock { timers in
                if let timer = timers[name] { return timer }
                let timer = Metrics.Timer(label: "tracker_db_query_duration_seconds", dimensions: [("query", name)])
                timers[name] = timer
                return timer
            }
            timer.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - start))
        }
        return try await DatabaseUse.shared.track(body)
    }
}
