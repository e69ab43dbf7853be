import Foundation

/// PostHog's capture API (`/capture/`, `/batch/`, `/e/`, `/i/v0/e/`) as a thin translation into the
/// Segment messages the collector already stages: the body is scanned once, and each message is
/// written from byte ranges of the event it comes from, with no tree built. What the mapping does
/// not settle (a missing name, a timestamp that is not a time) is left to the worker to judge, so
/// such events end in `failed_events` with a reason.
public enum PostHogBody {
    /// Translates one event, `{"api_key","batch":[…],"sent_at"?}`, or a bare array of events.
    /// `receivedAt` dates the events that say how long ago they happened (`offset`).
    public static func translate(
        _ bytes: UnsafeRawBufferPointer,
        limits: IngestLimits = .init(),
        receivedAt: Date = Date()
    ) throws(IngestRejection) -> TranslatedBody {
        var scanner = JSONScanner(bytes)
        var events: [PostHogEvent] = []
        // Every element of the events array, kept or not: only `maxBatchMessages` are kept.
        var count = 0
        var writeKey: String?
        var sentAt: Range<Int>?
        try IngestRejection.scanning {
            scanner.skipWhitespace()
            guard !scanner.isAtEnd else { throw JSONScanError.unexpectedEnd }
            switch bytes[scanner.offset] {
            case UInt8(ascii: "["):
                if let index = try scanEvents(
                    &scanner, depth: 0, limit: limits.maxBatchMessages, into: &events, count: &count)
                {
                    throw IngestRejection.invalidShape("Event \(index) must be a JSON object.")
                }
            case UInt8(ascii: "{"):
                var isBatch = false
                var shapeProblem: String?
                let top = try PostHogEvent(scanning: &scanner, depth: 0) { scanner throws(JSONScanError) in
                    isBatch = true
                    guard scanner.bytes[scanner.offset] == UInt8(ascii: "[") else {
                        shapeProblem = "\"batch\" must be an array of events."
                        return try scanner.scanValue(depth: 1)
                    }
                    events.removeAll()
                    count = 0
                    if let index = try scanEvents(
                        &scanner, depth: 1, limit: limits.maxBatchMessages, into: &events, count: &count)
                    {
                        shapeProblem = "batch[\(index)] must be a JSON object."
                    }
                    return .array
                }
                if let shapeProblem { throw IngestRejection.invalidShape(shapeProblem) }
                if isBatch {
                    writeKey = top.apiKey.flatMap { $0.kind == .string ? scanner.decode($0) : nil }
                    sentAt = top.sentAt.flatMap { $0.kind == .null ? nil : $0.range }
                } else {
                    events = [top]
                    count = 1
                }
            default:
                try scanner.scanValue(depth: 0)
                throw IngestRejection.invalidShape(shapeMessage)
            }
            scanner.skipWhitespace()
            guard scanner.isAtEnd else { throw JSONScanError.unexpectedByte(scanner.offset) }
        }
        guard count <= limits.maxBatchMessages else {
            throw .tooManyMessages(count: count, limit: limits.maxBatchMessages)
        }
        for (index, event) in events.enumerated() where event.range.count > limits.maxMessageBytes {
            throw .messageTooLarge(index: index, bytes: event.range.count, limit: limits.maxMessageBytes)
        }
        var writer = SegmentWriter(bytes: bytes, receivedAt: receivedAt, capacity: bytes.count + events.count * 96)
        var messages: [TranslatedMessage] = []
        messages.reserveCapacity(events.count)
        var writeKeys = writeKey.map { [$0] } ?? []
        let reader = JSONScanner(bytes)
        for event in events {
            let start = writer.text.count
            writer.write(event, reader: reader)
            messages.append(
                TranslatedMessage(
                    range: start..<writer.text.count,
                    messageId: event.uuid.flatMap { $0.kind == .null ? nil : reader.decode($0) }))
            for key in [event.apiKey, event.token] where writeKeys.count < 2 {
                if let key, key.kind == .string {
                    let text = reader.decode(key)
                    if !writeKeys.contains(text) { writeKeys.append(text) }
                }
            }
        }
        let envelope = sentAt.map { #"{"sentAt":"# + reader.string($0) + "}" }
        // Stored once per request like Segment's envelope, so bounded the same.
        if let bytes = envelope?.utf8.count, bytes > limits.maxEnvelopeBytes {
            throw .envelopeTooLarge(bytes: bytes, limit: limits.maxEnvelopeBytes)
        }
        return TranslatedBody(text: writer.text, messages: messages, envelope: envelope, writeKeys: writeKeys)
    }

    static let shapeMessage =
        "The body must be a PostHog event, a {\"batch\":[…]} object of events, or an array of events."

    /// Scans an array of events, keeping the first `limit` and counting every element in `count`;
    /// answers the index of the first element that is not an object. The rest are only validated:
    /// an event's ranges take about 300 times the bytes of `{}`, so a 500 KB array of them would
    /// otherwise take 150 MB before being refused.
    private static func scanEvents(
        _ scanner: inout JSONScanner, depth: Int, limit: Int, into events: inout [PostHogEvent], count: inout Int
    ) throws(JSONScanError) -> Int? {
        var shapeProblem: Int?
        try scanner.scanArray(depth: depth) { scanner, index throws(JSONScanError) in
            count = index + 1
            guard scanner.bytes[scanner.offset] == UInt8(ascii: "{"), index < limit else {
                if scanner.bytes[scanner.offset] != UInt8(ascii: "{") { shapeProblem = shapeProblem ?? index }
                return try scanner.scanValue(depth: depth + 1)
            }
            events.append(try PostHogEvent(scanning: &scanner, depth: depth + 1))
            return .object
        }
        return shapeProblem
    }
}

extension JSONScanner {
    /// A scanned value's text: a string's decoded contents, or any other value's JSON.
    func decode(_ value: ScannedValue) -> String {
        decodeString(value.contents, hasEscapes: value.hasEscapes)
    }
}
