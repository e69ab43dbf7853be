/// An ISO 8601 duration of whole units, as a funnel's `within` takes it: `PnW`, or
/// `PnDTnHnMnS` with any of its parts (at least one, and at least one after a `T`). Years and
/// months have no fixed length and fractions no use here, so both are refused rather than guessed.
struct ISODuration: Equatable, Sendable {
    var seconds: Int64

    init(seconds: Int64) { self.seconds = seconds }

    init?(parsing text: String) {
        var rest = Substring(text)
        guard rest.first == "P" else { return nil }
        rest = rest.dropFirst()
        if rest.last == "W" {
            guard let weeks = Self.number(rest.dropLast()) else { return nil }
            self.seconds = weeks * 7 * 86_400
            return
        }
        var total: Int64 = 0
        var parts = 0
        var inTime = false
        var order = 0
        while !rest.isEmpty {
            if rest.first == "T" {
                guard !inTime else { return nil }
                inTime = true
                rest = rest.dropFirst()
                guard !rest.isEmpty else { return nil }
                continue
            }
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            rest = rest.dropFirst(digits.count)
            guard let value = Self.number(digits), let unit = rest.first else { return nil }
            rest = rest.dropFirst()
            let (rank, length): (Int, Int64)
            switch (unit, inTime) {
            case ("D", false): (rank, length) = (1, 86_400)
            case ("H", true): (rank, length) = (2, 3_600)
            case ("M", true): (rank, length) = (3, 60)
            case ("S", true): (rank, length) = (4, 1)
            default: return nil
            }
            guard rank > order else { return nil }
            order = rank
            let (product, overflow) = value.multipliedReportingOverflow(by: length)
            guard !overflow, total <= Int64.max - product else { return nil }
            total += product
            parts += 1
        }
        guard parts > 0 else { return nil }
        self.seconds = total
    }

    /// Up to 9 ASCII digits: more is no duration this API takes, and never overflows.
    private static func number(_ digits: Substring) -> Int64? {
        guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int64(digits)
    }
}
