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
        var output: [UInt8] = []
        write(to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Writes UTF-8 bytes, cheaper than appending to a `String` scalar by scalar.
    private func write(to output: inout [UInt8]) {
        switch self {
        case .null: output += "null".utf8
        case .bool(let value): output += (value ? "true" : "false").utf8
        case .number(let text): output += text.utf8
        case .string(let string): Self.writeString(string, to: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                element.write(to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            for (index, member) in members.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                Self.writeString(member.key, to: &output)
                output.append(UInt8(ascii: ":"))
                member.value.write(to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// `string` as a JSON string literal, for answers assembled as text.
    public static func quoted(_ string: String) -> String {
        var output: [UInt8] = []
        writeString(string, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Escapes byte by byte: every byte of a multi-byte UTF-8 sequence is 0x80 or above, so only
    /// ASCII needs a look. Public for messages written as bytes (the Snowplow translation).
    public static func writeString(_ string: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output += #"\""#.utf8
            case UInt8(ascii: "\\"): output += #"\\"#.utf8
            case UInt8(ascii: "\n"): output += #"\n"#.utf8
            case UInt8(ascii: "\r"): output += #"\r"#.utf8
            case UInt8(ascii: "\t"): output += #"\t"#.utf8
            case 0..<0x20:
                output += #"\u00"#.utf8
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0xF)])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
