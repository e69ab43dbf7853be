import Foundation
import Hummingbird
import TrackerCore
import TrackerHTTP
import TrackerStore

/// The analysis endpoints: funnels over `events`, retention cohorts and property breakdowns from
/// the rollups the workers keep.
public struct AnalysisController<Context: RequestContext>: Sendable {
    let repository: any AnalysisRepository
    /// `TRACKER_BREAKDOWN_PROPERTIES`: the properties the workers keep counts of.
    let keptProperties: Set<String>

    public init(repository: any AnalysisRepository, keptProperties: Set<String>) {
        self.repository = repository
        self.keptProperties = keptProperties
    }

    static var day: Int64 { 86_400 }
    /// `within`'s bounds: PT5M to P90D.
    static var withinRange: ClosedRange<Int64> { 300...(90 * day) }

    public func addRoutes(to router: Router<Context>) {
        let stats = router.group("v1/stats")
        stats.get("funnel", use: funnel)
        stats.get("retention", use: retention)
        stats.get("breakdown", use: breakdown)
    }

    @Sendable func funnel(_ request: Request, context: Context) async throws -> Response {
        let parameters = try QueryParameters(request, repeatable: ["step"])
        let now = try await repository.freshness()
        let steps = parameters.values("step")
        guard (2...10).contains(steps.count) else {
            throw QueryParameters.invalid(
                "step must be given 2 to 10 times, once per step in order; got \(steps.count).")
        }
        for step in steps where step.isEmpty || step.utf8.count > 200 || step.unicodeScalars.contains("\u{0}") {
            throw QueryParameters.invalid("step must be an event name of 1 to 200 bytes (UTF-8), without NUL.")
        }
        let within = try Self.within(parameters)
        let range = try parameters.statsRange(defaultSpan: 30 * Self.day, now: now)
        try Self.limitSpan(range, to: 90, what: "A funnel's first steps")
        let people = try await repository.funnel(
            steps: steps, within: within, from: Self.date(range.from), to: Self.date(range.to))
        let first = people.first ?? 0
        let data = zip(steps, people).enumerated().map { index, step in
            let conversion = first == 0 ? 0 : Double(step.1) / Double(first)
            return #"{"step":\#(index + 1),"event":\#(JSONValue.quoted(step.0)),"people":\#(step.1),"#
                + #""conversion":\#(conversion)}"#
        }
        return QueryController<Context>.stats(data, asOf: now)
    }

    @Sendable func retention(_ request: Request, context: Context) async throws -> Response {
        let parameters = try QueryParameters(request)
        let now = try await repository.freshness()
        let interval = try parameters.choice("interval", default: RetentionInterval.day)
        let periods = try parameters.integer("periods", in: 1...30, default: 8)
        let range = try parameters.statsRange(defaultSpan: 30 * Self.day, now: now)
        try Self.limitSpan(range, to: 366, what: "Retention cohorts")
        let cohorts = try await repository.retention(
            interval: interval, from: Self.date(range.from), to: Self.date(range.to), periods: periods)
        let data = cohorts.map { cohort in
            #"{"cohort":"\#(ISO8601.string(from: cohort.cohort))","people":\#(cohort.returned[0]),"#
                + #""returned":[\#(cohort.returned.map(String.init).joined(separator: ","))]}"#
        }
        return QueryController<Context>.stats(data, asOf: now)
    }

    @Sendable func breakdown(_ request: Request, context: Context) async throws -> Response {
        let parameters = try QueryParameters(request)
        let now = try await repository.freshness()
        guard let event = try parameters.text("event", maxLength: 200) else {
            throw QueryParameters.invalid("event is required: the event name whose counts are broken down.")
        }
        guard let property = try parameters.text("property", maxLength: 200) else {
            throw QueryParameters.invalid("property is required: a top-level key of the events' properties.")
        }
        let limit = try parameters.integer("limit", in: 1...1000, default: 10)
        let range = try parameters.statsRange(defaultSpan: 30 * Self.day, now: now)
        let kept = keptProperties.contains(property)
        if !kept {
            try Self.limitSpan(
                range, to: 31,
                what: "A breakdown of a property not in TRACKER_BREAKDOWN_PROPERTIES (counted from the events)")
        }
        let rows: [(value: String, count: Int64)]
        do {
            rows = try await repository.breakdown(
                event: event, property: property, from: Self.date(range.from), to: Self.date(range.to), limit: limit,
                kept: kept)
        } catch  where !kept && isStatementTimeout(error) {
            throw APIError.unavailable(
                "breakdown_timeout",
                "Counting \(property) from the stored events took too long; add it to TRACKER_BREAKDOWN_PROPERTIES "
                    + "so the workers keep its counts, or narrow the range with from and to.",
                retryAfter: 5)
        }
        // `value` is PostgreSQL's JSON text of the value: inserted as it is.
        let data = rows.map { #"{"value":\#($0.value),"count":\#($0.count)}"# }
        return QueryController<Context>.stats(data, asOf: now)
    }

    static func within(_ parameters: QueryParameters) throws -> Int64 {
        guard let text = try parameters.text("within", maxLength: 40) else { return day }
        guard let duration = ISODuration(parsing: text), withinRange.contains(duration.seconds) else {
            throw QueryParameters.invalid(
                "within must be an ISO 8601 duration from PT5M to P90D, such as PT30M, P1D or P2W "
                    + "(days, hours, minutes, seconds or weeks, in whole numbers); got \(QueryParameters.show(text)).")
        }
        return duration.seconds
    }

    static func limitSpan(_ range: (from: Int64, to: Int64), to days: Int64, what: String) throws {
        if range.to - range.from > days * day {
            throw QueryParameters.invalid("from and to span at most \(days) days here: \(what) must lie within it.")
        }
    }

    static func date(_ seconds: Int64) -> Date { Date(timeIntervalSince1970: Double(seconds)) }
}
