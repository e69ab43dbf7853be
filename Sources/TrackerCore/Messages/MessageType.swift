/// The six Segment message types.
public enum MessageType: String, Sendable, CaseIterable, Codable {
    case track, identify, page, screen, group, alias

    /// The first field Segment requires for this type that `present` lacks, as a sentence.
    public func missingRequiredField(_ present: PresentFields) -> String? {
        if present.isDisjoint(with: [.userId, .anonymousId]) {
            return "A \(rawValue) call needs a userId or an anonymousId."
        }
        switch self {
        case .track where !present.contains(.event): return "A track call needs an event name in \"event\"."
        case .group where !present.contains(.groupId): return "A group call needs a \"groupId\"."
        case .alias where !present.contains(.previousId): return "An alias call needs a \"previousId\"."
        default: return nil
        }
    }
}
