import Foundation
import Testing

@testable import TrackerCore

/// Translates a PostHog body and decodes each message as the worker does.
func translatePostHog(
    _ text: String, limits: IngestLimits = .init(), receivedAt: Date = Date()
) throws(IngestRejection) -> (
    TranslatedBody, [String]
) {
    let bytes = Array(text.utf8)
    let body = try bytes.withUnsafeBytes { buffer in
        Result { () throws(IngestRejection) in
            try PostHogBody.translate(buffer, limits: limits, receivedAt: receivedAt)
        }
    }.get()
    return (body, body.messages.map { String(decoding: body.text[$0.range], as: UTF8.self) })
}

func postHogMessages(_ text: String, receivedAt: Date = Date()) throws -> [Result<SegmentMessage, MessageRejection>] {
    let (body, payloads) = try translatePostHog(text)
    return zip(body.messages, payloads).map { message, payload in
        SegmentMessage.decode(
            payload: payload, envelope: body.envelope, impliedType: nil, messageId: message.messageId ?? "generated",
            receivedAt: receivedAt)
    }
}

func postHogMessage(_ event: String) throws -> SegmentMessage {
    try #require(try postHogMessages(event).first).get()
}

@Suite struct PostHogBodyTests {
    @Test func oneEventABatchAndABareArrayAreEachRead() throws {
        let event = #"{"event":"Signed Up","distinct_id":"u1","uuid":"0190-a"}"#
        let single = try translatePostHog(#"{"api_key":"k1","event":"Signed Up","distinct_id":"u1","uuid":"0190-a"}"#)
        #expect(single.0.messages.map(\.messageId) == ["0190-a"])
        #expect(single.0.writeKeys == ["k1"])
        let batch = try translatePostHog(
            #"{"api_key":"k2","batch":[\#(event),\#(event)],"sent_at":"2026-01-01T00:00:00Z"}"#)
        #expect(batch.0.messages.count == 2)
        #expect(batch.0.writeKeys == ["k2"])
        #expect(batch.0.envelope == #"{"sentAt":"2026-01-01T00:00:00Z"}"#)
        let array = try translatePostHog(#"[\#(event), {"event":"B","distinct_id":"u2","properties":{"token":"k3"}}]"#)
        #expect(array.0.messages.count == 2)
        #expect(array.0.writeKeys == ["k3"], "properties.token is the write key when api_key is absent")
        #expect(try translatePostHog("[]").0.messages.isEmpty)
    }

    @Test func specialEventsMapToSegmentTypes() throws {
        let page = try postHogMessage(
            #"{"event":"$pageview","distinct_id":"u1","properties":{"$current_url":"https://x.test/docs?a=1","$pathname":"/docs"}}"#
        )
        #expect(page.type == .page && page.event == "/docs" && page.userId == "u1")
        let pageByURL = try postHogMessage(
            #"{"event":"$pageview","distinct_id":"u1","properties":{"$current_url":"https://x.test/a","$pathname":""}}"#
        )
        #expect(pageByURL.event == "https://x.test/a", "an empty $pathname falls back to $current_url")
        let screen = try postHogMessage(#"{"event":"$screen","distinct_id":"u1","properties":{"$screen_name":"Home"}}"#)
        #expect(screen.type == .screen && screen.event == "Home")
        let identify = try postHogMessage(
            #"{"event":"$identify","distinct_id":"u1","properties":{"$anon_distinct_id":"a1","$is_identified":false,"$set":{"plan":"pro"}}}"#
        )
        #expect(identify.type == .identify && identify.userId == "u1" && identify.anonymousId == "a1")
        #expect(identify.traits["plan"] == .string("pro"))
        let topLevelSet = try postHogMessage(
            #"{"event":"$identify","distinct_id":"u1","$set":{"email":"a@b.c"},"properties":{"$set":{"email":"old"}}}"#)
        #expect(topLevelSet.traits["email"] == .string("a@b.c"), "a top-level $set wins over the one in properties")
        let alias = try postHogMessage(
            #"{"event":"$create_alias","distinct_id":"u1","properties":{"alias":"u-old","distinct_id":"u1"}}"#)
        #expect(alias.type == .alias && alias.userId == "u1" && alias.previousId == "u-old")
        let track = try postHogMessage(
            #"{"event":"Order Completed","distinct_id":"u1","uuid":"e-1","properties":{"revenue":9.5,"$session_id":"s-9"}}"#
        )
        #expect(track.type == .track && track.event == "Order Completed" && track.messageId == "e-1")
        #expect(track.properties["revenue"] == .number("9.5"))
        #expect(track.sessionId == "s-9")
        let other = try postHogMessage(#"{"event":"$autocapture","distinct_id":"u1"}"#)
        #expect(other.type == .track && other.event == "$autocapture")
    }

    @Test func distinctIdIsAnonymousWhenTheEventSaysSo() throws {
        let notIdentified = try postHogMessage(
            #"{"event":"E","distinct_id":"d1","properties":{"$is_identified":false}}"#)
        #expect(notIdentified.userId == nil && notIdentified.anonymousId == "d1")
        let device = try postHogMessage(#"{"event":"E","distinct_id":"dev-1","properties":{"$device_id":"dev-1"}}"#)
        #expect(device.userId == nil && device.anonymousId == "dev-1")
        let identified = try postHogMessage(
            #"{"event":"E","distinct_id":"u1","properties":{"$device_id":"dev-1","$is_identified":true}}"#)
        #expect(identified.userId == "u1" && identified.anonymousId == nil)
    }

    /// PostHog's own skew correction: the event's `timestamp` against the request's `sent_at`.
    @Test func timestampsAreCorrectedBySentAt() throws {
        let receivedAt = try #require(ISO8601.parse("2026-03-01T12:00:10Z"))
        let batch =
            #"{"batch":[{"event":"E","distinct_id":"u","timestamp":"2026-03-01T11:00:00.000000+00:00"}],"sent_at":"2026-03-01T11:00:05+00:00"}"#
        let message = try #require(try postHogMessages(batch, receivedAt: receivedAt).first).get()
        #expect(message.timestamp == receivedAt.addingTimeInterval(-5))
        let single =
            #"{"event":"E","distinct_id":"u","timestamp":"2026-03-01T11:00:00Z","sent_at":"2026-03-01T11:00:01Z"}"#
        let corrected = try #require(try postHogMessages(single, receivedAt: receivedAt).first).get()
        #expect(corrected.timestamp == receivedAt.addingTimeInterval(-1))
    }

    /// posthog-js's batches say how long ago each event happened instead of when.
    @Test func anOffsetDatesTheEventFromItsArrival() throws {
        let receivedAt = try #require(ISO8601.parse("2026-03-01T12:00:10Z"))
        let body = #"{"batch":[{"event":"E","distinct_id":"u","offset":2500}],"sent_at":"2026-03-01T11:00:00Z"}"#
        let (translated, payloads) = try translatePostHog(body, receivedAt: receivedAt)
        let message = try SegmentMessage.decode(
            payload: payloads[0], envelope: translated.envelope, impliedType: nil, messageId: "m",
            receivedAt: receivedAt
        ).get()
        #expect(message.timestamp == receivedAt.addingTimeInterval(-2.5), "not corrected again by sent_at")
    }

    /// The project key a browser puts in every event's properties is not stored with each event.
    @Test func theTokenIsLeftOutOfProperties() throws {
        for properties in [
            #"{"token":"k","a":1}"#, #"{"a":1,"token":"k"}"#, #"{"a":1, "token" : "k" ,"b":2}"#, #"{ "token":"k" }"#,
            #"{"token":"k","token":"k2"}"#, #"{"token":"k","a":1,"token":"k2","b":[2]}"#,
            #"{ "a" : [1] , "token":"k" , "token":"k2" , "b":"x" }"#,
        ] {
            let message = try postHogMessage(#"{"event":"E","distinct_id":"u","properties":\#(properties)}"#)
            let members = try #require(message.properties.value.objectValue)
            let tokens = properties.components(separatedBy: "token").count - 1
            #expect(members["token"] == nil, "\(properties)")
            #expect(members.count == properties.filter { $0 == ":" }.count - tokens, "\(properties)")
        }
        let repeated = try translatePostHog(
            #"{"event":"E","distinct_id":"u","properties":{"token":"first","token":"last"}}"#)
        #expect(repeated.0.writeKeys == ["last"], "the key jsonb would read")
        #expect(!repeated.1[0].contains("first"), "no token stored, even one a repeated key hides")
    }

    /// An array far over the event limit is counted whole but not kept: each kept event's ranges
    /// take hundreds of bytes, so 500 KB of `{}` would take over 100 MB before its refusal.
    @Test func anArrayOverTheLimitIsCountedNotKept() {
        #expect(MemoryLayout<PostHogEvent>.stride > 500, "why only the first events are kept")
        let events = Array(repeating: "{}", count: 166_000).joined(separator: ",")
        for body in ["[\(events)]", #"{"api_key":"k","batch":[\#(events)]}"#] {
            #expect(throws: IngestRejection.tooManyMessages(count: 166_000, limit: 2_500)) {
                try translatePostHog(body)
            }
        }
        #expect(throws: IngestRejection.invalidShape("Event 2600 must be a JSON object.")) {
            try translatePostHog("[" + Array(repeating: "{}", count: 2_600).joined(separator: ",") + ",1]")
        }
    }

    /// The batch's `sent_at` is stored once per request, as Segment's envelope, and bounded the same.
    @Test func aGiantSentAtIsRefused() {
        let sentAt = "\"" + String(repeating: "x", count: 40_000) + "\""
        #expect(throws: IngestRejection.envelopeTooLarge(bytes: 40_013, limit: 32 * 1024)) {
            try translatePostHog(#"{"api_key":"k","batch":[],"sent_at":\#(sentAt)}"#)
        }
    }

    /// A repeated `properties` is read as `jsonb` reads it, the last one whole: nothing of the
    /// first (its token's place, its `$pathname`) may reach into the second.
    @Test func aRepeatedPropertiesKeyReplacesTheFirst() throws {
        let page = try postHogMessage(
            #"{"event":"$pageview","distinct_id":"u","properties":{"token":"k","$pathname":"/a"},"properties":{"b":1}}"#
        )
        #expect(page.event == nil && page.properties["b"] == .number("1"))
        let results = try postHogMessages(
            #"[{"event":"E","distinct_id":"u","properties":{"a":1,"token":"k"},"properties":"text"}]"#)
        #expect(throws: MessageRejection(.invalidField, "properties must be an object, not a string.")) {
            try results[0].get()
        }
    }

    /// What the mapping cannot settle reaches the worker, which keeps it in failed_events with a reason.
    @Test func invalidEventsAreLeftForTheWorkerToJudge() throws {
        let results = try postHogMessages(
            #"[{"distinct_id":"u"},{"event":"E"},{"event":"E","distinct_id":"u","timestamp":"yesterday"},{"event":"$create_alias","distinct_id":"u"},{"event":{"a":1},"distinct_id":"u"}]"#
        )
        let reasons = results.map { result -> RejectionReason? in
            if case .failure(let rejection) = result { return rejection.reason }
            return nil
        }
        #expect(reasons == [.missingEvent, .missingUser, .badTimestamp, .missingPreviousId, .invalidField])
    }

    @Test func badBodiesAreRefusedAsAWhole() throws {
        #expect(throws: IngestRejection.self) { try translatePostHog(#""event""#) }
        #expect(throws: IngestRejection.self) { try translatePostHog(#"{"batch":{"event":"E"}}"#) }
        #expect(throws: IngestRejection.self) { try translatePostHog(#"[{"event":"E"}, 3]"#) }
        #expect(throws: IngestRejection.self) { try translatePostHog(#"{"event":"E","distinct_id":"u""#) }
        let big = String(repeating: "x", count: 40_000)
        #expect(throws: IngestRejection.messageTooLarge(index: 1, bytes: 40_020, limit: 32_768)) {
            try translatePostHog(#"[{"event":"E"},{"event":"E","p":"\#(big)"}]"#)
        }
        let many = Array(repeating: "{}", count: 11).joined(separator: ",")
        #expect(throws: IngestRejection.tooManyMessages(count: 11, limit: 10)) {
            try translatePostHog("[\(many)]", limits: IngestLimits(maxBatchMessages: 10))
        }
    }

    /// Every cut of a valid body is refused, never read past its end.
    @Test func everyTruncationIsRefused() {
        let body =
            #"{"api_key":"k","batch":[{"event":"$pageview","distinct_id":"u","properties":{"token":"k","$pathname":"/a","n":[1,{"b":null}]}}],"sent_at":"2026-01-01T00:00:00Z"}"#
        for cut in 0..<body.utf8.count {
            let prefix = String(body.utf8.prefix(cut))!
            #expect(throws: IngestRejection.self, "cut at \(cut)") { try translatePostHog(prefix) }
        }
    }

    /// Mutated bodies (bytes flipped, cut, repeated) are refused or translated into messages that are
    /// each one valid JSON object: what is staged must parse, whatever arrived.
    @Test func mutatedBodiesGiveValidMessagesOrARefusal() throws {
        let seeds = [
            #"{"api_key":"k","batch":[{"event":"$pageview","distinct_id":"u","uuid":"1","properties":{"token":"k","$pathname":"/a","$set":{"x":[1,2]}}},{"event":"$identify","distinct_id":"u","$set":{"a":"b"},"properties":{"$anon_distinct_id":"a","token":"k"}}],"sent_at":"2026-01-01T00:00:00Z"}"#,
            #"[{"event":"$create_alias","distinct_id":"u","properties":{"alias":"v","token":"k"}},{"event":"E","properties":{"token":"k"}}]"#,
            #"[{"event":"$pageview","properties":{"token":"k","$pathname":"/a"},"properties":{"b":1,"token":"k"},"properties":{"c":2}}]"#,
        ]
        var generator = SystemRandomNumberGenerator()
        var translated = 0
        for seed in seeds {
            let original = Array(seed.utf8)
            for _ in 0..<3_000 {
                var bytes = original
                for _ in 0..<Int.random(in: 1...3, using: &generator) {
                    let index = Int.random(in: 0..<bytes.count, using: &generator)
                    switch Int.random(in: 0..<3, using: &generator) {
                    case 0: bytes[index] = Array(#"{}[],:"\ ta0"#.utf8).randomElement(using: &generator)!
                    case 1: bytes.remove(at: index)
                    default: bytes.insert(bytes[index], at: index)
                    }
                    if bytes.isEmpty { bytes = [0x20] }
                }
                let result = bytes.withUnsafeBytes { buffer in
                    Result { () throws(IngestRejection) in try PostHogBody.translate(buffer) }
                }
                guard case .success(let body) = result else { continue }
                translated += 1
                #expect(bytes.withUnsafeBytes { JSONScanner.validate($0) }, "only valid JSON is translated")
                for message in body.messages {
                    let text = Array(body.text[message.range])
                    #expect(text.withUnsafeBytes { JSONScanner.validate($0) } && text.first == UInt8(ascii: "{"))
                }
            }
        }
        #expect(translated > 100, "some mutations stay valid bodies")
    }
}
