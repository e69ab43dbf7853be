import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import TrackerCollector
import TrackerQuery
import TrackerTestSupport

/// The behaviours the original tracker's own suite checked, against its endpoints here.
@Suite struct LegacyQueryTests {
    @Test func originalEndpointsKeepTheirShapesFiltersAndValidation() async throws {
        let database = try await TestDatabase.create("query_legacy")
        let eventIds = try await database.withWorkers { client, _ in
            let app = buildCollectorApplication(
                client: client, configuration: CollectorConfiguration(), address: .hostname("127.0.0.1", port: 0),
                logger: database.logger)
            let ids = try await app.test(.router) { collector in
                var ids: [String] = []
                for index in 0..<12 {
                    let body =
                        #"{"userId":"user-\#(index % 2)","sessionId":"s\#(index)","eventType":"\#(index % 3 == 0 ? "click" : "view")","timestamp":"2026-11-20T10:\#(10 + index):00Z","metadata":{"i":\#(index)}}"#
                    try await collector.execute(
                        uri: "/events", method: .post, headers: [.contentType: "application/json"],
                        body: ByteBuffer(string: body)
                    ) { response in
                        #expect(response.status == .accepted)
                        let answer =
                            try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                        ids.append(answer?["eventId"] as? String ?? "")
                    }
                }
                return ids
            }
            try await database.waitUntilDrained()
            return ids
        }
        try await withQueryAPI(database) { api in
            let page = try await api.get("/events?limit=5&offset=2")
            #expect(page.status == .ok)
            #expect(page.json["total"] as? Int == 12)
            #expect(page.json["limit"] as? Int == 5)
            #expect(page.json["offset"] as? Int == 2)
            #expect(page.data.count == 5)
            let first = try #require(page.data.first)
            #expect(Set(first.keys) == ["id", "timestamp", "userId", "sessionId", "eventType", "source", "metadata"])
            // Newest first: offset 2 is the 10th event; its id is the one the POST answered.
            #expect(first["id"] as? String == eventIds[9])
            #expect((first["metadata"] as? [String: Int])?["i"] == 9)
            #expect(first["timestamp"] as? String == "2026-11-20T10:19:00.000Z")

            let defaults = try await api.get("/events")
            #expect(defaults.json["limit"] as? Int == 100 && defaults.json["offset"] as? Int == 0)
            let byUser = try await api.get("/events?userId=user-1")
            #expect(byUser.json["total"] as? Int == 6)
            #expect(byUser.data.allSatisfy { $0["userId"] as? String == "user-1" })
            let byType = try await api.get("/events?type=click")
            #expect(byType.json["total"] as? Int == 4)
            #expect(byType.data.allSatisfy { $0["eventType"] as? String == "click" })
            let both = try await api.get("/events?userId=user-0&type=click")
            #expect(both.json["total"] as? Int == 2)
            let nobody = try await api.get("/events?userId=nobody")
            #expect(nobody.status == .ok && nobody.data.isEmpty && nobody.json["total"] as? Int == 0)
            let past = try await api.get("/events?from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z")
            #expect(past.data.isEmpty && past.json["total"] as? Int == 0)
            let window = try await api.get("/events?from=2026-11-20T10:12:00Z&to=2026-11-20T10:15:00Z")
            #expect(window.json["total"] as? Int == 3)
            let beyond = try await api.get("/events?offset=50")
            #expect(beyond.data.isEmpty && beyond.json["total"] as? Int == 12)

            for uri in [
                "/events?limit=-5", "/events?limit=0", "/events?limit=501", "/events?offset=-1", "/events?from=soon",
            ] {
                let bad = try await api.get(uri)
                #expect(bad.status == .badRequest, "\(uri)")
                #expect(
                    bad.json["error"] is String && bad.json["details"] is [String], "\(uri) answers the original shape")
                #expect(bad.code == "invalid_parameter", "\(uri)")
            }

            let range = "from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z"
            let top = try await api.get("/stats/top-event-types?\(range)")
            #expect(top.data.map { $0["eventType"] as? String } == ["view", "click"])
            #expect(top.data.map { $0["count"] as? Int } == [8, 4])
            let limited = try await api.get("/stats/top-event-types?\(range)&limit=1")
            #expect(limited.data.count == 1)
            let perMinute = try await api.get("/stats/events-per-minute?\(range)")
            #expect(perMinute.data.count == 12)
            #expect(perMinute.data.first?["minute"] as? String == "2026-11-20T10:10:00.000Z")
            #expect(perMinute.data.allSatisfy { $0["count"] as? Int == 1 })
            let empty = try await api.get("/stats/events-per-minute?from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z")
            #expect(empty.status == .ok && empty.data.isEmpty)
            #expect(try await api.get("/stats/top-event-types?limit=0").status == .badRequest)
        }
        try await database.drop()
    }
}
