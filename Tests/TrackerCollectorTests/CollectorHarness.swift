import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PostgresNIO
import TrackerCollector
import TrackerHTTP
import TrackerStore
import TrackerTestSupport

/// A collector on a database of its own, driven through HummingbirdTesting.
func withCollector<Result: Sendable>(
    _ name: String,
    configuration: CollectorConfiguration = CollectorConfiguration(),
    migrated: Bool = true,
    testing: TestingSetup = .router,
    _ body: @Sendable @escaping (TestDatabase, any TestClientProtocol) async throws -> Result
) async throws -> Result {
    Observability.bootstrapMetrics()
    let database = try await TestDatabase.create(name, migrated: migrated)
    let result = try await database.withClient { client in
        let app = buildCollectorApplication(
            client: client, configuration: configuration, address: .hostname("127.0.0.1", port: 0),
            logger: database.logger)
        return try await app.test(testing) { client in try await body(database, client) }
    }
    try await database.drop()
    return result
}

extension TestDatabase {
    var stagedCount: Int {
        get async throws { try await scalar("SELECT count(*)::int FROM ingest_staging") }
    }

    /// (source, kind, implied_type, message_id, payload, envelope) of every staged row, oldest first.
    func stagedRows() async throws -> [(String, String, String?, String, String, String?)] {
        try await withConnection { connection in
            let rows = try await connection.query(
                """
                SELECT s.source, s.kind, s.implied_type, s.message_id, s.payload, coalesce(e.envelope, s.envelope)
                FROM ingest_staging s LEFT JOIN ingest_envelopes e ON e.id = s.envelope_id ORDER BY s.id
                """,
                logger: logger)
            var result: [(String, String, String?, String, String, String?)] = []
            for try await row in rows.decode((String, String, String?, String, String, String?).self) {
                result.append(row)
            }
            return result
        }
    }
}

let jsonHeaders: HTTPFields = [.contentType: "application/json"]

func basicAuth(_ key: String) -> HTTPFields {
    [.contentType: "application/json", .authorization: "Basic " + Data("\(key):".utf8).base64EncodedString()]
}

func batchBody(count: Int, prefix: String = "m") -> String {
    let messages = (0..<count).map {
        #"{"type":"track","event":"Clicked","userId":"u\#($0)","messageId":"\#(prefix)-\#($0)","properties":{"n":\#($0)}}"#
    }
    return #"{"batch":[\#(messages.joined(separator: ","))]}"#
}

/// The error body every collector refusal carries.
struct ErrorBody: Decodable {
    var success: Bool
    var code: String
    var message: String
}

extension TestResponse {
    var errorBody: ErrorBody? { try? JSONDecoder().decode(ErrorBody.self, from: Data(String(buffer: body).utf8)) }
    var json: [String: Any]? {
        try? JSONSerialization.jsonObject(with: Data(String(buffer: body).utf8)) as? [String: Any]
    }
}
