import Foundation
import Testing
import TrackerCore
import TrackerStore

@testable import TrackerWorker

let now = ISO8601.parse("2026-11-25T12:00:00Z")!

func claimed(
    _ payload: String, id: Int64 = 1, source: String = "web", kind: StagedRow.Kind = .segment,
    implied: String? = nil, messageId: String = "m1", envelope: String? = nil, attempts: Int = 0
) -> ClaimedRow {
    ClaimedRow(
        id: id, receivedAt: now, source: source, kind: kind, impliedType: implied, messageId: messageId,
        payload: payload, envelope: envelope, attempts: attempts)
}

func plan(_ rows: [ClaimedRow], retentionDays: Int = 400, maxAttempts: Int = 3) -> MovePlan {
    var configuration = WorkerConfiguration()
    configuration.retentionDays = retentionDays
    configuration.maxAttempts = maxAttempts
    return MovePlan(rows: rows, now: now, configuration: configuration)
}

@Suite struct MovePlanTests {
    @Test(arguments: [
        (#"{"type":"purchase","userId":"u"}"#, "unknown_type"),
        (#"{"type":"track","event":"E"}"#, "missing_user"),
        (#"{"type":"track","userId":"u"}"#, "missing_event"),
        (#"{"type":"group","userId":"u"}"#, "missing_group_id"),
        (#"{"type":"alias","userId":"u"}"#, "missing_previous_id"),
        (#"{"type":"track","userId":"u","event":"E","timestamp":"not a time"}"#, "bad_timestamp"),
        (#"{"type":"track","userId":"u","event":"\#(String(repeating: "e", count: 201))"}"#, "field_too_long"),
        (#"{"type":"track","userId":["u"],"event":"E"}"#, "invalid_field"),
        (#"{"type":"track","userId":"u","event":"E","properties":{"k":"a\u0000b"}}"#, "invalid_field"),
        (#"{"type":"track","userId":"u","event":"E","properties":{"k":[1e999999]}}"#, "invalid_field"),
        (#"{"type":"track","userId":"u","event":"E","context":{"k":0.1e-16383}}"#, "invalid_field"),
        (#"{"type":"track","userId":"u","event":"E","timestamp":"2020-01-01T00:00:00Z"}"#, "outside_retention"),
    ])
    func refusedMessagesKeepTheirReason(_ payload: String, _ reason: String) throws {
        let result = plan([claimed(payload)])
        #expect(result.events.isEmpty)
        let failed = try #require(result.failed.first)
        #expect(failed.reason == reason && !failed.detail.isEmpty && failed.row.payload == payload)
    }

    /// What `jsonb` refuses is found in every object, whether it comes before or after the
    /// others, and in what the batch's envelope adds: the scan that cuts a message's objects out
    /// vouches only for what it has read so far.
    @Test func unstorableValuesAreRefusedWhereverTheMessageHoldsThem() throws {
        let hazards = [#""a\u0000b""#, "1e999999", #"{"\u0000":1}"#, "0." + String(repeating: "1", count: 16_384)]
        for hazard in hazards {
            let payloads = ["properties", "context", "traits", "integrations"].flatMap { field in
                let other = field == "properties" ? "context" : "properties"
                return [
                    #"{"type":"identify","userId":"u","\#(field)":{"k":\#(hazard)},"\#(other)":{"ip":"1.2.3.4"}}"#,
                    #"{"\#(other)":{"ip":"1.2.3.4"},"type":"identify","userId":"u","\#(field)":{"k":[\#(hazard)]}}"#,
                ]
            }
            for payload in payloads {
                #expect(plan([claimed(payload)]).failed.map(\.reason) == ["invalid_field"], "\(payload)")
            }
            let envelope = #"{"context":{"k":\#(hazard)}}"#
            let fromBatch = plan([claimed(#"{"type":"track","userId":"u","event":"E"}"#, envelope: envelope)])
            #expect(fromBatch.failed.map(\.reason) == ["invalid_field"], "\(envelope)")
        }
        let fine = #"{"type":"identify","userId":"u","traits":{"k":1.5e3,"n":"\u0001"},"context":{"k":"a"}}"#
        #expect(plan([claimed(fine)]).events.count == 1)
    }

    @Test func aNULInThePersonLeavesItUnknown() throws {
        let result = plan([claimed(#"{"type":"track","userId":"u\u0000v","event":"E"}"#)])
        let failed = try #require(result.failed.first)
        #expect(failed.reason == "invalid_field" && failed.person == nil)
    }

    @Test func repeatedFailuresAreSetAsideAsPoison() {
        let result = plan([claimed(#"{"type":"track","userId":"u","event":"E"}"#, attempts: 3)], maxAttempts: 3)
        #expect(result.failed.map(\.reason) == ["poison_message"] && result.failed.first?.person == "u")
    }

    @Test func validMessagesBecomeEventsWithCorrectedTime() throws {
        let payload =
            #"{"type":"page","anonymousId":"a","name":"Home","timestamp":"2026-11-25T09:00:00Z","sentAt":"2026-11-25T09:00:10Z"}"#
        let result = plan([claimed(payload)])
        let event = try #require(result.events.first)
        #expect(event.type == "page" && event.event == "Home" && event.anonymousId == "a" && event.source == "web")
        #expect(event.timestamp == now.addingTimeInterval(-10))
        #expect(event.originalTimestamp == ISO8601.parse("2026-11-25T09:00:00Z"))
        #expect(result.days == [UTCDay(now)])
    }

    @Test func futureTimestampsAreClampedWithTheOriginalKept() throws {
        let payload = #"{"type":"track","userId":"u","event":"E","timestamp":"2026-11-27T12:00:00Z"}"#
        let event = try #require(plan([claimed(payload)]).events.first)
        #expect(event.timestamp == now && event.originalTimestamp == ISO8601.parse("2026-11-27T12:00:00Z"))
    }

    @Test func theFirstCopyInABatchWinsPerSource() {
        let rows = [
            claimed(#"{"type":"track","userId":"u","event":"E","timestamp":"2026-11-25T10:00:00Z"}"#, id: 1),
            claimed(#"{"type":"track","userId":"u","event":"E","timestamp":"2026-11-25T11:00:00Z"}"#, id: 2),
            claimed(#"{"type":"track","userId":"u","event":"E"}"#, id: 3, source: "ios"),
        ]
        let result = plan(rows)
        #expect(result.events.count == 2 && result.duplicates == 1)
        #expect(result.events[0].timestamp == ISO8601.parse("2026-11-25T10:00:00Z"))
    }

    @Test func legacyEventsBecomeTrackEvents() throws {
        let payload =
            #"{"userId":"u","sessionId":"s","eventType":"click","metadata":{"x":1},"timestamp":"2026-11-25T11:00:00Z"}"#
        let event = try #require(plan([claimed(payload, kind: .legacy, messageId: "e-1")]).events.first)
        #expect(event.type == "track" && event.event == "click" && event.sessionId == "s" && event.messageId == "e-1")
        #expect(event.properties == #"{"x":1}"#)
        #expect(plan([claimed("{", kind: .legacy)]).failed.first?.reason == "invalid_json")
    }
}
