import Foundation
import Logging
import Metrics
import PostgresNIO
import TrackerStore

/// Folds the (day, person) pairs the movers queued into the week and month sets, then refreshes
/// the views that publish their counts (`MaintenanceStore.refreshActivePeopleViews`). Both steps
/// cost what arrived since the last run, not what is kept.
struct ViewRefresher: MaintenanceTask {
    /// Pairs per fold transaction, so a long backlog of them commits in steps.
    static let foldLimit = 50_000

    let name = "view_refresher"
    let interval: Duration

    /// Guards against a refresh that still turns out slow: the wait stretches to nine times the
    /// last run, so this task never takes more than a tenth of the leader's core.
    func interval(after duration: Duration) -> Duration {
        max(interval, duration * 9)
    }

    func runOnce(on connection: PostgresConnection, now: Date, logger: Logger) async throws -> String {
        var folded = 0
        while true {
            let taken = try await ActivePeopleStore.fold(limit: Self.foldLimit, on: connection, logger: logger)
            folded += taken
            if taken < Self.foldLimit { break }
        }
        try await MaintenanceStore.refreshActivePeopleViews(on: connection, logger: logger)
        return "folded \(folded) new (day, person) pairs, refreshed \(MaintenanceStore.activePeopleViews.count) views"
    }
}
