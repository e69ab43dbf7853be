import HTTPTypes
import Hummingbird
import NIOCore

/// Serves the Explorer page. The page holds no data, so its files need no token; everything it
/// shows comes from `/v1` calls, which the access rules check as any other client's.
enum Explorer {
    /// A file ready to answer: its bytes and headers are built once.
    struct Served: Sendable {
        let body: ByteBuffer
        let headers: HTTPFields
        let etag: String

        /// The file, or 304 when the browser's copy is this one.
        func answer(_ request: Request) -> Response {
            if request.headers[.ifNoneMatch]?.contains(etag) == true {
                return Response(status: .notModified, headers: headers)
            }
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
        }
    }

    /// The page may load only its own files and call only its own origin: no inline script, no
    /// other host, no framing.
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    static let files: [String: Served] = Dictionary(
        uniqueKeysWithValues: ExplorerAsset.embedded.map { asset in
            let etag = asset.etag
            let headers: HTTPFields = [
                .contentType: asset.contentType,
                // Revalidated on every load (the ETag makes that a 304), so a new binary's page is
                // never mixed with an old cached module.
                .cacheControl: "no-cache",
                .eTag: etag,
                .contentSecurityPolicy: contentSecurityPolicy,
                .xContentTypeOptions: "nosniff",
                .referrerPolicy: "no-referrer",
                .xFrameOptions: "DENY",
            ]
            return (asset.path, Served(body: ByteBuffer(string: asset.text), headers: headers, etag: etag))
        })

    /// Every path the page is served at, which the access rules leave open.
    static var paths: Set<String> { Set(files.keys) }

    static func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        for (path, served) in files {
            router.get(RouterPath(path)) { request, _ in served.answer(request) }
            router.head(RouterPath(path)) { request, _ in
                let answer = served.answer(request)
                var headers = answer.headers
                headers[.contentLength] = String(served.body.readableBytes)
                return Response(status: answer.status, headers: headers)
            }
        }
    }
}

extension HTTPField.Name {
    static let contentSecurityPolicy = Self("Content-Security-Policy")!
    static let xContentTypeOptions = Self("X-Content-Type-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
    static let xFrameOptions = Self("X-Frame-Options")!
}
