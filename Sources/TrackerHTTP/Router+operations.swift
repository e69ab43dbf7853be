import Hummingbird
import Logging
import Prometheus

/// What `/readyz` reports: the database answers and the schema is the one this binary expects.
public typealias ReadinessCheck = @Sendable () async -> Result<Void, APIError>

extension Router {
    /// What every server runs first: request metrics, request ids, and the product's error body for
    /// anything that fails.
    public func addCommonMiddleware() {
        addMiddleware {
            MetricsMiddleware()
            RequestIDMiddleware()
            APIErrorMiddleware()
        }
    }

    /// `/healthz`, `/readyz`, `/metrics` and `/openapi.json` (the server's API description), which
    /// every server serves without authentication.
    public func addOperationRoutes(readiness: @escaping ReadinessCheck, openAPI document: String) {
        get("/healthz") { _, _ in
            Response.json(#"{"status":"ok"}"#)
        }
        get("/readyz") { _, _ in
            switch await readiness() {
            case .success: return Response.json(#"{"status":"ready"}"#)
            case .failure(let error): throw error
            }
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
