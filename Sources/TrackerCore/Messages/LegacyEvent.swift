import Foundation

/// The original tracker's event: `{"userId","sessionId","eventType","timestamp"?,"source"?,"metadata"?}`.
public struct LegacyEvent: Sendable, Equatable {
    public static let requiredFields = ["userId", "sessionId", "eventType"]
    /// The longest `source` a body may name.
    public static let maxSourceBytes = 100

    public var userId: String
    public var sessionId: String
    public var eventType: String
    public var timestamp: Date?
    public var source: String?
    public var metadata: JSONValue

    /// Decodes a body, or lists every problem the way the original tracker answered them.
    public static func decode(_ body: JSONValue) -> Result<LegacyEvent, LegacyEventProblems> {
        guard let members = body.objectValue else {
            return .failure(LegacyEventProblems(details: ["The body must be a JSON object."]))
        }
        var details: [String] = []
        func requiredString(_ name: String) -> String {
            switch members[name] {
            case .string(let value)? where !value.trimmingCharacters(in: .whitespaces).isEmpty: return value
            case nil, .null?, .string?: details.append("\"\(name)\" is required")
            default: details.append("\"\(name)\" must be a string")
            }
            return ""
        }
        let userId = requiredString("userId")
        let sessionId = requiredString("sessionId")
        let eventType = requiredString("eventType")
        var timestamp: Date?
        switch members["timestamp"] {
        case nil, .null?: break
        case .string(let text)?:
            timestamp = ISO8601.parse(text)
            if timestamp == nil { details.append("\"timestamp\" must be an ISO 8601 date") }
        default: details.append("\"timestamp\" must be an ISO 8601 date")
        }
        var source: String?
        switch members["source"] {
        case nil, .null?: break
        case .string(let text)?: source = text
        default: details.append("\"source\" must be a string")
        }
        var metadata = JSONValue.object([:])
        switch members["metadata"] {
        case nil, .null?: break
        case .object?: metadata = members["metadata"]!
        default: details.append("\"metadata\" must be an object")
        }
        // In UTF-8 bytes: these become indexed columns (and the source a dedupe key).
        for (field, value, limit) in [
            ("userId", userId, 256), ("sessionId", sessionId, 256), ("eventType", eventType, 200),
            ("source", source ?? "", Self.maxSourceBytes),
        ] where value.utf8.count > limit {
            details.append("\"\(field)\" must be at most \(limit) bytes (UTF-8)")
        }
        guard details.isEmpty else { return .failure(LegacyEventProblems(details: details)) }
        return .success(
            LegacyEvent(
                userId: userId, sessionId: sessionId, eventType: eventType, timestamp: timestamp, source: source,
                metadata: metadata))
    }

    /// The Segment track call this event stands for.
    public func message(messageId: String, receivedAt: Date) -> SegmentMessage {
        let corrected = ClockSkew.correct(timestamp: timestamp, sentAt: nil, receivedAt: receivedAt)
        return SegmentMessage(
            type: .track,
            messageId: messageId,
            userId: userId,
            anonymousId: nil,
            event: eventType,
            sessionId: sessionId,
            groupId: nil,
            previousId: nil,
            timestamp: corrected.timestamp,
            originalTimestamp: corrected.clampedFrom,
            sentAt: nil,
            receivedAt: receivedAt,
            properties: RawJSON(metadata),
            context: .emptyObject,
            traits: .emptyObject,
            integrations: .emptyObject
        )
    }
}

/// Every problem with a legacy event body, as the original tracker listed them.
public struct LegacyEventProblems: Error, Sendable, Equatable {
    public var details: [String]
}
