import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import TrackerCollector
import TrackerTestSupport

/// Encodes every byte but unreserved ASCII as `%XX`, a space as `%20` (RFC 3986 clients, curl users).
func percentEncoded(_ value: String) -> String {
    let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
    return value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value
}

/// Encodes as HTML forms, `URLSearchParams` and Python `requests` do: a space is `+`.
func formEncoded(_ value: String) -> String {
    percentEncoded(value).replacingOccurrences(of: "%20", with: "+")
}

/// Event names and ids that need encoding, stored through the collector and the worker, then read
/// back through every query endpoint with `+` and with `%20` for spaces.
@Suite struct QueryStringTests {
    /// "Page Viewed" and "Page+Viewed" are both names: a `+` read as a plus, or `%2B` read as a
    /// space, answers the other one's count.
    static let names = [
        "Page Viewed", "Page+Viewed", "Q&A Opened", "a=b", "100% Done", "Café Ordered", "🚀 Launch", "C++ Build",
    ]
    static let people = ["user one", "a+b@example.com", "x&y=z", "50% off", "Zoë Ünal", "👩‍💻 dev"]
    static let anonymous = "anon one+two&x=%"
    /// Sent with the original tracker's `POST /events`.
    static let legacyName = "Legacy & Co. + Ünïcødé 🎉"
    static let legacyUser = "legacy user+1"

    struct Sent {
        var name: String
        var user: String?
        var anonymous: String?
    }

    /// The n-th name n+1 times (every name its own count), three anonymous "Page Viewed", two legacy.
    static let sent: [Sent] = {
        var sent: [Sent] = []
        for (index, name) in names.enumerated() {
            for _ in 0...index { sent.append(Sent(name: name, user: people[sent.count % people.count])) }
        }
        sent += Array(repeating: Sent(name: "Page Viewed", anonymous: anonymous), count: 3)
        sent += Array(repeating: Sent(name: legacyName, user: legacyUser), count: 2)
        return sent
    }()

    static func count(where include: (Sent) -> Bool) -> Int { sent.filter(include).count }

    /// 10:00 UTC yesterday: every event on one UTC day, within the last 30 days.
    static let start: Date = {
        let today = (Date().timeIntervalSince1970 / 86_400).rounded(.down) * 86_400
        return Date(timeIntervalSince1970: today - 86_400 + 10 * 3_600)
    }()

    /// A time written with a `+01:00` offset, as the range parameters are sent here.
    static func offsetTime(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(secondsFromGMT: 3_600)
        return formatter.string(from: date)
    }

    /// `from` an hour before the first event, `to` two hours after, with `+` sent as `%2B`.
    static let range =
        "from=\(percentEncoded(offsetTime(start.addingTimeInterval(-3_600))))"
        + "&to=\(percentEncoded(offsetTime(start.addingTimeInterval(7_200))))"

    static func seed(_ database: TestDatabase) async throws {
        var messages: [[String: Any]] = []
        var legacy: [[String: Any]] = []
        for (index, event) in sent.enumerated() {
            let time = iso(start.addingTimeInterval(Double(index) * 60))
            if event.name == legacyName {
                legacy.append([
                    "userId": event.user!, "sessionId": "s\(index)", "eventType": event.name, "timestamp": time,
                ])
                continue
            }
            var message: [String: Any] = [
                "type": "track", "event": event.name, "messageId": "qs-\(index)", "timestamp": time,
            ]
            message["userId"] = event.user
            message["anonymousId"] = event.anonymous
            messages.append(message)
        }
        let batch = String(decoding: try JSONSerialization.data(withJSONObject: ["batch": messages]), as: UTF8.self)
        let legacyBodies = try legacy.map {
            String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self)
        }
        try await database.withWorkers { client, _ in
            let app = buildCollectorApplication(
                client: client, configuration: CollectorConfiguration(), address: .hostname("127.0.0.1", port: 0),
                logger: database.logger)
            try await app.test(.router) { collector in
                var posts: [(uri: String, body: String, status: HTTPResponse.Status)] = [("/v1/batch", batch, .ok)]
                posts += legacyBodies.map { ("/events", $0, .accepted) }
                for (uri, body, status) in posts {
                    try await collector.execute(
                        uri: uri, method: .post, headers: [.contentType: "application/json"],
                        body: ByteBuffer(string: body)
                    ) { response in #expect(response.status == status, "\(uri)") }
                }
            }
            try await database.waitUntilDrained()
        }
        #expect(try await database.scalar("SELECT count(*)::int FROM events") == sent.count)
    }

    /// `{"key": figure}` of a stats answer's rows.
    static func figures(_ answer: Answer, key: String, value: String) -> [String: Int] {
        var result: [String: Int] = [:]
        for row in answer.data {
            if let name = row[key] as? String, let figure = row[value] as? Int { result[name] = figure }
        }
        return result
    }

    static func total(_ answer: Answer, _ field: String) -> Int {
        answer.data.compactMap { $0[field] as? Int }.reduce(0, +)
    }

    @Test func namesAndIdsReadTheSameRowsThroughPlusAndPercentTwenty() async throws {
        let database = try await TestDatabase.create("query_strings")
        try await Self.seed(database)
        try await withQueryAPI(database) { api in
            for (encoding, encode) in [("+", formEncoded), ("%20", percentEncoded)] {
                for name in Self.names + [Self.legacyName] {
                    let expected = Self.count(where: { $0.name == name })
                    let label = "\(name) sent with \(encoding) as \(encode(name))"

                    let events = try await api.get("/v1/events?event=\(encode(name))&limit=1000")
                    #expect(events.status == .ok, "\(label)")
                    #expect(events.data.count == expected, "/v1/events: \(label)")
                    #expect(events.data.allSatisfy { $0["event"] as? String == name }, "/v1/events: \(label)")

                    let series = try await api.get(
                        "/v1/stats/timeseries?interval=hour&event=\(encode(name))&\(Self.range)")
                    #expect(series.status == .ok, "\(label)")
                    #expect(Self.total(series, "count") == expected, "/v1/stats/timeseries: \(label)")

                    let legacy = try await api.get("/events?type=\(encode(name))&limit=500")
                    #expect(legacy.json["total"] as? Int == expected, "/events: \(label)")
                    #expect(legacy.data.allSatisfy { $0["eventType"] as? String == name }, "/events: \(label)")
                }
                for person in Self.people + [Self.legacyUser] {
                    let expected = Self.count(where: { $0.user == person })
                    let label = "\(person) sent with \(encoding) as \(encode(person))"
                    let events = try await api.get("/v1/events?user_id=\(encode(person))&limit=1000")
                    #expect(events.data.count == expected, "/v1/events: \(label)")
                    #expect(events.data.allSatisfy { $0["user_id"] as? String == person }, "/v1/events: \(label)")
                    let legacy = try await api.get("/events?userId=\(encode(person))&limit=500")
                    #expect(legacy.json["total"] as? Int == expected, "/events: \(label)")
                    #expect(legacy.data.allSatisfy { $0["userId"] as? String == person }, "/events: \(label)")
                }
                let anonymous = try await api.get("/v1/events?anonymous_id=\(encode(Self.anonymous))")
                #expect(anonymous.data.count == 3, "/v1/events anonymous_id with \(encoding)")
                // Two filters, both needing encoding, and a range with %2B.
                let (person, name) = (Self.people[0], Self.names[7])
                let both = try await api.get(
                    "/v1/events?user_id=\(encode(person))&event=\(encode(name))&\(Self.range)")
                let expectedBoth = Self.count(where: { $0.user == person && $0.name == name })
                #expect(expectedBoth > 0 && both.data.count == expectedBoth, "two filters with \(encoding)")
            }

            // The unfiltered stats answer every name as stored, with its count, for a range sent with %2B.
            var expectedCounts: [String: Int] = [:]
            for event in Self.sent { expectedCounts[event.name, default: 0] += 1 }
            let top = try await api.get("/v1/stats/top-events?limit=100&\(Self.range)")
            #expect(Self.figures(top, key: "event", value: "count") == expectedCounts, "/v1/stats/top-events")
            let legacyTop = try await api.get("/stats/top-event-types?limit=100&\(Self.range)")
            #expect(
                Self.figures(legacyTop, key: "eventType", value: "count") == expectedCounts, "/stats/top-event-types")
            let perMinute = try await api.get("/stats/events-per-minute?\(Self.range)")
            #expect(Self.total(perMinute, "count") == Self.sent.count, "/stats/events-per-minute")
            let people = Set(Self.sent.map { $0.user ?? $0.anonymous ?? "" }).count
            let active = try await api.get("/v1/stats/active-users?interval=day&\(Self.range)")
            #expect(active.data.count == 1 && Self.total(active, "users") == people, "/v1/stats/active-users")

            // Written by hand: `+` is a space, `%2B` a plus, `%20` a space.
            for (query, name) in [
                ("Page+Viewed", "Page Viewed"), ("Page%20Viewed", "Page Viewed"), ("Page%2BViewed", "Page+Viewed"),
                ("C%2B%2B+Build", "C++ Build"), ("Q%26A+Opened", "Q&A Opened"), ("a%3Db", "a=b"),
                ("100%25+Done", "100% Done"),
            ] {
                let answer = try await api.get("/v1/events?event=\(query)&limit=1000")
                #expect(answer.data.count == Self.count(where: { $0.name == name }), "event=\(query)")
                let legacy = try await api.get("/events?type=\(query)")
                #expect(legacy.json["total"] as? Int == Self.count(where: { $0.name == name }), "type=\(query)")
            }
            #expect(Self.count(where: { $0.name == "Page Viewed" }) != Self.count(where: { $0.name == "Page+Viewed" }))

            // A `+` in an offset sent as is decodes to a space: refused, saying to send %2B.
            let plus = "from=\(Self.offsetTime(Self.start))"
            for uri in [
                "/v1/events?\(plus)", "/v1/stats/top-events?\(plus)", "/v1/stats/timeseries?\(plus)",
                "/v1/stats/active-users?\(plus)", "/events?\(plus)", "/stats/top-event-types?\(plus)",
                "/stats/events-per-minute?\(plus)",
            ] {
                let answer = try await api.get(uri)
                #expect(answer.status == .badRequest && answer.code == "invalid_parameter", "\(uri)")
                #expect((answer.json["message"] as? String)?.contains("%2B") == true, "\(uri)")
            }
        }
        try await database.drop()
    }

    /// What a refusal of bad query parameters answers: 400, the error body naming the parameter, and
    /// on the original tracker's endpoints its own `error` and `details` too.
    static func expectRefused(_ answer: Answer, naming name: String, _ uri: String) {
        #expect(answer.status == .badRequest, "\(uri)")
        #expect(answer.json["success"] as? Bool == false, "\(uri)")
        #expect(answer.code == "invalid_parameter", "\(uri)")
        let message = answer.json["message"] as? String ?? ""
        #expect(message.hasPrefix("\(name) "), "\(uri): \(message)")
        if !uri.hasPrefix("/v1/") {
            #expect(answer.json["error"] is String && answer.json["details"] as? [String] == [message], "\(uri)")
        }
    }

    @Test func repeatedParametersBadEscapesAndOverlongValuesAreRefused() async throws {
        let database = try await TestDatabase.create("query_string_refusals")
        let day = "2026-01-01T00:00:00Z"
        let repeated: [(uri: String, name: String)] = [
            ("/v1/events?user_id=u1&user_id=u2", "user_id"),
            ("/v1/events?event=Same&limit=5&event=Same", "event"),
            ("/v1/events?anonymous_id=a&anonymous%5Fid=b", "anonymous_id"),
            ("/v1/stats/top-events?limit=5&limit=6", "limit"),
            ("/v1/stats/timeseries?event=a&event=b", "event"),
            ("/v1/stats/active-users?interval=day&interval=week", "interval"),
            ("/v1/failed-events?reason=a&reason=b", "reason"),
            ("/events?userId=a&userId=b", "userId"),
            ("/events?offset=0&offset=10", "offset"),
            ("/stats/top-event-types?limit=1&limit=2", "limit"),
            ("/stats/events-per-minute?from=\(day)&from=\(day)", "from"),
        ]
        let overlong = [
            ("/v1/events?user_id=\(percentEncoded(String(repeating: "é", count: 257)))", "user_id"),
            // One character of 301 bytes: limits count bytes, as the stored ids' do.
            (
                "/v1/events?anonymous_id=\(percentEncoded("e" + String(repeating: "\u{0301}", count: 150)))",
                "anonymous_id"
            ),
            ("/v1/events?event=\(formEncoded(String(repeating: "a b", count: 67)))", "event"),
            ("/v1/stats/timeseries?event=\(String(repeating: "%F0%9F%9A%80", count: 201))", "event"),
            ("/events?userId=\(String(repeating: "x", count: 257))", "userId"),
            ("/events?type=\(String(repeating: "+", count: 201))", "type"),
        ]
        var badBytes: [(uri: String, name: String)] = []
        for (path, name) in [
            ("/v1/events", "user_id"), ("/v1/events", "event"), ("/v1/stats/timeseries", "event"),
            ("/v1/stats/top-events", "to"), ("/v1/stats/active-users", "from"), ("/v1/failed-events", "reason"),
            ("/events", "userId"), ("/events", "type"), ("/stats/top-event-types", "from"),
            ("/stats/events-per-minute", "to"),
        ] {
            for value in ["%zz", "Caf%C3", "100%", "a%4"] { badBytes.append(("\(path)?\(name)=\(value)", name)) }
        }
        let refusals = overlong + badBytes
        try await withQueryAPI(database) { api in
            for (uri, name) in repeated {
                let answer = try await api.get(uri)
                Self.expectRefused(answer, naming: name, uri)
                #expect(answer.json["message"] as? String == "\(name) is given twice; send it once.", "\(uri)")
            }
            for (uri, name) in refusals { Self.expectRefused(try await api.get(uri), naming: name, uri) }
            // A bad escape in one parameter is refused even when another one is fine.
            let mixed = "/v1/events?limit=5&event=%C3%28"
            Self.expectRefused(try await api.get(mixed), naming: "event", mixed)

            // The original tracker's offset stops at 10,000 and says how to read further back.
            let deepest = try await api.get("/events?offset=10000")
            #expect(deepest.status == .ok && deepest.json["offset"] as? Int == 10_000)
            let deeper = try await api.get("/events?offset=10001")
            Self.expectRefused(deeper, naming: "offset", "/events?offset=10001")
            let message = deeper.json["message"] as? String ?? ""
            #expect(message.contains("0 to 10000") && message.contains("from and to"), "\(message)")
            Self.expectRefused(try await api.get("/events?offset=1000000"), naming: "offset", "offset=1000000")
        }
        try await database.drop()
    }
}
