import Foundation
import NIOCore
import TrackerHTTP

/// posthog-js's fallback encoding, used when it has not been told gzip-js is supported:
/// `?compression=base64` with an `application/x-www-form-urlencoded` body `data=<base64 of the JSON>`.
enum PostHogForm {
    /// The JSON the form's `data` field carries: base64-decoded, or as it is when it is already JSON.
    static func json(from body: ByteBuffer) throws(APIError) -> ByteBuffer {
        let text = String(buffer: body)
        let field = text.split(separator: "&").first { $0.hasPrefix("data=") }.map { $0.dropFirst(5) }
        // `+` is kept: base64 holds no spaces, and clients that do not escape it mean a `+`.
        guard let value = field.flatMap({ String($0).removingPercentEncoding }) else {
            throw .badRequest("invalid_form", "A form body must carry the events as data=<base64 of the JSON>.")
        }
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("{") || trimmed.hasPrefix("[") { return ByteBuffer(string: trimmed) }
        let padded = trimmed + String(repeating: "=", count: (4 - trimmed.utf8.count % 4) % 4)
        guard let data = Data(base64Encoded: padded) ?? Data(base64Encoded: trimmed) else {
            throw .badRequest("invalid_base64", "The form's data field is not base64.")
        }
        return ByteBuffer(bytes: data)
    }
}
