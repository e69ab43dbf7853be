import CompressNIO
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Testing
import TrackerCollector
import TrackerCore
import TrackerStore
import TrackerTestSupport

func postHogEvent(_ id: String, _ event: String = "Clicked", properties: String = "{}") -> String {
    #"{"event":"\#(event)","distinct_id":"u-\#(id)","uuid":"\#(id)","properties":\#(properties)}"#
}

extension TestDatabase {
    /// (message_id, type, event, user_id, anonymous_id, previous_id, traits, properties) of every
    /// stored event, by message id.
    func storedEvents() async throws -> [String: (String, String?, String?, String?, String?, String, String)] {
        try await withConnection { connection in
            let rows = try await connection.query(
                """
                SELECT message_id, type, event, user_id, anonymous_id, previous_id, traits::text, properties::text
                FROM events
                """, logger: logger)
            var result: [String: (String, String?, String?, String?, String?, String, String)] = [:]
            for try await (id, type, event, user, anonymous, previous, traits, properties) in rows.decode(
                (String, String, String?, String?, String?, String?, String, String).self)
            {
                result[id] = (type, event, user, anonymous, previous, traits, properties)
            }
            return result
        }
    }
}

@Suite struct PostHogCaptureTests {
    @Test func everyCapturePathTakesEveryBodyShape() async throws {
        try await withCollector("posthog_shapes") { database, client in
            var expected: [String] = []
            for (index, path) in ["/capture/", "/capture", "/batch/", "/batch", "/e/", "/e", "/i/v0/e/", "/i/v0/e"]
                .enumerated()
            {
                let single = #"{"api_key":"k","event":"E","distinct_id":"u","uuid":"s\#(index)"}"#
                let batch = #"{"api_key":"k","batch":[\#(postHogEvent("b\(index)"))],"sent_at":"2026-01-01T00:00:00Z"}"#
                let array = "[\(postHogEvent("a\(index)-1")),\(postHogEvent("a\(index)-2"))]"
                for body in [single, batch, array] {
                    try await client.execute(
                        uri: path, method: .post, headers: jsonHeaders, body: ByteBuffer(string: body)
                    ) { response in
                        #expect(response.status == .ok, "\(path)")
                        #expect(String(buffer: response.body) == #"{"status":1}"#)
                    }
                }
                expected += ["s\(index)", "b\(index)", "a\(index)-1", "a\(index)-2"]
            }
            let staged = try await database.stagedRows()
            #expect(staged.map(\.3).sorted() == expected.sorted())
            #expect(staged.allSatisfy { $0.1 == "segment" && $0.2 == nil })
        }
    }

    /// posthog-python gzips with Content-Encoding; posthog-js says `?compression=gzip-js` and sends text/plain.
    @Test func gzipByHeaderOrByQuery() async throws {
        try await withCollector("posthog_gzip") { database, client in
            var plain = ByteBuffer(string: "[\(postHogEvent("g1")),\(postHogEvent("g2"))]")
            let compressed = try plain.compress(with: .gzip())
            try await client.execute(
                uri: "/batch/", method: .post, headers: [.contentType: "application/json", .contentEncoding: "gzip"],
                body: compressed
            ) { #expect($0.status == .ok) }
            try await client.execute(
                uri: "/e/?compression=gzip-js&ver=1.200.0", method: .post, headers: [.contentType: "text/plain"],
                body: compressed
            ) { #expect($0.status == .ok) }
            // posthog-js before it knows gzip-js is supported: a form with the JSON as base64.
            let json = "[\(postHogEvent("f1"))]"
            let base64 = Data(json.utf8).base64EncodedString()
            let form = "data=" + base64.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            try await client.execute(
                uri: "/e/?compression=base64", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: form)
            ) { #expect($0.status == .ok) }
            try await client.execute(
                uri: "/e/", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "data=" + base64.replacingOccurrences(of: "=", with: ""))
            ) { #expect($0.status == .ok, "a form without the query, its base64 without padding") }
            try await client.execute(
                uri: "/e/?compression=base64", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: "data=%%%")
            ) { #expect($0.status == .badRequest) }
            try await client.execute(
                uri: "/e/?compression=lz64", method: .post, headers: jsonHeaders, body: compressed
            ) {
                #expect($0.status == .unsupportedMediaType && $0.errorBody?.code == "unsupported_encoding")
            }
            try await client.execute(
                uri: "/e/?compression=gzip-js", method: .post, headers: jsonHeaders,
                body: ByteBuffer(string: "[\(postHogEvent("g3"))]")
            ) {
                #expect($0.status == .badRequest && $0.errorBody?.code == "invalid_gzip")
            }
            var zeros = ByteBuffer(repeating: UInt8(ascii: " "), count: 50 * 1024 * 1024)
            let bomb = try zeros.compress(with: .gzip())
            try await client.execute(
                uri: "/i/v0/e/?compression=gzip-js", method: .post, headers: [.contentType: "text/plain"], body: bomb
            ) {
                #expect($0.status == .contentTooLarge && $0.errorBody?.code == "request_too_large")
            }
            // Both ways deduplicate on uuid in the worker; staging holds each request's copy.
            #expect(try await database.stagedRows().map(\.3).sorted() == ["f1", "f1", "g1", "g1", "g2", "g2"])
        }
    }

    @Test func theProjectKeyIsTheWriteKey() async throws {
        let configuration = CollectorConfiguration(writeKeys: WriteKeys(["phc_good": "web", "phc_other": "app"]))
        try await withCollector("posthog_keys", configuration: configuration) { database, client in
            let refused = [
                #"{"api_key":"phc_wrong","event":"E","distinct_id":"u","uuid":"x1"}"#,
                #"{"api_key":"phc_wrong","batch":[\#(postHogEvent("x2"))]}"#,
                #"[{"event":"E","distinct_id":"u","uuid":"x3","properties":{"token":"phc_wrong"}}]"#,
                #"[\#(postHogEvent("x4"))]"#,
                #"[{"event":"E","distinct_id":"u","properties":{"token":"phc_good"}},{"event":"E","distinct_id":"u","properties":{"token":"phc_other"}}]"#,
            ]
            for body in refused {
                try await client.execute(
                    uri: "/batch/", method: .post, headers: jsonHeaders, body: ByteBuffer(string: body)
                ) {
                    #expect($0.status == .unauthorized, "\(body)")
                    #expect($0.errorBody?.success == false)
                }
            }
            #expect(try await database.stagedCount == 0)
            let accepted = [
                #"{"api_key":"phc_good","batch":[\#(postHogEvent("k1"))]}"#,
                #"{"token":"phc_good","event":"E","distinct_id":"u","uuid":"k2"}"#,
                #"[{"event":"E","distinct_id":"u","uuid":"k3","properties":{"token":"phc_other"}}]"#,
            ]
            for body in accepted {
                try await client.execute(
                    uri: "/batch/", method: .post, headers: jsonHeaders, body: ByteBuffer(string: body)
                ) {
                    #expect($0.status == .ok, "\(body)")
                }
            }
            let rows = try await database.stagedRows()
            #expect(rows.map { "\($0.3):\($0.0)" }.sorted() == ["k1:web", "k2:web", "k3:app"])
            #expect(rows.allSatisfy { !$0.4.contains("phc_") }, "the key is not stored with the event")
        }
    }

    @Test func ourLimitsApply() async throws {
        try await withCollector("posthog_limits") { database, client in
            let big = String(repeating: "x", count: 33 * 1024)
            let oversizedEvent = #"[\#(postHogEvent("l1", properties: #"{"x":"\#(big)"}"#))]"#
            try await client.execute(
                uri: "/batch/", method: .post, headers: jsonHeaders, body: ByteBuffer(string: oversizedEvent)
            ) {
                #expect($0.status == .contentTooLarge && $0.errorBody?.code == "message_too_large")
            }
            let chunk = String(repeating: "y", count: 20_000)
            let events = (0..<30).map { postHogEvent("r\($0)", properties: #"{"x":"\#(chunk)"}"#) }
            try await client.execute(
                uri: "/batch/", method: .post, headers: jsonHeaders,
                body: ByteBuffer(string: "[\(events.joined(separator: ","))]")
            ) {
                #expect($0.status == .contentTooLarge && $0.errorBody?.code == "request_too_large")
            }
            for (body, code) in [
                ("\"E\"", "invalid_shape"), (#"{"batch":7}"#, "invalid_shape"), ("[1]", "invalid_shape"),
                ("[", "invalid_json"),
            ] {
                try await client.execute(
                    uri: "/e/", method: .post, headers: jsonHeaders, body: ByteBuffer(string: body)
                ) {
                    #expect($0.status == .badRequest && $0.errorBody?.code == code, "\(body)")
                }
            }
            #expect(try await database.stagedCount == 0)
        }
    }

    /// Through the worker: each special event stored with its mapped fields, an invalid one in
    /// failed_events with a reason, and a retried uuid stored once.
    @Test func theWorkerStoresTheMappedEvents() async throws {
        try await withCollector("posthog_mapping") { database, client in
            let batch = """
                {"api_key":"k","sent_at":"2026-01-01T00:00:00Z","batch":[
                {"event":"$pageview","distinct_id":"anon-1","uuid":"p1","timestamp":"2026-01-01T00:00:00Z",
                 "properties":{"$device_id":"anon-1","$pathname":"/pricing","$current_url":"https://x.test/pricing"}},
                {"event":"$screen","distinct_id":"u1","uuid":"p2","properties":{"$screen_name":"Settings"}},
                {"event":"$identify","distinct_id":"u1","uuid":"p3","$set":{"plan":"pro"},
                 "properties":{"$anon_distinct_id":"anon-1"}},
                {"event":"$create_alias","distinct_id":"u1","uuid":"p4","properties":{"alias":"u1-old"}},
                {"event":"Order Completed","distinct_id":"u1","uuid":"p5","properties":{"revenue":12,"token":"k"}},
                {"event":"Order Completed","distinct_id":"u1","uuid":"p5","properties":{"revenue":12}},
                {"event":"No One"}
                ]}
                """
            try await client.execute(
                uri: "/batch/", method: .post, headers: jsonHeaders, body: ByteBuffer(string: batch)
            ) {
                #expect($0.status == .ok)
            }
            try await database.withWorkers { _, _ in try await database.waitUntilDrained() }
            let events = try await database.storedEvents()
            #expect(events.count == 5)
            #expect(events["p1"]?.0 == "page" && events["p1"]?.1 == "/pricing" && events["p1"]?.3 == "anon-1")
            #expect(events["p1"]?.2 == nil)
            #expect(events["p2"]?.0 == "screen" && events["p2"]?.1 == "Settings" && events["p2"]?.2 == "u1")
            #expect(events["p3"]?.0 == "identify" && events["p3"]?.2 == "u1" && events["p3"]?.3 == "anon-1")
            #expect(events["p3"]?.5 == #"{"plan": "pro"}"#)
            #expect(events["p4"]?.0 == "alias" && events["p4"]?.2 == "u1" && events["p4"]?.4 == "u1-old")
            #expect(events["p5"]?.0 == "track" && events["p5"]?.1 == "Order Completed")
            #expect(events["p5"]?.6 == #"{"revenue": 12}"#)
            let failed = try await database.scalar(
                "SELECT count(*)::int FROM failed_events WHERE reason = 'missing_user'")
            #expect(failed == 1)
        }
    }

    @Test func messagesAreCountedByProtocol() async throws {
        try await withCollector("posthog_metrics") { _, client in
            func count(_ protocolName: String) async throws -> Double {
                let text = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
                let line = text.split(separator: "\n").first {
                    $0.hasPrefix("tracker_collector_messages_total{protocol=\"\(protocolName)\"}")
                }
                return try #require(line.flatMap { $0.split(separator: " ").last }.flatMap { Double($0) })
            }
            let before = try await count("posthog")
            #expect(try await count("snowplow") >= 0, "every protocol's series exists from the start")
            try await client.execute(
                uri: "/batch/", method: .post, headers: jsonHeaders,
                body: ByteBuffer(string: "[\(postHogEvent("m1")),\(postHogEvent("m2")),\(postHogEvent("m3"))]")
            ) { #expect($0.status == .ok) }
            #expect(try await count("posthog") >= before + 3)
        }
    }
}
