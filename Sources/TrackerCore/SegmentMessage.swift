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
    public var properties: JSONValue
    public var context: JSONValue
    public var traits: JSONValue
    public var integrations: JSONValue

    /// Segment's field length limits.
    public static let lengthLimits: [(field: String, limit: Int)] = [
        ("messageId", 100), ("event", 200), ("name", 200), ("userId", 256), ("anonymousId", 256),
        ("groupId", 256), ("previousId", 256),
    ]

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
        Result { () throws(MessageRejection) in
            try decodeThrowing(
                payload: payload, envelope: envelope, impliedType: impliedType, messageId: messageId,
                receivedAt: receivedAt)
        }
    }

    static func decodeThrowing(
        payload: String,
        envelope: String?,
        impliedType: MessageType?,
        messageId: String,
        receivedAt: Date
    ) throws(MessageRejection) -> SegmentMessage {
        guard let body = (try? JSONValue(parsing: payload))?.objectValue else {
            throw MessageRejection(.invalidJSON, "The message is not a JSON object.")
        }
        let batch = envelope.flatMap { try? JSONValue(parsing: $0) }?.objectValue ?? [:]

        let type: MessageType
        if let impliedType {
            type = impliedType
        } else if let name = body["type"]?.stringValue, let parsed = MessageType(rawValue: name.lowercased()) {
            type = parsed
        } else if let given = body["type"], given != .null {
            throw MessageRejection(.unknownType, "type \(given.jsonText) is not one of \(Self.typeList).")
        } else {
            throw MessageRejection(.unknownType, "The message has no type; expected one of \(Self.typeList).")
        }

        var fields: [String: String] = ["messageId": messageId]
        for name in ["userId", "anonymousId", "event", "name", "groupId", "previousId"] {
            fields[name] = try identifier(body[name], field: name)
        }
        for (field, limit) in lengthLimits {
            if let value = fields[field], value.count > limit {
                throw MessageRejection(
                    .fieldTooLong, "\(field) is \(value.count) characters long; the limit is \(limit).")
            }
        }
        if fields["userId"] == nil, fields["anonymousId"] == nil {
            throw MessageRejection(.missingUser, "A \(type.rawValue) call needs a userId or an anonymousId.")
        }
        switch type {
        case .track where fields["event"] == nil:
            throw MessageRejection(.missingEvent, "A track call needs an event name in \"event\".")
        case .group where fields["groupId"] == nil:
            throw MessageRejection(.missingGroupId, "A group call needs a \"groupId\".")
        case .alias where fields["previousId"] == nil:
            throw MessageRejection(.missingPreviousId, "An alias call needs a \"previousId\".")
        default: break
        }

        let context = try merged(body["context"], over: batch["context"], field: "context")
        let integrations = try merged(body["integrations"], over: batch["integrations"], field: "integrations")
        let original = try time(body["timestamp"] ?? body["originalTimestamp"], field: "timestamp")
        let sentAt = try time(body["sentAt"] ?? batch["sentAt"], field: "sentAt")
        let corrected = ClockSkew.correct(timestamp: original, sentAt: sentAt, receivedAt: receivedAt)

        let traits: JSONValue
        switch type {
        case .identify, .group: traits = try object(body["traits"] ?? context["traits"], field: "traits")
        default: traits = try object(body["traits"], field: "traits")
        }
        let properties = try object(body["properties"], field: "properties")
        let sessionId = try identifier(context["sessionId"] ?? properties["sessionId"], field: "sessionId")

        return SegmentMessage(
            type: type,
            messageId: messageId,
            userId: fields["userId"],
            anonymousId: fields["anonymousId"],
            event: type == .page || type == .screen ? fields["name"] : fields["event"],
            sessionId: sessionId,
            groupId: fields["groupId"],
            previousId: fields["previousId"],
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

    static func object(_ value: JSONValue?, field: String) throws(MessageRejection) -> JSONValue {
        switch value {
        case nil, .null?: return .object([:])
        case .object?: return value!
        case let other?: throw MessageRejection(.invalidField, "\(field) must be an object, not \(other.kindName).")
        }
    }

    /// The message's object laid over the batch's: the message wins key by key.
    static func merged(_ own: JSONValue?, over batch: JSONValue?, field: String) throws(MessageRejection) -> JSONValue {
        let ownMembers = try object(own, field: field).objectValue ?? [:]
        let batchMembers = (try? object(batch, field: field))?.objectValue ?? [:]
        return .object(batchMembers.merging(ownMembers) { _, message in message })
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
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
