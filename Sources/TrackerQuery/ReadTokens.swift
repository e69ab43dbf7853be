import Foundation
import HTTPTypes
import Hummingbird
import TrackerHTTP

/// The bearer tokens that may read (`TRACKER_READ_TOKENS=token,token`); none leaves reads open.
public struct ReadTokens: Sendable, Equatable {
    public var tokens: [String]

    public init(_ tokens: [String] = []) {
        self.tokens = tokens
    }

    public init(parsing text: String) {
        self.tokens = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    public var isEnabled: Bool { !tokens.isEmpty }

    /// Compares every byte of every token, so the time taken says nothing about how close a guess was.
    func accepts(_ candidate: String) -> Bool {
        var accepted = false
        for token in tokens {
            let a = Array(token.utf8)
            let b = Array(candidate.utf8)
            var difference = a.count ^ b.count
            for index in 0..<a.count { difference |= Int(a[index] ^ (index < b.count ? b[index] : 0)) }
            accepted = accepted || difference == 0
        }
        return accepted
    }
}

/// Asks for `Authorization: Bearer <token>` on every route except the operational ones and the
/// API description.
struct ReadTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    static var openPaths: Set<String> { ["/healthz", "/readyz", "/metrics", "/openapi.json"] }

    let tokens: ReadTokens

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        guard tokens.isEnabled, !Self.openPaths.contains(request.uri.path) else {
            return try await next(request, context)
        }
        let header = request.headers[.authorization] ?? ""
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", tokens.accepts(String(parts[1])) else {
            throw APIError(
                .unauthorized, code: "invalid_token",
                message: "Send a read token configured in TRACKER_READ_TOKENS as Authorization: Bearer <token>.")
        }
        return try await next(request, context)
    }
}
