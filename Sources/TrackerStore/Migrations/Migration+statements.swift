import Foundation

extension Migration {
    /// The file's statements, split on semicolons outside quotes, dollar quotes and comments.
    ///
    /// postgres-nio speaks only the extended protocol, which runs one statement per message.
    public var statements: [String] {
        let scalars = Array(sql.unicodeScalars)
        var statements: [String] = []
        var current = String.UnicodeScalarView()
        var index = 0
        func flush() {
            let statement = String(current).trimmingCharacters(in: .whitespacesAndNewlines)
            if !statement.isEmpty, !Self.isOnlyComments(statement) { statements.append(statement) }
            current.removeAll()
        }
        func copy(until end: [Unicode.Scalar], from start: Int) -> Int {
            var position = start
            while position < scalars.count {
                if scalars[position...].starts(with: end) {
                    current.append(contentsOf: end)
                    return position + end.count
                }
                current.append(scalars[position])
                position += 1
            }
            return position
        }
        while index < scalars.count {
            let scalar = scalars[index]
            let next = index + 1 < scalars.count ? scalars[index + 1] : nil
            switch scalar {
            case ";":
                flush()
                index += 1
            case "'", "\"":
                current.append(scalar)
                index = copy(until: [scalar], from: index + 1)
            case "-" where next == "-":
                index = copy(until: ["\n"], from: index)
            case "/" where next == "*":
                current.append(contentsOf: ["/", "*"])
                index = copy(until: ["*", "/"], from: index + 2)
            case "$":
                // A dollar quote: $$ or $tag$ … up to the same tag.
                var end = index + 1
                while end < scalars.count,
                    scalars[end] == "_" || scalars[end].properties.isAlphabetic
                        || ("0"..."9").contains(scalars[end])
                {
                    end += 1
                }
                if end < scalars.count, scalars[end] == "$" {
                    let tag = Array(scalars[index...end])
                    current.append(contentsOf: tag)
                    index = copy(until: tag, from: end + 1)
                } else {
                    current.append(scalar)
                    index += 1
                }
            default:
                current.append(scalar)
                index += 1
            }
        }
        flush()
        return statements
    }

    private static func isOnlyComments(_ text: String) -> Bool {
        text.split(separator: "\n").allSatisfy { $0.trimmingCharacters(in: .whitespaces).hasPrefix("--") }
    }
}
