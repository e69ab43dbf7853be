import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PostgresNIO
import Testing
import TrackerHTTP
import TrackerQuery
import TrackerTestSupport

/// The query API on `database`, driven through HummingbirdTesting.
func withQueryAPI<Result: Sendable>(
    _ database: TestDatabase,
    readTokens: ReadTokens = ReadTokens(),
    _ body: @Sendable @escaping (any TestClientProtocol) async throws -> Result
) async throws -> Result {
    Observability.bootstrapMetrics()
    return try await database.withClient { client in
        let app = buildQueryApplication(
            client: client, readTokens: readTokens, address: .hostname("127.0.0.1", port: 0), logger: database.logger)
        return try await app.test(.router) { client in try await body(client) }
    }
}

/// A decoded JSON answer.
struct Answer {
    var status: HTTPResponse.Status
    var json: [String: Any]

    var data: [[String: Any]] { json["data"] as? [[String: Any]] ?? [] }
    var code: String? { json["code"] as? String }
    var nextCursor: String? { json["next_cursor"] as? String }
}

extension TestClientProtocol {
    func get(_ uri: String, token: String? = nil) async throws -> Answer {
        try await call(uri, method: .get, token: token)
    }

    func call(_ uri: String, method: HTTPRequest.Method, body: String? = nil, token: String? = nil) async throws
        -> Answer
    {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await execute(
            uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }
        ) { response in
            let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
            return Answer(status: response.status, json: object ?? [:])
        }
    }
}

/// Percent-encodes a query value (ISO 8601 offsets carry `+`).
func encoded(_ value: String) -> String {
    value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._~:"))) ?? value
}

func iso(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.string(from: date)
}

/// A Segment track call at `time`.
func trackCall(_ id: String, user: String, event: String, at time: Date, anonymous: String? = nil) -> String {
    let anonymousField = anonymous.map { #","anonymousId":"\#($0)""# } ?? ""
    return
        #"{"type":"track","messageId":"\#(id)","userId":"\#(user)"\#(anonymousField),"event":"\#(event)","timestamp":"\#(iso(time))","properties":{"n":1}}"#
}
