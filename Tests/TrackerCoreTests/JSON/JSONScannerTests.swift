import Foundation
import Testing

@testable import TrackerCore

/// A seeded generator, so a failing case can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random JSON texts: every construct, odd whitespace, escapes, multi-byte UTF-8.
struct JSONGenerator {
    var rng: SplitMix64

    mutating func whitespace() -> String {
        ["", "", "", " ", "\n", "\t ", "\r\n  "].randomElement(using: &rng)!
    }

    mutating func string() -> String {
        let pieces = [
            "a", "Z", " ", "é", "日本", "😀", "\\n", "\\\"", "\\\\", "\\/", "\\u00e9", "\\ud83d\\ude00", "\\t", "\\b",
            "key",
        ]
        let count = Int.random(in: 0...5, using: &rng)
        return "\"" + (0..<count).map { _ in pieces.randomElement(using: &rng)! }.joined() + "\""
    }

    mutating func number() -> String {
        var text = Bool.random(using: &rng) ? "-" : ""
        text += Bool.random(using: &rng) ? "0" : String(Int.random(in: 1...99_999, using: &rng))
        if Bool.random(using: &rng) { text += "." + String(Int.random(in: 0...999, using: &rng)) }
        if Int.random(in: 0..<4, using: &rng) == 0 {
            text += ["e", "E", "e+", "e-"].randomElement(using: &rng)! + String(Int.random(in: 0...30, using: &rng))
        }
        return text
    }

    mutating func value(depth: Int) -> String {
        let choice = Int.random(in: 0..<(depth > 4 ? 5 : 7), using: &rng)
        switch choice {
        case 0: return string()
        case 1: return number()
        case 2: return ["true", "false", "null"].randomElement(using: &rng)!
        case 3, 4: return string()
        case 5:
            let count = Int.random(in: 0...4, using: &rng)
            let items = (0..<count).map { _ in whitespace() + value(depth: depth + 1) + whitespace() }
            return "[" + items.joined(separator: ",") + (count == 0 ? whitespace() : "") + "]"
        default:
            let count = Int.random(in: 0...4, using: &rng)
            let members = (0..<count).map { _ in
                whitespace() + string() + whitespace() + ":" + whitespace() + value(depth: depth + 1) + whitespace()
            }
            return "{" + members.joined(separator: ",") + "}"
        }
    }

    /// Breaks a valid text the way real bodies break: cut, a byte dropped, changed or added.
    mutating func mutate(_ text: String) -> [UInt8] {
        var bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return bytes }
        let noise: [UInt8] = [
            0x22, 0x5C, 0x2C, 0x3A, 0x7B, 0x7D, 0x5B, 0x5D, 0x00, 0x0A, 0x80, 0xC3, 0xED, 0xFF, 0x30, 0x2D, 0x65,
        ]
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            let index = Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: bytes.removeSubrange(index...)
            case 1: bytes.remove(at: index)
            case 2: bytes[index] = noise.randomElement(using: &rng)!
            default: bytes.insert(noise.randomElement(using: &rng)!, at: index)
            }
            if bytes.isEmpty { break }
        }
        return bytes
    }
}

func scannerAccepts(_ bytes: [UInt8]) -> Bool {
    bytes.withUnsafeBytes { JSONScanner.validate($0) }
}

func foundationAccepts(_ bytes: [UInt8]) -> Bool {
    (try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) != nil
}

/// Where Foundation departs from RFC 8259 (and from PostgreSQL's `jsonb`), the scanner follows the RFC:
/// Foundation takes trailing commas, a byte-order mark and (guessing UTF-16/32 from NUL bytes) non-UTF-8
/// text, and refuses numbers beyond `Double`'s range, which are valid JSON and valid `jsonb`.
func isKnownFoundationDivergence(_ bytes: [UInt8], scanner: Bool) -> Bool {
    let text = String(decoding: bytes, as: UTF8.self)
    if scanner {
        return text.range(of: #"[eE][+-]?[0-9]{3,}"#, options: .regularExpression) != nil
    }
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) || bytes.prefix(4).contains(0) { return true }
    let withoutTrailingCommas = text.replacingOccurrences(
        of: #",(\s*)([\]}])"#, with: "$1$2", options: .regularExpression)
    return withoutTrailingCommas != text && scannerAccepts(Array(withoutTrailingCommas.utf8))
}

@Suite struct JSONScannerTests {
    @Test func agreesWithJSONSerializationOnGeneratedDocuments() {
        var generator = JSONGenerator(rng: SplitMix64(state: 20_261_125))
        for _ in 0..<3_000 {
            let text = generator.whitespace() + generator.value(depth: 0) + generator.whitespace()
            let bytes = Array(text.utf8)
            #expect(scannerAccepts(bytes), "valid JSON refused: \(text)")
            #expect(foundationAccepts(bytes), "generator produced invalid JSON: \(text)")
        }
    }

    @Test func agreesWithJSONSerializationOnMutatedDocuments() {
        var generator = JSONGenerator(rng: SplitMix64(state: 7))
        var rejected = 0
        for _ in 0..<20_000 {
            let bytes = generator.mutate(generator.value(depth: 0))
            let scanner = scannerAccepts(bytes)
            let foundation = foundationAccepts(bytes)
            if !scanner { rejected += 1 }
            if scanner != foundation, !isKnownFoundationDivergence(bytes, scanner: scanner) {
                Issue.record("scanner \(scanner), JSONSerialization \(foundation) for \(bytes)")
            }
        }
        #expect(rejected > 5_000, "mutations should break most documents, broke \(rejected)")
    }

    @Test(arguments: [
        "", " ", "{", "}", "[1,]", "{\"a\":1,}", "01", "1.", "-", "1e", "nul", "tru", "\"abc", "\"\\x\"",
        "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "[1 2]", "{\"a\" 1}", "{1:2}", "\"\t\"", "1 2",
    ])
    func refusesInvalidJSON(_ text: String) {
        #expect(!scannerAccepts(Array(text.utf8)))
    }

    @Test func refusesInvalidUTF8() {
        for bytes: [UInt8] in [
            [0x22, 0xC0, 0x80, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xFF, 0x22], [0x22, 0xE2, 0x82, 0x22],
        ] {
            #expect(!scannerAccepts(bytes))
            #expect(!foundationAccepts(bytes))
        }
    }

    @Test func refusesNestingBeyondTheLimit() {
        let deep =
            String(repeating: "[", count: JSONScanner.maximumDepth + 1)
            + String(repeating: "]", count: JSONScanner.maximumDepth + 1)
        #expect(!scannerAccepts(Array(deep.utf8)))
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(scannerAccepts(Array(fine.utf8)))
    }

    @Test func decodesEscapesLikeFoundation() throws {
        let text = #""a\"b\\c\/d\ne\u00e9\ud83d\ude00\t""#
        let expected = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) as? String
        #expect(try JSONValue(parsing: text) == .string(try #require(expected)))
    }

    @Test func jsonValueRoundTrips() throws {
        let text = #"{"b":[1,2.50,-3e4,true,null],"a":{"x":"y\n"}}"#
        let value = try JSONValue(parsing: text)
        #expect(value.jsonText == #"{"a":{"x":"y\n"},"b":[1,2.50,-3e4,true,null]}"#)
        #expect(try JSONValue(parsing: value.jsonText) == value)
    }

    /// Escapes are written byte by byte: ASCII specials and controls escaped, multi-byte UTF-8 kept.
    @Test func jsonTextEscapesWhatJSONRequires() throws {
        let value = JSONValue.object(["k\"\\": .string("a\u{1}\u{1F}\t\n\r/é😀\u{7F}")])
        #expect(value.jsonText == #"{"k\"\\":"a\u0001\u001f\t\n\r/é😀\#u{7F}"}"#)
        #expect(try JSONValue(parsing: value.jsonText) == value)
        #expect(JSONValue.quoted("\u{0}") == #""\u0000""#)
    }
}
