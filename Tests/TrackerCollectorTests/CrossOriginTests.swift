import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import TrackerCollector
import TrackerHTTP
import TrackerTestSupport

/// What a browser asks before it sends JSON from another origin.
func preflight(_ origin: String, method: String = "POST") -> HTTPFields {
    [
        .origin: origin, .accessControlRequestMethod: method,
        .accessControlRequestHeaders: "content-type,authorization",
    ]
}

func fromOrigin(_ origin: String, _ headers: HTTPFields = jsonHeaders) -> HTTPFields {
    var headers = headers
    headers[.origin] = origin
    return headers
}

@Suite struct CrossOriginTests {
    static let ingestionPaths = [
        "/v1/batch", "/v1/track", "/v1/identify", "/v1/page", "/v1/screen", "/v1/group", "/v1/alias", "/events",
        "/capture/", "/batch", "/e/", "/i/v0/e/",
    ]

    @Test func everyIngestionPathAnswersAPreflight() async throws {
        try await withCollector("cors_preflight") { database, client in
            for path in Self.ingestionPaths {
                try await client.execute(uri: path, method: .options, headers: preflight("https://shop.test")) {
                    response in
                    #expect(response.status == .noContent, "\(path)")
                    #expect(response.headers[.accessControlAllowOrigin] == "https://shop.test", "\(path)")
                    #expect(response.headers[.accessControlAllowCredentials] == "true", "trackers send cookies")
                    #expect(response.headers[.accessControlAllowMethods]?.contains("POST") == true)
                    #expect(
                        response.headers[.accessControlAllowHeaders]
                            == "Content-Type, Authorization, Content-Encoding, Idempotency-Key")
                    #expect(response.headers[.accessControlMaxAge] == "86400")
                    #expect(response.headers[.vary] == "Origin", "the answer names the origin")
                }
            }
            #expect(try await database.stagedCount == 0)
        }
    }

    /// A page must be able to read why its request failed: every refusal carries the header.
    @Test func errorsCarryTheAllowOriginHeader() async throws {
        let configuration = CollectorConfiguration(
            writeKeys: WriteKeys(["good-key": "web"]), rateLimit: 0.001, crossOrigins: .list(["https://shop.test"]))
        try await withCollector("cors_errors", configuration: configuration) { database, client in
            let origin = "https://shop.test"
            let authorized = fromOrigin(origin, basicAuth("good-key"))
            let big = String(repeating: "x", count: 40_000)
            let cases: [(String, HTTPFields, String, HTTPResponse.Status)] = [
                ("/v1/track", authorized, #"{"userId":"u","event":"E"}"#, .ok),
                ("/v1/track", authorized, #"{"userId":"u""#, .badRequest),
                ("/v1/track", fromOrigin(origin, basicAuth("bad-key")), #"{"userId":"u","event":"E"}"#, .unauthorized),
                ("/v1/track", authorized, #"{"userId":"u","event":"E","p":"\#(big)"}"#, .contentTooLarge),
                ("/v1/batch", authorized, batchBody(count: 3), .tooManyRequests),
                ("/events", authorized, #"{"userId":"u"}"#, .badRequest),
                ("/capture/", fromOrigin(origin), #"{"api_key":"nope","event":"E","distinct_id":"u"}"#, .unauthorized),
                ("/nowhere", authorized, "{}", .notFound),
            ]
            for (path, headers, body, status) in cases {
                try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body)) {
                    response in
                    #expect(response.status == status, "\(path) \(status)")
                    #expect(response.headers[.accessControlAllowOrigin] == origin, "\(path) \(status)")
                    #expect(response.headers[values: .vary].contains("Origin"), "\(path) \(status)")
                    #expect(response.headers[.accessControlExposeHeaders]?.contains("Retry-After") == true)
                }
            }
            #expect(try await database.stagedCount == 1)
        }
    }

    @Test func aDatabaseOutageCarriesTheHeaderToo() async throws {
        try await withCollector("cors_503", migrated: false) { _, client in
            try await client.execute(
                uri: "/v1/track", method: .post, headers: fromOrigin("https://shop.test"),
                body: ByteBuffer(string: #"{"userId":"u","event":"E"}"#)
            ) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.accessControlAllowOrigin] == "https://shop.test")
            }
        }
    }

    /// A restricted list: its origins are echoed, any other gets no CORS header (the browser then
    /// refuses), and is otherwise answered as usual: its preflight `204`, its other requests as any.
    @Test func aListAllowsOnlyItsOrigins() async throws {
        let configuration = CollectorConfiguration(
            crossOrigins: try AllowedOrigins(parsing: "https://Shop.test/, http://localhost:3000"))
        try await withCollector("cors_list", configuration: configuration) { database, client in
            try await client.execute(uri: "/v1/track", method: .options, headers: preflight("https://shop.test")) {
                #expect($0.status == .noContent)
                #expect($0.headers[.accessControlAllowOrigin] == "https://shop.test")
                #expect($0.headers[.vary] == "Origin")
            }
            try await client.execute(uri: "/v1/track", method: .options, headers: preflight("https://evil.test")) {
                #expect($0.status == .noContent)
                #expect($0.headers[.accessControlAllowOrigin] == nil)
                #expect($0.headers[.accessControlAllowMethods] == nil)
                #expect($0.headers[.accessControlAllowCredentials] == nil)
                #expect($0.headers[.vary] == "Origin")
            }
            try await client.execute(
                uri: "/v1/track", method: .post, headers: fromOrigin("https://evil.test"),
                body: ByteBuffer(string: #"{"userId":"u","event":"E"}"#)
            ) {
                #expect($0.status == .ok)
                #expect($0.headers[.accessControlAllowOrigin] == nil)
                #expect($0.headers[.vary] == "Origin")
            }
            try await client.execute(
                uri: "/v1/track", method: .post, headers: fromOrigin("http://localhost:3000"),
                body: ByteBuffer(string: #"{"userId":"u","event":"E"}"#)
            ) {
                #expect($0.status == .ok)
                #expect($0.headers[.accessControlAllowOrigin] == "http://localhost:3000")
            }
            #expect(try await database.stagedCount == 2)
        }
    }

    @Test func noOriginNoHeadersAndOperationalRoutesStayPrivate() async throws {
        try await withCollector("cors_none") { _, client in
            try await client.execute(
                uri: "/v1/track", method: .post, headers: jsonHeaders,
                body: ByteBuffer(string: #"{"userId":"u","event":"E"}"#)
            ) {
                #expect($0.status == .ok && $0.headers[.accessControlAllowOrigin] == nil)
                #expect($0.headers[.vary] == "Origin", "a cache must not hand this answer to a page")
            }
            for path in ["/metrics", "/healthz", "/openapi.json"] {
                try await client.execute(uri: path, method: .get, headers: [.origin: "https://shop.test"]) {
                    #expect($0.headers[.accessControlAllowOrigin] == nil, "\(path)")
                }
            }
        }
        try await withCollector("cors_off", configuration: CollectorConfiguration(crossOrigins: .none)) { _, client in
            try await client.execute(uri: "/v1/track", method: .options, headers: preflight("https://shop.test")) {
                #expect($0.status != .noContent && $0.headers[.accessControlAllowOrigin] == nil)
            }
        }
    }

    /// `navigator.sendBeacon` and analytics.js send JSON as text/plain, which needs no preflight.
    @Test func textPlainBodiesAreJSONOnEveryEndpoint() async throws {
        try await withCollector("cors_text_plain") { database, client in
            let headers: HTTPFields = [.contentType: "text/plain;charset=UTF-8", .origin: "https://shop.test"]
            let bodies = [
                ("/v1/track", #"{"userId":"u","event":"Beacon"}"#),
                ("/v1/batch", batchBody(count: 2)),
                ("/events", #"{"userId":"u","sessionId":"s","eventType":"beacon"}"#),
                ("/batch/", #"{"api_key":"k","batch":[{"event":"Beacon","distinct_id":"u"}]}"#),
            ]
            for (path, body) in bodies {
                try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body)) {
                    #expect($0.status.code < 300, "\(path)")
                    #expect($0.headers[.accessControlAllowOrigin] == "https://shop.test")
                }
            }
            #expect(try await database.stagedCount == 5)
        }
    }

    @Test func originSettingsParse() throws {
        #expect(try AllowedOrigins(parsing: "*") == .any)
        #expect(try AllowedOrigins(parsing: "none") == AllowedOrigins.none)
        #expect(try AllowedOrigins(parsing: " , ") == AllowedOrigins.none)
        #expect(try AllowedOrigins(parsing: "https://a.test,*") == .any)
        #expect(
            try AllowedOrigins(parsing: "HTTPS://A.test/, http://b.test:8080")
                == .list(["https://a.test", "http://b.test:8080"]))
        #expect(throws: AllowedOriginsError.self) { try AllowedOrigins(parsing: "a.test") }
        #expect(throws: AllowedOriginsError.self) { try AllowedOrigins(parsing: "https://a.test/app") }
    }
}
