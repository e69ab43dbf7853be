import Foundation
import HTTPTypes
import Hummingbird
import Metrics
import NIOCore
import ServiceLifecycle
import Synchronization
import TrackerCore
import TrackerHTTP
import TrackerStore

/// A request context that can close its connection: the stream drops a client stuck writing.
public protocol ClosableRequestContext: RequestContext {
    var channel: any Channel { get }
}

/// `GET /v1/events/stream`: stored events as server-sent events, `id:` their stream position and
/// `data:` the event as `/v1/events` answers it, resumable with `Last-Event-ID`.
struct EventStreamController<Context: ClosableRequestContext>: Sendable {
    let hub: EventStreamHub

    static var lastEventID: HTTPField.Name { HTTPField.Name("Last-Event-ID")! }

    func addRoutes(to router: Router<Context>) {
        router.get("v1/events/stream", use: stream)
    }

    @Sendable func stream(_ request: Request, context: Context) async throws -> Response {
        let parameters = try QueryParameters(request)
        let filter = StreamFilter(
            event: try parameters.text("event", maxLength: 200), userId: try parameters.text("user_id"),
            type: try parameters.choice("type", of: MessageType.self)?.rawValue)
        let resume = try Self.resumePoint(
            header: request.headers[Self.lastEventID], parameter: try parameters.text("last_event_id", maxLength: 200))
        guard let slot = hub.open() else {
            throw APIError.unavailable(
                "too_many_streams",
                "This server already streams to \(hub.settings.maxClients) clients (TRACKER_STREAM_MAX_CLIENTS); retry shortly.",
                retryAfter: 5)
        }
        let start: StreamPosition
        if let resume {
            start = resume.position
        } else if let position = hub.position {
            start = position
        } else {
            start = try await hub.store.horizon()
        }
        let hello = ByteBuffer(string: ": live tail\nid: \(start.cursor(at: resume?.issuedAt ?? Date()))\n\n")
        let channel = context.channel
        let headers: HTTPFields = [
            .contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store",
            // nginx buffers responses unless told not to.
            HTTPField.Name("X-Accel-Buffering")!: "no",
        ]
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { [hub] writer in
                defer { slot.release() }
                try await writer.write(hello)
                try await Self.serve(
                    hub: hub, filter: filter, from: start, writer: &writer, close: { channel.close(promise: nil) })
                try await writer.finish(nil)
            })
    }

    /// `Last-Event-ID` (a browser's automatic resume), else `last_event_id`; 400 when it is not a
    /// position this API handed out, or one older than the log keeps.
    static func resumePoint(header: String?, parameter: String?) throws -> (position: StreamPosition, issuedAt: Date)? {
        guard let text = header ?? parameter else { return nil }
        guard let resume = StreamPosition.parse(cursor: text) else {
            throw QueryParameters.invalid("Last-Event-ID is not an id this stream sent; reconnect without it.")
        }
        // An hour's margin: a row is logged with its transaction's start, a little before it is read.
        if Date().timeIntervalSince(resume.issuedAt) > Double(EventStreamLog.window.components.seconds) - 3_600 {
            throw APIError.badRequest(
                "stream_expired",
                "Last-Event-ID is older than the 23 hours a stream can resume after; reconnect without it.")
        }
        return resume
    }

    /// Sends what lies between `start` and the shared reader, then joins the reader and sends what
    /// it hands out, with a heartbeat, until the client goes, is dropped, or the server stops.
    static func serve(
        hub: EventStreamHub, filter: StreamFilter, from start: StreamPosition, writer: inout any ResponseBodyWriter,
        close: @escaping @Sendable () -> Void
    ) async throws {
        // Bounded by the backlog the hub checks before each handing out.
        let (messages, continuation) = AsyncStream.makeStream(of: EventStreamHub.Message.self)
        let backlog = EventStreamHub.Backlog()
        var cursor = start
        var joined: Int?
        while joined == nil {
            let subscriber = EventStreamHub.Subscriber(
                filter: filter, cursor: cursor, continuation: continuation, backlog: backlog, close: close)
            switch hub.join(subscriber) {
            case .joined(let id): joined = id
            case .behind(let position):
                let page = try await hub.store.read(
                    after: cursor, through: position, limit: hub.settings.pageSize, filter: filter)
                let now = Date()
                for row in page.rows {
                    try await writer.write(EventStreamHub.render(row, at: now))
                    hub.metrics.eventsSent.increment()
                }
                cursor = page.end ?? position
            }
        }
        guard let id = joined else { return }
        defer { hub.leave(id) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [heartbeat = hub.settings.heartbeat] in
                while true {
                    try await Task.sleep(for: heartbeat)
                    continuation.yield(.heartbeat)
                }
            }
            defer { group.cancelAll() }
            try await withGracefulShutdownHandler {
                for await message in messages {
                    switch message {
                    case .events(let bytes, let count):
                        try await writer.write(bytes)
                        backlog.events.subtract(count, ordering: .relaxed)
                        hub.metrics.eventsSent.increment(by: Int64(count))
                    case .heartbeat:
                        try await writer.write(ByteBuffer(string: ": heartbeat\n\n"))
                    }
                }
            } onGracefulShutdown: {
                continuation.finish()
            }
        }
    }
}
