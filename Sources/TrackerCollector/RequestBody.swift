import CompressNIO
import Foundation
import Hummingbird
import TrackerHTTP

/// Reads a collector request's body: JSON only, gzip inflated with the size capped while inflating.
enum RequestBody {
    static func collect(_ request: Request, limit: Int) async throws(APIError) -> ByteBuffer {
        if let contentType = request.headers[.contentType], !isJSON(contentType) {
            throw APIError(
                .unsupportedMediaType, code: "unsupported_media_type",
                message: "Send the body as JSON (Content-Type: application/json), not \(contentType).")
        }
        let encoding = request.headers[.contentEncoding]?.lowercased().trimmingCharacters(in: .whitespaces)
        let gzip: Bool
        switch encoding {
        case nil, "", "identity": gzip = false
        case "gzip", "x-gzip": gzip = true
        default:
            throw APIError(
                .unsupportedMediaType, code: "unsupported_encoding",
                message: "Content-Encoding \(encoding!) is not supported; send identity or gzip.")
        }
        var buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch {
            throw tooLarge(limit)
        }
        guard gzip else { return buffer }
        do {
            return try buffer.decompress(with: .gzip(), maxSize: limit)
        } catch let error as CompressNIOError where error == .bufferOverflow {
            throw tooLarge(limit)
        } catch {
            throw .badRequest("invalid_gzip", "The body is not valid gzip data.")
        }
    }

    static func tooLarge(_ limit: Int) -> APIError {
        APIError(
            .contentTooLarge, code: "request_too_large",
            message: "The request body is larger than \(limit / 1024) KB (after decompression).")
    }

    /// `application/json`, `application/*+json`, `text/json`, and `text/plain` that browser beacons send.
    static func isJSON(_ contentType: String) -> Bool {
        let mediaType =
            contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return mediaType == "application/json" || mediaType == "text/json" || mediaType == "text/plain"
            || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json"))
    }
}
