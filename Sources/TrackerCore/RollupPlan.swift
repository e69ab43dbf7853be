import Foundation

/// The granularity of a stored count rollup: `event_counts_minute`, and the hourly and daily views
/// built on it.
public enum RollupLevel: String, Sendable, CaseIterable, Comparable {
    case minute, hour, day

    /// Length in seconds; UTC has no leap seconds or zone shifts, so buckets are plain arithmetic.
    public var seconds: Int64 {
        switch self {
        case .minute: 60
        case .hour: 3_600
        case .day: 86_400
        }
    }

    var finer: RollupLevel? {
        switch self {
        case .minute: nil
        case .hour: .minute
        case .day: .hour
        }
    }

    public static func < (lhs: RollupLevel, rhs: RollupLevel) -> Bool { lhs.seconds < rhs.seconds }

    /// The start of the bucket holding `seconds` (since 1970, UTC).
    public func floor(_ seconds: Int64) -> Int64 {
        let remainder = seconds % self.seconds
        return remainder >= 0 ? seconds - remainder : seconds - remainder - self.seconds
    }

    public func ceil(_ seconds: Int64) -> Int64 {
        let floored = floor(seconds)
        return floored == seconds ? seconds : floored + self.seconds
    }
}

/// Which rollup answers which part of a half-open range, so a count over 30 days reads 29 daily
/// rows plus the hours and minutes at the edges instead of 43,200 minute rows.
public struct RollupPlan: Equatable, Sendable {
    public struct Segment: Equatable, Sendable {
        public var level: RollupLevel
        /// Seconds since 1970, UTC; half-open.
        public var from: Int64
        public var to: Int64

        public init(level: RollupLevel, from: Int64, to: Int64) {
            self.level = level
            self.from = from
            self.to = to
        }
    }

    public var segments: [Segment]

    /// - Parameters:
    ///   - from, to: the range in whole minutes (callers truncate), `from < to`.
    ///   - coarsest: the coarsest rollup allowed (a minute timeseries must not read hours).
    public init(from: Int64, to: Int64, coarsest: RollupLevel) {
        var segments: [Segment] = []
        Self.cover(from: from, to: to, level: coarsest, into: &segments)
        self.segments = segments
    }

    private static func cover(from: Int64, to: Int64, level: RollupLevel, into segments: inout [Segment]) {
        guard from < to else { return }
        guard let finer = level.finer else {
            segments.append(Segment(level: .minute, from: from, to: to))
            return
        }
        let start = level.ceil(from)
        let end = level.floor(to)
        guard start < end else {
            cover(from: from, to: to, level: finer, into: &segments)
            return
        }
        cover(from: from, to: start, level: finer, into: &segments)
        segments.append(Segment(level: level, from: start, to: end))
        cover(from: end, to: to, level: finer, into: &segments)
    }
}
