import Foundation

/// One step of a funnel's answer.
public struct FunnelStep: Sendable, Equatable {
    public var event: String
    public var people: Int64
}

/// One retention cohort: its bucket and the members active in each bucket from it on.
public struct RetentionCohort: Sendable, Equatable {
    public var cohort: Date
    /// `returned[k]`: members active in bucket cohort + k; `returned[0]` is the cohort's size.
    public var returned: [Int64]
}

/// Buckets of the retention endpoint.
public enum RetentionInterval: String, Sendable, CaseIterable {
    case day, week

    var days: Int { self == .day ? 1 : 7 }
}

/// The reads of the analysis endpoints (funnels, retention, breakdowns).
public protocol AnalysisRepository: Sendable {
    /// What a stats answer is as of: now, or a read standby's replay point (reads see every
    /// change committed before it).
    func freshness() async throws -> Date
    /// People who did `steps` in order, each within `within` seconds of their first step, whose
    /// first step lies in `[from, to)`; one count per step.
    func funnel(steps: [String], within: Int64, from: Date, to: Date) async throws -> [Int64]
    /// Cohorts whose bucket starts in `[date_trunc(from), to)` that have members.
    func retention(interval: RetentionInterval, from: Date, to: Date, periods: Int) async throws -> [RetentionCohort]
    /// Counts of `event` per JSON value (text) of `property` in `[from, to)`, largest first: from
    /// the kept rollups when `kept`, else from `events` (under a statement timeout).
    func breakdown(event: String, property: String, from: Date, to: Date, limit: Int, kept: Bool) async throws
        -> [(value: String, count: Int64)]
}
