import Foundation
import HTTPTypes

/// The configured write keys (`TRACKER_WRITE_KEYS=key:source,…`) and how a request presents one.
public struct WriteKeys: Sendable, Equatable {
    /// The source name events get when authentication is off.
    public static let defaultSource = "default"
    /// What the deployment examples leave for a real key.
    static let placeholder = "CHANGE-ME"

    public var sources: [String: String]

    public init(_ sources: [String: String] = [:]) {
        self.sources = sources
    }

    /// Parses `key:source,key:source`; a key without a colon gets the source `default`, empty entries
    /// (a trailing comma) are skipped. A key or source left empty around its colon, a key given
    /// twice or a key left at the deployment examples' placeholder is refused: each would start a
    /// collector that does not authenticate the way its configuration reads.
    public init(parsing text: String) throws(WriteKeysError) {
        var sources: [String: String] = [:]
        let entries = text.split(separator: ",", omittingEmptySubsequences: false)
        for (index, entry) in entries.enumerated() {
            let trimmed = entry.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { continue }
            // Errors name the entry by position: its text holds a secret.
            let position = "entry \(index + 1)"
            let parts = trimmed.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            let key = parts[0].trimmingCharacters(in: .whitespaces)
            let source = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : Self.defaultSource
            guard !key.isEmpty else { throw WriteKeysError(reason: "\(position) has no key before its ':'") }
            guard !source.isEmpty else { throw WriteKeysError(reason: "\(position) has no source after its ':'") }
            guard !key.localizedCaseInsensitiveContains(Self.placeholder) else {
                throw WriteKeysError(reason: "\(position) is the placeholder \(Self.placeholder): set a real key")
            }
            guard sources.updateValue(source, forKey: key) == nil else {
                throw WriteKeysError(reason: "\(position) repeats the key of an earlier entry")
            }
        }
        self.sources = sources
    }

    public var isEnabled: Bool { !sources.isEmpty }

    /// The write key of an HTTP Basic `Authorization` header (the username; the password is empty).
    static func basicUsername(_ fields: HTTPFields) -> String? {
        guard let header = fields[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic",
            let data = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces)),
            let decoded = String(data: data, encoding: .utf8)
        else { return nil }
        return String(decoded.prefix { $0 != ":" })
    }
}

/// Why `TRACKER_WRITE_KEYS` cannot be used; never quotes a key.
public struct WriteKeysError: Error, CustomStringConvertible {
    public var reason: String
    public var description: String { "TRACKER_WRITE_KEYS: \(reason) (expected key:source,key:source)" }
}
