import Foundation
import HTTPTypes

/// The configured write keys (`TRACKER_WRITE_KEYS=key:source,…`) and how a request presents one.
public struct WriteKeys: Sendable, Equatable {
    /// The source name events get when authentication is off.
    public static let defaultSource = "default"

    public var sources: [String: String]

    public init(_ sources: [String: String] = [:]) {
        self.sources = sources
    }

    /// Parses `key:source,key:source`; a key without a source gets `default`.
    public init(parsing text: String) throws {
        var sources: [String: String] = [:]
        for entry in text.split(separator: ",") {
            let trimmed = entry.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { continue }
            let parts = trimmed.split(separator: ":", maxSplits: 1).map(String.init)
            guard !parts[0].isEmpty else { throw WriteKeysError(entry: trimmed) }
            sources[parts[0]] = parts.count > 1 && !parts[1].isEmpty ? parts[1] : Self.defaultSource
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

public struct WriteKeysError: Error, CustomStringConvertible {
    var entry: String
    public var description: String { "TRACKER_WRITE_KEYS entry \"\(entry)\" must look like key:source" }
}
