import Foundation

extension ValueParser where Value == [String] {
    /// Comma-separated names, each trimmed and 1 to `maxBytes` bytes of UTF-8; empty entries are
    /// skipped and a repeated name counts once, in the order first given.
    public static func names(valueName: String, maxBytes: Int = 200) -> Self {
        Self(
            valueName: valueName,
            parse: { text throws(InvalidValue) in
                var names: [String] = []
                for part in text.split(separator: ",") {
                    let name = part.trimmingCharacters(in: .whitespaces)
                    guard !name.isEmpty else { continue }
                    guard name.utf8.count <= maxBytes, !name.unicodeScalars.contains("\u{0}") else {
                        throw InvalidValue("'\(name.prefix(40))' is not a name of 1 to \(maxBytes) bytes without NUL")
                    }
                    if !names.contains(name) { names.append(name) }
                }
                return names
            }, format: { $0.joined(separator: ",") })
    }
}
