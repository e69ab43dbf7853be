import Testing
import TrackerCore

@Suite struct RollupPlanTests {
    let hour: Int64 = 3_600
    let day: Int64 = 86_400

    /// The segments tile the range exactly: contiguous, in order, no overlap.
    func assertTiles(_ plan: RollupPlan, from: Int64, to: Int64) {
        #expect(plan.segments.first?.from == from)
        #expect(plan.segments.last?.to == to)
        for (a, b) in zip(plan.segments, plan.segments.dropFirst()) { #expect(a.to == b.from) }
        for segment in plan.segments {
            #expect(segment.from < segment.to)
            #expect(segment.from % segment.level.seconds == 0)
            #expect(segment.to % segment.level.seconds == 0)
        }
    }

    @Test func withoutRefreshedViewsEverythingComesFromMinutes() {
        let plan = RollupPlan(from: 60, to: 40 * day, coarsest: .day, cutoffs: [:])
        #expect(plan.segments == [.init(level: .minute, from: 60, to: 40 * day)])
    }

    @Test func wholeDaysFromTheDailyViewEdgesFromFinerRollups() {
        let from = 3 * day + 5 * hour + 120
        let to = 10 * day + 2 * hour + 300
        let plan = RollupPlan(from: from, to: to, coarsest: .day, cutoffs: [.hour: 100 * day, .day: 100 * day])
        assertTiles(plan, from: from, to: to)
        #expect(
            plan.segments == [
                .init(level: .minute, from: from, to: 3 * day + 6 * hour),
                .init(level: .hour, from: 3 * day + 6 * hour, to: 4 * day),
                .init(level: .day, from: 4 * day, to: 10 * day),
                .init(level: .hour, from: 10 * day, to: 10 * day + 2 * hour),
                .init(level: .minute, from: 10 * day + 2 * hour, to: to),
            ])
        #expect(plan.viewLevels == [.hour, .day])
    }

    @Test func viewsAreNotUsedPastTheirCutoff() {
        let to = 10 * day
        // Daily view refreshed at day 7 + 30 min: days up to 7 from it; the hourly view refreshed at
        // day 8 + 90 min answers whole hours up to 8d 1h; the rest is minutes.
        let plan = RollupPlan(
            from: 0, to: to, coarsest: .day, cutoffs: [.day: 7 * day + 1_800, .hour: 8 * day + 5_400])
        assertTiles(plan, from: 0, to: to)
        #expect(
            plan.segments == [
                .init(level: .day, from: 0, to: 7 * day),
                .init(level: .hour, from: 7 * day, to: 8 * day + hour),
                .init(level: .minute, from: 8 * day + hour, to: to),
            ])
    }

    @Test func aMinuteSeriesNeverReadsCoarserRollups() {
        let plan = RollupPlan(from: 0, to: 2 * day, coarsest: .minute, cutoffs: [.hour: 5 * day, .day: 5 * day])
        #expect(plan.segments == [.init(level: .minute, from: 0, to: 2 * day)])
        let hourly = RollupPlan(from: 0, to: 2 * day, coarsest: .hour, cutoffs: [.hour: 5 * day, .day: 5 * day])
        #expect(hourly.segments == [.init(level: .hour, from: 0, to: 2 * day)])
    }

    @Test func randomRangesAlwaysTile() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let from = Int64.random(in: -100...100, using: &generator) * 60 * 97
            let to = from + Int64.random(in: 1...50_000, using: &generator) * 60
            let cutoffs: [RollupLevel: Int64] = [
                .hour: Int64.random(in: from...(to + day), using: &generator),
                .day: Int64.random(in: from...(to + day), using: &generator),
            ]
            for coarsest in RollupLevel.allCases {
                assertTiles(RollupPlan(from: from, to: to, coarsest: coarsest, cutoffs: cutoffs), from: from, to: to)
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
