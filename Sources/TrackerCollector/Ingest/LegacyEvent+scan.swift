import TrackerCore

extension LegacyEvent {
    /// Checks a `POST /events` body with the byte scanner, as the single-message endpoints do,
    /// instead of building a `JSONValue` tree: returns the body's `source` (nil when absent) when
    /// the body is plainly one `LegacyEvent.decode` accepts, else nil, and the caller lets `decode`
    /// say what is wrong. Only what `decode` would judge the same way is decided here; a blank check
    /// that needs Unicode, a duplicate key or a non-object body is left to it.
    static func scanAccepted(_ bytes: UnsafeRawBufferPointer) -> String?? {
        var scanner = JSONScanner(bytes)
        scanner.skipWhitespace()
        guard !scanner.isAtEnd, bytes[scanner.offset] == UInt8(ascii: "{") else { return nil }
        var seen = 0
        var duplicate = false
        var fieldsValid = true
        var source: String?
        do throws(JSONScanError) {
            try scanner.scanObject(depth: 0) { scanner, key throws(JSONScanError) in
                let value = try scanner.scanValueRange(depth: 1)
                guard let field = Field(key, in: scanner) else { return value.kind }
                if seen & field.bit != 0 { duplicate = true }
                seen |= field.bit
                let text =
                    value.kind == .string ? scanner.decodeString(value.contents, hasEscapes: value.hasEscapes) : nil
                switch field {
                case .userId, .sessionId:
                    fieldsValid = fieldsValid && text.map { Self.plainlyPresent($0, limit: 256) } == true
                case .eventType:
                    fieldsValid = fieldsValid && text.map { Self.plainlyPresent($0, limit: 200) } == true
                case .timestamp:
                    fieldsValid = fieldsValid && (value.kind == .null || text.flatMap(ISO8601.parse) != nil)
                case .source:
                    source = text
                    fieldsValid =
                        fieldsValid && (value.kind == .null || (text.map { $0.utf8.count <= maxSourceBytes } == true))
                case .metadata:
                    fieldsValid = fieldsValid && (value.kind == .null || value.kind == .object)
                }
                return value.kind
            }
            scanner.skipWhitespace()
            guard scanner.isAtEnd else { return nil }
        } catch {
            return nil
        }
        let required = Field.userId.bit | Field.sessionId.bit | Field.eventType.bit
        guard fieldsValid, !duplicate, seen & required == required else { return nil }
        return .some(source)
    }

    /// Not blank and within `limit` UTF-8 bytes. Blank means only `.whitespaces` to `decode`; a
    /// value with an ASCII byte other than space or tab is surely not, anything else is left to it.
    private static func plainlyPresent(_ text: String, limit: Int) -> Bool {
        let utf8 = text.utf8
        return utf8.count <= limit && utf8.contains { $0 < 0x80 && $0 != 0x20 && $0 != 0x09 }
    }

    /// The members `decode` looks at.
    private enum Field: Int, CaseIterable {
        case userId = 1, sessionId = 2, eventType = 4, timestamp = 8, source = 16, metadata = 32

        var bit: Int { rawValue }

        /// Spelled once: a key is compared with each of them.
        static let names = allCases.map { ($0, Array("\($0)".utf8)) }

        init?(_ key: (range: Range<Int>, hasEscapes: Bool), in scanner: JSONScanner) {
            guard key.hasEscapes || (6...9).contains(key.range.count) else { return nil }
            guard let (field, _) = Self.names.first(where: { scanner.key(key, equals: $0.1) }) else { return nil }
            self = field
        }
    }
}
