import Hummingbird

/// A query string decoded the way HTML forms and HTTP clients encode one
/// (`application/x-www-form-urlencoded`): `+` is a space, `%XX` a byte of UTF-8. Every server reads
/// its query parameters through this: Hummingbird's `uri.queryParameters` keeps `+` as a plus and
/// silently keeps the last of a repeated parameter, so `event=Page+Viewed` matched nothing.
public struct FormQuery: Sendable {
    private var fields: [String: [String]] = [:]

    /// Decodes `query`, the raw text after `?`. A parameter in `repeatable` may be given more than
    /// once; any other given twice is a 400, and so is an escape that is not `%` and two hex digits
    /// or bytes that are not UTF-8, naming the parameter.
    public init(decoding query: String?, repeatable: Set<String> = []) throws(APIError) {
        guard let query else { return }
        for pair in query.utf8.split(separator: UInt8(ascii: "&")) {
            let equals = pair.firstIndex(of: UInt8(ascii: "=")) ?? pair.endIndex
            let rawName = pair[..<equals]
            let name: String
            do {
                name = try Self.decode(rawName)
            } catch {
                let shown = Self.quoted(String(decoding: rawName, as: UTF8.self))
                throw Self.invalid("The parameter name \(shown) \(error.problem)")
            }
            let value: String
            do {
                value = try Self.decode(equals == pair.endIndex ? pair[equals...] : pair[pair.index(after: equals)...])
            } catch {
                throw Self.invalid("\(name) \(error.problem)")
            }
            if fields[name] != nil && !repeatable.contains(name) {
                throw Self.invalid("\(name) is given twice; send it once.")
            }
            fields[name, default: []].append(value)
        }
    }

    /// The request's query string (`uri.query` is the raw text, still encoded).
    public init(_ request: Request, repeatable: Set<String> = []) throws(APIError) {
        try self.init(decoding: request.uri.query, repeatable: repeatable)
    }

    /// A parameter's value, `nil` when it is absent (a repeatable one's first value).
    public func value(_ name: String) -> String? { fields[name]?.first }

    /// Every value of a repeatable parameter, in the order given.
    public func values(_ name: String) -> [String] { fields[name] ?? [] }

    /// The names of the parameters given, for endpoints that take any (a Snowplow pixel's fields).
    public var names: Dictionary<String, [String]>.Keys { fields.keys }

    static func invalid(_ message: String) -> APIError { .badRequest("invalid_parameter", message) }

    /// Why a name or value could not be decoded, said after the parameter's name.
    enum Malformed: Error {
        case escape(String)
        case notUTF8

        var problem: String {
            switch self {
            case .escape(let escape):
                "holds \(FormQuery.quoted(escape)), which is not a percent escape (% and two hex digits); "
                    + "send a % as %25."
            case .notUTF8:
                "is not UTF-8 text once its percent escapes are decoded; encode each character as its UTF-8 "
                    + "bytes (é is %C3%A9)."
            }
        }
    }

    /// `+` → space, then `%XX` → the byte XX; the bytes must be UTF-8.
    static func decode(_ raw: some Collection<UInt8>) throws(Malformed) -> String {
        let raw = Array(raw)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.count)
        var index = 0
        while index < raw.count {
            switch raw[index] {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
                index += 1
            case UInt8(ascii: "%"):
                guard index + 2 < raw.count, let high = hexDigit(raw[index + 1]), let low = hexDigit(raw[index + 2])
                else {
                    throw .escape(String(decoding: raw[index..<min(index + 3, raw.count)], as: UTF8.self))
                }
                bytes.append(high << 4 | low)
                index += 3
            case let byte:
                bytes.append(byte)
                index += 1
            }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .notUTF8 }
        return text
    }

    private static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Text as it can be quoted back in a message, cut short.
    static func quoted(_ text: String) -> String {
        "\"" + (text.count > 40 ? String(text.prefix(40)) + "…" : text) + "\""
    }
}
