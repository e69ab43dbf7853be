import Foundation
import PostgresNIO
import Testing
import TrackerTestSupport

@Suite struct ReceiptTests {
    static func receipt(_ id: String, source: String? = "web") -> String {
        "/v1/messages/\(encoded(id))" + (source.map { "?source=\(encoded($0))" } ?? "")
    }

    @Test func everyStatusFromStagedToErased() async throws {
        let database = try await TestDatabase.create("query_receipts")
        let now = Date()
        let stored = trackCall("r-stored", user: "alice", event: "Bought", at: now)
        let failed = #"{"type":"track","userId":"bob","messageId":"r-failed"}"#
        try await database.withClient { client in
            try await database.stage([stored, failed], client: client)
        }
        try await withQueryAPI(database) { api in
            for id in ["r-stored", "r-failed"] {
                let answer = try await api.get(Self.receipt(id))
                #expect(answer.status == .ok)
                #expect(answer.json["status"] as? String == "staged", "\(id)")
                #expect(answer.json["message_id"] as? String == id && answer.json["source"] as? String == "web")
                #expect(answer.json["event"] == nil && answer.json["failed"] == nil)
            }
            try await database.withWorkers { _, _ in try await database.waitUntilDrained() }

            let storedAnswer = try await api.get(Self.receipt("r-stored"))
            #expect(storedAnswer.json["status"] as? String == "stored")
            let event = try #require(storedAnswer.json["event"] as? [String: Any])
            #expect(event["message_id"] as? String == "r-stored" && event["event"] as? String == "Bought")
            #expect(event["user_id"] as? String == "alice" && event["source"] as? String == "web")
            #expect((event["properties"] as? [String: Any])?["n"] as? Int == 1)
            let listed = try await api.get("/v1/events?user_id=alice").data.first
            #expect(listed.map { NSDictionary(dictionary: $0) } == NSDictionary(dictionary: event), "as /v1/events")

            let failedAnswer = try await api.get(Self.receipt("r-failed"))
            #expect(failedAnswer.json["status"] as? String == "failed")
            let failure = try #require(failedAnswer.json["failed"] as? [String: Any])
            #expect(failure["reason"] as? String == "missing_event")
            #expect((failure["detail"] as? String)?.isEmpty == false)

            // Another source's message of the same id, and an id never sent.
            #expect(try await api.get(Self.receipt("r-stored", source: "app")).json["status"] as? String == "unknown")
            #expect(try await api.get(Self.receipt("never-sent")).json["status"] as? String == "unknown")

            // A retry of a stored message waits in staging to be dropped: the receipt still says stored.
            try await database.withClient { client in
                try await database.stage(
                    [trackCall("r-stored", user: "alice", event: "Bought", at: now)], client: client)
            }
            #expect(try await api.get(Self.receipt("r-stored")).json["status"] as? String == "stored")
            try await database.withConnection { connection in
                try await connection.query("DELETE FROM ingest_staging", logger: database.logger)
            }

            // A key the window recorded before receipts existed names no event: stored, without it.
            try await database.withConnection { connection in
                try await connection.query(
                    "INSERT INTO event_dedupe (source, message_id) VALUES ('web', 'r-older')", logger: database.logger)
            }
            let older = try await api.get(Self.receipt("r-older"))
            #expect(older.json["status"] as? String == "stored" && older.json["event"] == nil)

            // Erasure: the event and the refusal are gone, and so is what the receipt can say.
            #expect(try await api.call("/v1/users/alice", method: .delete).status == .ok)
            #expect(try await api.call("/v1/users/bob", method: .delete).status == .ok)
            #expect(try await api.get(Self.receipt("r-stored")).json["status"] as? String == "unknown")
            #expect(try await api.get(Self.receipt("r-failed")).json["status"] as? String == "unknown")
        }
        try await database.drop()
    }

    @Test func idsNoMessageCouldHaveAndABadSourceAre400() async throws {
        let database = try await TestDatabase.create("query_receipts_bad")
        try await withQueryAPI(database) { api in
            for uri in [
                "/v1/messages/" + String(repeating: "m", count: 101) + "?source=web",
                "/v1/messages/" + encoded(String(repeating: "é", count: 51)) + "?source=web",
                "/v1/messages/a%00b?source=web",
                "/v1/messages/m1",
                "/v1/messages/m1?source=",
                "/v1/messages/m1?source=" + String(repeating: "s", count: 257),
                "/v1/messages/m1?source=web&source=app",
            ] {
                let answer = try await api.get(uri)
                #expect(answer.status == .badRequest, "\(uri)")
                #expect(answer.code == "invalid_parameter", "\(uri)")
            }
            let longest = try await api.get("/v1/messages/" + String(repeating: "m", count: 100) + "?source=web")
            #expect(longest.status == .ok && longest.json["status"] as? String == "unknown")
        }
        try await database.drop()
    }

    /// Each lookup reads an index: the dedupe window's key, one partition's primary key and the
    /// refusals' hash index. Staging is scanned: it holds only what the workers have not moved.
    @Test func lookupsAreIndexScans() async throws {
        let database = try await TestDatabase.create("query_receipts_plans")
        try await database.withConnection { connection in
            try await connection.query(
                """
                INSERT INTO event_dedupe (source, message_id, event_timestamp)
                SELECT 'web', 'm' || i, now() FROM generate_series(1, 5000) AS i
                """, logger: database.logger)
            try await connection.query(
                """
                INSERT INTO failed_events (received_at, source, kind, message_id, reason, detail, payload)
                SELECT now(), 'web', 'segment', 'f' || i, 'missing_event', 'd', '{}' FROM generate_series(1, 5000) AS i
                """, logger: database.logger)
            try await connection.query("ANALYZE event_dedupe, failed_events", logger: database.logger)
            func plan(_ sql: String) async throws -> String {
                let rows = try await connection.query(
                    PostgresQuery(unsafeSQL: "EXPLAIN (COSTS OFF) " + sql), logger: database.logger)
                var lines: [String] = []
                for try await line in rows.decode(String.self) { lines.append(line) }
                return lines.joined(separator: "\n")
            }
            let dedupe = try await plan(
                "SELECT event_timestamp FROM event_dedupe WHERE source = 'web' AND message_id = 'm7'")
            #expect(dedupe.contains("Index Scan using event_dedupe_pkey"), "\(dedupe)")
            let failed = try await plan(
                "SELECT reason FROM failed_events WHERE message_id = 'f7' AND source = 'web' ORDER BY id DESC LIMIT 1")
            #expect(failed.contains("failed_events_message_idx"), "\(failed)")
        }
        try await database.drop()
    }
}
