/// A validating, allocation-free JSON scanner over UTF-8 bytes.
///
/// The collector never builds objects for what it stages: it checks that a body is valid JSON
/// (RFC 8259, valid UTF-8) and records byte ranges, so each message can be stored as a raw slice.
/// What it accepts must agree with `JSONSerialization`; a property test holds the two equal.
public struct JSONScanner {
    public enum ValueKind: Sendable, Equatable {
        case object, array, string, number, bool, null
    }

    /// Nesting deeper than this is refused instead of risking the stack.
    public static let maximumDepth = 256

    let bytes: UnsafeRawBufferPointer
    public private(set) var offset: Int
    /// Set once a `\u0000` escape or a number `numeric` might not hold (one with an exponent, or
    /// longer than 16,383 characters) has been scanned. Until then `jsonb` takes every byte so far,
    /// and the worker need not look again.
    private(set) var sawStorageHazard = false

    public init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        self.offset = 0
    }

    public var isAtEnd: Bool { offset >= bytes.count }

    /// Validates a whole document holding exactly one value.
    public static func validate(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var scanner = JSONScanner(bytes)
        do {
            scanner.skipWhitespace()
            _ = try scanner.scanValue(depth: 0)
            scanner.skipWhitespace()
            return scanner.isAtEnd
        } catch {
            return false
        }
    }

    public mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x09, 0x0A, 0x0D: offset += 1
            default: return
            }
        }
    }

    /// Scans one value starting at the current offset (after whitespace) and returns its kind.
    @discardableResult
    public mutating func scanValue(depth: Int) throws(JSONScanError) -> ValueKind {
        guard offset < bytes.count else { throw .unexpectedEnd }
        switch bytes[offset] {
        case UInt8(ascii: "{"):
            try scanObject(depth: depth) { scanner, _ throws(JSONScanError) in try scanner.scanValue(depth: depth + 1) }
            return .object
        case UInt8(ascii: "["):
            try scanArray(depth: depth) { scanner, _ throws(JSONScanError) in try scanner.scanValue(depth: depth + 1) }
            return .array
        case UInt8(ascii: "\""):
            _ = try scanString()
            return .string
        case UInt8(ascii: "t"):
            try scanLiteral("true")
            return .bool
        case UInt8(ascii: "f"):
            try scanLiteral("false")
            return .bool
        case UInt8(ascii: "n"):
            try scanLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try scanNumber()
            return .number
        default:
            throw .unexpectedByte(offset)
        }
    }

    /// A scanned value: its kind, its bytes, and for a string its contents and whether they hold escapes.
    public struct ScannedValue {
        public var kind: ValueKind
        public var range: Range<Int>
        public var contents: Range<Int>
        public var hasEscapes: Bool
    }

    /// Scans one value like `scanValue` and says where it lies.
    public mutating func scanValueRange(depth: Int) throws(JSONScanError) -> ScannedValue {
        let start = offset
        guard start < bytes.count, bytes[start] == UInt8(ascii: "\"") else {
            let kind = try scanValue(depth: depth)
            return ScannedValue(kind: kind, range: start..<offset, contents: start..<offset, hasEscapes: false)
        }
        let hasEscapes = try scanString()
        return ScannedValue(
            kind: .string, range: start..<offset, contents: (start + 1)..<(offset - 1), hasEscapes: hasEscapes)
    }

    /// Scans an object, handing each member to `visit` with the scanner positioned at the value;
    /// `visit` must consume exactly that value.
    public mutating func scanObject(
        depth: Int,
        _ visit: (inout JSONScanner, _ key: (range: Range<Int>, hasEscapes: Bool)) throws(JSONScanError) -> ValueKind
    ) throws(JSONScanError) {
        guard depth < Self.maximumDepth else { throw .tooDeep }
        offset += 1  // {
        skipWhitespace()
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "}") {
            offset += 1
            return
        }
        while true {
            guard offset < bytes.count else { throw .unexpectedEnd }
            guard bytes[offset] == UInt8(ascii: "\"") else { throw .unexpectedByte(offset) }
            let keyStart = offset + 1
            let keyEscapes = try scanString()
            let key = (range: keyStart..<(offset - 1), hasEscapes: keyEscapes)
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            // Visitors look at the value's first byte: there must be one.
            guard offset < bytes.count else { throw .unexpectedEnd }
            _ = try visit(&self, key)
            skipWhitespace()
            guard offset < bytes.count else { throw .unexpectedEnd }
            switch bytes[offset] {
            case UInt8(ascii: ","):
                offset += 1
                skipWhitespace()
            case UInt8(ascii: "}"):
                offset += 1
                return
            default:
                throw .unexpectedByte(offset)
            }
        }
    }

    /// Scans an array, handing each element's index to `visit` with the scanner positioned at it.
    public mutating func scanArray(
        depth: Int,
        _ visit: (inout JSONScanner, _ index: Int) throws(JSONScanError) -> ValueKind
    ) throws(JSONScanError) {
        guard depth < Self.maximumDepth else { throw .tooDeep }
        offset += 1  // [
        skipWhitespace()
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "]") {
            offset += 1
            return
        }
        var index = 0
        while true {
            // Visitors look at the element's first byte: there must be one.
            guard offset < bytes.count else { throw .unexpectedEnd }
            _ = try visit(&self, index)
            index += 1
            skipWhitespace()
            guard offset < bytes.count else { throw .unexpectedEnd }
            switch bytes[offset] {
            case UInt8(ascii: ","):
                offset += 1
                skipWhitespace()
            case UInt8(ascii: "]"):
                offset += 1
                return
            default:
                throw .unexpectedByte(offset)
            }
        }
    }

    /// Scans a string (offset at its opening quote) and reports whether it holds escapes.
    public mutating func scanString() throws(JSONScanError) -> Bool {
        offset += 1  // opening quote
        var hasEscapes = false
        while offset < bytes.count {
            let byte = bytes[offset]
            switch byte {
            case UInt8(ascii: "\""):
                offset += 1
                return hasEscapes
            case UInt8(ascii: "\\"):
                hasEscapes = true
                try scanEscape()
            case 0x00..<0x20:
                throw .unexpectedByte(offset)
            case 0x20..<0x80:
                offset += 1
            default:
                try scanUTF8Sequence()
            }
        }
        throw .unexpectedEnd
    }

    private mutating func scanEscape() throws(JSONScanError) {
        offset += 1  // backslash
        guard offset < bytes.count else { throw .unexpectedEnd }
        switch bytes[offset] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
            UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            offset += 1
        case UInt8(ascii: "u"):
            offset += 1
            let unit = try scanHex4()
            if unit == 0 { sawStorageHazard = true }
            if (0xD800..<0xDC00).contains(unit) {
                // A high surrogate must be followed by an escaped low surrogate.
                guard offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "\\"),
                    bytes[offset + 1] == UInt8(ascii: "u")
                else { throw .invalidEscape(offset) }
                offset += 2
                let low = try scanHex4()
                guard (0xDC00..<0xE000).contains(low) else { throw .invalidEscape(offset) }
            } else if (0xDC00..<0xE000).contains(unit) {
                throw .invalidEscape(offset)
            }
        default:
            throw .invalidEscape(offset)
        }
    }

    private mutating func scanHex4() throws(JSONScanError) -> UInt16 {
        guard offset + 4 <= bytes.count else { throw .unexpectedEnd }
        var value: UInt16 = 0
        for _ in 0..<4 {
            guard let digit = Self.hexValue(bytes[offset]) else { throw .invalidEscape(offset) }
            value = value << 4 | UInt16(digit)
            offset += 1
        }
        return value
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Validates one multi-byte UTF-8 sequence (Unicode table 3-7: no overlongs, no surrogates).
    private mutating func scanUTF8Sequence() throws(JSONScanError) {
        let lead = bytes[offset]
        let length: Int
        var lower: UInt8 = 0x80
        var upper: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            lower = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            upper = 0x9F
        case 0xF0:
            length = 4
            lower = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            upper = 0x8F
        default: throw .invalidUTF8(offset)
        }
        guard offset + length <= bytes.count else { throw .invalidUTF8(offset) }
        let second = bytes[offset + 1]
        guard second >= lower, second <= upper else { throw .invalidUTF8(offset) }
        for index in 2..<length where bytes[offset + index] & 0xC0 != 0x80 {
            throw .invalidUTF8(offset)
        }
        offset += length
    }

    private mutating func scanNumber() throws(JSONScanError) {
        let start = offset
        defer { if offset - start > 16_383 { sawStorageHazard = true } }
        if bytes[offset] == UInt8(ascii: "-") { offset += 1 }
        guard offset < bytes.count else { throw .unexpectedEnd }
        if bytes[offset] == UInt8(ascii: "0") {
            offset += 1
        } else if isDigit(offset) {
            while isDigit(offset) { offset += 1 }
        } else {
            throw .unexpectedByte(offset)
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
            offset += 1
            guard isDigit(offset) else { throw .unexpectedByte(offset) }
            while isDigit(offset) { offset += 1 }
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E") {
            sawStorageHazard = true
            offset += 1
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") {
                offset += 1
            }
            guard isDigit(offset) else { throw .unexpectedByte(offset) }
            while isDigit(offset) { offset += 1 }
        }
    }

    private func isDigit(_ index: Int) -> Bool {
        index < bytes.count && bytes[index] >= UInt8(ascii: "0") && bytes[index] <= UInt8(ascii: "9")
    }

    private mutating func scanLiteral(_ word: StaticString) throws(JSONScanError) {
        let count = word.utf8CodeUnitCount
        guard offset + count <= bytes.count else { throw .unexpectedEnd }
        let pointer = word.utf8Start
        for index in 0..<count where bytes[offset + index] != pointer[index] {
            throw .unexpectedByte(offset + index)
        }
        offset += count
    }

    private mutating func expect(_ byte: UInt8) throws(JSONScanError) {
        guard offset < bytes.count else { throw .unexpectedEnd }
        guard bytes[offset] == byte else { throw .unexpectedByte(offset) }
        offset += 1
    }

    /// Whether the bytes in `range` (a string's contents, no escapes) equal `word`.
    public func bytes(_ range: Range<Int>, equal word: StaticString) -> Bool {
        bytes(range, equal: UnsafeRawBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount))
    }

    /// Whether a scanned key spells `name` (UTF-8). No String is made unless the key has escapes.
    public func key(_ key: (range: Range<Int>, hasEscapes: Bool), equals name: [UInt8]) -> Bool {
        guard !key.hasEscapes else { return decodeString(key.range, hasEscapes: true).utf8.elementsEqual(name) }
        return name.withUnsafeBytes { bytes(key.range, equal: $0) }
    }

    /// A plain loop: `elementsEqual` over a buffer slice went through the generic sequence path.
    private func bytes(_ range: Range<Int>, equal other: UnsafeRawBufferPointer) -> Bool {
        guard range.count == other.count else { return false }
        for index in 0..<range.count where bytes[range.lowerBound + index] != other[index] {
            return false
        }
        return true
    }

    /// Decodes the contents of a string already validated by `scanString`.
    public func decodeString(_ range: Range<Int>, hasEscapes: Bool) -> String {
        let slice = UnsafeRawBufferPointer(rebasing: bytes[range])
        guard hasEscapes else { return String(decoding: slice, as: UTF8.self) }
        var scalars = String.UnicodeScalarView()
        var output = [UInt8]()
        output.reserveCapacity(range.count)
        var index = 0
        func hex4(_ at: Int) -> UInt32 {
            var value: UInt32 = 0
            for offset in at..<(at + 4) { value = value << 4 | UInt32(Self.hexValue(slice[offset]) ?? 0) }
            return value
        }
        while index < slice.count {
            let byte = slice[index]
            guard byte == UInt8(ascii: "\\") else {
                output.append(byte)
                index += 1
                continue
            }
            let escaped = slice[index + 1]
            index += 2
            switch escaped {
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hex4(index)
                index += 4
                if (0xD800..<0xDC00).contains(scalar) {
                    let low = hex4(index + 2)
                    index += 6
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                scalars.removeAll(keepingCapacity: true)
                scalars.append(Unicode.Scalar(scalar) ?? "\u{FFFD}")
                output.append(contentsOf: String(scalars).utf8)
            default: output.append(escaped)
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}

public enum JSONScanError: Error, Equatable, Sendable {
    case unexpectedEnd
    case unexpectedByte(Int)
    case invalidEscape(Int)
    case invalidUTF8(Int)
    case tooDeep

    /// A sentence for the person who sent the body.
    public var description: String {
        switch self {
        case .unexpectedEnd: "the JSON ends too early"
        case .unexpectedByte(let offset): "the JSON is malformed at byte \(offset)"
        case .invalidEscape(let offset): "the JSON has an invalid escape sequence at byte \(offset)"
        case .invalidUTF8(let offset): "the body is not valid UTF-8 at byte \(offset)"
        case .tooDeep: "the JSON nests deeper than \(JSONScanner.maximumDepth) levels"
        }
    }
}
