import Foundation
import Testing

@testable import TrackerCore

let received = ISO8601.parse("2026-11-25T12:00:00Z")!

func decode(
    _ payload: String, envelope: String? = nil, implied: MessageType? = nil, messageId: String = "m1"
) -> Result<SegmentMessage, MessageRejection> {
    SegmentMessage.decode(
        payload: payload, envelope: envelope, impliedType: implied, messageId: messageId, receivedAt: received)
}

func reason(_ result: Result<SegmentMessage, MessageRejection>) -> RejectionReason? {
    if case .failure(let rejection) = result { return rejection.reason }
    return nil
}

@Suite struct SegmentMessageTests {
    @Test func decodesEveryMessageType() throws {
        let track = try decode(#"{"type":"track","userId":"u","event":"Bought","properties":{"price":9.99}}"#).get()
        #expect(track.type == .track && track.event == "Bought" && track.properties["price"] == .number("9.99"))
        let identify = try decode(#"{"type":"identify","userId":"u","traits":{"plan":"pro"}}"#).get()
        #expect(identify.traits["plan"] == .string("pro"))
        let identifyFromContext = try decode(#"{"type":"identify","userId":"u","context":{"traits":{"a":1}}}"#).get()
        #expect(identifyFromContext.traits["a"] == .number("1"))
        let page = try decode(#"{"type":"page","anonymousId":"a","name":"Home","properties":{"path":"/"}}"#).get()
        #expect(page.type == .page && page.event == "Home" && page.anonymousId == "a")
        let screen = try decode(#"{"type":"screen","userId":"u","name":"Settings"}"#).get()
        #expect(screen.event == "Settings")
        let group = try decode(#"{"type":"group","userId":"u","groupId":"g1","traits":{"name":"Acme"}}"#).get()
        #expect(group.groupId == "g1" && group.traits["name"] == .string("Acme"))
        let alias = try decode(#"{"type":"alias","userId":"u","previousId":"anon"}"#).get()
        #expect(alias.previousId == "anon")
        #expect(try decode(#"{"userId":"u","event":"E"}"#, implied: .track).get().type == .track)
        #expect(try decode(#"{"type":"Track","userId":7,"event":"E"}"#).get().userId == "7")
    }

    /// Members are matched on their bytes: a near-miss spelling (same length, same first byte) after
    /// the real member must not replace it, and an escaped spelling of the real name must.
    @Test func membersMatchOnEveryByteOfTheirName() throws {
        let decoy = try decode(#"{"type":"track","event":"Bought","userId":"u","evenz":"Decoy","userIf":"x"}"#).get()
        #expect(decoy.event == "Bought" && decoy.userId == "u")
        let escaped = try decode(#"{"type":"track","userId":"u","event":"A","ev\u0065nt":"B"}"#).get()
        #expect(escaped.event == "B")
    }

    @Test func batchContextAndIntegrationsMergeUnderTheMessagesOwn() throws {
        let envelope =
            #"{"context":{"ip":"1.2.3.4","locale":"en"},"integrations":{"All":false},"sentAt":"2026-11-25T11:59:00Z"}"#
        let message = try decode(
            #"{"type":"track","userId":"u","event":"E","context":{"locale":"fr"},"timestamp":"2026-11-25T11:58:00Z"}"#,
            envelope: envelope
        ).get()
        #expect(message.context.value == .object(["ip": .string("1.2.3.4"), "locale": .string("fr")]))
        #expect(message.integrations.value == .object(["All": .bool(false)]))
        // The batch's sentAt drives the skew correction: sent one minute after the event.
        #expect(message.timestamp == received.addingTimeInterval(-60))
        #expect(message.sentAt == ISO8601.parse("2026-11-25T11:59:00Z"))
    }

    @Test func keepsTheGivenOrGeneratedMessageId() throws {
        #expect(
            try decode(#"{"type":"track","userId":"u","event":"E"}"#, messageId: "generated-1").get().messageId
                == "generated-1")
    }

    @Test func refusesWithAReasonCode() {
        #expect(reason(decode(#"{"type":"purchase","userId":"u"}"#)) == .unknownType)
        #expect(reason(decode(#"{"userId":"u"}"#)) == .unknownType)
        #expect(reason(decode(#"{"type":"track","event":"E"}"#)) == .missingUser)
        #expect(reason(decode(#"{"type":"track","userId":"u"}"#)) == .missingEvent)
        #expect(reason(decode(#"{"type":"group","userId":"u"}"#)) == .missingGroupId)
        #expect(reason(decode(#"{"type":"alias","userId":"u"}"#)) == .missingPreviousId)
        #expect(reason(decode(#"{"type":"track","userId":"u","event":"E","timestamp":"yesterday"}"#)) == .badTimestamp)
        #expect(reason(decode(#"{"type":"track","userId":"u","event":"E","sentAt":12}"#)) == .badTimestamp)
        #expect(reason(decode(#"{"type":"track","userId":{"id":1},"event":"E"}"#)) == .invalidField)
        #expect(reason(decode(#"{"type":"track","userId":"u","event":"E","properties":[1]}"#)) == .invalidField)
        #expect(reason(decode("[1]")) == .invalidJSON)
    }

    @Test func enforcesSegmentsLengthLimits() {
        let limits: [(String, Int)] = [("userId", 256), ("anonymousId", 256), ("event", 200), ("groupId", 256)]
        for (field, limit) in limits {
            let ok = String(repeating: "x", count: limit)
            let long = String(repeating: "x", count: limit + 1)
            let base = #""type":"group","userId":"u","event":"E","groupId":"g""#
            #expect(reason(decode(#"{\#(base),"\#(field)":"\#(ok)"}"#)) == nil)
            #expect(reason(decode(#"{\#(base),"\#(field)":"\#(long)"}"#)) == .fieldTooLong)
        }
        let longId = String(repeating: "m", count: 101)
        #expect(reason(decode(#"{"type":"track","userId":"u","event":"E"}"#, messageId: longId)) == .fieldTooLong)
        let longName = String(repeating: "n", count: 201)
        #expect(reason(decode(#"{"type":"page","userId":"u","name":"\#(longName)"}"#)) == .fieldTooLong)
    }

    @Test func legacyEventsDecodeOrListEveryProblem() throws {
        let event = try LegacyEvent.decode(
            try JSONValue(parsing: #"{"userId":"u1","sessionId":"s1","eventType":"click","metadata":{"x":1}}"#)
        ).get()
        let message = event.message(messageId: "e1", receivedAt: received)
        #expect(message.type == .track && message.event == "click" && message.sessionId == "s1")
        #expect(message.properties.value == .object(["x": .number("1")]) && message.timestamp == received)

        guard case .failure(let problems) = LegacyEvent.decode(try JSONValue(parsing: #"{"userId":5,"metadata":[]}"#))
        else {
            Issue.record("an invalid legacy event was accepted")
            return
        }
        #expect(problems.details.count == 4)
        #expect(problems.details.contains(#""sessionId" is required"#))
        #expect(problems.details.contains(#""userId" must be a string"#))
    }
}

@Suite struct ClockSkewTests {
    let sent = ISO8601.parse("2026-11-25T10:00:00Z")!

    @Test func appliesSegmentsFormula() {
        let original = ISO8601.parse("2026-11-25T09:59:30Z")!
        // The device clock is two hours behind: sentAt says 10:00 while the server received at 12:00.
        let corrected = ClockSkew.correct(timestamp: original, sentAt: sent, receivedAt: received)
        #expect(corrected.timestamp == received.addingTimeInterval(-30))
        #expect(corrected.clampedFrom == nil)
    }

    @Test func withoutSentAtTheTimestampStandsAndWithoutTimestampReceivedAtDoes() {
        let original = ISO8601.parse("2026-11-20T00:00:00Z")!
        #expect(ClockSkew.correct(timestamp: original, sentAt: nil, receivedAt: received).timestamp == original)
        #expect(ClockSkew.correct(timestamp: nil, sentAt: sent, receivedAt: received).timestamp == received)
    }

    @Test func clampsMoreThan23HoursIntoTheFutureAndKeepsTheOriginal() {
        let future = received.addingTimeInterval(24 * 3600)
        let clamped = ClockSkew.correct(timestamp: future, sentAt: nil, receivedAt: received)
        #expect(clamped.timestamp == received && clamped.clampedFrom == future)
        let nearFuture = received.addingTimeInterval(22 * 3600)
        #expect(ClockSkew.correct(timestamp: nearFuture, sentAt: nil, receivedAt: received).timestamp == nearFuture)
    }
}
