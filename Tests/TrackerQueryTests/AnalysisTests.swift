import Foundation
import HummingbirdTesting
import PostgresNIO
import Testing
import TrackerCore
import TrackerHTTP
import TrackerQuery
import TrackerStore
import TrackerTestSupport

@testable import TrackerWorker

/// The query API on `database` with `kept` as TRACKER_BREAKDOWN_PROPERTIES.
func withAnalysisAPI<Result: Sendable>(
    _ database: TestDatabase, kept: Set<String>,
    _ body: @Sendable @escaping (any TestClientProtocol) async throws -> Result
) async throws -> Result {
    Observability.bootstrapMetrics()
    return try await database.withClient { client in
        let app = buildQueryApplication(
            client: client, readTokens: ReadTokens(), address: .hostname("127.0.0.1", port: 0),
            breakdownProperties: kept, logger: database.logger)
        return try await app.test(.live) { client in try await body(client) }
    }
}

@Suite struct AnalysisTests {
    static let funnels = [
        ["View", "Signup"], ["View", "Signup", "Pay"], ["View", "View", "Pay"], ["Signup", "View", "Pay", "Other"],
        ["View", "Pay", "Signup", "Other", "View"],
    ]
    static let windows: [(text: String, seconds: TimeInterval)] = [
        ("PT5M", 300), ("PT1H", 3_600), ("P1D", 86_400), ("P1W", 7 * 86_400),
    ]

    /// Traffic through real worker moves (two replicas, small batches, late first events, retries,
    /// two sources), then every analysis answer against the truth computed from the traffic; then
    /// again after erasing people of each kind.
    @Test func answersEqualTheTruthBeforeAndAfterErasure() async throws {
        let database = try await TestDatabase.create("analysis")
        let today = (Date().timeIntervalSince1970 / 86_400).rounded(.down) * 86_400
        let start = Date(timeIntervalSince1970: today - 35 * 86_400)
        let traffic = AnalysisTraffic(start: start, seed: 26)
        var configuration = testConfiguration(batchSize: 37)
        configuration.analysis = AnalysisUpkeep(breakdownProperties: ["plan"])
        try await database.withWorkers(2, configuration: configuration) { client, _ in
            for phase in traffic.phases {
                for (source, payloads) in phase { try await database.stage(payloads, source: source, client: client) }
                // Small batches with the analysis upkeep, started while every other suite migrates
                // its database: a CI run under a neighbour's load was seen to need over 60 s.
                try await database.waitUntilDrained(timeout: .seconds(180))
            }
        }
        #expect(try await database.scalar("SELECT count(*)::int FROM events") == traffic.events.count)
        try await expectLinks(traffic.links(), in: database)

        var erased: Set<String> = []
        // An anonymously seen, later identified user; a person who stays anonymous; a user whose
        // first events arrived late.
        for person in ["", "u4", "a2", "u7"] {
            if !person.isEmpty {
                let status = try await withQueryAPI(database) { api in
                    try await api.call("/v1/users/\(person)", method: .delete).status
                }
                #expect(status == .ok)
                erased.insert(person)
                try await expectLinks(traffic.links(erased: erased), in: database)
            }
            try await compare(traffic, database, erased: erased, start: start)
        }
        try await database.drop()
    }

    func expectLinks(_ links: [String: String], in database: TestDatabase) async throws {
        let stored = try await database.withConnection { connection in
            var stored: [String: String] = [:]
            let rows = try await connection.query(
                "SELECT anonymous_id, user_id FROM identity_links", logger: database.logger)
            for try await (anonymous, user) in rows.decode((String, String).self) { stored[anonymous] = user }
            return stored
        }
        #expect(stored == links)
    }

    func compare(_ traffic: AnalysisTraffic, _ database: TestDatabase, erased: Set<String>, start: Date) async throws {
        let label = "erased \(erased.sorted())"
        let ranges = [
            (start, start.addingTimeInterval(40 * 86_400)),
            (start.addingTimeInterval(5 * 86_400 + 420), start.addingTimeInterval(19 * 86_400 + 780)),
        ]
        try await withAnalysisAPI(database, kept: ["plan"]) { api in
            for (from, to) in ranges {
                let range = "from=\(encoded(iso(from)))&to=\(encoded(iso(to)))"
                for steps in Self.funnels {
                    for window in Self.windows {
                        let query = steps.map { "step=\($0)" }.joined(separator: "&")
                        let answer = try await api.get("/v1/stats/funnel?\(query)&within=\(window.text)&\(range)")
                        #expect(answer.status == .ok)
                        let truth = traffic.funnel(steps, within: window.seconds, from: from, to: to, erased: erased)
                        let people = answer.data.compactMap { $0["people"] as? Int }
                        #expect(people == truth, "\(label): \(steps) within \(window.text) from \(iso(from))")
                        #expect(answer.data.compactMap { $0["event"] as? String } == steps)
                        #expect(answer.data.compactMap { $0["step"] as? Int } == Array(1...steps.count))
                        let conversions = answer.data.compactMap { ($0["conversion"] as? NSNumber)?.doubleValue }
                        let ratios = truth.map { truth[0] == 0 ? 0 : Double($0) / Double(truth[0]) }
                        #expect(conversions.count == ratios.count)
                        #expect(zip(conversions, ratios).allSatisfy { abs($0 - $1) < 1e-9 })
                    }
                }
                for (interval, days, periods) in [("day", 1, 8), ("day", 1, 30), ("week", 7, 5)] {
                    let answer = try await api.get(
                        "/v1/stats/retention?interval=\(interval)&periods=\(periods)&\(range)")
                    #expect(answer.status == .ok)
                    var cohorts: [Date: [Int]] = [:]
                    for row in answer.data {
                        let cohort = try #require(ISO8601.parse(row["cohort"] as? String ?? ""))
                        let returned = row["returned"] as? [Int] ?? []
                        #expect(row["people"] as? Int == returned.first)
                        cohorts[cohort] = returned
                    }
                    let truth = traffic.retention(days: days, from: from, to: to, periods: periods, erased: erased)
                    #expect(
                        cohorts == truth, "\(label): retention by \(interval), \(periods) periods from \(iso(from))")
                }
            }
            for (from, to) in ranges {
                for event in ["View", "Pay"] {
                    let answer = try await api.get(
                        "/v1/stats/breakdown?event=\(event)&property=plan&limit=100&from=\(encoded(iso(from)))&to=\(encoded(iso(to)))"
                    )
                    #expect(answer.status == .ok)
                    #expect(
                        Self.values(answer) == traffic.breakdown(event, from: from, to: to, erased: erased),
                        "\(label): kept breakdown of \(event)")
                    let counts = answer.data.compactMap { $0["count"] as? Int }
                    #expect(counts == counts.sorted(by: >))
                }
            }
        }
        // The same breakdowns counted from events (the property not kept), within 31 days.
        try await withAnalysisAPI(database, kept: []) { api in
            let (from, to) = ranges[1]
            for event in ["View", "Signup"] {
                let answer = try await api.get(
                    "/v1/stats/breakdown?event=\(event)&property=plan&from=\(encoded(iso(from)))&to=\(encoded(iso(to)))"
                )
                #expect(answer.status == .ok)
                #expect(
                    Self.values(answer) == traffic.breakdown(event, from: from, to: to, erased: erased),
                    "\(label): breakdown of \(event) from events")
            }
            let top = try await api.get(
                "/v1/stats/breakdown?event=View&property=plan&limit=2&from=\(encoded(iso(from)))&to=\(encoded(iso(to)))"
            )
            #expect(top.data.count == 2)
        }
    }

    /// An answer's (value, count) rows, the values decoded from their JSON.
    static func values(_ answer: Answer) -> [AnalysisTraffic.PlanValue: Int] {
        var result: [AnalysisTraffic.PlanValue: Int] = [:]
        for row in answer.data {
            let value: AnalysisTraffic.PlanValue
            switch row["value"] {
            case let text as String: value = .text(text)
            // JSONSerialization gives a Bool as an NSNumber of type char.
            case let number as NSNumber where String(cString: number.objCType) == "c": value = .flag(number.boolValue)
            case let number as NSNumber: value = .number(number.intValue)
            default: value = .null
            }
            result[value] = row["count"] as? Int
        }
        return result
    }

    @Test func everyBadParameterIsA400NamingIt() async throws {
        let database = try await TestDatabase.create("analysis_params")
        let steps = (1...11).map { "step=E\($0)" }
        let cases: [(uri: String, parameter: String)] = [
            ("/v1/stats/funnel?step=A", "step"),
            ("/v1/stats/funnel", "step"),
            ("/v1/stats/funnel?\(steps.joined(separator: "&"))", "step"),
            ("/v1/stats/funnel?step=A&step=", "step"),
            ("/v1/stats/funnel?step=A&step=B&within=P1M", "within"),
            ("/v1/stats/funnel?step=A&step=B&within=P1Y", "within"),
            ("/v1/stats/funnel?step=A&step=B&within=PT4M59S", "within"),
            ("/v1/stats/funnel?step=A&step=B&within=P90DT1S", "within"),
            ("/v1/stats/funnel?step=A&step=B&within=P13W", "within"),
            ("/v1/stats/funnel?step=A&step=B&within=PT5.5M", "within"),
            ("/v1/stats/funnel?step=A&step=B&within=P", "within"),
            ("/v1/stats/funnel?step=A&step=B&within=PT", "within"),
            ("/v1/stats/funnel?step=A&step=B&within=P1DT", "within"),
            ("/v1/stats/funnel?step=A&step=B&within=1D", "within"),
            ("/v1/stats/funnel?step=A&step=B&within=PT1H2D", "within"),
            ("/v1/stats/funnel?step=A&step=B&within=P1D&within=P2D", "within"),
            ("/v1/stats/funnel?step=A&step=B&from=2026-01-01T00:00:00Z&to=2026-04-02T00:00:00Z", "from"),
            ("/v1/stats/funnel?step=A&step=B&from=yesterday", "from"),
            ("/v1/stats/retention?interval=month", "interval"),
            ("/v1/stats/retention?periods=0", "periods"),
            ("/v1/stats/retention?periods=31", "periods"),
            ("/v1/stats/retention?periods=two", "periods"),
            ("/v1/stats/retention?from=2025-01-01T00:00:00Z&to=2026-02-01T00:00:00Z", "from"),
            ("/v1/stats/breakdown?property=plan", "event"),
            ("/v1/stats/breakdown?event=View", "property"),
            ("/v1/stats/breakdown?event=View&property=plan&limit=0", "limit"),
            ("/v1/stats/breakdown?event=View&property=plan&from=2026-01-01T00:00:00Z&to=2026-02-01T00:01:00Z", "from"),
        ]
        try await withAnalysisAPI(database, kept: ["kept"]) { api in
            for (uri, parameter) in cases {
                let answer = try await api.get(uri)
                #expect(answer.status == .badRequest, "\(uri)")
                #expect(answer.code == "invalid_parameter", "\(uri)")
                let message = answer.json["message"] as? String ?? ""
                #expect(message.contains(parameter), "\(uri): \(message)")
            }
            for uri in [
                "/v1/stats/funnel?step=A&step=B&within=PT5M", "/v1/stats/funnel?step=A&step=B&within=P90D",
                "/v1/stats/funnel?step=A&step=B&within=P2W", "/v1/stats/funnel?step=A&step=B&within=P1DT2H30M15S",
                "/v1/stats/funnel?step=A&step=B&step=A&step=B&step=A&step=B&step=A&step=B&step=A&step=B",
                "/v1/stats/retention?interval=week&periods=30", "/v1/stats/retention?periods=1",
                // A kept property has no 31-day limit.
                "/v1/stats/breakdown?event=View&property=kept&from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z",
            ] {
                let answer = try await api.get(uri)
                #expect(answer.status == .ok, "\(uri): \(answer.json)")
            }
        }
        try await database.drop()
    }

    /// A breakdown from events past the statement timeout says to keep the property, and a funnel
    /// past it to narrow the range: 503s, not hangs. The reads wait on a lock the test holds.
    @Test func slowReadsAnswer503WithAdvice() async throws {
        let database = try await TestDatabase.create("analysis_timeout")
        try await database.withConnection { connection in
            try await connection.query(
                PostgresQuery(
                    unsafeSQL: #"ALTER DATABASE "\#(database.url.database)" SET statement_timeout = '200ms'"#),
                logger: database.logger)
        }
        try await database.withConnection { holder in
            try await holder.query("BEGIN", logger: database.logger)
            try await holder.query("LOCK TABLE events IN ACCESS EXCLUSIVE MODE", logger: database.logger)
            try await withAnalysisAPI(database, kept: []) { api in
                let breakdown = try await api.get("/v1/stats/breakdown?event=View&property=plan")
                #expect(breakdown.status == .serviceUnavailable)
                #expect(breakdown.code == "breakdown_timeout")
                #expect((breakdown.json["message"] as? String)?.contains("TRACKER_BREAKDOWN_PROPERTIES") == true)
                let funnel = try await api.get("/v1/stats/funnel?step=A&step=B")
                #expect(funnel.status == .serviceUnavailable)
                #expect(funnel.code == "query_timeout")
            }
            try await holder.query("ROLLBACK", logger: database.logger)
        }
        try await database.drop()
    }
}
