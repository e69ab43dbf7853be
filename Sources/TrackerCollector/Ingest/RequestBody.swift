import CompressNIO
import Foundation
import Hummingbird
import TrackerHTTP
import TrackerStore

/// Reads a collector request's body: JSON only, gzip inflated with the size capped while inflating.
enum RequestBody {
    /// `gzipped`: the body is gzip whatever `Content-Encoding` says (PostHog's `?compression=gzip-js`).
    /// `form`: the body is a form its caller decodes (PostHog's `?compression=base64`), not JSON.
    static func collect(
        _ request: Request, limit: Int, timeout: Duration, gzipped: Bool = false, form: Bool = false
    ) async throws(APIError) -> ByteBuffer {
        if !form, let contentType = request.headers[.contentType], !isJSON(contentType) {
            throw APIError(
                .unsupportedMediaType, code: "unsupported_media_type",
                message: "Send the body as JSON (Content-Type: application/json), not \(contentType).")
        }
        let encoding = request.headers[.contentEncoding]?.lowercased().trimmingCharacters(in: .whitespaces)
        let gzip: Bool
        switch encoding {
        case nil, "", "identity": gzip = gzipped
        case "gzip", "x-gzip": gzip = true
        default:
            throw APIError(
                .unsupportedMediaType, code: "unsupported_encoding",
                message: "Content-Encoding \(encoding!) is not supported; send identity or gzip.")
        }
        var buffer: ByteBuffer
        do {
            // A body that stalls ends with `BodyDeadlineExceeded`, thrown in by `BodyDeadlineHandler`.
            buffer = try await request.body.collect(upTo: limit)
        } catch is BodyDeadlineExceeded {
            throw APIError(
                .requestTimeout, code: "body_timeout",
                message: "The request body did not arrive within \(timeout.components.seconds) s.",
                closesConnection: true)
        } catch {
            throw tooLarge(limit)
        }
        guard gzip else { return buffer }
        let invalid = APIError.badRequest("invalid_gzip", "The body is not valid gzip data.")
        // A gzip stream ends with its uncompressed size mod 2^32; the inflater does not insist on
        // reaching that trailer, so a truncated body would otherwise pass as shorter JSON.
        guard buffer.readableBytes >= 18,
            let declaredSize = buffer.getInteger(
                at: buffer.writerIndex - 4, endianness: .little, as: UInt32.self)
        else { throw invalid }
        let inflated: ByteBuffer
        do {
            inflated = try buffer.decompress(with: .gzip(), maxSize: limit)
        } catch let error as CompressNIOError where error == .bufferOverflow {
            throw tooLarge(limit)
        } catch {
            throw invalid
        }
        guard UInt32(truncatingIfNeeded: inflated.readableBytes) == declaredSize else { throw invalid }
        return inflated
    }

    static func tooLarge(_ limit: Int) -> APIError {
        APIError(
            .contentTooLarge, code: "request_too_large",
            message: "The request body is larger than \(limit / 1024) KB (after decompression).")
    }

    /// `application/json`, `application/*+json`, `text/json`, and `text/plain` that browser beacons send.
    static func isJSON(_ contentType: String) -> Bool {
        // What nearly every client sends, answered without splitting and lowercasing.
        if contentType == "application/json" || contentType == "application/json; charset=utf-8" { return true }
        let mediaType =
            contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return mediaType == "application/json" || mediaType == "text/json" || mediaType == "text/plain"
            || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json"))
    }
}
