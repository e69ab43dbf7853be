import Foundation
import HTTPTypes
import TrackerCore
import TrackerHTTP
import TrackerStore

/// What every SDK protocol translated into Segment messages shares: the write key its events carry
/// and how each message is staged.
extension CollectorController {
    /// The source of a request whose events name their write key in the body (PostHog's `api_key`
    /// or `token`, Snowplow's `aid`; `""` for an event naming none) unless a Basic header already
    /// gave one. One request comes from one project: events naming several keys are refused.
    func source(
        headerKey: String?, bodyKeys: some Collection<String>, missing: String, several: String
    ) throws(APIError) -> Source {
        guard configuration.writeKeys.isEnabled, headerKey == nil else { return try authenticate(headerKey) }
        guard bodyKeys.count <= 1 else { throw APIError(.unauthorized, code: "invalid_write_key", message: several) }
        guard let key = bodyKeys.first, !key.isEmpty else {
            throw APIError(.unauthorized, code: "missing_write_key", message: missing)
        }
        return try authenticate(key)
    }
}

extension StagedRows {
    /// Appends a translated message: a Segment message as the worker reads any other, under the
    /// client's id, or a new one when it sent none (an empty id counts as none).
    mutating func appendTranslated(
        _ payload: UnsafeRawBufferPointer, messageId: String?, receivedAt: String, source: CollectorController.Source,
        envelopeId: UUID?
    ) {
        append(
            receivedAt: receivedAt, source: source.name, kind: .segment, impliedType: nil,
            messageId: CollectorController.storable(messageId) ?? MessageID.next(), payload: payload,
            envelopeId: envelopeId)
    }
}
