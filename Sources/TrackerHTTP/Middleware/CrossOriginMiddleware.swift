import HTTPTypes
import Hummingbird

/// What a server tells browsers about calls from other origins.
public struct CrossOriginPolicy: Sendable {
    public var origins: AllowedOrigins
    public var methods: [HTTPRequest.Method]
    public var headers: [HTTPField.Name]
    /// Whether a page may send its cookies along (`Access-Control-Allow-Credentials: true`).
    /// Snowplow's and PostHog's browser trackers send theirs by default, and a browser refuses
    /// such a call's answer unless the server allows credentials for that very origin.
    public var allowsCredentials: Bool
    /// Paths answered without CORS headers (probes and metrics: a web page has no business there).
    public var exemptPaths: Set<String>
    /// How long a browser may reuse a preflight's answer.
    public var maxAgeSeconds = 86_400

    public init(
        origins: AllowedOrigins, methods: [HTTPRequest.Method], headers: [HTTPField.Name],
        allowsCredentials: Bool = false, exemptPaths: Set<String> = []
    ) {
        self.origins = origins
        self.methods = methods
        self.headers = headers
        self.allowsCredentials = allowsCredentials
        self.exemptPaths = exemptPaths
    }

    /// No CORS headers anywhere.
    public static let disabled = CrossOriginPolicy(origins: .none, methods: [], headers: [])
}

/// CORS for a whole router: preflights answered `204`, and `Access-Control-Allow-Origin` (the
/// request's own origin) on every answer to an allowed origin, errors included, so a page can read
/// why a request failed. It sits outside the error middleware, whose refusals it renders to add
/// the headers.
///
/// An origin that is not allowed gets no CORS headers and is otherwise answered as usual, its
/// preflight included (`204` without them, which the browser refuses). Hummingbird's
/// `CORSMiddleware` takes its origins as a variadic, not a configured list, and answers `*`, which
/// browsers refuse for calls that send cookies.
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
        guard policy.origins != .none, !policy.exemptPaths.contains(request.uri.path) else {
            return try await next(request, context)
        }
        let origin = request.headers[.origin]
        let allowOrigin = origin.flatMap { policy.origins.allowOrigin(for: $0) }
        if request.method == .options, origin != nil {
            var headers: HTTPFields = [.vary: "Origin"]
            if let allowOrigin {
                headers[.accessControlAllowOrigin] = allowOrigin
                headers[.accessControlAllowMethods] = allowMethods
                headers[.accessControlAllowHeaders] = allowHeaders
                headers[.accessControlMaxAge] = String(policy.maxAgeSeconds)
                if policy.allowsCredentials { headers[.accessControlAllowCredentials] = "true" }
            }
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
            if policy.allowsCredentials { response.headers[.accessControlAllowCredentials] = "true" }
        }
        // Every answer, with an Origin or without: the echoed origin makes each one depend on it, and
        // a cache must not hand one page's answer (or one without headers) to another.
        response.headers.append(HTTPField(name: .vary, value: "Origin"))
        return response
    }
}
