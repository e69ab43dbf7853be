import Foundation

/// A calendar day in UTC: what `events` is partitioned by and what active people are counted per.
public struct UTCDay: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Days since 1970-01-01.
    public var ordinal: Int

    public init(ordinal: Int) {
        self.ordinal = ordinal
    }

    public init(_ date: Date) {
        self.ordinal = Int((date.timeIntervalSince1970 / 86_400).rounded(.down))
    }

    /// Parses `YYYY-MM-DD` or `YYYYMMDD`.
    public init?(_ text: some StringProtocol) {
        let digits = String(text.filter(\.isNumber))
        guard digits.count == 8, text.count == 8 || text.count == 10,
            let year = Int(digits.prefix(4)), let month = Int(digits.dropFirst(4).prefix(2)),
            let day = Int(digits.suffix(2)), (1...12).contains(month),
            (1...ISO8601.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        self.ordinal = ISO8601.daysFromCivil(year: year, month: month, day: day)
    }

    public var start: Date { Date(timeIntervalSince1970: Double(ordinal) * 86_400) }
    public var end: Date { Date(timeIntervalSince1970: Double(ordinal + 1) * 86_400) }

    public func adding(days: Int) -> UTCDay { UTCDay(ordinal: ordinal + days) }

    /// `YYYY-MM-DD`.
    public var description: String {
        let (year, month, day) = civil
        return Self.padded(year, 4) + "-" + Self.padded(month, 2) + "-" + Self.padded(day, 2)
    }

    /// Zero-padded decimal without `String(format:)`, which goes through Foundation's CFString
    /// formatter: too slow for a day per stored event.
    private static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// `YYYYMMDD`, for partition names.
    public var compact: String { description.replacingOccurrences(of: "-", with: "") }

    public static func < (lhs: UTCDay, rhs: UTCDay) -> Bool { lhs.ordinal < rhs.ordinal }

    /// Year, month, day (Howard Hinnant's civil-from-days).
    var civil: (Int, Int, Int) {
        let z = ordinal + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
