import Foundation
import Testing
import TrackerTestSupport
import TrackerWorker

@Suite struct FailedEventTests {
    @Test func listsByReasonWithCursorsAndReplaysAMessageFixedByConfiguration() async throws {
        let database = try await TestDatabase.create("query_failed")
        let old = Date().addingTimeInterval(-500 * 86_400)
        var payloads = (0..<5).map { trackCall("old-\($0)", user: "u\($0)", event: "Old", at: old) }
        payloads += (0..<3).map { #"{"type":"track","userId":"u","messageId":"noname-\#($0)"}"# }
        // The default retention (400 days) refuses the old ones.
        let staged = payloads
        try await database.withWorkers { client, _ in
            try await database.stage(staged, client: client)
            try await database.waitUntilDrained()
        }
        let retention = "outside_retention"
        try await withQueryAPI(database) { api in
            var seen: [Int] = []
            var cursor: String?
            repeat {
                let page = try await api.get(
                    "/v1/failed-events?reason=\(retention)&limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""))
                #expect(page.status == .ok)
                #expect(page.data.allSatisfy { $0["reason"] as? String == retention })
                for row in page.data {
                    #expect(row["detail"] is String && row["payload"] is String && row["received_at"] is String)
                }
                seen += page.data.compactMap { $0["id"] as? Int }
                cursor = page.nextCursor
            } while cursor != nil && seen.count < 20
            #expect(seen.count == 5 && Set(seen).count == 5)
            #expect(seen == seen.sorted(by: >), "newest first")
            #expect(try await api.get("/v1/failed-events").data.count == 8)
            #expect(try await api.get("/v1/failed-events?reason=nothing_like_it").data.isEmpty)

            // Bad replay bodies change nothing.
            for body in [
                "", "[]", "{}", #"{"ids":[]}"#, #"{"ids":[0]}"#, #"{"ids":["1"]}"#, #"{"ids":[1],"reason":"x"}"#,
                #"{"reason":""}"#, #"{"reason":5}"#, "{",
            ] {
                let answer = try await api.call("/v1/failed-events/replay", method: .post, body: body)
                #expect(answer.status == .badRequest, "\(body)")
            }

            // With a longer retention the replayed messages are stored, once, and leave failed_events.
            var configuration = testConfiguration()
            configuration.retentionDays = 1_000
            let ids = Array(seen.prefix(3))
            try await database.withWorkers(configuration: configuration) { _, _ in
                let replay = try await api.call(
                    "/v1/failed-events/replay", method: .post, body: #"{"ids":\#(ids)}"#)
                #expect(replay.status == .ok)
                #expect(replay.json["replayed"] as? Int == 3)
                // A partition 500 days back is made on demand first; the whole suite running in
                // parallel on 2 cores was seen to take more than the default 10 s here.
                try await waitUntil(timeout: .seconds(60), "the replayed events are stored") {
                    try await database.scalar("SELECT count(*)::int FROM events WHERE event = 'Old'") == 3
                }
                let again = try await api.call("/v1/failed-events/replay", method: .post, body: #"{"ids":\#(ids)}"#)
                #expect(again.json["replayed"] as? Int == 0)
                let byReason = try await api.call(
                    "/v1/failed-events/replay", method: .post, body: #"{"reason":"\#(retention)"}"#)
                #expect(byReason.json["replayed"] as? Int == 2)
                try await waitUntil(timeout: .seconds(60), "every old event is stored") {
                    try await database.scalar("SELECT count(*)::int FROM events WHERE event = 'Old'") == 5
                }
                try await database.waitUntilDrained()
            }
            #expect(
                try await database.scalar("SELECT count(*)::int FROM failed_events WHERE reason = 'outside_retention'")
                    == 0)
            #expect(try await database.scalar("SELECT count(DISTINCT message_id)::int FROM events") == 5)
            #expect(try await api.get("/v1/failed-events").data.count == 3)
        }
        try await database.drop()
    }

    /// The replay's count must not reach the client before its move back to staging is committed.
    @Test func aReplayWhoseCommitDiesIsNotReported() async throws {
        let database = try await TestDatabase.create("query_replay_dies")
        try await database.withWorkers { client, _ in
            try await database.stage([#"{"type":"track","userId":"u","messageId":"nameless"}"#], client: client)
            try await database.waitUntilDrained()
        }
        try await database.holdCommits(insertingInto: "ingest_staging")
        try await withQueryAPI(database) { api in
            async let replay = api.call("/v1/failed-events/replay", method: .post, body: #"{"reason":"missing_event"}"#)
            try await database.terminateHeldCommit()
            let answer = try await replay
            #expect(answer.status == .serviceUnavailable, "a replay was reported that never committed")
        }
        #expect(try await database.scalar("SELECT count(*)::int FROM failed_events") == 1)
        #expect(try await database.scalar("SELECT count(*)::int FROM ingest_staging") == 0)
        try await database.drop()
    }
}
