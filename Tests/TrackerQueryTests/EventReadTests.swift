import Foundation
import Testing
import TrackerQuery
import TrackerTestSupport

@Suite struct EventReadTests {
    /// 60 events one minute apart ending an hour ago, three people, two names.
    static func seed(_ database: TestDatabase) async throws -> Date {
        let start = Date().addingTimeInterval(-2 * 3600).timeIntervalSince1970.rounded(.down)
        let base = Date(timeIntervalSince1970: start)
        var payloads: [String] = []
        for index in 0..<60 {
            payloads.append(
                trackCall(
                    "m\(index)", user: "user-\(index % 3)", event: index % 2 == 0 ? "Even" : "Odd",
                    at: base.addingTimeInterval(Double(index) * 60)))
        }
        payloads.append(#"{"type":"page","anonymousId":"anon-1","name":"Home","messageId":"p1"}"#)
        let staged = payloads
        try await database.withWorkers { client, _ in
            try await database.stage(staged, client: client)
            try await database.waitUntilDrained()
        }
        return base
    }

    @Test func filtersAndHalfOpenRanges() async throws {
        let database = try await TestDatabase.create("query_filters")
        let base = try await Self.seed(database)
        try await withQueryAPI(database) { api in
            let all = try await api.get("/v1/events?limit=1000")
            #expect(all.status == .ok)
            #expect(all.data.count == 61)
            #expect(all.nextCursor == nil)
            let first = all.data[0]
            for key in [
                "message_id", "type", "event", "user_id", "anonymous_id", "session_id", "timestamp", "received_at",
                "source", "properties", "context", "traits",
            ] {
                #expect(first.keys.contains(key), "an event answers \(key)")
            }
            // Newest first.
            let times = all.data.compactMap { $0["timestamp"] as? String }
            #expect(times == times.sorted(by: >))

            let user = try await api.get("/v1/events?user_id=user-1&limit=1000")
            #expect(user.data.count == 20)
            #expect(user.data.allSatisfy { $0["user_id"] as? String == "user-1" })
            let anonymous = try await api.get("/v1/events?anonymous_id=anon-1")
            #expect(anonymous.data.map { $0["message_id"] as? String } == ["p1"])
            let named = try await api.get("/v1/events?event=Odd&limit=1000")
            #expect(named.data.count == 30)
            let pages = try await api.get("/v1/events?type=page")
            #expect(pages.data.count == 1)
            let both = try await api.get("/v1/events?user_id=user-0&event=Even&limit=1000")
            #expect(both.data.count == 10)

            // [from, to): the event at `from` is in, the one at `to` is out.
            let from = encoded(iso(base.addingTimeInterval(10 * 60)))
            let to = encoded(iso(base.addingTimeInterval(20 * 60)))
            let range = try await api.get("/v1/events?from=\(from)&to=\(to)&limit=1000")
            #expect(range.data.map { $0["message_id"] as? String } == (10..<20).reversed().map { "m\($0)" })

            let none = try await api.get("/v1/events?user_id=nobody")
            #expect(none.status == .ok && none.data.isEmpty && none.nextCursor == nil)
            let before = try await api.get("/v1/events?to=2001-01-01T00:00:00Z")
            #expect(before.status == .ok && before.data.isEmpty)
        }
        try await database.drop()
    }

    @Test func cursorsWalkEveryEventOnceWhileEventsArrive() async throws {
        let database = try await TestDatabase.create("query_cursors")
        let base = try await Self.seed(database)
        try await database.withWorkers { client, _ in
            try await withQueryAPI(database) { api in
                var seen: [String] = []
                var cursor: String?
                var page = 0
                repeat {
                    let answer = try await api.get("/v1/events?limit=7" + (cursor.map { "&cursor=\($0)" } ?? ""))
                    #expect(answer.status == .ok)
                    #expect(answer.data.count <= 7)
                    seen += answer.data.compactMap { $0["message_id"] as? String }
                    cursor = answer.nextCursor
                    page += 1
                    if page == 2 {
                        // Newer events land before the cursor's position and must not show up; an
                        // older one lands after it and must.
                        try await database.stage(
                            [
                                trackCall("new-1", user: "user-9", event: "Late", at: Date()),
                                trackCall("old-1", user: "user-9", event: "Late", at: base.addingTimeInterval(-60)),
                            ], client: client)
                        try await database.waitUntilDrained()
                    }
                } while cursor != nil && page < 50
                #expect(Set(seen).count == seen.count, "no event twice")
                let expected = Set((0..<60).map { "m\($0)" } + ["p1", "old-1"])
                #expect(Set(seen) == expected, "every event once, none missing, nothing newer than the first page")
            }
        }
        try await database.drop()
    }

    @Test func badParametersAnswer400WithTheParameterNamed() async throws {
        let database = try await TestDatabase.create("query_bad_params")
        try await withQueryAPI(database) { api in
            let other = PageCursor(kind: "e", keys: [1, 1], filters: ["x"]).text
            let cases: [(String, String)] = [
                ("/v1/events?limit=0", "limit"), ("/v1/events?limit=1001", "limit"), ("/v1/events?limit=ten", "limit"),
                ("/v1/events?type=purchase", "type"), ("/v1/events?from=yesterday", "from"),
                ("/v1/events?to=2026-13-01T00:00:00Z", "to"),
                ("/v1/events?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from"),
                ("/v1/events?from=2026-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from"),
                ("/v1/events?cursor=%%%", "cursor"), ("/v1/events?cursor=\(other)", "cursor"),
                ("/v1/events?user_id=", "user_id"), ("/v1/events?user_id=a%00b", "user_id"),
                ("/v1/stats/timeseries?interval=week", "interval"),
                ("/v1/stats/timeseries?interval=minute&from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z", "minute"),
                ("/v1/stats/active-users?interval=hour", "interval"), ("/v1/stats/top-events?limit=-1", "limit"),
                ("/v1/stats/top-events?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from"),
                ("/v1/failed-events?limit=5000", "limit"), ("/v1/failed-events?cursor=abc", "cursor"),
            ]
            for (uri, parameter) in cases {
                let answer = try await api.get(uri)
                #expect(answer.status == .badRequest, "\(uri)")
                #expect(answer.code == "invalid_parameter", "\(uri)")
                #expect((answer.json["message"] as? String)?.contains(parameter) == true, "\(uri) names \(parameter)")
            }
            // A cursor of the events list is not one of the failed-events list.
            let eventCursor = PageCursor(kind: "e", keys: [1, 1], filters: []).text
            #expect(try await api.get("/v1/failed-events?cursor=\(eventCursor)").status == .badRequest)
        }
        try await database.drop()
    }

    @Test func readTokensGuardEverythingButOperations() async throws {
        let database = try await TestDatabase.create("query_tokens")
        try await withQueryAPI(database, readTokens: ReadTokens(["secret-1", "secret-2"])) { api in
            let missing = try await api.get("/v1/events")
            #expect(missing.status == .unauthorized)
            #expect(missing.code == "invalid_token")
            #expect(try await api.get("/v1/events", token: "secret-3").status == .unauthorized)
            #expect(try await api.get("/events", token: "secret").status == .unauthorized)
            #expect(try await api.get("/v1/stats/top-events").status == .unauthorized)
            #expect(try await api.call("/v1/users/u1", method: .delete).status == .unauthorized)
            #expect(try await api.get("/v1/events", token: "secret-2").status == .ok)
            #expect(try await api.get("/stats/top-event-types", token: "secret-1").status == .ok)
            #expect(try await api.get("/healthz").status == .ok)
            #expect(try await api.get("/readyz").status == .ok)
            #expect(try await api.get("/openapi.json").status == .ok)
        }
        try await database.drop()
    }
}
