import Foundation

/// A strict, allocation-light ISO 8601 / RFC 3339 timestamp parser.
///
/// Accepts `YYYY-MM-DD`, optionally followed by `T` (or a space) and `hh:mm[:ss[.fraction]]`, then
/// `Z`, `±hh:mm`, `±hhmm`, `±hh` or nothing (UTC). Anything else is nil, never a guess.
public enum ISO8601 {
    public static func parse(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { parse(bytes: $0) }
    }

    static func parse(bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        var cursor = Cursor(bytes: bytes)
        guard let year = cursor.digits(4), cursor.take(UInt8(ascii: "-")), let month = cursor.digits(2),
            cursor.take(UInt8(ascii: "-")), let day = cursor.digits(2), (1...12).contains(month), day >= 1,
            day <= daysIn(month: month, year: year)
        else { return nil }
        var seconds = Double(daysFromCivil(year: year, month: month, day: day)) * 86_400
        guard !cursor.isAtEnd else { return Date(timeIntervalSince1970: seconds) }
        guard cursor.take(UInt8(ascii: "T")) || cursor.take(UInt8(ascii: "t")) || cursor.take(UInt8(ascii: " ")),
            let hour = cursor.digits(2), hour < 24, cursor.take(UInt8(ascii: ":")), let minute = cursor.digits(2),
            minute < 60
        else { return nil }
        seconds += Double(hour * 3600 + minute * 60)
        if cursor.take(UInt8(ascii: ":")) {
            guard let second = cursor.digits(2), second < 61 else { return nil }
            seconds += Double(second)
            if cursor.take(UInt8(ascii: ".")) || cursor.take(UInt8(ascii: ",")) {
                guard let fraction = cursor.fraction() else { return nil }
                seconds += fraction
            }
        }
        if cursor.isAtEnd { return Date(timeIntervalSince1970: seconds) }
        if cursor.take(UInt8(ascii: "Z")) || cursor.take(UInt8(ascii: "z")) {
            return cursor.isAtEnd ? Date(timeIntervalSince1970: seconds) : nil
        }
        let sign: Double
        if cursor.take(UInt8(ascii: "+")) {
            sign = 1
        } else if cursor.take(UInt8(ascii: "-")) {
            sign = -1
        } else {
            return nil
        }
        guard let offsetHours = cursor.digits(2), offsetHours < 24 else { return nil }
        var offsetMinutes = 0
        if !cursor.isAtEnd {
            _ = cursor.take(UInt8(ascii: ":"))
            guard let minutes = cursor.digits(2), minutes < 60 else { return nil }
            offsetMinutes = minutes
        }
        guard cursor.isAtEnd else { return nil }
        seconds -= sign * Double(offsetHours * 3600 + offsetMinutes * 60)
        return Date(timeIntervalSince1970: seconds)
    }

    /// The parser's position in the text. A struct with mutating methods, not local functions
    /// capturing the index: those were checked for exclusive access at run time on every byte,
    /// and the worker parses a timestamp or two per message.
    private struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        var isAtEnd: Bool { index >= bytes.count }

        mutating func digits(_ count: Int) -> Int? {
            guard index + count <= bytes.count else { return nil }
            var value = 0
            for _ in 0..<count {
                let byte = bytes[index]
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
                index += 1
            }
            return value
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        /// The digits after a decimal point as a fraction; nil when there are none.
        mutating func fraction() -> Double? {
            var scale = 0.1
            var fraction = 0.0
            let start = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                fraction += Double(bytes[index] - 0x30) * scale
                scale /= 10
                index += 1
            }
            return index > start ? fraction : nil
        }
    }

    /// `date` in UTC with milliseconds, `2026-11-25T19:00:00.000Z`: the form every answer uses.
    public static func string(from date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        let milliseconds: Int64
        if abs(seconds) < 9e9 {
            // To the microsecond first (what PostgreSQL stores), then down to the millisecond, so
            // .548 held as .54799… prints .548 and .5476 prints .547.
            let microseconds = Int64((seconds * 1_000_000).rounded())
            milliseconds = microseconds >= 0 ? microseconds / 1000 : (microseconds - 999) / 1000
        } else {
            // Past year 2255 a Double no longer holds microseconds: the nearest millisecond.
            milliseconds = Int64((seconds * 1000).rounded())
        }
        let days = Int(milliseconds >= 0 ? milliseconds / 86_400_000 : (milliseconds - 86_399_999) / 86_400_000)
        let remainder = Int(milliseconds - Int64(days) * 86_400_000)
        let (year, month, day) = UTCDay(ordinal: days).civil
        // Written as bytes: a stats answer formats hundreds of buckets, and padding through
        // intermediate strings allocates several times per time.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        func write(_ value: Int, _ width: Int, then separator: UInt8) {
            if value < 0 { bytes.append(UInt8(ascii: "-")) }
            let value = abs(value)
            var divisor = 1
            var count = 1
            while divisor <= value / 10 {
                divisor *= 10
                count += 1
            }
            for _ in count..<max(width, count) { bytes.append(UInt8(ascii: "0")) }
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                divisor /= 10
            }
            bytes.append(separator)
        }
        write(year, 4, then: UInt8(ascii: "-"))
        write(month, 2, then: UInt8(ascii: "-"))
        write(day, 2, then: UInt8(ascii: "T"))
        write(remainder / 3_600_000, 2, then: UInt8(ascii: ":"))
        write(remainder / 60_000 % 60, 2, then: UInt8(ascii: ":"))
        write(remainder / 1000 % 60, 2, then: UInt8(ascii: "."))
        write(remainder % 1000, 3, then: UInt8(ascii: "Z"))
        return String(decoding: bytes, as: UTF8.self)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
