import NIOCore
import PostgresNIO

extension PostgresQueryRepository {
    /// One snapshot looks in the dedupe window, staging and `failed_events`; a stored event is then
    /// read from the one partition its dedupe key names, its timestamp bound so the plan prunes the
    /// others. A stored copy wins over a retry still staged (the worker will drop it) and over an
    /// earlier refusal of the same id; a staged copy wins over a refusal it may fix.
    ///
    /// Staging has no index on message ids: every one would cost each accepted message, while the
    /// queue holds only what the workers have not moved yet.
    public func receipt(source: String, messageId: String) async throws -> MessageReceipt {
        try await metrics.timed("receipt") {
            let rows = try await client.query(
                """
                SELECT d.found, d.event_timestamp,
                       EXISTS (SELECT 1 FROM ingest_staging WHERE message_id = \(messageId) AND source = \(source)),
                       f.reason, f.detail
                FROM (
                    SELECT count(*) > 0 AS found, max(event_timestamp) AS event_timestamp FROM event_dedupe
                    WHERE source = \(source) AND message_id = \(messageId)
                ) AS d
                LEFT JOIN LATERAL (
                    SELECT reason, detail FROM failed_events
                    WHERE message_id = \(messageId) AND source = \(source) ORDER BY id DESC LIMIT 1
                ) AS f ON true
                """,
                logger: logger)
            var found = (stored: false, timestamp: ExactTimestamp?.none, staged: false, failed: (String, String)?.none)
            for try await (stored, timestamp, staged, reason, detail) in rows.decode(
                (Bool, ExactTimestamp?, Bool, String?, String?).self)
            {
                found = (stored, timestamp, staged, reason.map { ($0, detail ?? "") })
            }
            if found.stored {
                guard let timestamp = found.timestamp else { return .stored(event: nil) }
                if let event = try await storedEvent(source: source, messageId: messageId, at: timestamp) {
                    return .stored(event: event)
                }
            }
            if found.staged { return .staged }
            if let (reason, detail) = found.failed { return .failed(reason: reason, detail: detail) }
            return .unknown
        }
    }

    /// The stored event, nil when it is gone (erased, or its partition dropped by retention).
    private func storedEvent(source: String, messageId: String, at timestamp: ExactTimestamp) async throws -> String? {
        let rows = try await client.query(
            """
            SELECT row_to_json(r)::text FROM events AS e, \(unescaped: Self.eventObject)
            WHERE e.timestamp = \(timestamp) AND e.message_id = \(messageId) AND e.source = \(source)
            LIMIT 1
            """,
            logger: logger)
        for try await json in rows.decode(String.self) { return json }
        return nil
    }
}

/// A `timestamptz` as PostgreSQL's own microseconds, bound back unchanged: a `Date` round trip can
/// come back a microsecond off, and the stored event would not be found by equality.
struct ExactTimestamp: PostgresNonThrowingEncodable, PostgresDecodable {
    var microseconds: Int64

    static var psqlType: PostgresDataType { .timestamptz }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<Encoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<Encoder>)
    {
        buffer.writeInteger(microseconds)
    }

    init<Decoder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat,
        context: PostgresDecodingContext<Decoder>
    ) throws {
        guard type == .timestamptz, format == .binary, buffer.readableBytes == 8,
            let microseconds = buffer.readInteger(as: Int64.self)
        else { throw PostgresDecodingError.Code.typeMismatch }
        self.microseconds = microseconds
    }
}
