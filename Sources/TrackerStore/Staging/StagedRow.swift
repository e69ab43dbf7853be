import Foundation
import TrackerCore

/// One accepted message on its way into `ingest_staging`.
public struct StagedRow: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// A Segment message (batch item or single-message endpoint).
        case segment
        /// The original tracker's `POST /events` body.
        case legacy
    }

    public var receivedAt: Date
    public var source: String
    public var kind: Kind
    public var impliedType: String?
    public var messageId: String
    public var payload: String
    public var envelope: String?

    /// NUL (a client's `\u0000` escape, once decoded) becomes U+FFFD in every field: PostgreSQL's text
    /// cannot hold it, and one such row would fail the whole group commit, other clients' rows included.
    public init(
        receivedAt: Date, source: String, kind: Kind, impliedType: String?, messageId: String, payload: String,
        envelope: String?
    ) {
        self.receivedAt = receivedAt
        self.source = Self.storable(source)
        self.kind = kind
        self.impliedType = impliedType.map(Self.storable)
        self.messageId = Self.storable(messageId)
        self.payload = Self.storable(payload)
        self.envelope = envelope.map(Self.storable)
    }

    /// `text` with each NUL replaced, which `text` columns refuse.
    static func storable(_ text: String) -> String {
        guard text.containsNUL else { return text }
        return text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}")
    }
}
