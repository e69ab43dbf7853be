import Foundation
import Testing

@testable import TrackerCore

func scanBatch(_ text: String, limits: IngestLimits = .init()) throws(IngestRejection) -> (ScannedBody, [String]) {
    let bytes = Array(text.utf8)
    let result = bytes.withUnsafeBytes { buffer in
        Result { () throws(IngestRejection) in try IngestBody.scanBatch(buffer, limits: limits) }
    }
    let body = try result.get()
    return (body, body.messages.map { String(decoding: bytes[$0.range], as: UTF8.self) })
}

func scanMessage(_ text: String, type: MessageType) throws(IngestRejection) -> ScannedBody {
    let bytes = Array(text.utf8)
    return try bytes.withUnsafeBytes { buffer in
        Result { () throws(IngestRejection) in try IngestBody.scanMessage(buffer, type: type) }
    }.get()
}

@Suite struct IngestBodyTests {
    /// The hostile-input suite found it: `{"batch":[` read past the end of the body (a crash in a
    /// debug build). Every cut of a valid body must be refused as invalid JSON, and nothing more.
    @Test func everyTruncationOfAValidBodyIsInvalidJSON() {
        let batch =
            #"{"batch":[{"type":"track","event":"E","userId":"u","properties":{"a":[1,{"b":null}]}}, {"type":"page","anonymousId":"a"}],"context":{"ip":"1"},"sentAt":"2026-01-01T00:00:00Z"}"#
        let message = #"{"event":"E","userId":"u","context":{"x":[true,false,"s"]},"properties":{"n":-1.5e3}}"#
        for cut in 0..<batch.utf8.count {
            let prefix = String(batch.utf8.prefix(cut))!
            #expect(throws: IngestRejection.self, "batch cut at \(cut)") { try scanBatch(prefix) }
        }
        for cut in 0..<message.utf8.count {
            let prefix = String(message.utf8.prefix(cut))!
            #expect(throws: IngestRejection.self, "message cut at \(cut)") { try scanMessage(prefix, type: .track) }
            #expect(throws: JSONScanError.self, "value cut at \(cut)") { try JSONValue(parsing: prefix) }
        }
    }

    @Test func findsEachMessageAsARawSliceWithItsFields() throws {
        let text = """
            {"writeKey":"k\\u0031","sentAt":"2026-01-01T00:00:00Z","batch":[
              {"type":"track","event":"Signed Up","userId":"u1","messageId":"m-1","properties":{"plan":"pro"}},
              {"type":"identify","anonymousId":"a1","traits":{"email":"x@y.z"}},
              {"type":"group","userId":42,"groupId":"g"}
            ],"context":{"library":{"name":"analytics-python"}}}
            """
        let (body, payloads) = try scanBatch(text)
        #expect(body.messages.count == 3)
        #expect(body.writeKey == "k1")
        #expect(body.messages.map(\.type) == ["track", "identify", "group"])
        #expect(body.messages.map(\.messageId) == ["m-1", nil, nil])
        #expect(body.messages[0].present == [.userId, .event])
        #expect(body.messages[1].present == [.anonymousId])
        #expect(body.messages[2].present == [.userId, .groupId])
        #expect(payloads[0].hasPrefix(#"{"type":"track""#) && payloads[0].hasSuffix(#"{"plan":"pro"}}"#))
        let envelope = try JSONValue(parsing: try #require(body.envelope))
        #expect(envelope["sentAt"] == .string("2026-01-01T00:00:00Z"))
        #expect(envelope["context"]?["library"]?["name"] == .string("analytics-python"))
    }

    @Test func emptyBatchIsAccepted() throws {
        #expect(try scanBatch(#"{"batch":[]}"#).0.messages.isEmpty)
    }

    @Test(arguments: [
        (#"[1,2]"#, "invalid_shape"), (#"{"messages":[]}"#, "invalid_shape"), (#"{"batch":{}}"#, "invalid_shape"),
        (#"{"batch":[1]}"#, "invalid_shape"), (#"{"batch":[],"context":"x"}"#, "invalid_shape"),
        (#"{"batch":[}"#, "invalid_json"), ("", "invalid_json"), (#"{"batch":[]} x"#, "invalid_json"),
    ])
    func refusesWrongShapes(_ text: String, _ code: String) {
        #expect {
            _ = try scanBatch(text)
        } throws: { error in
            switch error as? IngestRejection {
            case .invalidShape?: code == "invalid_shape"
            case .invalidJSON?: code == "invalid_json"
            default: false
            }
        }
    }

    @Test func enforcesMessageAndBatchLimits() {
        let limits = IngestLimits(maxMessageBytes: 40, maxRequestBytes: 1_000, maxBatchMessages: 2)
        #expect(throws: IngestRejection.tooManyMessages(count: 3, limit: 2)) {
            _ = try scanBatch(#"{"batch":[{},{},{}]}"#, limits: limits)
        }
        let big = #"{"type":"track","event":"\#(String(repeating: "x", count: 40))"}"#
        #expect(throws: IngestRejection.messageTooLarge(index: 1, bytes: big.utf8.count, limit: 40)) {
            _ = try scanBatch(#"{"batch":[{},\#(big)]}"#, limits: limits)
        }
    }

    @Test func singleMessagesNeedSegmentsRequiredFields() throws {
        #expect(try scanMessage(#"{"userId":"u","event":"E"}"#, type: .track).messages.first?.type == "track")
        #expect(try scanMessage(#"{"anonymousId":"a"}"#, type: .page).messages.count == 1)
        let missing: [(String, MessageType)] = [
            (#"{"event":"E"}"#, .track), (#"{"userId":"","event":"E"}"#, .track), (#"{"userId":"u"}"#, .track),
            (#"{"userId":"u","event":null}"#, .track), (#"{"userId":"u"}"#, .group), (#"{"userId":"u"}"#, .alias),
            (#"{"traits":{}}"#, .identify),
        ]
        for (text, type) in missing {
            #expect(throws: IngestRejection.self) { _ = try scanMessage(text, type: type) }
        }
        #expect(throws: IngestRejection.invalidShape("The body must be a JSON object holding one message.")) {
            _ = try scanMessage("[]", type: .track)
        }
    }
}
