import Foundation
import Hummingbird
import TrackerCore
import TrackerHTTP

/// The `/v1` read API: events with keyset cursors, stats from the rollups, failed events and their
/// replay, and erasure.
public struct QueryController<Context: RequestContext>: Sendable {
    let repository: any QueryRepository

    public init(repository: any QueryRepository) {
        self.repository = repository
    }

    static var day: Int64 { 86_400 }
    /// Years 0001 to 9999, the times an ISO 8601 parameter can name.
    static var plausibleMicros: ClosedRange<Int64> { -62_135_596_800_000_000...253_402_300_799_999_999 }

    public func addRoutes(to router: Router<Context>) {
        let v1 = router.group("v1")
        v1.get("events", use: events)
        v1.get("stats/top-events", use: topEvents)
        v1.get("stats/timeseries", use: timeseries)
        v1.get("stats/active-users", use: activeUsers)
        v1.get("failed-events", use: failedEvents)
        v1.post("failed-events/replay", use: replay)
        v1.delete("users/:id", use: eraseUser)
        v1.get("messages/:messageId", use: receipt)
    }

    @Sendable func events(_ request: Request, context: Context) async throws -> Response {
        let parameters = try QueryParameters(request)
        let (from, to) = try parameters.range()
        let filter = EventFilter(
            userId: try parameters.text("user_id"), anonymousId: try parameters.text("anonymous_id"),
            event: try parameters.text("event", maxLength: 200),
            type: try parameters.choice("type", of: MessageType.self)?.rawValue,
            from: from, to: to)
        let limit = try parameters.integer("limit", in: 1...1000, default: 100)
        let cursor = try PageCursor.from(parameters, kind: "e", keyCount: 2, filters: filter.fingerprint)
        let after = cursor.map { EventPosition(timestampMicros: $0.keys[0], id: $0.keys[1]) }
        // A hand-made cursor could carry a time PostgreSQL cannot represent.
        if let after, !Self.plausibleMicros.contains(after.timestampMicros) {
            throw QueryParameters.invalid("cursor is not one this API returned; pass next_cursor unchanged.")
        }
        // One row more than asked says whether there is a next page, without counting.
        let rows = try await repository.events(filter, after: after, limit: limit + 1)
        let page = rows.prefix(limit)
        let next =
            rows.count > limit
            ? page.last.map {
                PageCursor(kind: "e", keys: [$0.key.timestampMicros, $0.key.id], filters: filter.fingerprint).text
            } : nil
        return Response.json(
            #"{"data":[\#(page.map(\.json).joined(separator: ","))],"next_cursor":\#(Self.json(next))}"#)
    }

    @Sendable func topEvents(_ request: Request, context: Context) async throws -> Response {
        let parameters = try QueryParameters(request)
        let now = try await repository.freshness()
        let range = try parameters.statsRange(defaultSpan: 30 * Self.day, now: now)
        let limit = try parameters.integer("limit", in: 1...1000, default: 10)
        let plan = RollupPlan(from: range.from, to: range.to, coarsest: .day)
        let rows = try await repository.topEvents(plan, limit: limit)
        let data = rows.map { #"{"event":\#(JSONValue.quoted($0.event)),"count":\#($0.count)}"# }
        return Self.stats(data, asOf: now)
    }

    @Sendable func timeseries(_ request: Request, context: Context) async throws -> Response {
        let parameters = try QueryParameters(request)
        let now = try await repository.freshness()
        let interval = try parameters.choice("interval", default: RollupLevel.hour)
        let range = try parameters.statsRange(defaultSpan: interval == .day ? 30 * Self.day : Self.day, now: now)
        if interval == .minute && range.to - range.from > 7 * Self.day {
            throw QueryParameters.invalid("A minute timeseries spans at most 7 days; use interval=hour or day.")
        }
        let event = try parameters.text("event", maxLength: 200)
        let plan = RollupPlan(from: range.from, to: range.to, coarsest: interval)
        let rows = try await repository.countSeries(plan, interval: interval, event: event)
        return Self.stats(Self.buckets(rows, field: "count"), asOf: now)
    }

    @Sendable func activeUsers(_ request: Request, context: Context) async throws -> Response {
        let parameters = try QueryParameters(request)
        let now = try await repository.freshness()
        let interval = try parameters.choice("interval", default: ActivityInterval.day)
        let range = try parameters.statsRange(defaultSpan: 30 * Self.day, now: now)
        let from = Date(timeIntervalSince1970: Double(range.from))
        let to = Date(timeIntervalSince1970: Double(range.to))
        let rows: [(bucket: Date, count: Int64)]
        var asOf = now
        if let view = interval.view {
            // Weeks and months are distinct counts over days: materialized views, as of their refresh.
            let refreshed = try await repository.refreshTimes()[view]
            rows = try await repository.activePeople(per: interval, from: from, to: to, fromView: refreshed != nil)
            if let refreshed { asOf = refreshed }
        } else {
            let first = UTCDay(from)
            let last = UTCDay(Date(timeIntervalSince1970: Double(range.to - 1)))
            rows = try await repository.activePeoplePerDay(from: first, to: last.adding(days: 1))
        }
        return Self.stats(Self.buckets(rows, field: "users"), asOf: asOf)
    }

    @Sendable func failedEvents(_ request: Request, context: Context) async throws -> Response {
        let parameters = try QueryParameters(request)
        let reason = try parameters.text("reason", maxLength: 100)
        let limit = try parameters.integer("limit", in: 1...1000, default: 100)
        let filters = [reason ?? "\u{0}"]
        let cursor = try PageCursor.from(parameters, kind: "f", keyCount: 1, filters: filters)
        let rows = try await repository.failedEvents(reason: reason, beforeId: cursor?.keys[0], limit: limit + 1)
        let page = rows.prefix(limit)
        let next =
            rows.count > limit ? page.last.map { PageCursor(kind: "f", keys: [$0.key], filters: filters).text } : nil
        return Response.json(
            #"{"data":[\#(page.map(\.json).joined(separator: ","))],"next_cursor":\#(Self.json(next))}"#)
    }

    @Sendable func replay(_ request: Request, context: Context) async throws -> Response {
        let selection = try await ReplayRequest.read(request)
        let replayed = try await repository.replay(selection)
        return Response.json(#"{"replayed":\#(replayed)}"#)
    }

    @Sendable func eraseUser(_ request: Request, context: Context) async throws -> Response {
        let raw = context.parameters.get("id") ?? ""
        let person = raw.removingPercentEncoding ?? raw
        guard !person.isEmpty, person.utf8.count <= 256, !person.unicodeScalars.contains("\u{0}") else {
            throw QueryParameters.invalid("The user id in the path must be 1 to 256 bytes (UTF-8) long, without NUL.")
        }
        let counts = try await repository.erase(person: person)
        return Response.json(
            #"{"user_id":\#(JSONValue.quoted(person)),"deleted":{"events":\#(counts.events),"staged":\#(counts.staged),"#
                + #""failed_events":\#(counts.failedEvents),"active_days":\#(counts.activeDays)}}"#)
    }

    static func json(_ text: String?) -> String { text.map(JSONValue.quoted) ?? "null" }

    static func buckets(_ rows: [(bucket: Date, count: Int64)], field: String) -> [String] {
        rows.map { #"{"bucket":"\#(ISO8601.string(from: $0.bucket))","\#(field)":\#($0.count)}"# }
    }

    /// A stats answer. Counts come from rollups the move transaction keeps current, so their
    /// `as_of` is the time of the read (`QueryRepository.freshness`: a read standby's replay
    /// point); active people per week and month are as of their refresh.
    static func stats(_ data: [String], asOf: Date) -> Response {
        Response.json(#"{"data":[\#(data.joined(separator: ","))],"as_of":"\#(ISO8601.string(from: asOf))"}"#)
    }
}
