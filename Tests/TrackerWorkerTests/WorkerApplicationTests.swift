import Foundation
import HummingbirdTesting
import Testing
import TrackerHTTP
import TrackerTestSupport

@testable import TrackerWorker

@Suite struct WorkerApplicationTests {
    @Test func servesHealthReadinessAndPipelineMetrics() async throws {
        Observability.bootstrapMetrics()
        let database = try await TestDatabase.create("worker_app")
        // A move abandoned at its deadline after PostgreSQL committed it is never counted (its
        // outcome is unknown), and a loaded CI machine has taken more than the usual 3 s: give the
        // one batch this test counts all the time it needs.
        var configuration = testConfiguration()
        configuration.moveTimeout = .seconds(60)
        try await database.withClient { [configuration] client in
            let app = buildWorkerApplication(
                client: client, database: database.url, configuration: configuration,
                address: .hostname("127.0.0.1", port: 0), logger: database.logger)
            try await app.test(.router) { http in
                try await database.stage([track(1), #"{"type":"nope","userId":"u"}"#], client: client)
                try await database.waitUntilDrained()
                try await http.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
                try await http.execute(uri: "/readyz", method: .get) { #expect($0.status == .ok) }
                try await http.execute(uri: "/openapi.json", method: .get) {
                    #expect($0.status == .ok)
                    #expect(String(buffer: $0.body) == WorkerOpenAPI.document)
                }
                // The gauges are process-wide, shared with other tests' workers: check presence, not value.
                // A move counts its rows after its commit, so staging can be empty a moment before the
                // refused message is counted: wait for that too.
                try await waitUntil(timeout: .seconds(30), "the leader flag and the refusal are published") {
                    let metrics = try await http.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
                    return metrics.contains("tracker_worker_leader ")
                        && metrics.contains(#"tracker_worker_events_failed_total{reason="unknown_type"}"#)
                }
                let metrics = try await http.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
                for name in [
                    "tracker_worker_events_moved_total", "tracker_worker_batch_rows_bucket",
                    "tracker_worker_batch_duration_seconds_bucket", "tracker_pipeline_lag_seconds_bucket",
                    "tracker_events_partitions", "tracker_worker_wakeups_total",
                    #"tracker_worker_events_failed_total{reason="unknown_type"}"#,
                ] {
                    #expect(metrics.contains(name), "missing \(name)")
                }
            }
        }
        try await database.drop()
    }
}
