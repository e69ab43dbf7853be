import Foundation

/// Writes Segment messages from byte ranges of PostHog events: each value is copied as the client
/// sent it (the scanner validated it), so the messages are valid JSON without a tree or a re-encode.
struct SegmentWriter {
    let bytes: UnsafeRawBufferPointer
    /// When the request arrived, for events that give an `offset` instead of a timestamp.
    let receivedAt: Date
    private(set) var text: [UInt8] = []

    init(bytes: UnsafeRawBufferPointer, receivedAt: Date, capacity: Int) {
        self.bytes = bytes
        self.receivedAt = receivedAt
        text.reserveCapacity(capacity)
    }

    /// The mapping: `uuid` → `messageId`; `distinct_id` → `userId`, or `anonymousId` when the event
    /// says it is anonymous; `$pageview`, `$screen`, `$identify` and `$create_alias` → page, screen,
    /// identify and alias; any other event → track under its own name. `$set` becomes traits and
    /// `$session_id` the session; posthog-js's `offset` (ms before the request) the timestamp.
    mutating func write(_ event: PostHogEvent, reader: JSONScanner) {
        let kind = SpecialEvent(event.event, reader: reader)
        text.append(contentsOf: #"{"type":""#.utf8)
        text.append(contentsOf: kind.type.utf8)
        text.append(UInt8(ascii: "\""))
        switch kind {
        case .pageview: member("name", present(event.pathname) ?? present(event.currentURL))
        case .screen: member("name", event.screenName)
        case .alias: member("previousId", event.alias)
        case .identify: member("anonymousId", event.anonDistinctId)
        case .other: member("event", event.event)
        }
        if kind == .identify || !isAnonymous(event, reader: reader) {
            member("userId", event.distinctId)
        } else {
            member("anonymousId", event.distinctId)
        }
        member("messageId", event.uuid)
        if present(event.timestamp) == nil, let offset = event.offset, offset.kind == .number,
            let milliseconds = Double(reader.decode(offset)), milliseconds >= 0, milliseconds < 1e13
        {
            // Already relative to the collector's clock: no skew correction by a batch's sent_at.
            let timestamp = ISO8601.string(from: receivedAt.addingTimeInterval(-milliseconds / 1000))
            text.append(contentsOf: #","timestamp":""#.utf8)
            text.append(contentsOf: timestamp.utf8)
            text.append(contentsOf: #"","sentAt":null"#.utf8)
        } else {
            member("timestamp", event.timestamp)
            member("sentAt", event.sentAt)
        }
        member("traits", present(event.set) ?? event.propertiesSet)
        if let sessionId = present(event.sessionId) {
            text.append(contentsOf: #","context":{"sessionId":"#.utf8)
            append(sessionId.range)
            text.append(UInt8(ascii: "}"))
        }
        if let properties = event.properties {
            text.append(contentsOf: #","properties":"#.utf8)
            if properties.kind == .object, !event.tokenMembers.isEmpty {
                writeObject(properties.range, leavingOut: event.tokenMembers)
            } else {
                append(properties.range)
            }
        }
        text.append(UInt8(ascii: "}"))
    }

    /// Anonymous when `$is_identified` is false or `distinct_id` is the device's id.
    private func isAnonymous(_ event: PostHogEvent, reader: JSONScanner) -> Bool {
        if let identified = event.isIdentified, identified.kind == .bool,
            reader.bytes(identified.range, equal: "false")
        {
            return true
        }
        guard let distinctId = event.distinctId, let deviceId = event.deviceId, distinctId.kind == .string,
            deviceId.kind == .string
        else { return false }
        return reader.decode(distinctId) == reader.decode(deviceId)
    }

    /// A value that says something: not null, not an empty string.
    private func present(_ value: JSONScanner.ScannedValue?) -> JSONScanner.ScannedValue? {
        guard let value, value.kind != .null, !(value.kind == .string && value.contents.isEmpty) else { return nil }
        return value
    }

    private mutating func member(_ name: StaticString, _ value: JSONScanner.ScannedValue?) {
        guard let value else { return }
        text.append(contentsOf: #",""#.utf8)
        text.append(contentsOf: UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        text.append(contentsOf: #"":"#.utf8)
        append(value.range)
    }

    /// The object at `object` without `members` (in order, none overlapping): the text between
    /// them, each piece trimmed of the commas and white space around it (a value never ends in
    /// either), joined by commas.
    private mutating func writeObject(_ object: Range<Int>, leavingOut members: [Range<Int>]) {
        text.append(UInt8(ascii: "{"))
        var wroteMember = false
        var pieceStart = object.lowerBound + 1
        for index in 0...members.count {
            var lower = pieceStart
            var upper = index < members.count ? members[index].lowerBound : object.upperBound - 1
            while lower < upper, Self.isSeparator(bytes[lower]) { lower += 1 }
            while upper > lower, Self.isSeparator(bytes[upper - 1]) { upper -= 1 }
            if lower < upper {
                if wroteMember { text.append(UInt8(ascii: ",")) }
                append(lower..<upper)
                wroteMember = true
            }
            if index < members.count { pieceStart = members[index].upperBound }
        }
        text.append(UInt8(ascii: "}"))
    }

    private static func isSeparator(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: ","), 0x20, 0x09, 0x0A, 0x0D: true
        default: false
        }
    }

    private mutating func append(_ range: Range<Int>) {
        text.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[range]))
    }
}
