import Foundation
import HTTPTypes
import Hummingbird
import TrackerCore
import TrackerHTTP
import TrackerStore

/// The collector's endpoints: Segment's HTTP Tracking API, the original tracker's `POST /events`, and
/// the other SDK protocols, each translated into Segment messages at the edge.
public struct CollectorController: Sendable {
    let writer: StagingWriter
    let configuration: CollectorConfiguration
    let rateLimiter: RateLimiter?
    let metrics: CollectorMetrics

    init(writer: StagingWriter, configuration: CollectorConfiguration, metrics: CollectorMetrics) {
        self.writer = writer
        self.configuration = configuration
        self.rateLimiter = configuration.rateLimit.map { RateLimiter(rate: $0) }
        self.metrics = metrics
    }

    /// Every protocol's routes, one line each.
    public func addRoutes(to router: Router<some RequestContext>) {
        addSegmentRoutes(to: router)
        addPostHogRoutes(to: router)
        addSnowplowRoutes(to: router)
    }

    /// Segment's HTTP Tracking API and the original tracker's `POST /events`.
    func addSegmentRoutes(to router: Router<some RequestContext>) {
        router.post("/v1/batch") { request, context in
            try await counted { try await batch(request) }
        }
        for type in MessageType.allCases {
            router.post(RouterPath("/v1/\(type.rawValue)")) { request, context in
                try await counted { try await single(request, type: type) }
            }
        }
        router.post("/events") { request, context in
            try await counted { try await legacyEvent(request) }
        }
    }

    /// Counts every refusal by its machine code before it reaches the client.
    func counted(_ handler: () async throws -> Response) async throws -> Response {
        do {
            return try await handler()
        } catch let error as APIError {
            metrics.rejected(code: error.code)
            throw error
        }
    }

    func batch(_ request: Request) async throws -> Response {
        let receivedAt = Date()
        let headerKey = try checkedHeaderKey(request)
        let body = try await RequestBody.collect(
            request, limit: configuration.limits.maxRequestBytes, timeout: configuration.bodyTimeout)
        let limits = configuration.limits
        let scanned = try scan(body) { bytes throws(IngestRejection) in
            try IngestBody.scanBatch(bytes, limits: limits)
        }
        let source = try authenticate(headerKey ?? scanned.writeKey)
        let rows = Self.rows(
            of: scanned, in: body, receivedAt: receivedAt, source: source.name, impliedType: nil,
            envelope: scanned.envelope)
        try await stage(rows, source: source, protocol: .segment)
        return Response.json(#"{"success":true}"#)
    }

    func single(_ request: Request, type: MessageType) async throws -> Response {
        let receivedAt = Date()
        let headerKey = try checkedHeaderKey(request)
        let body = try await RequestBody.collect(
            request, limit: configuration.limits.maxRequestBytes, timeout: configuration.bodyTimeout)
        let limits = configuration.limits
        let scanned = try scan(body) { bytes throws(IngestRejection) in
            try IngestBody.scanMessage(bytes, type: type, limits: limits)
        }
        let source = try authenticate(headerKey ?? scanned.writeKey)
        var scannedWithId = scanned
        if let key = try idempotencyKey(request), Self.storable(scanned.messages[0].messageId) == nil {
            scannedWithId.messages[0].messageId = MessageID.derived(
                source: source.name, endpoint: type.rawValue, idempotencyKey: key)
        }
        let rows = Self.rows(
            of: scannedWithId, in: body, receivedAt: receivedAt, source: source.name, impliedType: type.rawValue,
            envelope: nil)
        try await stage(rows, source: source, protocol: .segment)
        return Response.json(#"{"success":true}"#)
    }

    func legacyEvent(_ request: Request) async throws -> Response {
        let receivedAt = Date()
        let headerKey = try checkedHeaderKey(request)
        let source = try authenticate(headerKey)
        let key = try idempotencyKey(request)
        let body = try await RequestBody.collect(
            request, limit: configuration.limits.maxMessageBytes, timeout: configuration.bodyTimeout)
        let named = try Self.legacySource(of: body)
        // With write keys the key decides the source; a body naming another one is refused, not
        // believed.
        if configuration.writeKeys.isEnabled, let named, named != source.name {
            throw LegacyPayloadError(details: [
                "\"source\" must be this write key's source (\(source.name)) or left out"
            ])
        }
        let sourceName = configuration.writeKeys.isEnabled ? source.name : named ?? source.name
        let eventId =
            key.map { MessageID.derived(source: sourceName, endpoint: "events", idempotencyKey: $0) }
            ?? MessageID.next()
        // The body as it came, cut straight into COPY text like a Segment message's slice.
        var rows = StagedRows(reservingCapacity: body.readableBytes, rows: 1)
        body.withUnsafeReadableBytes { bytes in
            rows.append(
                receivedAt: ISO8601.string(from: receivedAt), source: sourceName, kind: .legacy, impliedType: nil,
                messageId: eventId, payload: bytes, envelopeId: nil)
        }
        try await stage(rows, source: source, protocol: .tracker)
        return Response.json(#"{"status":"accepted","eventId":"\#(eventId)"}"#, status: .accepted)
    }

    /// A legacy body's `source` (nil when absent), checked by the byte scanner; a body it does not
    /// plainly accept is decoded in full, which lists what is wrong the original tracker's way.
    static func legacySource(of body: ByteBuffer) throws(LegacyPayloadError) -> String? {
        if let accepted = body.withUnsafeReadableBytes({ LegacyEvent.scanAccepted($0) }) { return accepted }
        let decoded = body.withUnsafeReadableBytes { bytes in
            Result { () throws(JSONScanError) in LegacyEvent.decode(try JSONValue(parsing: bytes)) }
        }
        switch decoded {
        case .success(.success(let event)): return event.source
        case .success(.failure(let problems)): throw LegacyPayloadError(details: problems.details)
        case .failure(let error):
            throw LegacyPayloadError(details: ["The body is not valid JSON: \(error.description)"])
        }
    }

    /// The `Idempotency-Key` header: a retry with the same key gets the same server-made id, so the
    /// dedupe window stores it once.
    private func idempotencyKey(_ request: Request) throws(APIError) -> String? {
        guard let key = request.headers[.idempotencyKey] else { return nil }
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw .badRequest(
                "invalid_idempotency_key", "Idempotency-Key must be 1 to 255 visible ASCII characters.")
        }
        return key
    }

    /// Scans a body.
    private func scan(
        _ body: ByteBuffer,
        _ scanner: (UnsafeRawBufferPointer) throws(IngestRejection) -> ScannedBody
    ) throws(APIError) -> ScannedBody {
        let result = body.withUnsafeReadableBytes { bytes -> Result<ScannedBody, IngestRejection> in
            do throws(IngestRejection) {
                return .success(try scanner(bytes))
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(let scanned): return scanned
        case .failure(let rejection): throw Self.apiError(rejection)
        }
    }

    /// The rows to stage: each message's raw bytes cut out of the body straight into COPY text.
    static func rows(
        of scanned: ScannedBody, in body: ByteBuffer, receivedAt: Date, source: String, impliedType: String?,
        envelope: String?
    ) -> StagedRows {
        let time = ISO8601.string(from: receivedAt)
        var rows = StagedRows(reservingCapacity: body.readableBytes, rows: scanned.messages.count)
        // Stored once for the request; each message names it.
        let envelopeId = envelope.map { rows.addEnvelope($0) }
        body.withUnsafeReadableBytes { bytes in
            for message in scanned.messages {
                rows.append(
                    receivedAt: time, source: source, kind: .segment, impliedType: impliedType,
                    messageId: storable(message.messageId) ?? MessageID.next(),
                    payload: UnsafeRawBufferPointer(rebasing: bytes[message.range]), envelopeId: envelopeId)
            }
        }
        return rows
    }

    static func apiError(_ rejection: IngestRejection) -> APIError {
        switch rejection {
        case .invalidJSON: .badRequest("invalid_json", rejection.message)
        case .invalidShape: .badRequest("invalid_shape", rejection.message)
        case .missingField: .badRequest("missing_field", rejection.message)
        case .messageTooLarge: APIError(.contentTooLarge, code: "message_too_large", message: rejection.message)
        case .tooManyMessages: APIError(.contentTooLarge, code: "too_many_messages", message: rejection.message)
        case .envelopeTooLarge: APIError(.contentTooLarge, code: "envelope_too_large", message: rejection.message)
        }
    }

    struct Source {
        var name: String
        /// What the rate limit counts against.
        var key: String
    }

    /// A write key in a Basic header is checked before the body is read, so bad keys cost nothing.
    func checkedHeaderKey(_ request: Request) throws(APIError) -> String? {
        guard configuration.writeKeys.isEnabled, let key = WriteKeys.basicUsername(request.headers) else {
            return nil
        }
        guard configuration.writeKeys.sources[key] != nil else { throw Self.invalidWriteKey }
        return key
    }

    func authenticate(_ key: String?) throws(APIError) -> Source {
        guard configuration.writeKeys.isEnabled else {
            return Source(name: WriteKeys.defaultSource, key: WriteKeys.defaultSource)
        }
        guard let key else {
            throw APIError(
                .unauthorized, code: "missing_write_key",
                message: "Send your write key as the HTTP Basic username or as \"writeKey\" in the body.")
        }
        guard let name = configuration.writeKeys.sources[key] else { throw Self.invalidWriteKey }
        return Source(name: name, key: key)
    }

    static let invalidWriteKey = APIError(
        .unauthorized, code: "invalid_write_key", message: "The write key is not one this collector knows.")

    /// Stages a request's rows through the group commit, counted under the protocol they came by.
    func stage(_ rows: StagedRows, source: Source, protocol: IngestProtocol) async throws(APIError) {
        if let rateLimiter, let wait = rateLimiter.acquire(rows.count, for: source.key) {
            throw APIError(
                .tooManyRequests, code: "rate_limited",
                message: "This write key is over its limit of \(rateLimiter.rate.formatted()) messages a second.",
                retryAfter: wait)
        }
        do {
            try await writer.stage(rows)
        } catch StagingError.backlogFull(let backlog) {
            throw .unavailable(
                "backlog_full", "The pipeline is behind (\(backlog) messages waiting); retry shortly.", retryAfter: 5)
        } catch StagingError.overloaded {
            throw .unavailable("collector_overloaded", "The collector is at capacity; retry shortly.", retryAfter: 1)
        } catch StagingError.shuttingDown {
            throw .unavailable("shutting_down", "The collector is shutting down; retry.", retryAfter: 1)
        } catch StagingError.unstorable(let reason) {
            throw .badRequest("unstorable_message", "PostgreSQL cannot store this request's messages: \(reason)")
        } catch {
            throw .databaseUnavailable
        }
        metrics.accepted(rows.count, source: rows.source ?? source.name, protocol: `protocol`)
    }

    /// The messageId to stage: an empty one counts as missing, or every such message would be one
    /// duplicate of the first.
    static func storable(_ messageId: String?) -> String? {
        guard let messageId, !messageId.isEmpty else { return nil }
        return messageId
    }
}

/// The original tracker's 400: `{"error":"Invalid payload","details":[…],"required":[…]}`.
struct LegacyPayloadError: HTTPResponseError {
    var details: [String]
    var status: HTTPResponse.Status { .badRequest }

    struct Body: Encodable {
        var error = "Invalid payload"
        var details: [String]
        var required = LegacyEvent.requiredFields
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = try JSONEncoder().encode(Body(details: details))
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension HTTPField.Name {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
}
