import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// A 4xx/5xx with the product's error body: `{"success":false,"code":"…","message":"…"}`.
public struct APIError: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    /// Machine-readable, stable: clients branch on it.
    public var code: String
    /// For a person: what is wrong and, where it helps, what to do.
    public var message: String
    /// Seconds a client should wait before retrying (429 and 503).
    public var retryAfter: Int?
    /// Ends the connection after the answer: the rest of the request was never read.
    public var closesConnection: Bool

    public init(
        _ status: HTTPResponse.Status, code: String, message: String, retryAfter: Int? = nil,
        closesConnection: Bool = false
    ) {
        self.status = status
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
        self.closesConnection = closesConnection
    }

    struct Body: Encodable {
        var success = false
        var code: String
        var message: String
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        if closesConnection { headers[.connection] = "close" }
        let data = try JSONEncoder().encode(Body(code: code, message: message))
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension APIError {
    public static func badRequest(_ code: String, _ message: String) -> APIError {
        APIError(.badRequest, code: code, message: message)
    }

    public static func unavailable(_ code: String, _ message: String, retryAfter: Int) -> APIError {
        APIError(.serviceUnavailable, code: code, message: message, retryAfter: retryAfter)
    }

    /// What every server answers while PostgreSQL cannot be reached.
    public static let databaseUnavailable = unavailable(
        "database_unavailable", "The database is unavailable; retry shortly.", retryAfter: 2)

    /// What `/readyz` answers while the database lacks a migration this binary knows.
    public static let schemaOutdated = unavailable(
        "schema_outdated", "The database schema is behind this version; run `tracker migrate`.", retryAfter: 5)
}

/// The answer to a failure of what a server stands on (its database), which this module cannot
/// recognise: each server passes its store's classification; `nil` leaves the failure a 500.
public typealias FailureAnswer = @Sendable (any Error) -> APIError?

/// Answers unknown routes and unexpected failures with the product's error body, so no client ever
/// sees an empty 404 or a bare 500; a failure `answer` recognises (a lost database connection) gets
/// its answer, a 503 with `Retry-After`.
public struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let answer: FailureAnswer

    public init(answering answer: @escaping FailureAnswer) {
        self.answer = answer
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as HTTPError {
            let code =
                switch error.status {
                case .notFound: "not_found"
                case .methodNotAllowed: "method_not_allowed"
                case .contentTooLarge: "request_too_large"
                case .unsupportedMediaType: "unsupported_media_type"
                default: error.status.code < 500 ? "bad_request" : "internal_error"
                }
            let message = error.body ?? error.status.reasonPhrase
            throw APIError(error.status, code: code, message: message)
        } catch let error as any HTTPResponseError {
            // Errors that render their own body (the original tracker's 400) pass through untouched.
            throw error
        } catch {
            if let answer = answer(error) {
                context.logger.warning(
                    "request failed", metadata: ["code": "\(answer.code)", "error": "\(String(reflecting: error))"])
                throw answer
            }
            context.logger.error("unexpected error", metadata: ["error": "\(String(reflecting: error))"])
            throw APIError(.internalServerError, code: "internal_error", message: "An unexpected error occurred.")
        }
    }
}
