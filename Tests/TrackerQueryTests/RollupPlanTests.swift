import Testing
import TrackerQuery

@Suite struct RollupPlanTests {
    let hour: Int64 = 3_600
    let day: Int64 = 86_400

    /// Counted with their signs, the segments hold every minute of the range once and nothing
    /// outside it; each is whole buckets of a level no coarser than allowed.
    func assertCovers(_ plan: RollupPlan, from: Int64, to: Int64, coarsest: RollupLevel) {
        var changes: [Int64: Int] = [:]
        for segment in plan.segments {
            #expect(segment.from < segment.to && segment.level <= coarsest && abs(segment.sign) == 1)
            #expect(segment.from % segment.level.seconds == 0 && segment.to % segment.level.seconds == 0)
            changes[segment.from, default: 0] += segment.sign
            changes[segment.to, default: 0] -= segment.sign
        }
        var depth = 0
        for (time, change) in changes.sorted(by: { $0.key < $1.key }) {
            depth += change
            #expect(depth == (time >= from && time < to ? 1 : 0), "at \(time) of \(from)..<\(to): \(plan.segments)")
        }
        #expect(depth == 0)
    }

    /// Buckets read when every edge comes from finer rollups, never subtracted: the plan before.
    func tilingCost(from: Int64, to: Int64, level: RollupLevel) -> Int64 {
        guard from < to else { return 0 }
        let finer: RollupLevel? =
            switch level {
            case .minute: nil
            case .hour: .minute
            case .day: .hour
            }
        guard let finer else { return (to - from) / 60 }
        let (start, end) = (level.ceil(from), level.floor(to))
        guard start < end else { return tilingCost(from: from, to: to, level: finer) }
        return tilingCost(from: from, to: start, level: finer) + (end - start) / level.seconds
            + tilingCost(from: end, to: to, level: finer)
    }

    @Test func wholeDaysFromDaysAndEachEdgeFromWhicheverReadsLess() {
        let from = 3 * day + 5 * hour + 120
        let to = 10 * day + 2 * hour + 300
        let plan = RollupPlan(from: from, to: to, coarsest: .day)
        assertCovers(plan, from: from, to: to, coarsest: .day)
        // Day 3 less its first 5 h 2 min (8 buckets, not 58 minutes and 18 hours); the last edge
        // is 2 hours and 5 minutes read directly.
        #expect(
            plan.segments == [
                .init(level: .day, from: 3 * day, to: 4 * day),
                .init(level: .hour, from: 3 * day, to: 3 * day + 5 * hour, sign: -1),
                .init(level: .minute, from: 3 * day + 5 * hour, to: from, sign: -1),
                .init(level: .day, from: 4 * day, to: 10 * day),
                .init(level: .hour, from: 10 * day, to: 10 * day + 2 * hour),
                .init(level: .minute, from: 10 * day + 2 * hour, to: to),
            ])
    }

    @Test func aShortRangeIsMinutesAndMostOfAnHourIsTheHourLessTheRest() {
        let short = RollupPlan(from: 5 * day + 600, to: 5 * day + 1_800, coarsest: .day)
        #expect(short.segments == [.init(level: .minute, from: 5 * day + 600, to: 5 * day + 1_800)])
        let most = RollupPlan(from: 5 * day + 480, to: 5 * day + hour, coarsest: .hour)
        #expect(
            most.segments == [
                .init(level: .hour, from: 5 * day, to: 5 * day + hour),
                .init(level: .minute, from: 5 * day, to: 5 * day + 480, sign: -1),
            ])
    }

    /// Found by the random test: no whole hour inside, across an hour's edge: each side on its own.
    @Test func aRangeAcrossAnHoursEdgeWithNoWholeHourSplitsAtTheEdge() {
        let plan = RollupPlan(from: 10 * hour + 1_800, to: 11 * hour + 2_700, coarsest: .day)
        #expect(
            plan.segments == [
                .init(level: .minute, from: 10 * hour + 1_800, to: 11 * hour),
                .init(level: .hour, from: 11 * hour, to: 12 * hour),
                .init(level: .minute, from: 11 * hour + 2_700, to: 12 * hour, sign: -1),
            ])
    }

    @Test func aMinuteSeriesNeverReadsCoarserRollups() {
        let plan = RollupPlan(from: 0, to: 2 * day, coarsest: .minute)
        #expect(plan.segments == [.init(level: .minute, from: 0, to: 2 * day)])
        let hourly = RollupPlan(from: 0, to: 2 * day, coarsest: .hour)
        #expect(hourly.segments == [.init(level: .hour, from: 0, to: 2 * day)])
    }

    @Test func randomRangesAreCoveredExactlyAndNeverReadMoreThanTiling() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let from = Int64.random(in: -100...100, using: &generator) * 60 * 97
            let to = from + Int64.random(in: 1...50_000, using: &generator) * 60
            for coarsest in RollupLevel.allCases {
                let plan = RollupPlan(from: from, to: to, coarsest: coarsest)
                assertCovers(plan, from: from, to: to, coarsest: coarsest)
                let cost = plan.segments.reduce(0) { $0 + ($1.to - $1.from) / $1.level.seconds }
                #expect(cost <= tilingCost(from: from, to: to, level: coarsest), "\(from)..<\(to) \(coarsest)")
                // At most 30 minutes read on each side of an hour edge, once hours may be read.
                if coarsest != .minute {
                    let minutes = plan.segments.filter { $0.level == .minute }.map { ($0.to - $0.from) / 60 }
                    #expect(minutes.allSatisfy { $0 <= 30 }, "\(from)..<\(to): \(plan.segments)")
                }
            }
        }
    }
}

@Suite struct PageCursorTests {
    @Test func roundTripsWithTheSameFilters() throws {
        let cursor = PageCursor(kind: "e", keys: [1_764_000_000_123_456, -42], filters: ["u1", "\u{0}"])
        let read = try PageCursor(parsing: cursor.text, kind: "e", keyCount: 2, filters: ["u1", "\u{0}"])
        #expect(read == cursor)
        #expect(!cursor.text.contains("=") && !cursor.text.contains("+") && !cursor.text.contains("/"))
    }

    @Test func refusesOtherFiltersAndTampering() {
        let cursor = PageCursor(kind: "e", keys: [5, 6], filters: ["a"])
        #expect(throws: PageCursor.DecodingError.otherQuery) {
            try PageCursor(parsing: cursor.text, kind: "e", keyCount: 2, filters: ["b"])
        }
        for bad in ["", "not base64!", "djEuZS4x", cursor.text + "A", String(cursor.text.dropLast())] {
            #expect(throws: PageCursor.DecodingError.self) {
                try PageCursor(parsing: bad, kind: "e", keyCount: 2, filters: ["a"])
            }
        }
        #expect(throws: PageCursor.DecodingError.malformed) {
            try PageCursor(parsing: cursor.text, kind: "f", keyCount: 2, filters: ["a"])
        }
    }
}
