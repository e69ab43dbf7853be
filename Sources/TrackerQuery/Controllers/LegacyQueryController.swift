import Foundation
import HTTPTypes
import Hummingbird
import TrackerCore
import TrackerHTTP

/// The original tracker's read endpoints, answering its shapes so its clients switch unchanged:
/// offset paging with a total, and its two stats, now served from the rollups.
public struct LegacyQueryController<Context: RequestContext>: Sendable {
    let repository: any QueryRepository

    public init(repository: any QueryRepository) {
        self.repository = repository
    }

    /// The deepest page: PostgreSQL reads and drops every row an offset skips, so deeper pages cost
    /// ever more; a time range reaches them by index instead.
    static var maximumOffset: Int { 10_000 }

    public func addRoutes(to router: Router<Context>) {
        router.get("events", use: legacy(events))
        router.get("stats/top-event-types", use: legacy(topEventTypes))
        router.get("stats/events-per-minute", use: legacy(eventsPerMinute))
    }

    /// Bad parameters answer in both shapes: the product's error body and the original's
    /// `error`/`details`.
    func legacy(_ handler: @escaping @Sendable (Request, Context) async throws -> Response)
        -> @Sendable (Request, Context) async throws -> Response
    {
        { request, context in
            do {
                return try await handler(request, context)
            } catch let error as APIError where error.status == .badRequest {
                throw LegacyQueryError(code: error.code, message: error.message)
            }
        }
    }

    @Sendable func events(_ request: Request, context: Context) async throws -> Response {
        let parameters = try QueryParameters(request)
        let (from, to) = try parameters.range()
        let filter = EventFilter(
            userId: try parameters.text("userId"), event: try parameters.text("type", maxLength: 200), from: from,
            to: to)
        let limit = try parameters.integer("limit", in: 1...500, default: 100)
        let offset = try parameters.integer(
            "offset", in: 0...Self.maximumOffset, default: 0,
            advice: "To read further back, narrow the time range with from and to.")
        let (rows, total) = try await repository.legacyEvents(filter, limit: limit, offset: offset)
        return Response.json(
            #"{"data":[\#(rows.joined(separator: ","))],"total":\#(total),"limit":\#(limit),"offset":\#(offset)}"#)
    }

    @Sendable func topEventTypes(_ request: Request, context: Context) async throws -> Response {
        let parameters = try QueryParameters(request)
        let range = try parameters.statsRange(defaultSpan: 30 * 86_400, now: Date())
        let limit = try parameters.integer("limit", in: 1...1000, default: 10)
        let plan = RollupPlan(from: range.from, to: range.to, coarsest: .day)
        let rows = try await repository.topEvents(plan, limit: limit)
        let data = rows.map { #"{"eventType":\#(JSONValue.quoted($0.event)),"count":\#($0.count)}"# }
        return Response.json(#"{"data":[\#(data.joined(separator: ","))]}"#)
    }

    @Sendable func eventsPerMinute(_ request: Request, context: Context) async throws -> Response {
        let parameters = try QueryParameters(request)
        let range = try parameters.statsRange(defaultSpan: 86_400, now: Date())
        if range.to - range.from > 7 * 86_400 {
            throw QueryParameters.invalid("events-per-minute spans at most 7 days.")
        }
        let plan = RollupPlan(from: range.from, to: range.to, coarsest: .minute)
        let rows = try await repository.countSeries(plan, interval: .minute, event: nil)
        let data = rows.map { #"{"minute":"\#(ISO8601.string(from: $0.bucket))","count":\#($0.count)}"# }
        return Response.json(#"{"data":[\#(data.joined(separator: ","))]}"#)
    }
}

/// A 400 of the original tracker's endpoints: the product's fields plus the original's.
struct LegacyQueryError: HTTPResponseError {
    var code: String
    var message: String
    var status: HTTPResponse.Status { .badRequest }

    struct Body: Encodable {
        var success = false
        var code: String
        var message: String
        var error = "Invalid query"
        var details: [String]
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = try JSONEncoder().encode(Body(code: code, message: message, details: [message]))
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
