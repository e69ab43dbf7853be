import Logging
import PostgresNIO

/// How far behind the workers are.
public struct StagingBacklog: Sendable, Equatable {
    /// Rows waiting, counted from the identity range (an upper bound: cheap on any backlog size).
    public var rows: Int
    /// Seconds since the oldest waiting row was received.
    public var oldestAge: Double

    public static let empty = StagingBacklog(rows: 0, oldestAge: 0)
}

extension StagingBacklog {
    /// Reads the backlog from the identity range from the oldest row no move has failed on: two
    /// index walks whatever its size. A row that failed (`attempts > 0`) is left out of the range,
    /// or one stuck message would count everything staged after it and scale workers up and turn
    /// the collector's 503 on for everyone; it is set aside within seconds anyway.
    public static func read(on connection: PostgresConnection, logger: Logger) async throws -> StagingBacklog {
        let rows = try await connection.query(
            """
            SELECT ((SELECT max(id) FROM ingest_staging) - oldest.id + 1)::int8,
                   extract(epoch FROM now() - oldest.received_at)::float8
            FROM (SELECT id, received_at FROM ingest_staging WHERE attempts = 0 ORDER BY id LIMIT 1) AS oldest
            """,
            logger: logger)
        for try await (count, age) in rows.decode((Int64, Double).self) {
            return StagingBacklog(rows: Int(count), oldestAge: max(0, age))
        }
        return .empty
    }
}
