/// The PostHog events that map to a Segment type other than track.
enum SpecialEvent: Equatable {
    case pageview, screen, identify, alias, other

    init(_ name: JSONScanner.ScannedValue?, reader: JSONScanner) {
        // Most events are the client's own: only a `$` name (or an escaped one) is decoded.
        guard let name, name.kind == .string, name.hasEscapes || reader.bytes(name.contents, startWith: "$") else {
            self = .other
            return
        }
        switch reader.decode(name) {
        case "$pageview": self = .pageview
        case "$screen": self = .screen
        case "$identify": self = .identify
        case "$create_alias": self = .alias
        default: self = .other
        }
    }

    var type: String {
        switch self {
        case .pageview: "page"
        case .screen: "screen"
        case .identify: "identify"
        case .alias: "alias"
        case .other: "track"
        }
    }
}

extension JSONScanner {
    fileprivate func bytes(_ range: Range<Int>, startWith byte: Unicode.Scalar) -> Bool {
        range.first.map { bytes[$0] == UInt8(ascii: byte) } ?? false
    }
}
