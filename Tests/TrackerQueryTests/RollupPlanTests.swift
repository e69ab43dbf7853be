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

    @Test func wholeDaysFromDaysEdgesFromFinerRollups() {
        let from = 3 * day + 5 * hour + 120
        let to = 10 * day + 2 * hour + 300
        let plan = RollupPlan(from: from, to: to, coarsest: .day)
        assertTiles(plan, from: from, to: to)
        #expect(
            plan.segments == [
                .init(level: .minute, from: from, to: 3 * day + 6 * hour),
                .init(level: .hour, from: 3 * day + 6 * hour, to: 4 * day),
                .init(level: .day, from: 4 * day, to: 10 * day),
                .init(level: .hour, from: 10 * day, to: 10 * day + 2 * hour),
                .init(level: .minute, from: 10 * day + 2 * hour, to: to),
            ])
    }

    @Test func aRangeShorterThanAnHourIsMinutes() {
        let plan = RollupPlan(from: 5 * day + 600, to: 5 * day + 1_800, coarsest: .day)
        #expect(plan.segments == [.init(level: .minute, from: 5 * day + 600, to: 5 * day + 1_800)])
    }

    /// Found by the random test below: no whole hour inside, so minutes across the hour's edge.
    @Test func aRangeAcrossAnHoursEdgeWithNoWholeHourIsMinutes() {
        let plan = RollupPlan(from: 10 * hour + 1_800, to: 11 * hour + 2_700, coarsest: .day)
        #expect(plan.segments == [.init(level: .minute, from: 10 * hour + 1_800, to: 11 * hour + 2_700)])
    }

    @Test func aMinuteSeriesNeverReadsCoarserRollups() {
        let plan = RollupPlan(from: 0, to: 2 * day, coarsest: .minute)
        #expect(plan.segments == [.init(level: .minute, from: 0, to: 2 * day)])
        let hourly = RollupPlan(from: 0, to: 2 * day, coarsest: .hour)
        #expect(hourly.segments == [.init(level: .hour, from: 0, to: 2 * day)])
    }

    @Test func randomRangesAlwaysTile() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let from = Int64.random(in: -100...100, using: &generator) * 60 * 97
            let to = from + Int64.random(in: 1...50_000, using: &generator) * 60
            for coarsest in RollupLevel.allCases {
                let plan = RollupPlan(from: from, to: to, coarsest: coarsest)
                assertTiles(plan, from: from, to: to)
                // Never more than 59 minutes at either edge; a range holding no whole hour (at most
                // 118 minutes, e.g. 10:01–11:59) is read from minutes alone.
                let minutes = plan.segments.filter { $0.level == .minute }.map { $0.to - $0.from }
                let holdsAnHour = RollupLevel.hour.ceil(from) < RollupLevel.hour.floor(to)
                #expect(
                    coarsest == .minute
                        || (holdsAnHour
                            ? minutes.allSatisfy { $0 < hour } : minutes == [to - from] && to - from < 2 * hour)
                )
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
