import Hummingbird
import NIOCore
import NIOHTTPTypes

/// Thrown into a request's body stream when the body has not fully arrived in time.
public struct BodyDeadlineExceeded: Error, Sendable {}

/// Fails a request whose body is not complete `timeout` after its head (slow loris). One timer on
/// the connection's event loop per request: racing every body read against a task of its own is far
/// costlier on the single-event path.
final class BodyDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let timeout: TimeAmount
    private var deadline: Scheduled<Void>?

    init(timeout: Duration) {
        self.timeout = .init(timeout)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: arm(context)
        case .body: break
        case .end: disarm()
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

    private func arm(_ context: ChannelHandlerContext) {
        disarm()
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            self.deadline = nil
            // The body stream ends with this error: the handler reading it answers 408 and closes.
            context.fireErrorCaught(BodyDeadlineExceeded())
        }
    }

    private func disarm() {
        deadline?.cancel()
        deadline = nil
    }
}
