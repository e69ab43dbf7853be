import Foundation

/// A PostHog capture body translated into Segment messages, ready to stage like a Segment batch.
public struct TranslatedBody: Sendable {
    /// The messages' JSON, one after another.
    public var text: [UInt8]
    public var messages: [TranslatedMessage]
    /// `{"sentAt":…}` from the batch's `sent_at`, shared by every message; nil without one.
    public var envelope: String?
    /// The write keys the body names (`api_key`, `token`, `properties.token`), the batch's own first;
    /// at most two, enough to tell a body that names more than one.
    public var writeKeys: [String]
}

public struct TranslatedMessage: Sendable, Equatable {
    /// Where the message lies in `TranslatedBody.text`.
    public var range: Range<Int>
    /// The event's `uuid`: the string itself, or the raw JSON of a non-string value.
    public var messageId: String?
}
