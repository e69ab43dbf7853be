import Foundation

/// One row for `events`, with its JSON already encoded.
public struct EventRow: Sendable, Equatable {
    public var messageId: String
    public var type: String
    public var event: String?
    public var userId: String?
    public var anonymousId: String?
    public var sessionId: String?
    public var groupId: String?
    public var previousId: String?
    public var timestamp: Date
    public var originalTimestamp: Date?
    public var sentAt: Date?
    public var receivedAt: Date
    public var source: String
    public var properties: String
    public var context: String
    public var traits: String
    public var integrations: String

    public init(
        messageId: String, type: String, event: String?, userId: String?, anonymousId: String?, sessionId: String?,
        groupId: String?, previousId: String?, timestamp: Date, originalTimestamp: Date?, sentAt: Date?,
        receivedAt: Date, source: String, properties: String, context: String, traits: String, integrations: String
    ) {
        self.messageId = messageId
        self.type = type
        self.event = event
        self.userId = userId
        self.anonymousId = anonymousId
        self.sessionId = sessionId
        self.groupId = groupId
        self.previousId = previousId
        self.timestamp = timestamp
        self.originalTimestamp = originalTimestamp
        self.sentAt = sentAt
        self.receivedAt = receivedAt
        self.source = source
        self.properties = properties
        self.context = context
        self.traits = traits
        self.integrations = integrations
    }
}
