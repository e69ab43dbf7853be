/// Where the members of one PostHog event that the translation reads lie in the body. Only
/// `properties` is looked into; every other value is validated and kept as a byte range.
struct PostHogEvent {
    typealias Value = JSONScanner.ScannedValue

    var range: Range<Int> = 0..<0
    var event, distinctId, uuid, timestamp, sentAt, set, apiKey: Value?
    /// posthog-js's batches: milliseconds between the event and the request, instead of a timestamp.
    var offset: Value?
    var properties: Value?
    /// Members of `properties`.
    var isIdentified, deviceId, pathname, currentURL, screenName, propertiesSet, anonDistinctId, alias: Value?
    var sessionId, token: Value?
    /// The `token` members of `properties` (key to value), left out of the stored properties so
    /// the write key is not stored with every event; each of them, as a repeated key can hide one.
    var tokenMembers: [Range<Int>] = []

    /// Scans the event object at the scanner's offset. A top-level object may instead be a batch:
    /// `batch`, when given, scans the value of its `batch` member.
    init(
        scanning scanner: inout JSONScanner, depth: Int,
        batch: ((inout JSONScanner) throws(JSONScanError) -> JSONScanner.ValueKind)? = nil
    ) throws(JSONScanError) {
        let start = scanner.offset
        var event = PostHogEvent()
        try scanner.scanObject(depth: depth) { scanner, key throws(JSONScanError) in
            if let batch, !key.hasEscapes, scanner.bytes(key.range, equal: "batch") {
                return try batch(&scanner)
            }
            if scanner.bytes(key.range, equal: "properties"), !key.hasEscapes {
                // A repeated `properties` replaces the earlier one whole, as in `jsonb`: nothing
                // found in the earlier one may point into it.
                event.forgetProperties()
                if scanner.bytes[scanner.offset] == UInt8(ascii: "{") {
                    try event.scanProperties(&scanner, depth: depth + 1)
                    return .object
                }
            }
            let value = try scanner.scanValueRange(depth: depth + 1)
            switch Self.topLevelKey(key, in: scanner) {
            case .event?: event.event = value
            case .distinctId?: event.distinctId = value
            case .uuid?: event.uuid = value
            case .timestamp?: event.timestamp = value
            case .sentAt?: event.sentAt = value
            case .offset?: event.offset = value
            case .set?: event.set = value
            case .apiKey?: event.apiKey = value
            case .properties?: event.properties = value
            case nil: break
            }
            return value.kind
        }
        event.range = start..<scanner.offset
        self = event
    }

    private init() {}

    private enum TopLevelKey {
        case event, distinctId, uuid, timestamp, sentAt, offset, set, apiKey, properties
    }

    private static func topLevelKey(_ key: (range: Range<Int>, hasEscapes: Bool), in scanner: JSONScanner)
        -> TopLevelKey?
    {
        guard !key.hasEscapes else { return nil }
        let range = key.range
        if scanner.bytes(range, equal: "event") { return .event }
        if scanner.bytes(range, equal: "distinct_id") { return .distinctId }
        if scanner.bytes(range, equal: "uuid") { return .uuid }
        if scanner.bytes(range, equal: "timestamp") { return .timestamp }
        if scanner.bytes(range, equal: "sent_at") { return .sentAt }
        if scanner.bytes(range, equal: "offset") { return .offset }
        if scanner.bytes(range, equal: "$set") { return .set }
        if scanner.bytes(range, equal: "api_key") || scanner.bytes(range, equal: "token") { return .apiKey }
        if scanner.bytes(range, equal: "properties") { return .properties }
        return nil
    }

    private mutating func forgetProperties() {
        properties = nil
        isIdentified = nil
        deviceId = nil
        pathname = nil
        currentURL = nil
        screenName = nil
        propertiesSet = nil
        anonDistinctId = nil
        alias = nil
        sessionId = nil
        token = nil
        tokenMembers = []
    }

    private mutating func scanProperties(_ scanner: inout JSONScanner, depth: Int) throws(JSONScanError) {
        let start = scanner.offset
        var event = self
        try scanner.scanObject(depth: depth) { scanner, key throws(JSONScanError) in
            let value = try scanner.scanValueRange(depth: depth + 1)
            // Every key the translation reads starts with `$` or is `alias` or `token`.
            guard !key.hasEscapes, let lead = key.range.first.map({ scanner.bytes[$0] }),
                lead == UInt8(ascii: "$") || lead == UInt8(ascii: "a") || lead == UInt8(ascii: "t")
            else { return value.kind }
            let range = key.range
            if scanner.bytes(range, equal: "$is_identified") {
                event.isIdentified = value
            } else if scanner.bytes(range, equal: "$device_id") {
                event.deviceId = value
            } else if scanner.bytes(range, equal: "$pathname") {
                event.pathname = value
            } else if scanner.bytes(range, equal: "$current_url") {
                event.currentURL = value
            } else if scanner.bytes(range, equal: "$screen_name") {
                event.screenName = value
            } else if scanner.bytes(range, equal: "$set") {
                event.propertiesSet = value
            } else if scanner.bytes(range, equal: "$anon_distinct_id") {
                event.anonDistinctId = value
            } else if scanner.bytes(range, equal: "alias") {
                event.alias = value
            } else if scanner.bytes(range, equal: "$session_id") {
                event.sessionId = value
            } else if scanner.bytes(range, equal: "token") {
                event.token = value
                // From the key's opening quote to the value's end.
                event.tokenMembers.append((range.lowerBound - 1)..<scanner.offset)
            }
            return value.kind
        }
        event.properties = JSONScanner.ScannedValue(
            kind: .object, range: start..<scanner.offset, contents: start..<scanner.offset, hasEscapes: false)
        self = event
    }
}
