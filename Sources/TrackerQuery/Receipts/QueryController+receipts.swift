import Foundation
import Hummingbird
import TrackerCore
import TrackerHTTP

extension QueryController {
    /// `GET /v1/messages/{messageId}?source=`: where one message is. `source` is required: the
    /// query API does not know the collector's write keys, and a message id is only unique within
    /// its source.
    @Sendable func receipt(_ request: Request, context: Context) async throws -> Response {
        let raw = context.parameters.get("messageId") ?? ""
        let messageId = raw.removingPercentEncoding ?? raw
        // Longer ids are refused by the worker (Segment's limit), so no message can have one.
        guard !messageId.isEmpty, messageId.utf8.count <= 100, !messageId.unicodeScalars.contains("\u{0}") else {
            throw QueryParameters.invalid(
                "The message id in the path must be 1 to 100 bytes (UTF-8) long, without NUL.")
        }
        let parameters = try QueryParameters(request)
        guard let source = try parameters.text("source") else {
            throw QueryParameters.invalid(
                "source is required: the source the message was sent to (its write key's source, or default).")
        }
        let receipt = try await repository.receipt(source: source, messageId: messageId)
        var json =
            #"{"message_id":\#(JSONValue.quoted(messageId)),"source":\#(JSONValue.quoted(source)),"status":"\#(receipt.status)""#
        switch receipt {
        case .stored(let event?): json += #","event":\#(event)"#
        case .failed(let reason, let detail):
            json += #","failed":{"reason":\#(JSONValue.quoted(reason)),"detail":\#(JSONValue.quoted(detail))}"#
        default: break
        }
        return Response.json(json + "}")
    }
}
