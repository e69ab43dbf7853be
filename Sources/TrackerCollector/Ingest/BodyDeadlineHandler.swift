import Hummingbird
import NIOCore
import NIOHTTPTypes

/// Thrown into a request's body stream when the body has not fully arrived in time.
public struct BodyDeadlineExceeded: Error, Sendable {}

/// Fails a request whose body is not complete `timeout` after its head (slow loris), on the
/// connection's event loop. A request only notes when it began: one timer per connection checks
/// the request in progress when it fires and re-arms for that request's own deadline, so a busy
/// keep-alive connection schedules a timer about once per `timeout`, not once per request (each
/// schedule and cancel takes the event loop's lock).
final class BodyDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let timeout: TimeAmount
    /// When the request whose body is still arriving began; nil between requests.
    private var started: NIODeadline?
    private var timer: Scheduled<Void>?

    init(timeout: Duration) {
        self.timeout = .init(timeout)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            let now = NIODeadline.now()
            started = now
            if timer == nil { arm(context, at: now + timeout) }
        case .body: break
        case .end: started = nil
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
    }

    private func arm(_ context: ChannelHandlerContext, at deadline: NIODeadline) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            self.timer = nil
            self.check(context)
        }
    }

    /// Fails the request in progress if its time is up, else waits for its deadline; with no
    /// request in progress the timer stays off until the next one begins.
    private func check(_ context: ChannelHandlerContext) {
        guard let started else { return }
        let deadline = started + timeout
        guard deadline <= .now() else { return arm(context, at: deadline) }
        self.started = nil
        // The body stream ends with this error: the handler reading it answers 408 and closes.
        context.fireErrorCaught(BodyDeadlineExceeded())
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
        started = nil
    }
}
