import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle
import Testing
import TrackerHTTP
import TrackerQuery
import TrackerStore
import TrackerTestSupport

/// The query API on `database`, served on 127.0.0.1 and driven over HTTP: a loopback client, as
/// protected mode (no read tokens) requires.
func withQueryAPI<Result: Sendable>(
    _ database: TestDatabase,
    readTokens: ReadTokens = ReadTokens(),
    adminTokens: ReadTokens = ReadTokens(),
    _ body: @Sendable @escaping (any TestClientProtocol) async throws -> Result
) async throws -> Result {
    Observability.bootstrapMetrics()
    return try await database.withClient { client in
        let app = buildQueryApplication(
            client: client, readTokens: readTokens, adminTokens: adminTokens, address: .hostname("127.0.0.1", port: 0),
            logger: database.logger)
        return try await app.test(.live) { client in try await body(client) }
    }
}

/// The query API served on `host`, an address of this machine, with a client connected to that
/// address: the server sees the client at `host`, so anything but loopback looks like another
/// machine while no traffic leaves this one.
func withQueryAPI<Result: Sendable>(
    _ database: TestDatabase,
    servedOn host: String,
    access: QueryAccess,
    _ body: @Sendable @escaping (TestClient) async throws -> Result
) async throws -> Result {
    Observability.bootstrapMetrics()
    return try await database.withClient { client in
        let (ports, port) = AsyncStream.makeStream(of: Int.self)
        let router = buildQueryRouter(
            repository: PostgresQueryRepository(client: client, logger: database.logger), access: access,
            readiness: databaseReadiness(client: client, logger: database.logger))
        let app = Application(
            router: router, configuration: .init(address: .hostname(host, port: 0)),
            onServerRunning: { port.yield($0.localAddress?.port ?? 0) }, logger: database.logger)
        let server = ServiceGroup(configuration: .init(services: [app], logger: database.logger))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            defer { group.cancelAll() }
            var listening = ports.makeAsyncIterator()
            let port = try #require(await listening.next())
            let result = try await TestClient.withClient(host: host, port: port) { try await body($0) }
            await server.triggerGracefulShutdown()
            try await group.waitForAll()
            return result
        }
    }
}

/// A decoded JSON answer.
struct Answer {
    var status: HTTPResponse.Status
    var json: [String: Any]
    /// Seconds, where the answer says when to retry.
    var retryAfter: Int?

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
        try await execute(
            uri: uri, method: method, headers: Answer.headers(token: token), body: body.map { ByteBuffer(string: $0) }
        ) { response in try Answer(response.status, headers: response.headers, body: response.body) }
    }
}

extension TestClient {
    func call(_ uri: String, method: HTTPRequest.Method, body: String? = nil, token: String? = nil) async throws
        -> Answer
    {
        let response = try await execute(
            .init(uri, method: method, headers: Answer.headers(token: token), body: body.map { ByteBuffer(string: $0) })
        )
        return try Answer(response.status, headers: response.headers, body: response.body ?? ByteBuffer())
    }
}

extension Answer {
    init(_ status: HTTPResponse.Status, headers: HTTPFields, body: ByteBuffer) throws {
        let object = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]
        self.init(status: status, json: object ?? [:], retryAfter: headers[.retryAfter].flatMap { Int($0) })
    }

    static func headers(token: String?) -> HTTPFields {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return headers
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
