import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import TrackerCollector
import TrackerCore
import TrackerTestSupport

@testable import TrackerWorker

@Suite struct StatsTests {
    /// Sends a mixed load through the collector to a worker: named and unnamed calls over 20 days,
    /// retries, messages the worker refuses.
    static func load(_ database: TestDatabase) async throws {
        let now = Date()
        var batches: [String] = []
        for batch in 0..<30 {
            var items: [String] = []
            for index in 0..<100 {
                let n = batch * 100 + index
                // Spread over the last 20 days at odd minutes; a few in the current minute.
                let age = n % 7 == 0 ? Double(n % 50) : Double((n * 7_919) % (20 * 86_400))
                let time = iso(now.addingTimeInterval(-age))
                switch n % 5 {
                case 0, 1:
                    items.append(
                        #"{"type":"track","userId":"u\#(n % 41)","event":"E\#(n % 4)","messageId":"t\#(n)","timestamp":"\#(time)"}"#
                    )
                case 2:
                    items.append(
                        #"{"type":"page","anonymousId":"a\#(n % 17)","name":"P\#(n % 2)","messageId":"p\#(n)","timestamp":"\#(time)"}"#
                    )
                case 3:
                    items.append(
                        #"{"type":"identify","userId":"u\#(n % 43)","messageId":"i\#(n)","timestamp":"\#(time)"}"#)
                default:
                    items.append(#"{"type":"track","userId":"u1","messageId":"bad\#(n)","timestamp":"\#(time)"}"#)
                }
            }
            // A retry of an earlier message with another timestamp counts once.
            if batch > 0 {
                items.append(#"{"type":"track","userId":"u1","event":"E1","messageId":"t\#(batch * 100 - 100)"}"#)
            }
            batches.append(#"{"batch":[\#(items.joined(separator: ","))]}"#)
        }
        let bodies = batches
        try await database.withWorkers { client, _ in
            let app = buildCollectorApplication(
                client: client, configuration: CollectorConfiguration(), address: .hostname("127.0.0.1", port: 0),
                logger: database.logger)
            try await app.test(.router) { collector in
                for body in bodies {
                    try await collector.execute(
                        uri: "/v1/batch", method: .post, headers: [.contentType: "application/json"],
                        body: ByteBuffer(string: body)
                    ) { response in #expect(response.status == .ok) }
                }
            }
            try await database.waitUntilDrained()
        }
    }

    /// (bucket or name, figure) pairs SQL computes over `events`.
    static func expected(_ database: TestDatabase, _ sql: String) async throws -> [String: Int] {
        try await database.withConnection { connection in
            let rows = try await connection.query(.init(unsafeSQL: sql), logger: database.logger)
            var result: [String: Int] = [:]
            for try await (key, value) in rows.decode((String, Int64).self) { result[key] = Int(value) }
            return result
        }
    }

    static func answered(_ answer: Answer, key: String, value: String) -> [String: Int] {
        var result: [String: Int] = [:]
        for row in answer.data {
            guard let name = row[key] as? String, let figure = row[value] as? Int else { continue }
            let normalized = ISO8601.parse(name).map { ISO8601.string(from: $0) } ?? name
            result[normalized] = figure
        }
        return result
    }

    static let bucket =
        #"to_char(date_trunc('%@', timestamp, 'UTC') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')"#

    func compareEverything(_ database: TestDatabase, _ api: any TestClientProtocol, label: String) async throws {
        // One explicit end for the API and the SQL alike, so no minute boundary falls between them.
        let end = iso(Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 60).rounded(.down) * 60 + 60))
        let to = encoded(end)
        func series(_ interval: String, where condition: String) -> String {
            "SELECT \(Self.bucket.replacingOccurrences(of: "%@", with: interval)), count(*) FROM events WHERE \(condition) GROUP BY 1"
        }
        func since(_ span: String) -> String {
            "timestamp >= '\(end)'::timestamptz - interval '\(span)' AND timestamp < '\(end)'::timestamptz"
        }

        let top = try await api.get("/v1/stats/top-events?limit=100&to=\(to)")
        #expect(top.status == .ok)
        let topSQL = "SELECT event, count(*) FROM events WHERE event IS NOT NULL AND \(since("30 days")) GROUP BY 1"
        #expect(
            Self.answered(top, key: "event", value: "count") == (try await Self.expected(database, topSQL)),
            "\(label): top-events")
        for (interval, span) in [("hour", "24 hours"), ("day", "30 days")] {
            let answer = try await api.get("/v1/stats/timeseries?interval=\(interval)&to=\(to)")
            #expect(
                Self.answered(answer, key: "bucket", value: "count")
                    == (try await Self.expected(database, series(interval, where: since(span)))),
                "\(label): timeseries \(interval)")
        }
        let minute = try await api.get("/v1/stats/timeseries?interval=minute&event=E2&to=\(to)")
        #expect(
            Self.answered(minute, key: "bucket", value: "count")
                == (try await Self.expected(database, series("minute", where: "event = 'E2' AND \(since("24 hours"))"))),
            "\(label): timeseries minute E2")

        // A range whose edges are not whole hours or days.
        let from = "2000-01-01T00:00:00Z"
        let edge = iso(Date().addingTimeInterval(-5 * 86_400 - 3_723))
        let edged = try await api.get("/v1/stats/timeseries?interval=day&from=\(from)&to=\(encoded(edge))")
        let edgedSQL = series("day", where: "timestamp < date_trunc('minute', '\(edge)'::timestamptz)")
        #expect(
            Self.answered(edged, key: "bucket", value: "count") == (try await Self.expected(database, edgedSQL)),
            "\(label): timeseries with ragged edges")

        for interval in ["day", "week", "month"] {
            let answer = try await api.get("/v1/stats/active-users?interval=\(interval)&from=\(from)&to=\(to)")
            let sql = """
                SELECT \(Self.bucket.replacingOccurrences(of: "%@", with: interval)),
                       count(DISTINCT coalesce(user_id, anonymous_id)) FROM events GROUP BY 1
                """
            #expect(
                Self.answered(answer, key: "bucket", value: "users") == (try await Self.expected(database, sql)),
                "\(label): active-users \(interval)")
        }
    }

    @Test func everyStatEqualsTheSameFigureComputedOverEvents() async throws {
        let database = try await TestDatabase.create("query_stats")
        try await Self.load(database)
        #expect(try await database.scalar("SELECT count(*)::int FROM events") == 2_400)
        #expect(try await database.scalar("SELECT count(*)::int FROM failed_events") == 600)
        try await withQueryAPI(database) { api in
            // Before any refresh everything comes from the minute rollup and the per-day table.
            try await database.withConnection {
                try await $0.query("DELETE FROM view_refreshes", logger: database.logger)
            }
            try await compareEverything(database, api, label: "rollups only")
            // After a refresh whole days and hours come from the views.
            _ = try await database.withConnection {
                try await ViewRefresher(interval: .seconds(1)).runOnce(on: $0, now: Date(), logger: database.logger)
            }
            try await compareEverything(database, api, label: "after a view refresh")
            // Counts are current: as_of is the read's time. Weeks come from their view: its refresh.
            let before = Date()
            let top = try await api.get("/v1/stats/top-events")
            let countsAsOf = try #require((top.json["as_of"] as? String).flatMap(ISO8601.parse))
            #expect(countsAsOf >= before.addingTimeInterval(-0.001))
            let refreshed = try await database.scalar(
                """
                SELECT floor(extract(epoch FROM refreshed_at) * 1000)::int8 FROM view_refreshes
                WHERE view_name = 'active_people_weekly'
                """)
            let weekly = try await api.get("/v1/stats/active-users?interval=week")
            let weeklyAsOf = try #require((weekly.json["as_of"] as? String).flatMap(ISO8601.parse))
            #expect(abs(Int((weeklyAsOf.timeIntervalSince1970 * 1000).rounded(.down)) - refreshed) <= 1)
        }
        try await database.drop()
    }
}
