import HTTPTypes
import Hummingbird

/// What a server tells browsers about calls from other origins.
public struct CrossOriginPolicy: Sendable {
    public var origins: AllowedOrigins
    /// The setting that lists `origins`, named when a preflight is refused.
    public var setting: String
    public var methods: [HTTPRequest.Method]
    public var headers: [HTTPField.Name]
    /// Paths answered without CORS headers (probes and metrics: a web page has no business there).
    public var exemptPaths: Set<String>
    /// How long a browser may reuse a preflight's answer.
    public var maxAgeSeconds = 86_400

    public init(
        origins: AllowedOrigins, setting: String, methods: [HTTPRequest.Method], headers: [HTTPField.Name],
        exemptPaths: Set<String> = []
    ) {
        self.origins = origins
        self.setting = setting
        self.methods = methods
        self.headers = headers
        self.exemptPaths = exemptPaths
    }

    /// No CORS headers anywhere.
    public static let disabled = CrossOriginPolicy(origins: .none, setting: "", methods: [], headers: [])
}

/// CORS for a whole router: preflights answered `204` for allowed origins, and
/// `Access-Control-Allow-Origin` on every answer, errors included, so a page can read why a request
/// failed. It sits outside the error middleware, whose refusals it renders to add the header.
///
/// Hummingbird's `CORSMiddleware` takes its origin list as a variadic, not a configured list, and
/// answers every preflight with the allowed methods whatever its origin; this one refuses a
/// disallowed origin's preflight (`403`, no CORS headers) and answers its other requests as usual.
public struct CrossOriginMiddleware<Context: RequestContext>: RouterMiddleware {
    let policy: CrossOriginPolicy
    let allowMethods: String
    let allowHeaders: String
    /// What a page may read of an answer beyond the simple headers: when to retry, and the id to report.
    static var exposedHeaders: String { "Retry-After, X-Request-Id" }

    public init(_ policy: CrossOriginPolicy) {
        self.policy = policy
        self.allowMethods = policy.methods.map(\.rawValue).joined(separator: ", ")
        self.allowHeaders = policy.headers.map(\.rawName).joined(separator: ", ")
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard policy.origins != .none, let origin = request.headers[.origin],
            !policy.exemptPaths.contains(request.uri.path)
        else {
            return try await next(request, context)
        }
        let allowOrigin = policy.origins.allowOrigin(for: origin)
        if request.method == .options {
            guard let allowOrigin else {
                var response = try APIError(
                    .forbidden, code: "origin_not_allowed",
                    message:
                        "Origin \(origin) is not allowed; add it to \(policy.setting) to call this server from that page."
                ).response(from: request, context: context)
                addVary(to: &response.headers)
                return response
            }
            var headers: HTTPFields = [
                .accessControlAllowOrigin: allowOrigin,
                .accessControlAllowMethods: allowMethods,
                .accessControlAllowHeaders: allowHeaders,
                .accessControlMaxAge: String(policy.maxAgeSeconds),
            ]
            addVary(to: &headers)
            return Response(status: .noContent, headers: headers)
        }
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        if let allowOrigin {
            response.headers[.accessControlAllowOrigin] = allowOrigin
            response.headers[.accessControlExposeHeaders] = Self.exposedHeaders
        }
        addVary(to: &response.headers)
        return response
    }

    /// An answer that depends on the origin says so, or a cache would hand one origin's answer to another.
    private func addVary(to headers: inout HTTPFields) {
        if case .list = policy.origins { headers.append(HTTPField(name: .vary, value: "Origin")) }
    }
}
