import HTTPTypes
import Hummingbird
import Logging

/// Echoes the request id that is on every log line of the request, so a client report can be
/// matched to the logs.
public struct RequestIDMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            var response = try await next(request, context)
            response.headers[.requestID] = context.id
            return response
        } catch let error as any HTTPResponseError {
            var response = try error.response(from: request, context: context)
            response.headers[.requestID] = context.id
            return response
        }
    }
}

extension HTTPField.Name {
    public static let requestID = HTTPField.Name("X-Request-Id")!
}
