import CompressNIO
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import PostgresNIO
import Testing
import TrackerCollector
import TrackerCore
import TrackerStore
import TrackerTestSupport

@Suite struct CollectorIngestTests {
    /// schemathesis found it: a `\u0000` in a messageId failed the group commit of every request in it.
    @Test func oddMessageIdsAreStagedSafelyAndSpoilNoOtherRequest() async throws {
        try await withCollector("collector_nul") { database, client in
            try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for body in [
                    #"{"batch":[{"type":"track","event":"A","userId":"u1","messageId":"bad\u0000id"}]}"#,
                    #"{"batch":[{"type":"track","event":"A","userId":"u2","messageId":"good"}]}"#,
                    #"{"batch":[{"type":"track","event":"A","userId":"u3","messageId":""}]}"#,
                ] {
                    group.addTask {
                        try await client.execute(
                            uri: "/v1/batch", method: .post, headers: jsonHeaders, body: ByteBuffer(string: body)
                        ) { $0.status }
                    }
                }
                for try await status in group { #expect(status == .ok) }
            }
            let ids = try await database.stagedRows().map(\.3).sorted()
            #expect(ids.count == 3 && ids.contains("bad\u{FFFD}id") && ids.contains("good"))
            #expect(ids.allSatisfy { !$0.isEmpty }, "an empty messageId gets a generated one")
        }
    }

    /// schemathesis found it: a `\u0000` in the original tracker's `source` failed the group commit,
    /// then marked the database down for everyone.
    @Test func nulInTheOriginalTrackersSourceIsStagedSafely() async throws {
        try await withCollector("collector_legacy_nul") { database, client in
            let body = #"{"userId":"u1","sessionId":"s1","eventType":"view","source":"w\u0000b"}"#
            let status = try await client.execute(
                uri: "/events", method: .post, headers: jsonHeaders, body: ByteBuffer(string: body)
            ) { $0.status }
            #expect(status == .accepted)
            #expect(try await database.stagedRows().map(\.0) == ["w\u{FFFD}b"])
        }
    }

    /// Staging is written as COPY text, where a backslash, tab, newline or carriage return means
    /// something: every one of them must arrive as it was sent, and `\N` must stay text, not NULL.
    @Test func copyControlCharactersAreStagedExactly() async throws {
        try await withCollector("collector_copy_text") { database, client in
            let message =
                "{\n\t\"type\": \"track\",\r\n\t\"event\": \"a\\\\N\\tb\",\"userId\":\"\\\\\",\n\"messageId\": \"m\\tid\\\\\"}"
            let body = "{\"batch\":[\(message)],\n\"context\":{\"note\":\"line\\nbreak\\\\N\"}\t}"
            let status = try await client.execute(
                uri: "/v1/batch", method: .post, headers: jsonHeaders, body: ByteBuffer(string: body)
            ) { $0.status }
            #expect(status == .ok)
            let rows = try await database.stagedRows()
            #expect(rows.count == 1)
            #expect(rows.first?.3 == "m\tid\\", "the decoded messageId, raw tab and backslash included")
            #expect(rows.first?.4 == message)
            #expect(rows.first?.5?.contains(#""note":"line\nbreak\\N""#) == true)
        }
    }

    /// Rows PostgreSQL refuses cost only their own request a 400: the group's other requests are
    /// written alone and the collector keeps taking requests. A CHECK stands in for any refusal.
    @Test func rowsPostgresRefusesFailOnlyTheirOwnRequest() async throws {
        try await withCollector("collector_refused") { database, client in
            try await database.withConnection { connection in
                try await connection.query(
                    "ALTER TABLE ingest_staging ADD CONSTRAINT no_refused CHECK (source <> 'refused')",
                    logger: database.logger)
            }
            let answers = try await withThrowingTaskGroup(of: (Int, HTTPResponse.Status, String?).self) { group in
                for index in 0..<20 {
                    group.addTask {
                        let source = index == 7 ? "refused" : "web"
                        let body = #"{"userId":"u\#(index)","sessionId":"s","eventType":"view","source":"\#(source)"}"#
                        return try await client.execute(
                            uri: "/events", method: .post, headers: jsonHeaders, body: ByteBuffer(string: body)
                        ) { (index, $0.status, $0.json?["code"] as? String) }
                    }
                }
                return try await group.reduce(into: [Int: (HTTPResponse.Status, String?)]()) { $0[$1.0] = ($1.1, $1.2) }
            }
            let statuses = answers.mapValues(\.0)
            #expect(statuses[7] == .badRequest && answers[7]?.1 == "unstorable_message")
            #expect(statuses.filter { $0.key != 7 }.values.allSatisfy { $0 == .accepted })
            #expect(try await database.stagedCount == 19)
            let after = try await client.execute(
                uri: "/v1/track", method: .post, headers: jsonHeaders,
                body: ByteBuffer(string: #"{"userId":"u","event":"E"}"#)
            ) { $0.status }
            #expect(after == .ok, "a refused row does not mark the database down")
        }
    }

    @Test func batchIsInStagingWhenTheAnswerComesAndWorkersAreNotified() async throws {
        try await withCollector("collector_batch", testing: .live) { database, client in
            try await database.withConnection { listener in
                try await listener.listen(on: StagingChannel.name) { notifications in
                    let body =
                        #"{"batch":[{"type":"track","event":"A","userId":"u1","messageId":"id-1"},{"type":"page","anonymousId":"a1","name":"Home"}],"context":{"ip":"10.0.0.1"},"sentAt":"2026-11-25T10:00:00Z"}"#
                    try await client.execute(
                        uri: "/v1/batch", method: .post, headers: jsonHeaders, body: ByteBuffer(string: body)
                    ) { response in
                        #expect(response.status == .ok)
                        #expect(String(buffer: response.body) == #"{"success":true}"#)
                        #expect(response.headers[.init("X-Request-Id")!] != nil)
                    }
                    let rows = try await database.stagedRows()
                    #expect(rows.count == 2)
                    #expect(rows.allSatisfy { $0.0 == "default" && $0.1 == "segment" && $0.2 == nil })
                    #expect(rows[0].3 == "id-1")
                    #expect(UUID(uuidString: rows[1].3) != nil, "a missing messageId gets a generated one")
                    #expect(rows[0].4 == #"{"type":"track","event":"A","userId":"u1","messageId":"id-1"}"#)
                    #expect(rows[1].5?.contains(#""ip":"10.0.0.1""#) == true)
                    #expect(rows[1].5?.contains(#""sentAt":"2026-11-25T10:00:00Z""#) == true)
                    let notified = try await raceAgainstDeadline(.seconds(5)) {
                        var iterator = notifications.makeAsyncIterator()
                        return try await iterator.next()?.payload
                    }
                    #expect(notified == "", "the NOTIFY is a wake-up hint without data")
                }
            }
        }
    }

    @Test(arguments: MessageType.allCases)
    func singleMessageEndpointsStageWithTheImpliedType(_ type: MessageType) async throws {
        try await withCollector("collector_single_\(type.rawValue)") { database, client in
            let body = #"{"userId":"u1","event":"E","groupId":"g","previousId":"p","messageId":"x-\#(type.rawValue)"}"#
            try await client.execute(
                uri: "/v1/\(type.rawValue)", method: .post, headers: jsonHeaders, body: ByteBuffer(string: body)
            ) { response in
                #expect(response.status == .ok)
            }
            let rows = try await database.stagedRows()
            #expect(rows.count == 1 && rows[0].2 == type.rawValue && rows[0].3 == "x-\(type.rawValue)")
        }
    }

    @Test func originalTrackerEventsAnswer202WithTheirEventId() async throws {
        try await withCollector("collector_legacy") { database, client in
            let body =
                #"{"userId":"u1","sessionId":"s1","eventType":"page_view","metadata":{"path":"/"},"source":"web"}"#
            let eventId = try await client.execute(
                uri: "/events", method: .post, headers: jsonHeaders, body: ByteBuffer(string: body)
            ) { response in
                #expect(response.status == .accepted)
                #expect(response.json?["status"] as? String == "accepted")
                return response.json?["eventId"] as? String
            }
            let rows = try await database.stagedRows()
            #expect(rows.count == 1)
            #expect(rows[0].0 == "web" && rows[0].1 == "legacy" && rows[0].3 == eventId && rows[0].4 == body)
        }
    }

    @Test func originalTrackerValidationErrorsKeepItsShape() async throws {
        try await withCollector("collector_legacy_bad") { database, client in
            for body in [#"{"userId":"u1"}"#, #"{"userId":1,"sessionId":"s","eventType":"e"}"#, "not json", "[]"] {
                try await client.execute(
                    uri: "/events", method: .post, headers: jsonHeaders, body: ByteBuffer(string: body)
                ) { response in
                    #expect(response.status == .badRequest)
                    let json = try #require(response.json)
                    #expect(json["error"] as? String == "Invalid payload")
                    #expect((json["details"] as? [String])?.isEmpty == false)
                    #expect(json["required"] as? [String] == ["userId", "sessionId", "eventType"])
                }
            }
            #expect(try await database.stagedCount == 0)
        }
    }

    @Test func gzipBodiesAreInflated() async throws {
        try await withCollector("collector_gzip") { database, client in
            var plain = ByteBuffer(string: batchBody(count: 50))
            let compressed = try plain.compress(with: .gzip())
            var headers = jsonHeaders
            headers[.contentEncoding] = "gzip"
            try await client.execute(uri: "/v1/batch", method: .post, headers: headers, body: compressed) { response in
                #expect(response.status == .ok)
            }
            #expect(try await database.stagedCount == 50)
        }
    }

    @Test func concurrentRequestsShareCommits() async throws {
        try await withCollector("collector_group_commit") { database, client in
            try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        let body = #"{"userId":"u\#(index)","event":"E","messageId":"c-\#(index)"}"#
                        return try await client.execute(
                            uri: "/v1/track", method: .post, headers: jsonHeaders, body: ByteBuffer(string: body)
                        ).status
                    }
                }
                for try await status in group { #expect(status == .ok) }
            }
            #expect(try await database.stagedCount == 200)
            // Rows written by one transaction share its xmin: distinct xmins count the commits.
            let commits = try await database.scalar("SELECT count(DISTINCT xmin::text)::int FROM ingest_staging")
            #expect(commits < 50, "200 requests took \(commits) commits")
        }
    }

    @Test func writeKeysAuthenticateAndNameTheSource() async throws {
        let configuration = CollectorConfiguration(writeKeys: WriteKeys(["key-web": "web", "key-ios": "ios"]))
        try await withCollector("collector_auth", configuration: configuration) { database, client in
            try await client.execute(
                uri: "/v1/track", method: .post, headers: basicAuth("key-web"),
                body: ByteBuffer(string: #"{"userId":"u","event":"E"}"#)
            ) { response in
                #expect(response.status == .ok)
            }
            let inBody = #"{"writeKey":"key-ios","batch":[{"type":"identify","userId":"u"}]}"#
            try await client.execute(
                uri: "/v1/batch", method: .post, headers: jsonHeaders, body: ByteBuffer(string: inBody)
            ) { response in
                #expect(response.status == .ok)
            }
            let legacy = #"{"userId":"u","sessionId":"s","eventType":"e"}"#
            try await client.execute(
                uri: "/events", method: .post, headers: basicAuth("key-web"), body: ByteBuffer(string: legacy)
            ) { response in
                #expect(response.status == .accepted)
            }
            #expect(try await database.stagedRows().map(\.0) == ["web", "ios", "web"])

            let refused: [(HTTPFields, String, String)] = [
                (basicAuth("wrong"), #"{"userId":"u","event":"E"}"#, "invalid_write_key"),
                (jsonHeaders, #"{"userId":"u","event":"E"}"#, "missing_write_key"),
                (jsonHeaders, #"{"userId":"u","event":"E","writeKey":"nope"}"#, "invalid_write_key"),
            ]
            for (headers, body, code) in refused {
                try await client.execute(
                    uri: "/v1/track", method: .post, headers: headers, body: ByteBuffer(string: body)
                ) { response in
                    #expect(response.status == .unauthorized)
                    #expect(response.errorBody?.code == code)
                }
            }
            try await client.execute(
                uri: "/events", method: .post, headers: jsonHeaders, body: ByteBuffer(string: legacy)
            ) { response in
                #expect(response.status == .unauthorized)
            }
            #expect(try await database.stagedCount == 3)
        }
    }
}
