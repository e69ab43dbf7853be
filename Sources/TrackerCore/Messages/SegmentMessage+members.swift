/// The top-level members of a message that decoding looks at. One scan of the payload: the
/// scalars are decoded, the objects kept as source text, every other member only validated.
struct MessageMembers {
    enum Name: String, CaseIterable {
        case type, userId, anonymousId, event, name, groupId, previousId, timestamp, originalTimestamp, sentAt
        case properties, context, traits, integrations

        /// Each name's bytes: keys are matched on bytes, since making a String of every key and
        /// switching on it was a fifth of decoding a message.
        static let spellings = allCases.map { (utf8: Array($0.rawValue.utf8), name: $0) }
    }

    var type, userId, anonymousId, event, name, groupId, previousId: JSONValue?
    var timestamp, originalTimestamp, sentAt: JSONValue?
    var properties, context, traits, integrations: RawJSON?
    /// Members of `context` and `properties` decoding reads, found while those objects are
    /// scanned (looking them up afterwards scanned both objects once more).
    var contextSessionId, propertiesSessionId: JSONValue?
    var contextTraits: RawJSON?

    private static let sessionIdKey = Array("sessionId".utf8)
    private static let traitsKey = Array("traits".utf8)

    /// `nil` when the payload is not one valid JSON object.
    init?(parsing payload: String) {
        var payload = payload
        var members = MessageMembers(empty: ())
        let parsed = payload.withUTF8 { buffer in
            var scanner = JSONScanner(UnsafeRawBufferPointer(buffer))
            scanner.skipWhitespace()
            guard !scanner.isAtEnd, scanner.bytes[scanner.offset] == UInt8(ascii: "{") else { return false }
            do {
                try scanner.scanObject(depth: 0) { scanner, key throws(JSONScanError) in
                    // Keys repeat rarely; the last one wins, as in `jsonb`.
                    let name = Name.spellings.first(where: { scanner.key(key, equals: $0.utf8) })?.name
                    if name == .context || name == .properties, scanner.bytes[scanner.offset] == UInt8(ascii: "{") {
                        return try members.scanNested(name == .context, in: &scanner)
                    }
                    let value = try scanner.scanValueRange(depth: 1)
                    if let name { try members.set(name, value, in: scanner) }
                    return value.kind
                }
                scanner.skipWhitespace()
                return scanner.isAtEnd
            } catch {
                return false
            }
        }
        guard parsed else { return nil }
        self = members
    }

    private init(empty: Void) {}

    /// Scans the `context` (or `properties`) object at the scanner, keeping it and the members of
    /// it decoding reads.
    private mutating func scanNested(_ isContext: Bool, in scanner: inout JSONScanner) throws(JSONScanError)
        -> JSONScanner.ValueKind
    {
        let start = scanner.offset
        var sessionId: JSONValue?
        var traits: RawJSON?
        try scanner.scanObject(depth: 1) { scanner, key throws(JSONScanError) in
            let value = try scanner.scanValueRange(depth: 2)
            if scanner.key(key, equals: Self.sessionIdKey) {
                sessionId = try Self.scalar(value, in: scanner)
            } else if isContext, scanner.key(key, equals: Self.traitsKey) {
                traits = scanner.rawJSON(value.range)
            }
            return value.kind
        }
        let object = scanner.rawJSON(start..<scanner.offset)
        if isContext {
            (context, contextSessionId, contextTraits) = (object, sessionId, traits)
        } else {
            (properties, propertiesSessionId) = (object, sessionId)
        }
        return .object
    }

    private mutating func set(_ name: Name, _ value: JSONScanner.ScannedValue, in scanner: JSONScanner)
        throws(JSONScanError)
    {
        switch name {
        // Not objects (refused later); an object is kept by `scanNested`.
        case .properties: (properties, propertiesSessionId) = (scanner.rawJSON(value.range), nil)
        case .context: (context, contextSessionId, contextTraits) = (scanner.rawJSON(value.range), nil, nil)
        case .traits: traits = scanner.rawJSON(value.range)
        case .integrations: integrations = scanner.rawJSON(value.range)
        case .type: type = try Self.scalar(value, in: scanner)
        case .userId: userId = try Self.scalar(value, in: scanner)
        case .anonymousId: anonymousId = try Self.scalar(value, in: scanner)
        case .event: event = try Self.scalar(value, in: scanner)
        case .name: self.name = try Self.scalar(value, in: scanner)
        case .groupId: groupId = try Self.scalar(value, in: scanner)
        case .previousId: previousId = try Self.scalar(value, in: scanner)
        case .timestamp: timestamp = try Self.scalar(value, in: scanner)
        case .originalTimestamp: originalTimestamp = try Self.scalar(value, in: scanner)
        case .sentAt: sentAt = try Self.scalar(value, in: scanner)
        }
    }

    private static func scalar(_ value: JSONScanner.ScannedValue, in scanner: JSONScanner) throws(JSONScanError)
        -> JSONValue
    {
        switch value.kind {
        case .string: .string(scanner.decodeString(value.contents, hasEscapes: value.hasEscapes))
        case .null: .null
        case .bool: .bool(scanner.bytes[value.range.lowerBound] == UInt8(ascii: "t"))
        case .number: .number(scanner.string(value.range))
        // Only in messages that are refused: the tree is for the sentence that says why.
        case .object, .array: try JSONValue(parsing: UnsafeRawBufferPointer(rebasing: scanner.bytes[value.range]))
        }
    }
}
