import Foundation
import Hummingbird
import TrackerCore
import TrackerHTTP
import TrackerStore

/// PostHog's capture API: its SDKs send here unchanged once their host points at the collector. Each
/// event becomes a Segment message (`PostHogBody`) and goes through the same group commit, limits,
/// backpressure and worker validation as Segment's.
extension CollectorController {
    /// The capture paths PostHog's SDKs use; each answers with or without its final slash.
    static let postHogPaths = ["/capture", "/batch", "/e", "/i/v0/e"]

    func addPostHogRoutes(to router: Router<some RequestContext>) {
        for path in Self.postHogPaths {
            router.post(RouterPath(path)) { request, _ in
                try await counted { try await postHogCapture(request) }
            }
        }
    }

    func postHogCapture(_ request: Request) async throws -> Response {
        let receivedAt = Date()
        let headerKey = try checkedHeaderKey(request)
        let body = try await RequestBody.collect(
            request, limit: configuration.limits.maxRequestBytes, timeout: configuration.bodyTimeout,
            gzipped: try Self.postHogCompression(request))
        let limits = configuration.limits
        let result = body.withUnsafeReadableBytes { bytes -> Result<TranslatedBody, IngestRejection> in
            do throws(IngestRejection) {
                return .success(try PostHogBody.translate(bytes, limits: limits))
            } catch {
                return .failure(error)
            }
        }
        let translated: TranslatedBody
        switch result {
        case .success(let body): translated = body
        case .failure(let rejection): throw Self.apiError(rejection)
        }
        if headerKey == nil, configuration.writeKeys.isEnabled, translated.writeKeys.count > 1 {
            throw APIError(
                .unauthorized, code: "invalid_write_key",
                message: "The events name \(translated.writeKeys.count) different project keys; send one per request.")
        }
        let source = try authenticate(headerKey ?? translated.writeKeys.first)
        let time = ISO8601.string(from: receivedAt)
        var rows = StagedRows(reservingCapacity: translated.text.count, rows: translated.messages.count)
        let envelopeId = translated.envelope.map { rows.addEnvelope($0) }
        translated.text.withUnsafeBytes { text in
            for message in translated.messages {
                rows.append(
                    receivedAt: time, source: source.name, kind: .segment, impliedType: nil,
                    messageId: Self.storable(message.messageId) ?? MessageID.next(),
                    payload: UnsafeRawBufferPointer(rebasing: text[message.range]), envelopeId: envelopeId)
            }
        }
        try await stage(rows, source: source, protocol: .posthog)
        return Response.json(#"{"status":1}"#)
    }

    /// `?compression=`: `gzip-js` (posthog-js) or `gzip` inflate the body whatever its
    /// `Content-Encoding`; the older `lz64` and `base64` encodings are refused by name.
    static func postHogCompression(_ request: Request) throws(APIError) -> Bool {
        switch request.uri.queryParameters["compression"].map(String.init) {
        case nil, "", "none": return false
        case "gzip-js", "gzip": return true
        case let other?:
            throw APIError(
                .unsupportedMediaType, code: "unsupported_encoding",
                message: "compression=\(other.prefix(32)) is not supported; send gzip-js, gzip or none.")
        }
    }
}
