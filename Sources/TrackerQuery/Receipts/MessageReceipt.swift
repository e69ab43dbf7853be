/// Where one message is (`GET /v1/messages/{messageId}`).
public enum MessageReceipt: Sendable, Equatable {
    /// Accepted and waiting in staging for a worker.
    case staged
    /// In `events`; the event as `/v1/events` renders it, nil for a message stored before receipts
    /// existed, whose dedupe key does not say where the event is.
    case stored(event: String?)
    case failed(reason: String, detail: String)
    /// Never received, erased, or older than the dedupe window.
    case unknown

    var status: String {
        switch self {
        case .staged: "staged"
        case .stored: "stored"
        case .failed: "failed"
        case .unknown: "unknown"
        }
    }
}
