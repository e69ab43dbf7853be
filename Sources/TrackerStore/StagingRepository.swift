import Foundation
import Logging
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

/// Why a staging insert failed.
public enum StagingInsertError: Error, Equatable, Sendable {
    /// PostgreSQL answered and refused the data itself (SQLSTATE class 22 or 23): the database is up, and
    /// retrying the same rows would fail again.
    case unstorable(String)
}

/// How far behind the workers are.
public struct StagingBacklog: Sendable, Equatable {
    /// Rows waiting, counted from the identity range (an upper bound: cheap on any backlog size).
    public var rows: Int
    /// Seconds since the oldest waiting row was received.
    public var oldestAge: Double

    public static let empty = StagingBacklog(rows: 0, oldestAge: 0)
}

/// Where the collector writes accepted messages.
public protocol StagingRepository: Sendable {
    /// Inserts `rows` in one transaction and returns once its `COMMIT` succeeded; throws
    /// `StagingInsertError.unstorable` when PostgreSQL refuses the rows' contents, and gives up
    /// (rolling back) when the work before `COMMIT` outlives `deadline`.
    func insert(_ rows: [StagedRows], deadline: Duration, commitTimeout: Duration, logger: Logger) async throws
    /// Wakes the workers. A hint only: it carries no data.
    func notifyWorkers(logger: Logger) async throws
    func backlog(logger: Logger) async throws -> StagingBacklog
}

public enum StagingChannel {
    /// The LISTEN/NOTIFY channel that tells workers staging has new rows.
    public static let name = "tracker_staging"
}
