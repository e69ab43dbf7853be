import Foundation
import HTTPTypes
import Hummingbird
import TrackerCore
import TrackerHTTP
import TrackerStore

/// Snowplow's tracker protocol 2: the POST endpoint its trackers batch to and the GET pixel. Each
/// event becomes a Segment message staged like any other, through the same limits, write keys,
/// rate limit and group commit. Only the request as a whole is refused with a 4xx; an event that
/// cannot be translated is staged for the worker to refuse into `failed_events`.
extension CollectorController {
    func addSnowplowRoutes(to router: Router<some RequestContext>) {
        router.post("/com.snowplowanalytics.snowplow/tp2") { request, context in
            try await counted { try await snowplowPost(request) }
        }
        router.get("/i") { request, context in
            try await counted { try await snowplowPixel(request) }
        }
    }

    func snowplowPost(_ request: Request) async throws -> Response {
        let receivedAt = Date()
        let headerKey = try checkedHeaderKey(request)
        let body = try await RequestBody.collect(
            request, limit: configuration.limits.maxRequestBytes, timeout: configuration.bodyTimeout)
        let events: [[String: String]]
        do throws(SnowplowError) {
            events = try SnowplowPayload.events(in: body)
        } catch {
            throw APIError.badRequest("invalid_snowplow_payload", error.message)
        }
        guard events.count <= configuration.limits.maxBatchMessages else {
            throw CollectorController.apiError(
                .tooManyMessages(count: events.count, limit: configuration.limits.maxBatchMessages))
        }
        try await stageSnowplow(events, receivedAt: receivedAt, headerKey: headerKey, request: request)
        return Response.json(#"{"success":true}"#)
    }

    /// The pixel: one event in the query string, answered with a transparent GIF. Refusals are the
    /// collector's JSON errors: an image element only sees that the load failed.
    func snowplowPixel(_ request: Request) async throws -> Response {
        let receivedAt = Date()
        let headerKey = try checkedHeaderKey(request)
        let query = try FormQuery(request)
        guard !query.names.isEmpty else {
            throw APIError.badRequest(
                "invalid_snowplow_payload", "The pixel needs the event in its query string (e=pv…).")
        }
        var event: [String: String] = [:]
        for name in query.names { event[name] = query.value(name) }
        try await stageSnowplow([event], receivedAt: receivedAt, headerKey: headerKey, request: request)
        return Response(
            status: .ok, headers: [.contentType: "image/gif", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: Self.transparentGIF)))
    }

    /// Authenticates by `aid` (unless a Basic header already did), translates and stages `events`.
    private func stageSnowplow(
        _ events: [[String: String]], receivedAt: Date, headerKey: String?, request: Request
    ) async throws {
        // A tracker sends its app id with every event.
        let source = try source(
            headerKey: headerKey, bodyKeys: Set(events.map { $0["aid"] ?? "" }),
            missing: "Set the tracker's app id (aid) to your write key.",
            several: "Every event of a request must carry the same write key as its app id (aid).")
        let userAgent = request.headers[.userAgent]
        let limit = configuration.limits.maxMessageBytes
        let time = ISO8601.string(from: receivedAt)
        var rows = StagedRows(reservingCapacity: events.count * 1024, rows: events.count)
        for (index, fields) in events.enumerated() {
            let event: SnowplowEvent
            do throws(SnowplowError) {
                event = try SnowplowEvent(
                    fields, keepsAppId: !configuration.writeKeys.isEnabled, userAgent: userAgent)
            } catch {
                // Trackers do not retry a 400: refusing the request would lose its valid events.
                event = SnowplowEvent(
                    unmapped: fields, problem: error, keepsAppId: !configuration.writeKeys.isEnabled)
            }
            let bytes = event.message.count
            guard bytes <= limit else {
                throw CollectorController.apiError(.messageTooLarge(index: index, bytes: bytes, limit: limit))
            }
            event.message.withUnsafeBytes { payload in
                rows.appendTranslated(
                    payload, messageId: event.messageId, receivedAt: time, source: source, envelopeId: nil)
            }
        }
        try await stage(rows, source: source, protocol: .snowplow)
    }

    /// A 1×1 transparent GIF, what Snowplow's collector answers the pixel with.
    static let transparentGIF: [UInt8] = [
        0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF,
        0xFF, 0x21, 0xF9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2C, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00,
        0x00, 0x02, 0x01, 0x44, 0x00, 0x3B,
    ]
}
