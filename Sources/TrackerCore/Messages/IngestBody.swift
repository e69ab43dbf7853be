/// Request limits, Segment's own figures by default.
public struct IngestLimits: Sendable {
    public var maxMessageBytes: Int
    public var maxRequestBytes: Int
    public var maxBatchMessages: Int
    /// A batch's shared `context`, `integrations` and `sentAt` together: every message inherits
    /// them, so they are bounded like a message.
    public var maxEnvelopeBytes: Int

    public init(
        maxMessageBytes: Int = 32 * 1024, maxRequestBytes: Int = 500 * 1024, maxBatchMessages: Int = 2_500,
        maxEnvelopeBytes: Int = 32 * 1024
    ) {
        self.maxMessageBytes = maxMessageBytes
        self.maxRequestBytes = maxRequestBytes
        self.maxBatchMessages = maxBatchMessages
        self.maxEnvelopeBytes = maxEnvelopeBytes
    }
}

/// Which identifying fields a message carries with a non-null, non-empty value.
public struct PresentFields: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let userId = PresentFields(rawValue: 1 << 0)
    public static let anonymousId = PresentFields(rawValue: 1 << 1)
    public static let event = PresentFields(rawValue: 1 << 2)
    public static let groupId = PresentFields(rawValue: 1 << 3)
    public static let previousId = PresentFields(rawValue: 1 << 4)
}

/// One message found in a body: where its raw bytes are and the few fields the collector needs.
public struct ScannedMessage: Sendable, Equatable {
    public var range: Range<Int>
    /// `type` when it is a string.
    public var type: String?
    /// `messageId` when given: the string itself, or the raw JSON of a non-string value.
    public var messageId: String?
    public var present: PresentFields
}

/// A scanned Segment body: the messages, the batch-level fields every message inherits, the write key.
public struct ScannedBody: Sendable, Equatable {
    public var messages: [ScannedMessage]
    /// `{"context":…,"integrations":…,"sentAt":…}` built from the batch's own raw values; nil when none.
    public var envelope: String?
    public var writeKey: String?
}

/// Why a request is refused as a whole before anything is stored.
public enum IngestRejection: Error, Equatable, Sendable {
    case invalidJSON(String)
    case invalidShape(String)
    case missingField(String)
    case messageTooLarge(index: Int, bytes: Int, limit: Int)
    case tooManyMessages(count: Int, limit: Int)
    case envelopeTooLarge(bytes: Int, limit: Int)

    public var message: String {
        switch self {
        case .invalidJSON(let detail): "Invalid JSON: \(detail)."
        case .invalidShape(let detail), .missingField(let detail): detail
        case .messageTooLarge(let index, let bytes, let limit):
            "Message \(index) is \(bytes) bytes; the limit is \(limit) bytes per message."
        case .tooManyMessages(let count, let limit):
            "The batch holds \(count) messages; the limit is \(limit) per batch."
        case .envelopeTooLarge(let bytes, let limit):
            "The batch's shared context, integrations and sentAt are \(bytes) bytes; the limit is \(limit) bytes."
        }
    }
}

extension IngestRejection {
    /// Runs one scan of a request body: what the JSON scanner throws is `invalidJSON`, a rejection
    /// stands as it is.
    static func scanning<Result>(_ scan: () throws -> Result) throws(IngestRejection) -> Result {
        do {
            return try scan()
        } catch let error as JSONScanError {
            throw .invalidJSON(error.description)
        } catch let error as IngestRejection {
            throw error
        } catch {
            throw .invalidJSON("\(error)")
        }
    }
}

/// Shape checks of Segment bodies by a streaming byte scan, without decoding messages.
public enum IngestBody {
    /// Scans `{"batch":[message…], "context"?, "integrations"?, "sentAt"?, "writeKey"?}`.
    public static func scanBatch(
        _ bytes: UnsafeRawBufferPointer,
        limits: IngestLimits = .init()
    ) throws(IngestRejection) -> ScannedBody {
        var scanner = JSONScanner(bytes)
        var messages: [ScannedMessage] = []
        var sawBatch = false
        var envelopeParts: [String] = []
        var writeKey: String?
        try IngestRejection.scanning {
            scanner.skipWhitespace()
            guard !scanner.isAtEnd, bytes[scanner.offset] == UInt8(ascii: "{") else {
                try scanner.scanValue(depth: 0)
                throw IngestRejection.invalidShape("The body must be a JSON object with a \"batch\" array.")
            }
            var shapeProblem: IngestRejection?
            try scanner.scanObject(depth: 0) { scanner, key throws(JSONScanError) in
                let start = scanner.offset
                if scanner.bytes(key.range, equal: "batch") {
                    guard bytes[start] == UInt8(ascii: "[") else {
                        shapeProblem = shapeProblem ?? .invalidShape("\"batch\" must be an array of messages.")
                        return try scanner.scanValue(depth: 1)
                    }
                    sawBatch = true
                    messages.removeAll()
                    try scanner.scanArray(depth: 1) { scanner, index throws(JSONScanError) in
                        guard bytes[scanner.offset] == UInt8(ascii: "{") else {
                            shapeProblem = shapeProblem ?? .invalidShape("batch[\(index)] must be a JSON object.")
                            return try scanner.scanValue(depth: 2)
                        }
                        messages.append(try scanMessageObject(&scanner, depth: 2).message)
                        return .object
                    }
                    return .array
                }
                let value = try scanner.scanValueRange(depth: 1)
                let kind = value.kind
                let raw = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[value.range]), as: UTF8.self)
                if scanner.bytes(key.range, equal: "context") || scanner.bytes(key.range, equal: "integrations") {
                    let name = scanner.decodeString(key.range, hasEscapes: key.hasEscapes)
                    guard kind == .object || kind == .null else {
                        shapeProblem = shapeProblem ?? .invalidShape("\"\(name)\" must be a JSON object.")
                        return kind
                    }
                    if kind == .object { envelopeParts.append("\"\(name)\":\(raw)") }
                } else if scanner.bytes(key.range, equal: "sentAt"), kind != .null {
                    envelopeParts.append("\"sentAt\":\(raw)")
                } else if scanner.bytes(key.range, equal: "writeKey"), kind == .string {
                    writeKey = scanner.decodeString(value.contents, hasEscapes: value.hasEscapes)
                }
                return kind
            }
            scanner.skipWhitespace()
            guard scanner.isAtEnd else { throw JSONScanError.unexpectedByte(scanner.offset) }
            if let shapeProblem { throw shapeProblem }
        }
        guard sawBatch else {
            throw .invalidShape("The body must be a JSON object with a \"batch\" array.")
        }
        guard messages.count <= limits.maxBatchMessages else {
            throw .tooManyMessages(count: messages.count, limit: limits.maxBatchMessages)
        }
        for (index, message) in messages.enumerated() where message.range.count > limits.maxMessageBytes {
            throw .messageTooLarge(index: index, bytes: message.range.count, limit: limits.maxMessageBytes)
        }
        let envelope = envelopeParts.isEmpty ? nil : "{" + envelopeParts.joined(separator: ",") + "}"
        if let bytes = envelope?.utf8.count, bytes > limits.maxEnvelopeBytes {
            throw .envelopeTooLarge(bytes: bytes, limit: limits.maxEnvelopeBytes)
        }
        return ScannedBody(messages: messages, envelope: envelope, writeKey: writeKey)
    }

    /// Scans one message object (the single-message endpoints' body) and checks the fields Segment
    /// requires for `type`, which the endpoint implies.
    public static func scanMessage(
        _ bytes: UnsafeRawBufferPointer,
        type: MessageType,
        limits: IngestLimits = .init()
    ) throws(IngestRejection) -> ScannedBody {
        var scanner = JSONScanner(bytes)
        let scanned = try IngestRejection.scanning {
            scanner.skipWhitespace()
            guard !scanner.isAtEnd, bytes[scanner.offset] == UInt8(ascii: "{") else {
                try scanner.scanValue(depth: 0)
                throw IngestRejection.invalidShape("The body must be a JSON object holding one message.")
            }
            let scanned = try scanMessageObject(&scanner, depth: 0)
            scanner.skipWhitespace()
            guard scanner.isAtEnd else { throw JSONScanError.unexpectedByte(scanner.offset) }
            return scanned
        }
        var message = scanned.message
        message.type = type.rawValue
        if let missing = type.missingRequiredField(message.present) {
            throw .missingField(missing)
        }
        guard message.range.count <= limits.maxMessageBytes else {
            throw .messageTooLarge(index: 0, bytes: message.range.count, limit: limits.maxMessageBytes)
        }
        return ScannedBody(messages: [message], envelope: nil, writeKey: scanned.writeKey)
    }

    /// Scans one message object at the scanner's offset, noting the fields the collector looks at.
    static func scanMessageObject(
        _ scanner: inout JSONScanner,
        depth: Int
    ) throws(JSONScanError) -> (message: ScannedMessage, writeKey: String?) {
        let start = scanner.offset
        var type: String?
        var messageId: String?
        var writeKey: String?
        var present: PresentFields = []
        try scanner.scanObject(depth: depth) { scanner, key throws(JSONScanError) in
            let value = try scanner.scanValueRange(depth: depth + 1)
            let kind = value.kind
            let isString = kind == .string
            let hasEscapes = value.hasEscapes
            let contents = value.contents
            let isPresent = kind != .null && !(isString && contents.isEmpty)
            guard key.range.count <= 11 else { return kind }
            let keyText = scanner.decodeString(key.range, hasEscapes: key.hasEscapes)
            switch keyText {
            case "type" where isString: type = scanner.decodeString(contents, hasEscapes: hasEscapes)
            case "messageId" where kind != .null:
                messageId = scanner.decodeString(contents, hasEscapes: hasEscapes)
            case "writeKey" where isString: writeKey = scanner.decodeString(contents, hasEscapes: hasEscapes)
            case "userId" where isPresent: present.insert(.userId)
            case "anonymousId" where isPresent: present.insert(.anonymousId)
            case "event" where isPresent: present.insert(.event)
            case "groupId" where isPresent: present.insert(.groupId)
            case "previousId" where isPresent: present.insert(.previousId)
            default: break
            }
            return kind
        }
        let message = ScannedMessage(range: start..<scanner.offset, type: type, messageId: messageId, present: present)
        return (message, writeKey)
    }
}
