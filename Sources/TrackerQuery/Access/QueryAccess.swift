import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import TrackerHTTP

/// Who may use the query API. Read tokens read; admin tokens, when configured, are the only ones
/// that erase and replay, and read too. With no read tokens the API is in protected mode, like
/// Redis's: it answers only clients on its own machine, so a laptop works and a pod whose secret
/// is missing does not serve the world.
public struct QueryAccess: Sendable, Equatable {
    public var readTokens: ReadTokens
    public var adminTokens: ReadTokens
    /// The web pages that may call the API from a browser (`TRACKER_QUERY_CORS_ORIGINS`); none by
    /// default, since it serves private data.
    public var crossOrigins: AllowedOrigins

    public init(
        readTokens: ReadTokens = ReadTokens(), adminTokens: ReadTokens = ReadTokens(),
        crossOrigins: AllowedOrigins = .none
    ) {
        self.readTokens = readTokens
        self.adminTokens = adminTokens
        self.crossOrigins = crossOrigins
    }

    /// What every server keeps open: probes, metrics and the API description; and the Explorer
    /// page's files, which hold no data (the page's `/v1` calls are checked like any other).
    static let openPaths = Set(["/healthz", "/readyz", "/metrics", "/openapi.json"]).union(Explorer.paths)

    /// Why a request may not go on, or nil when it may. Reads are GETs; erasure and replay, the
    /// routes that change data, are not, so no spelling of their paths slips past the admin check.
    func refusal(method: HTTPRequest.Method, path: String, authorization: String?, client: SocketAddress?)
        -> APIError?
    {
        if Self.openPaths.contains(path) { return nil }
        let token = authorization.flatMap(Self.bearerToken)
        let isAdmin = token.map(adminTokens.accepts) ?? false
        if method != .get && method != .head && adminTokens.isEnabled {
            if isAdmin { return nil }
            return token.map(readTokens.accepts) == true ? Self.adminTokenRequired : Self.invalidAdminToken
        }
        if isAdmin { return nil }
        if readTokens.isEnabled {
            return token.map(readTokens.accepts) == true ? nil : Self.invalidReadToken
        }
        return client?.isLoopback == true ? nil : Self.protectedMode
    }

    /// What refuses to start: a `CHANGE-ME` placeholder left from an example secret, naming its variable.
    public var placeholderProblem: String? {
        let named = [("TRACKER_READ_TOKENS", readTokens), ("TRACKER_ADMIN_TOKENS", adminTokens)]
        guard let variable = named.first(where: { $0.1.hasPlaceholder })?.0 else { return nil }
        return "\(variable) still holds the placeholder CHANGE-ME; set real tokens before starting."
    }

    /// Says at start which rules apply.
    func log(to logger: Logger) {
        if readTokens.isEnabled {
            logger.info("Reads need a bearer token of TRACKER_READ_TOKENS")
        } else {
            logger.warning(
                "TRACKER_READ_TOKENS is empty: protected mode, the query API answers only clients on this machine (loopback)"
            )
        }
        if adminTokens.isEnabled {
            logger.info("Erasure and replay need a bearer token of TRACKER_ADMIN_TOKENS")
        } else {
            logger.notice("TRACKER_ADMIN_TOKENS is empty: whoever may read may also erase and replay")
        }
    }

    static func bearerToken(_ header: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1])
    }

    static let invalidReadToken = APIError(
        .unauthorized, code: "invalid_token",
        message: "Send a read token configured in TRACKER_READ_TOKENS as Authorization: Bearer <token>.")
    static let invalidAdminToken = APIError(
        .unauthorized, code: "invalid_token",
        message: "Erasure and replay need an admin token configured in TRACKER_ADMIN_TOKENS, sent as "
            + "Authorization: Bearer <token>.")
    static let adminTokenRequired = APIError(
        .forbidden, code: "admin_token_required",
        message: "A read token cannot erase or replay; send an admin token configured in TRACKER_ADMIN_TOKENS.")
    static let protectedMode = APIError(
        .unauthorized, code: "protected_mode",
        message: "TRACKER_READ_TOKENS is empty, so this query API answers only clients on its own machine. "
            + "Configure TRACKER_READ_TOKENS and send a token as Authorization: Bearer <token>.")
}

/// Applies `QueryAccess` to every request, with the client's address from the context.
struct QueryAccessMiddleware<Context: RemoteAddressRequestContext>: RouterMiddleware {
    let access: QueryAccess

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let refusal = access.refusal(
            method: request.method, path: request.uri.path, authorization: request.headers[.authorization],
            client: context.remoteAddress)
        if let refusal { throw refusal }
        return try await next(request, context)
    }
}
