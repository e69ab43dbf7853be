import Foundation
import Testing
import TrackerCore

@Suite struct UTCDayTests {
    /// Every 97th day from 1600 to 9999: the same text Foundation's ISO 8601 style prints, and it
    /// parses back to the same day. (Before 1582 Foundation switches to the Julian calendar;
    /// PostgreSQL and this type stay proleptic Gregorian.)
    @Test func printsAndParsesLikeISO8601() throws {
        let style = Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day()
        let first = try #require(UTCDay("1600-01-01")).ordinal
        for ordinal in stride(from: first, through: 2_932_896, by: 97) {
            let day = UTCDay(ordinal: ordinal)
            #expect(day.description == day.start.formatted(style))
            #expect(UTCDay(day.description) == day)
            #expect(day.compact == day.description.replacingOccurrences(of: "-", with: ""))
        }
        #expect(UTCDay(ordinal: 0).description == "1970-01-01")
        #expect(UTCDay(ordinal: -719_162).description == "0001-01-01")
    }
}
