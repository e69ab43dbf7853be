/// A JSON value kept as the validated source text it arrived in.
///
/// The worker hands `properties`, `context`, `traits` and `integrations` to `jsonb` as they came:
/// building a tree of dictionaries for each and printing it again would be most of its work, and
/// PostgreSQL parses the text once more anyway.
public struct RawJSON: Sendable, Equatable {
    /// One valid JSON value, as the scanner accepted it.
    public let text: String
    /// The scan that cut `text` out met nothing `jsonb` refuses, so `storageProblem` need not
    /// scan every object a second time.
    let isKnownStorable: Bool

    /// `text` must hold exactly one valid JSON value (checked by `JSONScanner`).
    init(validated text: String, knownStorable: Bool = false) {
        self.text = text
        self.isKnownStorable = knownStorable
    }

    public init(_ value: JSONValue) {
        self.init(validated: value.jsonText)
    }

    public static let emptyObject = RawJSON(validated: "{}", knownStorable: true)

    /// Equal when the texts are: what is known about a text does not change what it is.
    public static func == (lhs: RawJSON, rhs: RawJSON) -> Bool {
        lhs.text == rhs.text
    }

    /// The value as a tree, for the rare reader that needs one.
    public var value: JSONValue {
        (try? JSONValue(parsing: text)) ?? .null
    }

    /// The kind of value, read from its first byte.
    public var kind: JSONScanner.ValueKind {
        switch text.utf8.first {
        case UInt8(ascii: "{"): .object
        case UInt8(ascii: "["): .array
        case UInt8(ascii: "\""): .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): .bool
        case UInt8(ascii: "n"): .null
        default: .number
        }
    }

    /// A member of an object, parsed alone; the last one wins when a key repeats, as in `jsonb`.
    public subscript(key: String) -> JSONValue? {
        member(key)?.value
    }

    /// A member of an object as its own source text.
    public func member(_ key: String) -> RawJSON? {
        guard kind == .object else { return nil }
        let key = Array(key.utf8)
        var text = text
        return text.withUTF8 { buffer in
            var scanner = JSONScanner(UnsafeRawBufferPointer(buffer))
            var found: Range<Int>?
            try? scanner.scanObject(depth: 0) { scanner, name throws(JSONScanError) in
                let value = try scanner.scanValueRange(depth: 1)
                if scanner.key(name, equals: key) { found = value.range }
                return value.kind
            }
            return found.map { RawJSON(validated: scanner.string($0)) }
        }
    }

    /// What `jsonb` would refuse in this text, which would fail the whole batch's insert: a NUL
    /// character (`\u0000`) or a number beyond `numeric`. One pass over the bytes: the text is
    /// valid JSON, so a quote outside a string opens one and digits outside strings are numbers.
    public var storageProblem: MessageRejection? {
        if isKnownStorable { return nil }
        var text = text
        return text.withUTF8 { bytes in
            var index = 0
            var inString = false
            while index < bytes.count {
                let byte = bytes[index]
                if inString {
                    switch byte {
                    case UInt8(ascii: "\""):
                        inString = false
                        index += 1
                    case UInt8(ascii: "\\"):
                        if bytes[index + 1] == UInt8(ascii: "u"),
                            bytes[(index + 2)..<(index + 6)].allSatisfy({ $0 == 0x30 })
                        {
                            return .containsNUL
                        }
                        index += 2
                    default:
                        index += 1
                    }
                    continue
                }
                switch byte {
                case UInt8(ascii: "\""):
                    inString = true
                    index += 1
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    let start = index
                    while index < bytes.count, Self.isNumberByte(bytes[index]) { index += 1 }
                    if !JSONValue.fitsNumeric(bytes[start..<index]) { return .oversizedNumber }
                default:
                    index += 1
                }
            }
            return nil
        }
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
            UInt8(ascii: "e"), UInt8(ascii: "E"):
            true
        default: false
        }
    }
}

extension MessageRejection {
    public static let containsNUL = MessageRejection(
        .invalidField, "The message contains a NUL character (\\u0000), which cannot be stored.")
    public static let oversizedNumber = MessageRejection(
        .invalidField,
        "The message holds a number beyond what PostgreSQL stores (131,072 digits before the point, 16,383 after).")
}

extension JSONScanner {
    /// The bytes in `range` as text; the scanner has validated them as UTF-8.
    func string(_ range: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// The value just scanned in `range`, known storable when nothing scanned so far was a hazard.
    func rawJSON(_ range: Range<Int>) -> RawJSON {
        RawJSON(validated: string(range), knownStorable: !sawStorageHazard)
    }
}
