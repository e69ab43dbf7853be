import Foundation

/// Segment's clock-skew correction: `timestamp = receivedAt − (sentAt − originalTimestamp)`.
public enum ClockSkew {
    /// A corrected timestamp further ahead of `receivedAt` than this is not believed.
    public static let futureLimit: TimeInterval = 23 * 3600

    public struct Corrected: Sendable, Equatable {
        public var timestamp: Date
        /// Set when the future clamp replaced the corrected value, so the original is kept.
        public var clampedFrom: Date?
    }

    public static func correct(timestamp original: Date?, sentAt: Date?, receivedAt: Date) -> Corrected {
        guard let original else { return Corrected(timestamp: receivedAt) }
        let corrected = sentAt.map { receivedAt.addingTimeInterval(-$0.timeIntervalSince(original)) } ?? original
        if corrected.timeIntervalSince(receivedAt) > futureLimit {
            return Corrected(timestamp: receivedAt, clampedFrom: original)
        }
        return Corrected(timestamp: corrected)
    }
}
