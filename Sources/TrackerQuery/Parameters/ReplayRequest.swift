import Hummingbird
import TrackerCore
import TrackerHTTP

/// The body of `POST /v1/failed-events/replay`: `{"ids":[…]}` or `{"reason":"…"}`, exactly one.
enum ReplayRequest {
    static let maximumIds = 1_000

    static func read(_ request: Request) async throws -> ReplaySelection {
        let buffer = try await request.body.collect(upTo: 256 * 1024)
        let body: JSONValue
        do {
            body = try JSONValue(parsing: String(buffer: buffer))
        } catch {
            throw APIError.badRequest("invalid_json", "The body is not valid JSON.")
        }
        guard let members = body.objectValue else {
            throw APIError.badRequest("invalid_body", #"The body must be an object: {"ids":[…]} or {"reason":"…"}."#)
        }
        switch (members["ids"], members["reason"]) {
        case (.array(let elements)?, nil):
            guard (1...maximumIds).contains(elements.count) else {
                throw APIError.badRequest("invalid_body", "ids must list 1 to \(maximumIds) failed-event ids.")
            }
            var ids: [Int64] = []
            for element in elements {
                guard case .number(let text) = element, let id = Int64(text), id > 0 else {
                    throw APIError.badRequest("invalid_body", "ids must be positive integers.")
                }
                ids.append(id)
            }
            return .ids(ids)
        case (nil, .string(let reason)?)
        where !reason.isEmpty && reason.count <= 100 && !reason.unicodeScalars.contains("\u{0}"):
            return .reason(reason)
        case (nil, _?):
            throw APIError.badRequest("invalid_body", "reason must be a reason code of 1 to 100 characters.")
        case (_?, nil):
            throw APIError.badRequest("invalid_body", "ids must be an array of failed-event ids.")
        default:
            throw APIError.badRequest("invalid_body", #"Give either "ids" or "reason", not both and not neither."#)
        }
    }
}
