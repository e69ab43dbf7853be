import Foundation
import Logging
import NIOCore
import PostgresNIO

/// `StagingRepository` on PostgreSQL: one `COPY` in a transaction of its own per group commit.
public struct PostgresStagingRepository: StagingRepository {
    let client: PostgresClient

    public init(client: PostgresClient) {
        self.client = client
    }

    public func insert(_ rows: [StagedRows], logger: Logger) async throws {
        // One CopyData message: postgres-nio flushes the socket on every write, and a flush of 200
        // single-event requests written one by one did not finish within the flush deadline.
        var data = rows.first?.text ?? ByteBuffer()
        if rows.count > 1 {
            data = ByteBuffer()
            data.reserveCapacity(rows.reduce(0) { $0 + $1.text.readableBytes })
            for request in rows { data.writeImmutableBuffer(request.text) }
        }
        // Acknowledged when COMMIT returns, not when the COPY does: an autocommit COPY completes
        // (CommandComplete, where postgres-nio returns) before the commit PostgreSQL runs at the Sync
        // after it, and a backend that dies during that commit sends the buffered CommandComplete
        // with its termination error. A COMMIT answers only once the commit is durable.
        do {
            try await client.withConnection { connection in
                try await connection.withTransaction(logger: logger) { connection in
                    try await connection.copyFrom(
                        table: "ingest_staging", columns: StagedRows.copyColumns, logger: logger
                    ) { writer in
                        try await writer.write(data)
                    }
                }
            }
        } catch let error as PostgresTransactionError {
            if let reason = Self.refusal(error.closureError) { throw StagingInsertError.unstorable(reason) }
            throw error
        }
    }

    /// SQLSTATE classes 22 (data exception) and 23 (integrity constraint violation): the server is up
    /// and refused these rows.
    static func refusal(_ error: (any Error)?) -> String? {
        guard let error = error as? PSQLError, let state = error.serverInfo?[.sqlState],
            state.hasPrefix("22") || state.hasPrefix("23")
        else { return nil }
        return error.serverInfo?[.message] ?? "data exception"
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
