/// Why the worker keeps a message in `failed_events` instead of `events`.
public enum RejectionReason: String, Sendable, CaseIterable, Codable {
    /// The stored payload is not a JSON object.
    case invalidJSON = "invalid_json"
    /// `type` is missing or not one of the six Segment types.
    case unknownType = "unknown_type"
    /// Neither `userId` nor `anonymousId` is given.
    case missingUser = "missing_user"
    /// A track call without `event`.
    case missingEvent = "missing_event"
    /// A group call without `groupId`.
    case missingGroupId = "missing_group_id"
    /// An alias call without `previousId`.
    case missingPreviousId = "missing_previous_id"
    /// `timestamp`, `originalTimestamp` or `sentAt` is not an ISO 8601 time.
    case badTimestamp = "bad_timestamp"
    /// A field is longer than Segment allows.
    case fieldTooLong = "field_too_long"
    /// A field has the wrong JSON type (an object where a string belongs, say).
    case invalidField = "invalid_field"
    /// The event is older than the retention period.
    case outsideRetention = "outside_retention"
    /// The message made the worker fail repeatedly.
    case poisonMessage = "poison_message"
}

/// A message the worker refuses, with a sentence for the person reading `failed_events`.
public struct MessageRejection: Error, Sendable, Equatable {
    public var reason: RejectionReason
    public var detail: String

    public init(_ reason: RejectionReason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }
}
