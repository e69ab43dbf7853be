import Foundation
import TrackerStore

/// How an option's text becomes a value, and how a default is shown in `--help`.
public struct ValueParser<Value>: Sendable {
    /// What `--help` shows the value as, e.g. `<seconds>`.
    public let valueName: String
    public let parse: @Sendable (String) throws(InvalidValue) -> Value
    public let format: @Sendable (Value) -> String

    public init(
        valueName: String, parse: @escaping @Sendable (String) throws(InvalidValue) -> Value,
        format: @escaping @Sendable (Value) -> String
    ) {
        self.valueName = valueName
        self.parse = parse
        self.format = format
    }
}

/// Why a value does not parse, as the end of a sentence that names the option.
public struct InvalidValue: Error {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
}

extension ValueParser where Value == Int {
    /// A whole number within `range`.
    public static func wholeNumber(_ range: ClosedRange<Int>, valueName: String = "n") -> Self {
        Self(
            valueName: valueName,
            parse: { text throws(InvalidValue) in
                guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
                    throw InvalidValue("'\(text)' is not a whole number")
                }
                guard range.contains(value) else {
                    throw InvalidValue("\(value) is not between \(range.lowerBound) and \(range.upperBound)")
                }
                return value
            }, format: { String($0) })
    }

    public static let port = wholeNumber(1...65_535, valueName: "port")
}

extension ValueParser where Value == Duration {
    /// A number of seconds, fractions allowed, more than 0 (or 0 too, when it means no limit) and
    /// at most `maximum`. No unit: `10s` or `10m` would raise the question of which units exist.
    public static func seconds(atMost maximum: Double, zeroMeansNoLimit: Bool = false) -> Self {
        Self(
            valueName: "seconds",
            parse: { text throws(InvalidValue) in
                let seconds = try number(text)
                guard seconds > 0 || (zeroMeansNoLimit && seconds == 0), seconds <= maximum else {
                    let range = zeroMeansNoLimit ? "between 0 and" : "more than 0 and at most"
                    throw InvalidValue("\(text) is not \(range) \(decimal(maximum)) seconds")
                }
                return .milliseconds(Int64((seconds * 1000).rounded(.up)))
            }, format: { decimal(Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18) })
    }
}

extension ValueParser where Value == Double {
    /// A rate per second, fractions allowed, 0 or more. A unit (`100/s`) is refused rather than
    /// read: the value is always per second, and one spelling keeps it so.
    public static let perSecond = Self(
        valueName: "per-second",
        parse: { text throws(InvalidValue) in
            let rate = try number(text)
            guard rate >= 0 else { throw InvalidValue("\(text) is negative") }
            return rate
        }, format: { decimal($0) })
}

extension ValueParser where Value == String {
    /// Any text but an empty one.
    public static func text(valueName: String) -> Self {
        Self(
            valueName: valueName,
            parse: { text throws(InvalidValue) in
                let trimmed = text.trimmingCharacters(in: .whitespaces)
                guard !trimmed.isEmpty else { throw InvalidValue("is empty") }
                return trimmed
            }, format: { $0 })
    }
}

extension ValueParser where Value: RawRepresentable & CaseIterable & Sendable, Value.RawValue == String {
    /// One of the type's cases, in any letter case.
    public static var oneOf: Self {
        Self(
            valueName: Value.allCases.map(\.rawValue).joined(separator: "|"),
            parse: { text throws(InvalidValue) in
                guard let value = Value(rawValue: text.lowercased()) else {
                    throw InvalidValue(
                        "'\(text)' is not one of \(Value.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return value
            }, format: { $0.rawValue })
    }
}

extension ValueParser where Value == DatabaseURL {
    /// Errors never quote the URL: it holds a password.
    public static let databaseURL = Self(
        valueName: "url",
        parse: { text throws(InvalidValue) in
            do throws(DatabaseURLError) {
                return try DatabaseURL(text)
            } catch {
                throw InvalidValue(error.reason)
            }
        }, format: { $0.description })
}

extension ValueParser where Value == DatabaseURL? {
    /// A `DATABASE_URL`-style URL, or nothing (an empty variable counts as unset).
    public static let optionalDatabaseURL = Self(
        valueName: "url", parse: { text throws(InvalidValue) in try ValueParser<DatabaseURL>.databaseURL.parse(text) },
        format: { $0?.description ?? "" })
}

/// A finite decimal number.
private func number(_ text: String) throws(InvalidValue) -> Double {
    guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite else {
        throw InvalidValue("'\(text)' is not a number")
    }
    return value
}

/// `10` rather than `10.0`.
private func decimal(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
}
