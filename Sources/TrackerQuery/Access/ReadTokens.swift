import Foundation

/// Bearer tokens from a comma-separated list: the read tokens (`TRACKER_READ_TOKENS`) or the admin
/// tokens (`TRACKER_ADMIN_TOKENS`).
public struct ReadTokens: Sendable, Equatable {
    public var tokens: [String]

    public init(_ tokens: [String] = []) {
        self.tokens = tokens
    }

    public init(parsing text: String) {
        self.tokens = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    public var isEnabled: Bool { !tokens.isEmpty }

    /// A token still holding the `CHANGE-ME` of an example secret: starting with it would protect
    /// nothing, since the placeholder is public.
    public var hasPlaceholder: Bool {
        tokens.contains { $0.range(of: "CHANGE-ME", options: .caseInsensitive) != nil }
    }

    /// Compares every byte of every token, so the time taken says nothing about how close a guess was.
    func accepts(_ candidate: String) -> Bool {
        var accepted = false
        for token in tokens {
            let a = Array(token.utf8)
            let b = Array(candidate.utf8)
            var difference = a.count ^ b.count
            for index in 0..<a.count { difference |= Int(a[index] ^ (index < b.count ? b[index] : 0)) }
            accepted = accepted || difference == 0
        }
        return accepted
    }
}
