import Foundation
import PostgresNIO

/// A staged row a worker claimed.
public struct ClaimedRow: Sendable, Equatable {
    public var id: Int64
    public var receivedAt: Date
    public var source: String
    public var kind: StagedRow.Kind
    public var impliedType: String?
    public var messageId: String
    public var payload: String
    /// The batch envelope's text: one `String` shared by every row of a request.
    public var envelope: String?
    /// The stored envelope the row names (`ingest_envelopes`); nil for rows that carry their own.
    public var envelopeId: UUID?
    public var attempts: Int

    public init(
        id: Int64, receivedAt: Date, source: String, kind: StagedRow.Kind, impliedType: String?, messageId: String,
        payload: String, envelope: String?, envelopeId: UUID? = nil, attempts: Int
    ) {
        self.id = id
        self.receivedAt = receivedAt
        self.source = source
        self.kind = kind
        self.impliedType = impliedType
        self.messageId = messageId
        self.payload = payload
        self.envelope = envelope
        self.envelopeId = envelopeId
        self.attempts = attempts
    }
}

extension ClaimedRow {
    /// Decodes a claim: one row of arrays, one per column, in the claim's column order. A row per
    /// claimed message would cost postgres-nio a message, a row and a cell decode per value.
    static func batch(_ row: PostgresRow) throws -> [ClaimedRow] {
        let cells = Array(row)
        guard cells.count == 10 else { throw PostgresDecodingError.Code.missingData }
        let ids = try cells[0].arrayValues(Int64.self), receivedAt = try cells[1].arrayValues(Date.self)
        let sources = try cells[2].arrayValues(String.self), kinds = try cells[3].arrayValues(String.self)
        let impliedTypes = try cells[4].arrayValues(String.self), messageIds = try cells[5].arrayValues(String.self)
        let payloads = try cells[6].arrayValues(String.self), envelopes = try cells[7].arrayValues(String.self)
        let attempts = try cells[8].arrayValues(Int32.self), envelopeIds = try cells[9].arrayValues(UUID.self)
        let count = ids.count
        guard
            [
                receivedAt.count, sources.count, kinds.count, impliedTypes.count, messageIds.count, payloads.count,
                envelopes.count, attempts.count, envelopeIds.count,
            ].allSatisfy({ $0 == count })
        else { throw PostgresDecodingError.Code.failure }
        func required<Value>(_ value: Value?) throws -> Value {
            guard let value else { throw PostgresDecodingError.Code.missingData }
            return value
        }
        return try (0..<count).map { index in
            ClaimedRow(
                id: try required(ids[index]), receivedAt: try required(receivedAt[index]),
                source: try required(sources[index]),
                kind: StagedRow.Kind(rawValue: try required(kinds[index])) ?? .segment,
                impliedType: impliedTypes[index], messageId: try required(messageIds[index]),
                payload: try required(payloads[index]), envelope: envelopes[index], envelopeId: envelopeIds[index],
                attempts: Int(try required(attempts[index])))
        }
    }
}
