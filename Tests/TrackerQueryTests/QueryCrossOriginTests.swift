import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import TrackerHTTP
import TrackerQuery
import TrackerTestSupport

/// The query API with `crossOrigins`, over loopback.
func withQueryAPI<Result: Sendable>(
    _ database: TestDatabase, readTokens: ReadTokens = ReadTokens(), crossOrigins: AllowedOrigins,
    _ body: @Sendable @escaping (any TestClientProtocol) async throws -> Result
) async throws -> Result {
    Observability.bootstrapMetrics()
    return try await database.withClient { client in
        let app = buildQueryApplication(
            client: client, readTokens: readTokens, crossOrigins: crossOrigins,
            address: .hostname("127.0.0.1", port: 0), logger: database.logger)
        return try await app.test(.live) { client in try await body(client) }
    }
}

/// The query API serves private data: CORS only for the origins of `TRACKER_QUERY_CORS_ORIGINS`.
@Suite struct QueryCrossOriginTests {
    @Test func onlyListedOriginsGetCORSAndPreflightsSkipTheTokenCheck() async throws {
        let database = try await TestDatabase.create("query_cors")
        try await withQueryAPI(database, readTokens: ReadTokens(["reader"]), crossOrigins: .list(["https://dash.test"]))
        {
            client in
            let preflight: HTTPFields = [
                .origin: "https://dash.test", .accessControlRequestMethod: "GET",
                .accessControlRequestHeaders: "authorization",
            ]
            try await client.execute(uri: "/v1/events", method: .options, headers: preflight) {
                #expect($0.status == .noContent)
                #expect($0.headers[.accessControlAllowOrigin] == "https://dash.test")
                #expect($0.headers[.accessControlAllowHeaders]?.contains("Authorization") == true)
                #expect($0.headers[.accessControlAllowCredentials] == nil, "tokens, not cookies")
            }
            let reader: HTTPFields = [.origin: "https://dash.test", .authorization: "Bearer reader"]
            try await client.execute(uri: "/v1/events", method: .get, headers: reader) {
                #expect($0.status == .ok && $0.headers[.accessControlAllowOrigin] == "https://dash.test")
            }
            try await client.execute(uri: "/v1/events", method: .get, headers: [.origin: "https://dash.test"]) {
                #expect($0.status == .unauthorized, "the token check still applies")
                #expect($0.headers[.accessControlAllowOrigin] == "https://dash.test", "and the page can read why")
            }
            var elsewhere = preflight
            elsewhere[.origin] = "https://evil.test"
            try await client.execute(uri: "/v1/events", method: .options, headers: elsewhere) {
                #expect($0.status == .noContent && $0.headers[.accessControlAllowOrigin] == nil)
                #expect($0.headers[.accessControlAllowCredentials] == nil, "tokens, not cookies")
            }
            try await client.execute(
                uri: "/v1/events", method: .get,
                headers: [.origin: "https://evil.test", .authorization: "Bearer reader"]
            ) {
                #expect($0.status == .ok && $0.headers[.accessControlAllowOrigin] == nil)
            }
        }
        try await database.drop()
    }

    @Test func noOriginIsAllowedByDefault() async throws {
        let database = try await TestDatabase.create("query_cors_default")
        try await withQueryAPI(database, crossOrigins: .none) { client in
            try await client.execute(uri: "/v1/events", method: .get, headers: [.origin: "https://dash.test"]) {
                #expect($0.status == .ok && $0.headers[.accessControlAllowOrigin] == nil)
            }
            try await client.execute(
                uri: "/v1/events", method: .options,
                headers: [.origin: "https://dash.test", .accessControlRequestMethod: "GET"]
            ) {
                #expect($0.status != .noContent && $0.headers[.accessControlAllowOrigin] == nil)
            }
        }
        try await database.drop()
    }
}
