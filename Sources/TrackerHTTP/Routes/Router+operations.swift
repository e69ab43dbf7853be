import Hummingbird
import Logging
import Prometheus

/// What `/readyz` asks of the database beneath a server: whether its schema is the one this binary
/// expects; it throws when the database cannot answer.
public typealias ReadinessCheck = @Sendable () async throws -> Bool

extension Router {
    /// What every server runs first: request metrics, request ids, CORS by `crossOrigin`, and the
    /// product's error body for anything that fails, with `answer` for the failures of its database.
    public func addCommonMiddleware(
        answering answer: @escaping FailureAnswer, crossOrigin: CrossOriginPolicy = .disabled
    ) {
        addMiddleware {
            RequestMetricsMiddleware()
            RequestIDMiddleware()
            CrossOriginMiddleware(crossOrigin)
            APIErrorMiddleware(answering: answer)
        }
    }

    /// `/healthz`, `/readyz`, `/metrics` and `/openapi.json` (the server's API description), which
    /// every server serves without authentication.
    public func addOperationRoutes(readiness: @escaping ReadinessCheck, openAPI document: String) {
        get("/healthz") { _, _ in
            Response.json(#"{"status":"ok"}"#)
        }
        get("/readyz") { _, _ in
            let current: Bool
            do {
                current = try await readiness()
            } catch {
                throw APIError.databaseUnavailable
            }
            guard current else { throw APIError.schemaOutdated }
            return Response.json(#"{"status":"ready"}"#)
        }
        get("/metrics") { _, _ in
            var bytes: [UInt8] = []
            Observability.registry.emit(into: &bytes)
            bytes = MetricHelp.annotate(bytes)
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        get("/openapi.json") { _, _ in Response.json(document) }
    }
}

extension Response {
    /// A JSON response from already-encoded text.
    public static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
