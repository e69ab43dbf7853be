import Foundation

/// Which web origins may call a server from a browser (`TRACKER_CORS_ORIGINS`,
/// `TRACKER_QUERY_CORS_ORIGINS`): any, none, or a list.
public enum AllowedOrigins: Sendable, Equatable {
    /// Every origin.
    case any
    /// No origin: no CORS headers at all.
    case none
    /// These origins (lowercased `scheme://host[:port]`).
    case list(Set<String>)

    /// Parses `*`, `none`, or comma-separated origins such as `https://app.example.com,http://localhost:3000`.
    /// An entry that is not an origin (a bare host, a path) is refused: it could never match what
    /// a browser sends, so it would fail silently.
    public init(parsing text: String) throws(AllowedOriginsError) {
        let entries = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
            !$0.isEmpty
        }
        if entries.isEmpty || entries == ["none"] {
            self = .none
            return
        }
        if entries.contains("*") {
            self = .any
            return
        }
        var origins: Set<String> = []
        for entry in entries {
            var origin = entry.lowercased()
            if origin.hasSuffix("/") { origin.removeLast() }
            guard let schemeEnd = origin.range(of: "://"), !origin[schemeEnd.upperBound...].isEmpty,
                !origin[schemeEnd.upperBound...].contains("/")
            else {
                throw AllowedOriginsError(entry: entry)
            }
            origins.insert(origin)
        }
        self = .list(origins)
    }

    /// The `Access-Control-Allow-Origin` value for a request from `origin`, or nil when it is not
    /// allowed: the origin itself, never `*`, which browsers refuse for calls that send cookies.
    func allowOrigin(for origin: String) -> String? {
        switch self {
        case .any: origin
        case .none: nil
        case .list(let origins): origins.contains(origin.lowercased()) ? origin : nil
        }
    }

    /// As `--help` shows a default.
    public var description: String {
        switch self {
        case .any: "*"
        case .none: "none"
        case .list(let origins): origins.sorted().joined(separator: ",")
        }
    }
}

/// An entry of an origins setting that is not an origin.
public struct AllowedOriginsError: Error {
    public var entry: String
    public var reason: String {
        "'\(entry)' is not an origin: write scheme://host[:port] (https://app.example.com), '*' or 'none'"
    }
}
