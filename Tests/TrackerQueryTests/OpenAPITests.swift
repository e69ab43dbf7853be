import Foundation
import Testing
import TrackerCollector
import TrackerQuery

/// The documents are checked in depth by openapi-spec-validator and schemathesis in the test
/// command; here: they parse and describe every route the servers have.
@Suite struct OpenAPITests {
    func paths(_ document: String) throws -> [String: [String: Any]] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String: Any])
        #expect(object["openapi"] as? String == "3.1.0")
        return try #require(object["paths"] as? [String: [String: Any]])
    }

    @Test func queryDocumentCoversEveryRoute() throws {
        let paths = try paths(QueryOpenAPI.document)
        let expected: [String: String] = [
            "/v1/events": "get", "/v1/stats/top-events": "get", "/v1/stats/timeseries": "get",
            "/v1/stats/active-users": "get", "/v1/failed-events": "get", "/v1/failed-events/replay": "post",
            "/v1/users/{id}": "delete", "/events": "get", "/stats/top-event-types": "get",
            "/stats/events-per-minute": "get", "/healthz": "get", "/readyz": "get", "/metrics": "get",
            "/openapi.json": "get",
        ]
        #expect(Set(paths.keys) == Set(expected.keys))
        for (path, method) in expected { #expect(paths[path]?[method] != nil, "\(method) \(path)") }
    }

    @Test func collectorDocumentCoversEveryRoute() throws {
        let paths = try paths(CollectorOpenAPI.document)
        let expected =
            ["/v1/batch", "/events"] + ["track", "identify", "page", "screen", "group", "alias"].map { "/v1/\($0)" }
        for path in expected { #expect(paths[path]?["post"] != nil, "POST \(path)") }
        for path in ["/healthz", "/readyz", "/metrics", "/openapi.json"] { #expect(paths[path]?["get"] != nil) }
    }
}
