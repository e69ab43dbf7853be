import Foundation
import TrackerCore
import TrackerStore

/// What one claimed batch becomes: rows for `events`, rows for `failed_events`, the partitions they
/// need. Pure: no I/O, so every rule is testable without a database.
struct MovePlan: Sendable {
    var events: [EventRow] = []
    var failed: [FailedRow] = []
    /// Copies of a message already in this batch: the first copy wins.
    var duplicates = 0

    /// The days whose partitions the events need.
    var days: Set<UTCDay> { Set(events.map { UTCDay($0.timestamp) }) }

    init(rows: [ClaimedRow], now: Date, configuration: WorkerConfiguration) {
        let oldest = UTCDay(now).adding(days: -configuration.retentionDays).start
        // Sized once, so adding a batch's keys never rehashes the set.
        var seen = Set<DedupeKey>(minimumCapacity: rows.count)
        events.reserveCapacity(rows.count)
        // A batch's envelope is parsed once for all its messages, not once per message.
        var envelopes: [UUID: [String: JSONValue]] = [:]
        for row in rows {
            if row.attempts >= configuration.maxAttempts {
                failed.append(
                    FailedRow(
                        row: row, people: SegmentMessage.people(in: row.payload),
                        reason: RejectionReason.poisonMessage.rawValue,
                        detail:
                            "Moving this message failed \(row.attempts) times; it was set aside so the queue goes on."))
                continue
            }
            let batch: [String: JSONValue]
            if let id = row.envelopeId {
                if let parsed = envelopes[id] {
                    batch = parsed
                } else {
                    batch = SegmentMessage.parseEnvelope(row.envelope)
                    envelopes[id] = batch
                }
            } else {
                batch = SegmentMessage.parseEnvelope(row.envelope)
            }
            switch Self.message(for: row, batch: batch) {
            case .failure(let rejection):
                failed.append(
                    FailedRow(
                        row: row, people: SegmentMessage.people(in: row.payload), reason: rejection.reason.rawValue,
                        detail: rejection.detail))
            case .success(let message) where message.timestamp < oldest:
                failed.append(
                    FailedRow(
                        row: row, people: [message.userId, message.anonymousId, message.previousId].compactMap { $0 },
                        reason: RejectionReason.outsideRetention.rawValue,
                        detail:
                            "The event's time \(message.timestamp.formatted(.iso8601)) is older than the \(configuration.retentionDays)-day retention."
                    ))
            case .success(let message):
                guard seen.insert(DedupeKey(source: row.source, messageId: message.messageId)).inserted else {
                    duplicates += 1
                    continue
                }
                events.append(Self.eventRow(message, source: row.source))
            }
        }
    }

    static func message(
        for row: ClaimedRow, batch: [String: JSONValue]
    ) -> Result<SegmentMessage, MessageRejection> {
        let decoded: Result<SegmentMessage, MessageRejection>
        switch row.kind {
        case .segment:
            decoded = SegmentMessage.decode(
                payload: row.payload, batch: batch, impliedType: row.impliedType.flatMap(MessageType.init),
                messageId: row.messageId, receivedAt: row.receivedAt)
        case .legacy:
            guard let body = try? JSONValue(parsing: row.payload) else {
                return .failure(MessageRejection(.invalidJSON, "The event is not valid JSON."))
            }
            decoded = LegacyEvent.decode(body)
                .map { $0.message(messageId: row.messageId, receivedAt: row.receivedAt) }
                .mapError { MessageRejection(.invalidField, $0.details.joined(separator: "; ")) }
        }
        return decoded.flatMap { message in
            // What PostgreSQL cannot store is refused here, not left to fail the whole batch.
            if let problem = message.storageProblem { return .failure(problem) }
            return .success(message)
        }
    }

    static func eventRow(_ message: SegmentMessage, source: String) -> EventRow {
        EventRow(
            messageId: message.messageId, type: message.type.rawValue, event: message.event, userId: message.userId,
            anonymousId: message.anonymousId, sessionId: message.sessionId, groupId: message.groupId,
            previousId: message.previousId, timestamp: message.timestamp, originalTimestamp: message.originalTimestamp,
            sentAt: message.sentAt, receivedAt: message.receivedAt, source: source,
            properties: message.properties.text, context: message.context.text,
            traits: message.traits.text, integrations: message.integrations.text)
    }
}

/// A message's identity for deduplication within a batch.
struct DedupeKey: Hashable {
    var source: String
    var messageId: String
}

/// What PostgreSQL would refuse in a decoded message: a NUL in a text field, or what
/// `RawJSON.storageProblem` finds in an object.
extension SegmentMessage {
    var storageProblem: MessageRejection? {
        func hasNUL(_ text: String?) -> Bool { text?.containsNUL == true }
        if hasNUL(messageId) || hasNUL(userId) || hasNUL(anonymousId) || hasNUL(event) || hasNUL(sessionId)
            || hasNUL(groupId) || hasNUL(previousId)
        {
            return .containsNUL
        }
        return properties.storageProblem ?? context.storageProblem ?? traits.storageProblem
            ?? integrations.storageProblem
    }
}
