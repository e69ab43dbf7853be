import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Testing
import TrackerCore
import TrackerStore
import TrackerTestSupport

@testable import TrackerCollector

/// Snowplow's tracker protocol 2, translated into Segment messages at the collector and judged by
/// the worker like any other: these tests read what the worker stored.
@Suite struct SnowplowTests {
    static let tp2 = "/com.snowplowanalytics.snowplow/tp2"
    static let payloadSchema = "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4"

    static func body(_ events: [[String: String]], schema: String = payloadSchema) throws -> String {
        let data = try JSONSerialization.data(
            withJSONObject: ["schema": schema, "data": events], options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    /// base64url without padding, as the JavaScript tracker sends `ue_px` and `cx`.
    static func base64URL(_ json: String) -> String {
        Data(json.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func padded(_ base64: String) -> String {
        base64 + String(repeating: "=", count: (4 - base64.count % 4) % 4)
    }

    static let contexts =
        #"{"schema":"iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-1","data":[{"schema":"iglu:com.acme/user_plan/jsonschema/1-0-0","data":{"plan":"pro ~ç"}},{"schema":"iglu:com.snowplowanalytics.snowplow/client_session/jsonschema/1-0-2","data":{"sessionId":"session-7","sessionIndex":3}}]}"#
    static let unstruct =
        #"{"schema":"iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0","data":{"schema":"iglu:com.acme/checkout_started/jsonschema/1-0-2","data":{"cart":{"items":3},"total":42.5}}}"#

    /// One stored event per message id: (type, event, user_id, anonymous_id, session_id, timestamp
    /// as ISO 8601, properties, context).
    struct Stored {
        var type: String
        var event: String?
        var userId: String?
        var anonymousId: String?
        var sessionId: String?
        var timestamp: String
        var propertiesText: String
        var contextText: String

        var properties: [String: Any] { Self.object(propertiesText) }
        var context: [String: Any] { Self.object(contextText) }

        static func object(_ text: String) -> [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
        }
    }

    static func stored(_ database: TestDatabase, source: String = "default") async throws -> [String: Stored] {
        try await database.withConnection { connection in
            let rows = try await connection.query(
                """
                SELECT message_id, type, event, user_id, anonymous_id, session_id,
                       to_char(timestamp AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                       properties::text, context::text
                FROM events WHERE source = \(source)
                """,
                logger: database.logger)
            var result: [String: Stored] = [:]
            for try await row in rows.decode(
                (String, String, String?, String?, String?, String?, String, String, String).self)
            {
                result[row.0] = Stored(
                    type: row.1, event: row.2, userId: row.3, anonymousId: row.4, sessionId: row.5, timestamp: row.6,
                    propertiesText: row.7, contextText: row.8)
            }
            return result
        }
    }

    func post(_ client: some TestClientProtocol, _ body: String, headers: HTTPFields = jsonHeaders) async throws
        -> TestResponse
    {
        try await client.execute(uri: Self.tp2, method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    @Test func postedEventsOfEveryTypeAreStoredWithTheirMapping() async throws {
        try await withCollector("snowplow_post") { database, client in
            let sent = Date(timeIntervalSince1970: 1_800_000_000)
            let created = sent.addingTimeInterval(-5)
            func millis(_ date: Date) -> String { String(Int64(date.timeIntervalSince1970 * 1000)) }
            let common = ["aid": "shop", "p": "web", "tv": "js-3.24.0", "stm": millis(sent), "dtm": millis(created)]
            var events: [[String: String]] = [
                [
                    "e": "pv", "eid": "sp-pv", "duid": "device-1", "url": "https://shop.example/docs/install?x=1",
                    "page": "Install", "refr": "https://search.example/", "cx": Self.base64URL(Self.contexts),
                    "res": "1920x1080", "lang": "en-GB",
                ],
                [
                    "e": "se", "eid": "sp-se", "uid": "user-1", "nuid": "network-1", "se_ca": "video", "se_ac": "play",
                    "se_la": "intro", "se_pr": "hd", "se_va": "12.5",
                ],
                ["e": "ue", "eid": "sp-ue", "uid": "user-1", "ue_pr": Self.unstruct, "co": Self.contexts],
                ["e": "ue", "eid": "sp-ue-px", "uid": "user-2", "ue_px": Self.padded(Self.base64URL(Self.unstruct))],
                ["e": "pp", "eid": "sp-pp", "duid": "device-1", "url": "https://shop.example/docs", "pp_mix": "0"],
                ["e": "tr", "eid": "sp-tr", "uid": "user-1", "tr_id": "order-9", "tr_tt": "99.90", "tr_cu": "EUR"],
                ["e": "ti", "eid": "sp-ti", "uid": "user-1", "ti_id": "order-9", "ti_sk": "sku-1", "ti_qu": "2"],
            ]
            events = events.map { $0.merging(common) { own, _ in own } }
            var headers = jsonHeaders
            headers[.userAgent] = "Mozilla/5.0 test"
            let response = try await post(client, try Self.body(events), headers: headers)
            #expect(response.status == .ok)
            #expect(try await database.stagedCount == 7)

            try await database.withWorkers { _, _ in try await database.waitUntilDrained() }
            let stored = try await Self.stored(database)
            #expect(stored.count == 7)
            #expect(try await database.scalar("SELECT count(*)::int FROM failed_events") == 0)

            let page = try #require(stored["sp-pv"])
            #expect(page.type == "page" && page.event == "/docs/install" && page.anonymousId == "device-1")
            #expect(page.properties["title"] as? String == "Install")
            #expect(page.properties["url"] as? String == "https://shop.example/docs/install?x=1")
            #expect(page.properties["referrer"] as? String == "https://search.example/")
            #expect(page.sessionId == "session-7", "the client_session context names the session")
            let snowplow = try #require(page.context["snowplow"] as? [String: Any])
            #expect((snowplow["contexts"] as? [[String: Any]])?.count == 2)
            #expect(snowplow["aid"] as? String == "shop", "without write keys the app id is kept")
            #expect(snowplow["p"] as? String == "web", "unmapped fields are kept as sent")
            #expect((page.context["screen"] as? [String: Any])?["width"] as? Int == 1920)
            #expect(page.context["locale"] as? String == "en-GB")
            #expect(page.context["userAgent"] as? String == "Mozilla/5.0 test")
            // Skew: sent 5 s after it was made, so the event is 5 s before it was received.
            let received = try await database.scalar(
                "SELECT extract(epoch FROM received_at - timestamp)::int FROM events WHERE message_id = 'sp-pv'")
            #expect(received == 5)

            let structured = try #require(stored["sp-se"])
            #expect(structured.type == "track" && structured.event == "play" && structured.userId == "user-1")
            #expect(structured.anonymousId == "network-1")
            #expect(structured.properties["category"] as? String == "video")
            #expect(structured.properties["label"] as? String == "intro")
            #expect(structured.properties["property"] as? String == "hd")
            #expect(structured.properties["value"] as? Double == 12.5)

            for id in ["sp-ue", "sp-ue-px"] {
                let event = try #require(stored[id])
                #expect(event.type == "track" && event.event == "checkout_started", "\(id)")
                #expect(event.properties["total"] as? Double == 42.5)
                #expect((event.properties["cart"] as? [String: Any])?["items"] as? Int == 3)
                let snowplow = event.context["snowplow"] as? [String: Any]
                #expect(snowplow?["event_schema"] as? String == "iglu:com.acme/checkout_started/jsonschema/1-0-2")
            }
            let plan = ((stored["sp-ue"]?.context["snowplow"] as? [String: Any])?["contexts"] as? [[String: Any]])?
                .first
            #expect((plan?["data"] as? [String: Any])?["plan"] as? String == "pro ~ç")

            #expect(stored["sp-pp"]?.event == "page_ping" && stored["sp-pp"]?.properties["url"] != nil)
            #expect(stored["sp-tr"]?.event == "transaction" && stored["sp-tr"]?.properties["total"] as? Double == 99.9)
            #expect(stored["sp-tr"]?.properties["orderId"] as? String == "order-9")
            #expect(
                stored["sp-ti"]?.event == "transaction_item" && stored["sp-ti"]?.properties["quantity"] as? Int == 2)
        }
    }

    @Test func thePixelStoresItsQueryAsOneEventAndAnswersAnUncachedGIF() async throws {
        try await withCollector("snowplow_pixel") { database, client in
            let query = [
                "e=se", "eid=pixel-1", "duid=d%201", "se_ca=cat", "se_ac=Clicked+Buy", "se_va=3", "ttm=1790000000000",
                "cx=" + Self.base64URL(Self.contexts),
            ].joined(separator: "&")
            let response = try await client.execute(uri: "/i?" + query, method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "image/gif")
            #expect(response.headers[.cacheControl] == "no-store")
            #expect(response.body.getString(at: 0, length: 6) == "GIF89a")

            for bad in ["/i?e=se&e=se", "/i"] {
                let refused = try await client.execute(uri: bad, method: .get)
                #expect(refused.status == .badRequest, "\(bad)")
                #expect(refused.errorBody?.success == false)
            }
            try await database.withWorkers { _, _ in try await database.waitUntilDrained() }
            let stored = try await Self.stored(database)
            #expect(stored.count == 1)
            let event = try #require(stored["pixel-1"])
            #expect(event.event == "Clicked Buy" && event.anonymousId == "d 1")
            #expect(event.properties["value"] as? Int == 3)
            #expect(event.timestamp == "2026-09-21T14:13:20.000Z", "ttm is the true time, not skew-corrected")
        }
    }

    @Test func malformedPayloadsAreRefusedWholeAndStoreNothing() async throws {
        try await withCollector("snowplow_refused") { database, client in
            let good = ["e": "pv", "duid": "d", "url": "https://a.example/"]
            let cases = [
                "not json",
                #"{"data":[]}"#,
                try Self.body([good], schema: "iglu:com.acme/payload_data/jsonschema/1-0-4"),
                #"{"schema":"\#(Self.payloadSchema)","data":{"e":"pv"}}"#,
                #"{"schema":"\#(Self.payloadSchema)","data":[{"e":"pv","dtm":1}]}"#,
                #"{"schema":"\#(Self.payloadSchema)","data":["pv"]}"#,
            ]
            for body in cases {
                let response = try await post(client, body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(response.errorBody?.code == "invalid_snowplow_payload", "\(body)")
            }
            #expect(try await database.stagedCount == 0)
        }
    }

    /// Trackers do not retry a 400: an event the translation cannot map must not cost the valid
    /// events of its request. It ends in `failed_events` with the problem as its detail.
    @Test func anUntranslatableEventFailsAloneAndItsBatchIsStored() async throws {
        try await withCollector("snowplow_per_event") { database, client in
            let bad: [String: [String: String]] = [
                "bad-va": ["e": "se", "se_ac": "a", "se_va": "ten"],
                "bad-px": ["e": "ue", "ue_px": "!!!"],
                "bad-json": ["e": "ue", "ue_px": Self.base64URL("{")],
                "bad-ue": ["e": "ue", "ue_pr": #"{"schema":"iglu:x/y/jsonschema/1-0-0","data":{}}"#],
                "bad-cx": ["e": "pv", "cx": Self.base64URL(#"{"schema":"nope","data":[]}"#)],
                "bad-tr": ["e": "tr", "tr_tt": "lots"],
                "bad-e": ["e": "track", "uid": "u"],
                "no-e": ["url": "https://a.example/"],
            ]
            var events: [[String: String]] = []
            for (id, fields) in bad.sorted(by: { $0.key < $1.key }) {
                events.append(fields.merging(["eid": id, "duid": "d"]) { $1 })
                events.append(["e": "pv", "eid": "good-\(id)", "duid": "d", "url": "https://a.example/\(id)"])
            }
            let response = try await post(client, try Self.body(events))
            #expect(response.status == .ok)
            let pixel = try await client.execute(uri: "/i?e=xx&eid=pixel-bad&duid=d&ue_px=%25%25", method: .get)
            #expect(pixel.status == .ok && pixel.headers[.contentType] == "image/gif")

            try await database.withWorkers { _, _ in try await database.waitUntilDrained() }
            let stored = try await Self.stored(database)
            #expect(Set(stored.keys) == Set(bad.keys.map { "good-\($0)" }))
            let failed = try await database.withConnection { connection in
                var rows: [String: (reason: String, detail: String, payload: String)] = [:]
                let query = try await connection.query(
                    "SELECT message_id, reason, detail, payload FROM failed_events", logger: database.logger)
                for try await row in query.decode((String, String, String, String).self) {
                    rows[row.0] = (row.1, row.2, row.3)
                }
                return rows
            }
            #expect(Set(failed.keys) == Set(bad.keys).union(["pixel-bad"]))
            for (id, row) in failed {
                #expect(row.reason == "unknown_type", "\(id)")
                #expect(row.detail.contains("snowplow: "), "\(id): \(row.detail)")
            }
            #expect(failed["bad-va"]?.detail.contains("se_va must be a number") == true)
            #expect(failed["bad-px"]?.detail.contains("ue_px is not base64url") == true)
            #expect(failed["no-e"]?.detail.contains("needs its type in") == true)
            #expect(failed["bad-e"]?.detail.contains(#"e \"track\" is not an event type"#) == true)
            // What the tracker sent is kept as sent, undecoded, for whoever reads failed_events.
            #expect(failed["bad-px"]?.payload.contains(#""ue_px":"!!!""#) == true)
            #expect(failed["pixel-bad"]?.payload.contains(#""e":"xx""#) == true)
        }
    }

    @Test func theAppIdIsTheWriteKeyAndAWrongOneStoresNothing() async throws {
        let keys = WriteKeys(["sp-key": "snowplow-site"])
        try await withCollector("snowplow_keys", configuration: CollectorConfiguration(writeKeys: keys)) {
            database, client in
            let event = ["e": "pv", "eid": "keyed", "duid": "d", "url": "https://a.example/x"]
            for aid in [nil, "wrong"] as [String?] {
                var fields = event
                fields["aid"] = aid
                let response = try await post(client, try Self.body([fields]))
                #expect(response.status == .unauthorized)
                let pixel = try await client.execute(
                    uri: "/i?e=pv&duid=d" + (aid.map { "&aid=\($0)" } ?? ""), method: .get)
                #expect(pixel.status == .unauthorized)
            }
            let mixed = try await post(
                client, try Self.body([event.merging(["aid": "sp-key"]) { $1 }, event.merging(["aid": "x"]) { $1 }]))
            #expect(mixed.status == .unauthorized)
            #expect(try await database.stagedCount == 0)

            let accepted = try await post(client, try Self.body([event.merging(["aid": "sp-key"]) { $1 }]))
            #expect(accepted.status == .ok)
            let rows = try await database.stagedRows()
            #expect(rows.map(\.0) == ["snowplow-site"] && rows.map(\.3) == ["keyed"])
            #expect(rows.first?.4.contains("sp-key") == false, "a write key is not stored in the event")
        }
    }

    @Test func limitsAreTheCollectors() async throws {
        var limits = IngestLimits()
        limits.maxBatchMessages = 3
        try await withCollector("snowplow_limits", configuration: CollectorConfiguration(limits: limits)) {
            database, client in
            let large = ["e": "pv", "duid": "d", "page": String(repeating: "x", count: 40_000)]
            let tooLarge = try await post(client, try Self.body([large]))
            #expect(tooLarge.status == .contentTooLarge && tooLarge.errorBody?.code == "message_too_large")
            let event = ["e": "pv", "duid": "d"]
            let tooMany = try await post(client, try Self.body(Array(repeating: event, count: 4)))
            #expect(tooMany.status == .contentTooLarge && tooMany.errorBody?.code == "too_many_messages")
            let huge = try await post(
                client, try Self.body((0..<20).map { _ in ["e": "pv", "page": String(repeating: "y", count: 30_000)] }))
            #expect(huge.status == .contentTooLarge && huge.errorBody?.code == "request_too_large")
            #expect(try await database.stagedCount == 0)
        }
    }

    /// Numbers and times at and past every bound a client can send: each event is translated into
    /// one JSON object or refused, never a trap.
    @Test func extremeNumbersAndTimesNeverTrap() throws {
        let numbers = [
            "9223372036854775807", "9223372036854775808", "-9223372036854775809", "1e308", "-1e308", "1e-400",
            "4.9e-324", "999999999999999.5", "-0", "0x1p62", "1e15", "nan", "inf", "", " 1",
        ]
        for number in numbers {
            for fields in [
                ["e": "se", "se_ac": "a", "se_va": number, "dtm": number, "stm": number, "uid": "u"],
                ["e": "tr", "tr_tt": number, "ttm": number, "res": "\(number)x\(number)", "uid": "u"],
            ] {
                guard let event = try? SnowplowEvent(fields, keepsAppId: true, userAgent: nil) else { continue }
                let value = try JSONValue(parsing: String(decoding: event.message, as: UTF8.self))
                #expect(value.objectValue != nil, "\(fields)")
            }
        }
    }

    @Test func base64URLDecodesWithAndWithoutPadding() {
        let samples = ["{}", #"{"a":"ü?>"}"#, #"{"ab":1}"#, #"{"abc":[true]}"#]
        for sample in samples {
            let encoded = Self.base64URL(sample)
            #expect(SelfDescribing.base64URLDecoded(encoded) == sample)
            #expect(SelfDescribing.base64URLDecoded(Self.padded(encoded)) == sample)
        }
        #expect(SelfDescribing.base64URLDecoded("a") == nil)
        #expect(SelfDescribing.base64URLDecoded("//8") == nil, "not UTF-8")
    }
}
