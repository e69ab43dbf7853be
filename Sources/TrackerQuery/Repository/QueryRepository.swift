import Foundation
import TrackerCore

/// Which events a read wants; every field narrows it.
public struct EventFilter: Sendable, Equatable {
    public var userId: String?
    public var anonymousId: String?
    public var event: String?
    public var type: String?
    /// Half-open: `from <= timestamp < to`.
    public var from: Date?
    public var to: Date?

    public init(
        userId: String? = nil, anonymousId: String? = nil, event: String? = nil, type: String? = nil,
        from: Date? = nil, to: Date? = nil
    ) {
        self.userId = userId
        self.anonymousId = anonymousId
        self.event = event
        self.type = type
        self.from = from
        self.to = to
    }

    /// What a cursor is bound to.
    var fingerprint: [String] {
        [
            userId, anonymousId, event, type, from.map { "\($0.timeIntervalSince1970)" },
            to.map { "\($0.timeIntervalSince1970)" },
        ]
        .map { $0 ?? "\u{0}" }
    }
}

/// Where an event sits in the newest-first order: the keyset a cursor carries.
public struct EventPosition: Sendable, Equatable {
    /// Microseconds since 1970: exact, unlike a `Date`.
    public var timestampMicros: Int64
    public var id: Int64
}

/// A row already rendered as a JSON object, with the key the next page starts after.
public struct RenderedRow<Key: Sendable>: Sendable {
    public var json: String
    public var key: Key
}

/// What `DELETE /v1/users/{id}` removed.
public struct ErasureCounts: Sendable, Equatable {
    public var events = 0
    public var staged = 0
    public var failedEvents = 0
    public var activeDays = 0
}

public enum ReplaySelection: Sendable, Equatable {
    case ids([Int64])
    case reason(String)
}

/// Everything the query API reads or changes in PostgreSQL.
public protocol QueryRepository: AnalysisRepository {
    func events(_ filter: EventFilter, after: EventPosition?, limit: Int) async throws -> [RenderedRow<EventPosition>]
    /// The original tracker's page: its JSON shape, offset paging and a total.
    func legacyEvents(_ filter: EventFilter, limit: Int, offset: Int) async throws -> (rows: [String], total: Int)
    /// When each materialized view (people per week and month) was last refreshed.
    func refreshTimes() async throws -> [String: Date]
    func topEvents(_ plan: RollupPlan, limit: Int) async throws -> [(event: String, count: Int64)]
    func countSeries(_ plan: RollupPlan, interval: RollupLevel, event: String?) async throws -> [(
        bucket: Date, count: Int64
    )]
    /// Distinct people per UTC day in `[from, to)`, kept current by the workers.
    func activePeoplePerDay(from: UTCDay, to: UTCDay) async throws -> [(bucket: Date, count: Int64)]
    /// Distinct people per week or month whose bucket starts in `[date_trunc(from), to)`; `fromView`
    /// reads the refreshed view, otherwise the per-day table.
    func activePeople(per interval: ActivityInterval, from: Date, to: Date, fromView: Bool) async throws -> [(
        bucket: Date, count: Int64
    )]
    func failedEvents(reason: String?, beforeId: Int64?, limit: Int) async throws -> [RenderedRow<Int64>]
    /// Moves failed events back into staging and wakes the workers; returns how many.
    func replay(_ selection: ReplaySelection) async throws -> Int
    func erase(person: String) async throws -> ErasureCounts
    /// Where the message `messageId` of `source` is: staged, stored, failed or unknown.
    func receipt(source: String, messageId: String) async throws -> MessageReceipt
}

/// Buckets of the active-users endpoint.
public enum ActivityInterval: String, Sendable, CaseIterable {
    case day, week, month

    /// The materialized view holding this interval's distinct counts; days are a live table.
    var view: String? {
        switch self {
        case .day: nil
        case .week: "active_people_weekly"
        case .month: "active_people_monthly"
        }
    }
}
