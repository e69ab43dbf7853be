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
        let encoding = try Self.postHogEncoding(request)
        var body = try await RequestBody.collect(
            request, limit: configuration.limits.maxRequestBytes, timeout: configuration.bodyTimeout,
            gzipped: encoding == .gzip, form: encoding == .base64Form)
        if encoding == .base64Form { body = try PostHogForm.json(from: body) }
        let limits = configuration.limits
        let result = body.withUnsafeReadableBytes { bytes -> Result<TranslatedBody, IngestRejection> in
            do throws(IngestRejection) {
                return .success(try PostHogBody.translate(bytes, limits: limits, receivedAt: receivedAt))
            } catch {
                return .failure(error)
            }
        }
        let translated: TranslatedBody
        switch result {
        case .success(let body): translated = body
        case .failure(let rejection): throw Self.apiError(rejection)
        }
        let source = try source(
            headerKey: headerKey, bodyKeys: translated.writeKeys,
            missing: "Send your project API key (a write key of this collector) as \"api_key\" in the body.",
            several: "The events name different project keys; send one key per request.")
        let time = ISO8601.string(from: receivedAt)
        var rows = StagedRows(reservingCapacity: translated.text.count, rows: translated.messages.count)
        let envelopeId = translated.envelope.map { rows.addEnvelope($0) }
        translated.text.withUnsafeBytes { text in
            for message in translated.messages {
                rows.appendTranslated(
                    UnsafeRawBufferPointer(rebasing: text[message.range]), messageId: message.messageId,
                    receivedAt: time, source: source, envelopeId: envelopeId)
            }
        }
        try await stage(rows, source: source, protocol: .posthog)
        return Response.json(#"{"status":1}"#)
    }

    enum PostHogEncoding {
        case json, gzip, base64Form
    }

    /// `?compression=`: `gzip-js` (posthog-js) or `gzip` inflate the body whatever its
    /// `Content-Encoding`; `base64`, or a form body, carries base64 JSON in a `data` field
    /// (`PostHogForm`); posthog-js's older `lz64` is refused by name.
    static func postHogEncoding(_ request: Request) throws(APIError) -> PostHogEncoding {
        switch request.uri.queryParameters["compression"].map(String.init) {
        case nil, "", "none":
            let form = request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded")
            return form == true ? .base64Form : .json
        case "gzip-js", "gzip": return .gzip
        case "base64": return .base64Form
        case let other?:
            throw APIError(
                .unsupportedMediaType, code: "unsupported_encoding",
                message: "compression=\(other.prefix(32)) is not supported; send gzip-js, gzip, base64 or none.")
        }
    }
}
