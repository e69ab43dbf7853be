import Foundation

/// A validated message, ready for `events`: Segment's fields with clock skew already corrected.
public struct SegmentMessage: Sendable, Equatable {
    public var type: MessageType
    public var messageId: String
    public var userId: String?
    public var anonymousId: String?
    /// The track event's name, or the page/screen name, so both count under one name.
    public var event: String?
    public var sessionId: String?
    public var groupId: String?
    public var previousId: String?
    public var timestamp: Date
    /// The timestamp as the client sent it, when it differs from `timestamp`.
    public var originalTimestamp: Date?
    public var sentAt: Date?
    public var receivedAt: Date
    public var properties: RawJSON
    public var context: RawJSON
    public var traits: RawJSON
    public var integrations: RawJSON

    /// Decodes and validates one staged message.
    ///
    /// - Parameters:
    ///   - payload: the message as it arrived.
    ///   - envelope: the batch-level `context`, `integrations` and `sentAt` it inherits.
    ///   - impliedType: the type a single-message endpoint implies, which wins over the body's.
    ///   - messageId: the message's own id, or the one the collector generated.
    public static func decode(
        payload: String,
        envelope: String?,
        impliedType: MessageType?,
        messageId: String,
        receivedAt: Date
    ) -> Result<SegmentMessage, MessageRejection> {
        decode(
            payload: payload, batch: parseEnvelope(envelope), impliedType: impliedType, messageId: messageId,
            receivedAt: receivedAt)
    }

    /// An envelope's members, parsed once for every message of its batch.
    public static func parseEnvelope(_ envelope: String?) -> [String: JSONValue] {
        envelope.flatMap { try? JSONValue(parsing: $0) }?.objectValue ?? [:]
    }

    /// `decode(payload:envelope:…)` with the envelope already parsed (`parseEnvelope`).
    public static func decode(
        payload: String,
        batch: [String: JSONValue],
        impliedType: MessageType?,
        messageId: String,
        receivedAt: Date
    ) -> Result<SegmentMessage, MessageRejection> {
        Result { () throws(MessageRejection) in
            try decodeThrowing(
                payload: payload, batch: batch, impliedType: impliedType, messageId: messageId,
                receivedAt: receivedAt)
        }
    }

    static func decodeThrowing(
        payload: String,
        batch: [String: JSONValue],
        impliedType: MessageType?,
        messageId: String,
        receivedAt: Date
    ) throws(MessageRejection) -> SegmentMessage {
        guard let body = MessageMembers(parsing: payload) else {
            throw MessageRejection(.invalidJSON, "The message is not a JSON object.")
        }

        let type: MessageType
        if let impliedType {
            type = impliedType
        } else if let name = body.type?.stringValue, let parsed = MessageType(rawValue: name.lowercased()) {
            type = parsed
        } else if let given = body.type, given != .null {
            throw MessageRejection(.unknownType, "type \(given.jsonText) is not one of \(Self.typeList).")
        } else {
            throw MessageRejection(.unknownType, "The message has no type; expected one of \(Self.typeList).")
        }

        let userId = try identifier(body.userId, field: "userId")
        let anonymousId = try identifier(body.anonymousId, field: "anonymousId")
        let event = try identifier(body.event, field: "event")
        let name = try identifier(body.name, field: "name")
        let groupId = try identifier(body.groupId, field: "groupId")
        let previousId = try identifier(body.previousId, field: "previousId")
        // Segment's field length limits, in UTF-8 bytes.
        try limit(messageId, field: "messageId", to: 100)
        try limit(event, field: "event", to: 200)
        try limit(name, field: "name", to: 200)
        try limit(userId, field: "userId", to: 256)
        try limit(anonymousId, field: "anonymousId", to: 256)
        try limit(groupId, field: "groupId", to: 256)
        try limit(previousId, field: "previousId", to: 256)
        if userId == nil, anonymousId == nil {
            throw MessageRejection(.missingUser, "A \(type.rawValue) call needs a userId or an anonymousId.")
        }
        switch type {
        case .track where event == nil:
            throw MessageRejection(.missingEvent, "A track call needs an event name in \"event\".")
        case .group where groupId == nil:
            throw MessageRejection(.missingGroupId, "A group call needs a \"groupId\".")
        case .alias where previousId == nil:
            throw MessageRejection(.missingPreviousId, "An alias call needs a \"previousId\".")
        default: break
        }

        let context = try merged(body.context, over: batch["context"], field: "context")
        // Found while scanning the message, unless the batch's context was merged in.
        let contextIsOwn = batch["context"]?.objectValue?.isEmpty ?? true
        let integrations = try merged(body.integrations, over: batch["integrations"], field: "integrations")
        let original = try time(body.timestamp ?? body.originalTimestamp, field: "timestamp")
        let sentAt = try time(body.sentAt ?? batch["sentAt"], field: "sentAt")
        let corrected = ClockSkew.correct(timestamp: original, sentAt: sentAt, receivedAt: receivedAt)

        let traits: RawJSON
        switch type {
        case .identify, .group:
            let contextTraits = contextIsOwn ? body.contextTraits : context.member("traits")
            traits = try object(body.traits ?? contextTraits, field: "traits")
        default: traits = try object(body.traits, field: "traits")
        }
        let properties = try object(body.properties, field: "properties")
        let contextSessionId = contextIsOwn ? body.contextSessionId : context["sessionId"]
        let sessionId = try identifier(contextSessionId ?? body.propertiesSessionId, field: "sessionId")

        return SegmentMessage(
            type: type,
            messageId: messageId,
            userId: userId,
            anonymousId: anonymousId,
            event: type == .page || type == .screen ? name : event,
            sessionId: sessionId,
            groupId: groupId,
            previousId: previousId,
            timestamp: corrected.timestamp,
            originalTimestamp: corrected.timestamp == original ? nil : original,
            sentAt: sentAt,
            receivedAt: receivedAt,
            properties: properties,
            context: context,
            traits: traits,
            integrations: integrations
        )
    }

    static let typeList = MessageType.allCases.map(\.rawValue).joined(separator: ", ")

    /// Refuses a text longer than `limit` UTF-8 bytes. Bytes, not characters: these fields are
    /// indexed, and one character with thousands of combining marks would pass a character limit and
    /// overflow an index row.
    static func limit(_ value: String?, field: String, to limit: Int) throws(MessageRejection) {
        guard let value else { return }
        let bytes = value.utf8.count
        guard bytes > limit else { return }
        throw MessageRejection(.fieldTooLong, "\(field) is \(bytes) bytes long; the limit is \(limit) bytes (UTF-8).")
    }

    /// An id-like field: a non-empty string, or a number Segment's SDKs sometimes send, as text.
    static func identifier(_ value: JSONValue?, field: String) throws(MessageRejection) -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let string)?: return string.isEmpty ? nil : string
        case .number(let text)?: return text
        case let other?:
            throw MessageRejection(.invalidField, "\(field) must be a string, not \(other.kindName).")
        }
    }

    static func object(_ value: RawJSON?, field: String) throws(MessageRejection) -> RawJSON {
        switch value?.kind {
        case nil, .null?: return .emptyObject
        case .object?: return value!
        case let other?:
            throw MessageRejection(.invalidField, "\(field) must be an object, not \(other.name).")
        }
    }

    /// The message's object laid over the batch's: the message wins key by key. Most batches
    /// carry no context of their own, and then the message's text goes on untouched.
    static func merged(_ own: RawJSON?, over batch: JSONValue?, field: String) throws(MessageRejection) -> RawJSON {
        let own = try object(own, field: field)
        guard let batchMembers = batch?.objectValue, !batchMembers.isEmpty else { return own }
        return RawJSON(.object(batchMembers.merging(own.value.objectValue ?? [:]) { _, message in message }))
    }

    static func time(_ value: JSONValue?, field: String) throws(MessageRejection) -> Date? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?:
            guard let date = ISO8601.parse(text) else {
                throw MessageRejection(.badTimestamp, "\(field) \"\(text.prefix(64))\" is not an ISO 8601 time.")
            }
            return date
        case let other?:
            throw MessageRejection(.badTimestamp, "\(field) must be an ISO 8601 string, not \(other.kindName).")
        }
    }
}

extension JSONValue {
    var kindName: String {
        switch self {
        case .null: JSONScanner.ValueKind.null.name
        case .bool: JSONScanner.ValueKind.bool.name
        case .number: JSONScanner.ValueKind.number.name
        case .string: JSONScanner.ValueKind.string.name
        case .array: JSONScanner.ValueKind.array.name
        case .object: JSONScanner.ValueKind.object.name
        }
    }
}

extension JSONScanner.ValueKind {
    /// The kind with its article, for a sentence.
    var name: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
