/// A decoded JSON value. Numbers keep their source text so nothing is lost on the way to `jsonb`.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(parsing text: String) throws(JSONScanError) {
        var text = text
        let parsed = text.withUTF8 { buffer in
            Result { () throws(JSONScanError) in try JSONValue(parsing: UnsafeRawBufferPointer(buffer)) }
        }
        self = try parsed.get()
    }

    public init(parsing bytes: UnsafeRawBufferPointer) throws(JSONScanError) {
        var scanner = JSONScanner(bytes)
        scanner.skipWhitespace()
        self = try Self.parse(&scanner, depth: 0)
        scanner.skipWhitespace()
        guard scanner.isAtEnd else { throw .unexpectedByte(scanner.offset) }
    }

    private static func parse(_ scanner: inout JSONScanner, depth: Int) throws(JSONScanError) -> JSONValue {
        guard !scanner.isAtEnd else { throw .unexpectedEnd }
        switch scanner.bytes[scanner.offset] {
        case UInt8(ascii: "{"):
            var members: [String: JSONValue] = [:]
            try scanner.scanObject(depth: depth) { scanner, key throws(JSONScanError) in
                let value = try parse(&scanner, depth: depth + 1)
                members[scanner.decodeString(key.range, hasEscapes: key.hasEscapes)] = value
                return .object
            }
            return .object(members)
        case UInt8(ascii: "["):
            var elements: [JSONValue] = []
            try scanner.scanArray(depth: depth) { scanner, _ throws(JSONScanError) in
                elements.append(try parse(&scanner, depth: depth + 1))
                return .array
            }
            return .array(elements)
        default:
            let value = try scanner.scanValueRange(depth: depth)
            switch value.kind {
            case .string: return .string(scanner.decodeString(value.contents, hasEscapes: value.hasEscapes))
            case .null: return .null
            case .bool: return .bool(scanner.bytes[value.range.lowerBound] == UInt8(ascii: "t"))
            default:
                return .number(
                    String(decoding: UnsafeRawBufferPointer(rebasing: scanner.bytes[value.range]), as: UTF8.self))
            }
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let string) = self { return string }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// Compact JSON text, object keys sorted so equal values print equally.
    public var jsonText: String {
        var output = ""
        write(to: &output)
        return output
    }

    private func write(to output: inout String) {
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .number(let text): output += text
        case .string(let string): Self.writeString(string, to: &output)
        case .array(let elements):
            output += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { output += "," }
                element.write(to: &output)
            }
            output += "]"
        case .object(let members):
            output += "{"
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { output += "," }
                Self.writeString(key, to: &output)
                output += ":"
                members[key]!.write(to: &output)
            }
            output += "}"
        }
    }

    /// `string` as a JSON string literal, for answers assembled as text.
    public static func quoted(_ string: String) -> String {
        var output = ""
        writeString(string, to: &output)
        return output
    }

    private static func writeString(_ string: String, to output: inout String) {
        output += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{0}"..."\u{1F}":
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}
