import Testing
import TrackerCore

@testable import TrackerCollector

/// `POST /events` takes the byte scanner's word for a body only where the full decode agrees.
@Suite struct LegacyEventScanTests {
    static let valid = [
        #"{"userId":"u","sessionId":"s","eventType":"Clicked"}"#,
        #" {"userId":"u-1","sessionId":"s-1","eventType":"E","timestamp":"2026-11-25T12:00:00Z","source":"web","metadata":{"a":[1,{"b":null}]}} "#,
        #"{"userId":"\u00e9t\u00e9","sessionId":"s","eventType":"E","source":null,"metadata":null,"timestamp":null,"other":1}"#,
        #"{"eventType":"E","userId":" u ","sessionId":"\n"}"#,
    ]

    static let refused = [
        #"{"userId":"u","sessionId":"s"}"#,
        #"{"userId":"","sessionId":"s","eventType":"E"}"#,
        #"{"userId":"   ","sessionId":"s","eventType":"E"}"#,
        #"{"userId":"\u2003","sessionId":"s","eventType":"E"}"#,
        #"{"userId":1,"sessionId":"s","eventType":"E"}"#,
        #"{"userId":"u","sessionId":"s","eventType":"E","timestamp":"yesterday"}"#,
        #"{"userId":"u","sessionId":"s","eventType":"E","timestamp":5}"#,
        #"{"userId":"u","sessionId":"s","eventType":"E","source":7}"#,
        #"{"userId":"u","sessionId":"s","eventType":"E","metadata":[1]}"#,
        #"{"userId":"u","sessionId":"s","eventType":"E","userId":""}"#,
        #"[{"userId":"u","sessionId":"s","eventType":"E"}]"#,
        #"{"userId":"u","sessionId":"s","eventType":"E"} x"#,
        #"{"userId":"u","sessionId":"s","eventType":"E""#,
        #"{"userId":"\#(String(repeating: "x", count: 257))","sessionId":"s","eventType":"E"}"#,
        #"{"userId":"u","sessionId":"s","eventType":"\#(String(repeating: "é", count: 101))"}"#,
        #"{"userId":"u","sessionId":"s","eventType":"E","source":"\#(String(repeating: "s", count: 101))"}"#,
    ]

    @Test func plainlyValidBodiesTakeTheFastPathWithTheirSource() throws {
        for body in Self.valid {
            let scanned = try #require(scan(body), "\(body)")
            let decoded = try LegacyEvent.decode(JSONValue(parsing: body)).get()
            #expect(scanned == decoded.source, "\(body)")
        }
    }

    @Test func bodiesTheDecodeRefusesAreLeftToIt() {
        for body in Self.refused {
            #expect(scan(body) == nil, "\(body)")
        }
    }

    /// Every byte of every body replaced in turn by bytes that matter to JSON: whatever the scanner
    /// accepts, the decode accepts with the same source.
    @Test func whatTheScannerAcceptsTheDecodeAcceptsAlike() throws {
        let bytes: [UInt8] = Array(#" "{}[],:\0a1-eE.nul"#.utf8) + [0x09, 0x0A, 0xC3, 0xFF]
        var checked = 0
        for body in Self.valid + Self.refused.prefix(11) {
            let original = Array(body.utf8)
            for index in original.indices {
                for byte in bytes {
                    var mutated = original
                    mutated[index] = byte
                    let scanned = mutated.withUnsafeBytes { LegacyEvent.scanAccepted($0) }
                    guard let source = scanned else { continue }
                    let decoded = try mutated.withUnsafeBytes { try JSONValue(parsing: $0) }
                    let event = try LegacyEvent.decode(decoded).get()
                    #expect(source == event.source, "\(String(decoding: mutated, as: UTF8.self))")
                    checked += 1
                }
            }
        }
        #expect(checked > 100, "the mutations reach accepted bodies")
    }

    private func scan(_ body: String) -> String?? {
        Array(body.utf8).withUnsafeBytes { LegacyEvent.scanAccepted($0) }
    }
}
