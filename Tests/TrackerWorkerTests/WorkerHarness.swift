import Foundation
import Logging
import PostgresNIO
import TrackerStore
import TrackerTestSupport

@testable import TrackerWorker

extension TestDatabase {
    /// Ends every connection to this database but the ones `keep` lists.
    func terminateBackends(where condition: String = "true") async throws {
        let name = url.database
        try await TestDatabase.onServer { server, logger in
            try await server.query(
                PostgresQuery(
                    unsafeSQL: """
                        SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                        WHERE datname = '\(name)' AND pid <> pg_backend_pid() AND (\(condition))
                        """), logger: logger)
        }
    }
}

func track(_ index: Int, event: String = "Clicked", timestamp: String? = nil, messageId: String? = nil) -> String {
    let time = timestamp.map { #","timestamp":"\#($0)""# } ?? ""
    return
        #"{"type":"track","userId":"user-\#(index % 97)","event":"\#(event)","messageId":"\#(messageId ?? "msg-\(index)")"\#(time)}"#
}
