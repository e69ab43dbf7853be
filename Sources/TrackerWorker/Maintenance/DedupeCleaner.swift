import Foundation
import Logging
import Metrics
import PostgresNIO

/// Forgets message ids older than the dedupe window, in bounded deletes so no transaction is long.
struct DedupeCleaner: MaintenanceTask {
    let name = "dedupe_cleaner"
    let interval: Duration = .seconds(60)
    let windowDays: Int
    var batchSize = 10_000

    func runOnce(on connection: PostgresConnection, now: Date, logger: Logger) async throws -> String {
        let cutoff = now.addingTimeInterval(-Double(windowDays) * 86_400)
        var total = 0
        while true {
            let rows = try await connection.query(
                """
                WITH old AS (
                    SELECT source, message_id FROM event_dedupe WHERE first_seen < \(cutoff) LIMIT \(batchSize)
                )
                DELETE FROM event_dedupe d USING old WHERE d.source = old.source AND d.message_id = old.message_id
                RETURNING 1
                """,
                logger: logger)
            var deleted = 0
            for try await _ in rows { deleted += 1 }
            total += deleted
            if deleted < batchSize { break }
        }
        return "forgot \(total) message ids"
    }
}
