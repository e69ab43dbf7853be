import Foundation
import Hummingbird
import TrackerCore
import TrackerHTTP

/// A request's query string, read strictly: decoded as a form (`FormQuery`), and every malformed
/// value is a 400 naming the parameter and saying what was expected.
struct QueryParameters {
    private let form: FormQuery

    /// `repeatable` names the parameters the endpoint takes more than once (read with `values`).
    init(_ request: Request, repeatable: Set<String> = []) throws {
        self.form = try FormQuery(request, repeatable: repeatable)
    }

    /// Every value of a repeatable parameter, in the order given.
    func values(_ name: String) -> [String] { form.values(name) }

    static func invalid(_ message: String) -> APIError {
        .badRequest("invalid_parameter", message)
    }

    /// A text filter; present but empty is an error, not "no filter".
    func text(_ name: String, maxLength: Int = 256) throws -> String? {
        guard let value = form.value(name) else { return nil }
        // Bytes, as the stored ids and names are limited: one character can carry thousands of marks.
        guard !value.isEmpty, value.utf8.count <= maxLength else {
            throw Self.invalid("\(name) must be 1 to \(maxLength) bytes (UTF-8) long.")
        }
        guard !value.unicodeScalars.contains("\u{0}") else {
            throw Self.invalid("\(name) must not contain NUL characters.")
        }
        return value
    }

    /// `advice` follows the refusal: what to do instead of a value out of range.
    func integer(_ name: String, in range: ClosedRange<Int>, default defaultValue: Int, advice: String? = nil)
        throws -> Int
    {
        guard let text = form.value(name) else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            throw Self.invalid(
                "\(name) must be an integer from \(range.lowerBound) to \(range.upperBound); got \(Self.show(text))."
                    + (advice.map { " " + $0 } ?? ""))
        }
        return value
    }

    func time(_ name: String) throws -> Date? {
        guard let text = form.value(name) else { return nil }
        guard let date = ISO8601.parse(text) else {
            throw Self.invalid(
                "\(name) must be an ISO 8601 time such as 2026-11-25T10:00:00Z; got \(Self.show(text)). "
                    + "Encode a + in an offset as %2B.")
        }
        return date
    }

    func choice<Value: RawRepresentable & CaseIterable>(_ name: String, default defaultValue: Value) throws -> Value
    where Value.RawValue == String {
        try choice(name, of: Value.self) ?? defaultValue
    }

    func choice<Value: RawRepresentable & CaseIterable>(_ name: String, of: Value.Type) throws -> Value?
    where Value.RawValue == String {
        guard let text = form.value(name) else { return nil }
        guard let value = Value(rawValue: text) else {
            let allowed = Value.allCases.map(\.rawValue).joined(separator: ", ")
            throw Self.invalid("\(name) must be one of \(allowed); got \(Self.show(text)).")
        }
        return value
    }

    /// An optional `[from, to)` range; when both are given `from` must come first.
    func range() throws -> (from: Date?, to: Date?) {
        let from = try time("from")
        let to = try time("to")
        if let from, let to, from >= to { throw Self.invalid("from must be earlier than to.") }
        return (from, to)
    }

    /// The stats endpoints' range: a missing `to` is now (the current minute included), a missing
    /// `from` is `defaultSpan` before `to`; both in whole minutes, the rollups' resolution.
    func statsRange(defaultSpan: Int64, now: Date) throws -> (from: Int64, to: Int64) {
        let (from, to) = try range()
        let minute = RollupLevel.minute
        let end =
            to.map { minute.floor(Int64($0.timeIntervalSince1970.rounded(.down))) }
            ?? minute.floor(Int64(now.timeIntervalSince1970)) + 60
        let start = from.map { minute.floor(Int64($0.timeIntervalSince1970.rounded(.down))) } ?? end - defaultSpan
        return (start, end)
    }

    /// A value as it can be quoted back in a message, cut short.
    static func show(_ text: String) -> String {
        "\"" + (text.count > 40 ? String(text.prefix(40)) + "…" : text) + "\""
    }
}

extension PageCursor {
    /// Reads the `cursor` parameter or answers 400.
    static func from(
        _ parameters: QueryParameters, kind: String, keyCount: Int, filters: [String]
    ) throws -> PageCursor? {
        guard let text = try parameters.text("cursor", maxLength: 200) else { return nil }
        do {
            return try PageCursor(parsing: text, kind: kind, keyCount: keyCount, filters: filters)
        } catch .malformed {
            throw QueryParameters.invalid("cursor is not one this API returned; pass next_cursor unchanged.")
        } catch .otherQuery {
            throw QueryParameters.invalid("cursor belongs to a query with other filters; repeat that query's filters.")
        }
    }
}
