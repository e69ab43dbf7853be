import Foundation

/// The granularity of a stored count rollup: the tables `event_counts_minute`, `event_counts_hour`
/// and `event_counts_day`, and the rows of `event_totals` with that granularity.
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
///
/// An edge that covers most of a bucket is read as that bucket minus the rest of it (a segment
/// with sign -1): 20:08–21:00 is the 20:00 hour less 20:00–20:08, eight minute buckets instead of
/// 52. The move transaction keeps every level equal to the sum of the finer one, so the difference
/// is exact.
public struct RollupPlan: Equatable, Sendable {
    public struct Segment: Equatable, Sendable {
        public var level: RollupLevel
        /// Seconds since 1970, UTC; half-open.
        public var from: Int64
        public var to: Int64
        /// +1 to add the segment's counts, -1 to subtract them.
        public var sign: Int

        public init(level: RollupLevel, from: Int64, to: Int64, sign: Int = 1) {
            self.level = level
            self.from = from
            self.to = to
            self.sign = sign
        }

        /// Buckets read, the plan's cost.
        var buckets: Int64 { (to - from) / level.seconds }
    }

    public var segments: [Segment]

    /// - Parameters:
    ///   - from, to: the range in whole minutes (callers truncate), `from < to`.
    ///   - coarsest: the coarsest rollup allowed (a minute timeseries must not read hours; an hourly
    ///     one may subtract minutes from an hour, which stays inside one of its buckets).
    public init(from: Int64, to: Int64, coarsest: RollupLevel) {
        segments = Self.cover(from: from, to: to, level: coarsest, sign: 1)
    }

    private static func cover(from: Int64, to: Int64, level: RollupLevel, sign: Int) -> [Segment] {
        guard from < to else { return [] }
        guard let finer = level.finer else { return [Segment(level: level, from: from, to: to, sign: sign)] }
        let start = level.ceil(from)
        let end = level.floor(to)
        guard start < end else {
            // No whole bucket: inside one, or across one boundary into the next.
            return start == end && from < start && start < to
                ? partial(from: from, to: start, level: level, finer: finer, sign: sign)
                    + partial(from: start, to: to, level: level, finer: finer, sign: sign)
                : partial(from: from, to: to, level: level, finer: finer, sign: sign)
        }
        return partial(from: from, to: start, level: level, finer: finer, sign: sign)
            + [Segment(level: level, from: start, to: end, sign: sign)]
            + partial(from: end, to: to, level: level, finer: finer, sign: sign)
    }

    /// A range holding no whole bucket of `level`: finer rollups, or — when the range lies inside
    /// one bucket and that reads fewer buckets — the bucket less what lies around the range.
    private static func partial(from: Int64, to: Int64, level: RollupLevel, finer: RollupLevel, sign: Int)
        -> [Segment]
    {
        guard from < to else { return [] }
        let direct = cover(from: from, to: to, level: finer, sign: sign)
        let bucket = level.floor(from)
        guard to <= bucket + level.seconds else { return direct }
        let complement =
            [Segment(level: level, from: bucket, to: bucket + level.seconds, sign: sign)]
            + cover(from: bucket, to: from, level: finer, sign: -sign)
            + cover(from: to, to: bucket + level.seconds, level: finer, sign: -sign)
        return cost(complement) < cost(direct) ? complement : direct
    }

    private static func cost(_ segments: [Segment]) -> Int64 {
        segments.reduce(0) { $0 + $1.buckets }
    }
}
