import Metrics
import Synchronization

/// How many database connections a process keeps busy, against how many it may open: the
/// "database pool use" of the dashboard, since postgres-nio's pool exports no metrics of its own.
public final class DatabaseUse: Sendable {
    public static let shared = DatabaseUse()

    private let busy = Atomic<Int>(0)
    private let busyGauge = Gauge(label: "tracker_db_connections_busy")
    private let maximumGauge = Gauge(label: "tracker_db_connections_max")

    public func recordMaximum(_ connections: Int) {
        maximumGauge.record(connections)
    }

    /// Counts a connection as busy while `body` runs.
    public func track<Result>(_ body: () async throws -> Result) async rethrows -> Result {
        busyGauge.record(busy.add(1, ordering: .relaxed).newValue)
        defer { busyGauge.record(busy.subtract(1, ordering: .relaxed).newValue) }
        return try await body()
    }
}
