import Foundation
import Testing
import TrackerCollector
import TrackerQuery
import TrackerWorker

/// The documents are checked in depth by openapi-spec-validator and schemathesis in the test
/// command; here: they parse, every `$ref` in them resolves, and they describe every route the
/// servers have.
@Suite struct OpenAPITests {
    func paths(_ document: String) throws -> [String: [String: Any]] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String: Any])
        #expect(object["openapi"] as? String == "3.1.0")
        for reference in references(in: object) {
            let target = reference.split(separator: "/").dropFirst().reduce(object as Any?) {
                ($0 as? [String: Any])?[String($1)]
            }
            #expect(target is [String: Any], "\(reference) does not resolve")
        }
        return try #require(object["paths"] as? [String: [String: Any]])
    }

    func references(in value: Any) -> [String] {
        switch value {
        case let object as [String: Any]:
            return (object["$ref"] as? String).map { [$0] } ?? object.values.flatMap(references(in:))
        case let array as [Any]: return array.flatMap(references(in:))
        default: return []
        }
    }

    @Test func queryDocumentCoversEveryRoute() throws {
        let paths = try paths(QueryOpenAPI.document)
        let expected: [String: String] = [
            "/v1/events": "get", "/v1/events/stream": "get", "/v1/stats/top-events": "get",
            "/v1/stats/timeseries": "get",
            "/v1/stats/active-users": "get", "/v1/failed-events": "get", "/v1/failed-events/replay": "post",
            "/v1/users/{id}": "delete", "/events": "get", "/stats/top-event-types": "get",
            "/stats/events-per-minute": "get", "/healthz": "get", "/readyz": "get", "/metrics": "get",
            "/openapi.json": "get",
            "/v1/messages/{messageId}": "get",
            "/v1/stats/funnel": "get", "/v1/stats/retention": "get", "/v1/stats/breakdown": "get",
        ]
        #expect(Set(paths.keys) == Set(expected.keys))
        for (path, method) in expected { #expect(paths[path]?[method] != nil, "\(method) \(path)") }
    }

    @Test func collectorDocumentCoversEveryRoute() throws {
        let paths = try paths(CollectorOpenAPI.document)
        let expected =
            ["/v1/batch", "/events"] + ["track", "identify", "page", "screen", "group", "alias"].map { "/v1/\($0)" }
            + ["/capture/", "/batch/", "/e/", "/i/v0/e/"]
            + ["/com.snowplowanalytics.snowplow/tp2"]
        for path in expected { #expect(paths[path]?["post"] != nil, "POST \(path)") }
        for path in ["/healthz", "/readyz", "/metrics", "/openapi.json"] { #expect(paths[path]?["get"] != nil) }
        #expect(paths["/i"]?["get"] != nil, "GET /i, Snowplow's pixel")
        #expect(paths.count == expected.count + 5)
    }

    @Test func workerDocumentCoversEveryRoute() throws {
        let paths = try paths(WorkerOpenAPI.document)
        #expect(Set(paths.keys) == ["/healthz", "/readyz", "/metrics", "/openapi.json"])
        for path in paths.keys { #expect(paths[path]?["get"] != nil, "GET \(path)") }
    }
}
