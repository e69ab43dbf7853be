import Foundation
import Testing
import TrackerCore

@Suite struct ISO8601Tests {
    @Test(arguments: [
        ("2026-11-25T12:00:00Z", 1_795_608_000.0), ("2026-11-25T12:00:00.250Z", 1_795_608_000.25),
        ("2026-11-25T13:30:00+01:30", 1_795_608_000.0), ("2026-11-25T07:00:00-0500", 1_795_608_000.0),
        ("2026-11-25 12:00:00", 1_795_608_000.0), ("2026-11-25", 1_795_564_800.0),
        ("2024-02-29T00:00Z", 1_709_164_800.0),
    ])
    func parses(_ text: String, _ epoch: Double) {
        #expect(ISO8601.parse(text)?.timeIntervalSince1970 == epoch)
    }

    @Test(arguments: [
        "", "yesterday", "2026-13-01", "2025-02-29", "2026-11-25T25:00:00Z", "2026-11-25T12:00:00Q", "1732536000",
    ])
    func refuses(_ text: String) {
        #expect(ISO8601.parse(text) == nil)
    }

    @Test func formatsUTCWithMillisecondsAndParsesBack() {
        #expect(ISO8601.string(from: Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(ISO8601.string(from: Date(timeIntervalSince1970: 1_764_097_200.123)) == "2025-11-25T19:00:00.123Z")
        #expect(ISO8601.string(from: Date(timeIntervalSince1970: -1.5)) == "1969-12-31T23:59:58.500Z")
        #expect(ISO8601.string(from: Date(timeIntervalSince1970: -61_000_000_000.007)) == "0036-12-26T11:33:19.993Z")
        #expect(ISO8601.string(from: Date(timeIntervalSince1970: 253_402_300_800)) == "10000-01-01T00:00:00.000Z")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<1_000 {
            // 1970 to 2200: the times events, buckets and cursors carry.
            let milliseconds = Int64.random(in: 0...7_258_118_400_000, using: &generator)
            let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
            let text = ISO8601.string(from: date)
            let parsed = ISO8601.parse(text)
            #expect(parsed.map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) } == milliseconds, "\(text)")
        }
    }
}
