import Foundation
import Synchronization
import TrackerCore

/// A token bucket per write key: `rate` messages a second, bursts up to one second's worth.
final class RateLimiter: Sendable {
    let rate: Double
    private let buckets = Mutex<[String: (tokens: Double, updated: ContinuousClock.Instant)]>([:])

    init(rate: Double) {
        self.rate = rate
    }

    /// Takes `count` tokens for `key`, or says how many seconds until they would be there.
    func acquire(_ count: Int, for key: String, now: ContinuousClock.Instant = .now) -> Int? {
        buckets.withLock { buckets in
            var bucket = buckets[key] ?? (tokens: rate, updated: now)
            bucket.tokens = min(rate, bucket.tokens + (now - bucket.updated).inSeconds * rate)
            bucket.updated = now
            defer { buckets[key] = bucket }
            // A request larger than a second's budget goes through on a full bucket and leaves a debt.
            let needed = Double(count)
            let threshold = min(needed, rate)
            guard bucket.tokens >= threshold else {
                return max(1, Int(((threshold - bucket.tokens) / rate).rounded(.up)))
            }
            bucket.tokens -= needed
            return nil
        }
    }
}
