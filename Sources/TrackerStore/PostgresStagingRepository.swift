import Foundation
import Logging
import PostgresNIO

/// `StagingRepository` on PostgreSQL: one multi-row insert of bound arrays per group commit.
public struct PostgresStagingRepository: StagingRepository {
    let client: PostgresClient

    public init(client: PostgresClient) {
        self.client = client
    }

    public func insert(_ rows: [StagedRow], logger: Logger) async throws {
        // Optional columns travel as '' and come back as NULL: arrays of optionals do not bind.
        let receivedAt = rows.map(\.receivedAt)
        let source = rows.map(\.source)
        let kind = rows.map(\.kind.rawValue)
        let impliedType = rows.map { $0.impliedType ?? "" }
        let messageId = rows.map(\.messageId)
        let payload = rows.map(\.payload)
        let envelope = rows.map { $0.envelope ?? "" }
        // One statement is its own transaction: committed when the query returns, with no BEGIN and
        // COMMIT round trips.
        do {
            try await client.query(
                """
                INSERT INTO ingest_staging (received_at, source, kind, implied_type, message_id, payload, envelope)
                SELECT r, s, k, NULLIF(t, ''), m, p, NULLIF(e, '')
                FROM unnest(\(receivedAt)::timestamptz[], \(source)::text[], \(kind)::text[], \(impliedType)::text[],
                            \(messageId)::text[], \(payload)::text[], \(envelope)::text[]) AS u(r, s, k, t, m, p, e)
                """,
                logger: logger)
        } catch let error as PSQLError where Self.refusesData(error) {
            throw StagingInsertError.unstorable(error.serverInfo?[.message] ?? "data exception")
        }
    }

    /// SQLSTATE classes 22 (data exception) and 23 (integrity constraint violation): the server is up
    /// and refused these rows.
    static func refusesData(_ error: PSQLError) -> Bool {
        guard let state = error.serverInfo?[.sqlState] else { return false }
        return state.hasPrefix("22") || state.hasPrefix("23")
    }

    public func notifyWorkers(logger: Logger) async throws {
        try await client.query("SELECT pg_notify(\(StagingChannel.name), '')", logger: logger)
    }

    public func backlog(logger: Logger) async throws -> StagingBacklog {
        try await client.withConnection { try await StagingBacklog.read(on: $0, logger: logger) }
    }
}

extension StagingBacklog {
    /// Reads the backlog from the identity range and the oldest row: two index lookups whatever its size.
    public static func read(on connection: PostgresConnection, logger: Logger) async throws -> StagingBacklog {
        let rows = try await connection.query(
            """
            SELECT ((SELECT max(id) FROM ingest_staging) - oldest.id + 1)::int8,
                   extract(epoch FROM now() - oldest.received_at)::float8
            FROM (SELECT id, received_at FROM ingest_staging ORDER BY id LIMIT 1) AS oldest
            """,
            logger: logger)
        for try await (count, age) in rows.decode((Int64, Double).self) {
            return StagingBacklog(rows: Int(count), oldestAge: max(0, age))
        }
        return .empty
    }
}
