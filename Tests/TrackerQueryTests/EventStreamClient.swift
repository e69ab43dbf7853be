import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// One server-sent event as a client sees it (comments apart).
struct StreamMessage {
    var id: String?
    var data: String?
    var comments: [String] = []

    /// The event's JSON, when it carries one.
    var object: [String: Any]? {
        data.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }
    var messageId: String? { object?["message_id"] as? String }
}

/// A streaming HTTP client over a raw NIO channel: HummingbirdTesting's clients return a response
/// only once it is complete, which an endless stream never is.
struct EventStreamReader {
    var status: HTTPResponseStatus
    var headers: HTTPHeaders
    private var inbound: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator
    /// Bytes received and not yet parsed, and how far they were searched for a blank line.
    private var pending: [UInt8] = []
    private var searched = 0
    private(set) var ended = false

    init(
        status: HTTPResponseStatus, headers: HTTPHeaders,
        inbound: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator
    ) {
        self.status = status
        self.headers = headers
        self.inbound = inbound
    }

    /// Opens `GET path` on 127.0.0.1:`port` and runs `body` with it; the connection is closed after.
    /// `receiveBuffer` shrinks the socket's buffer, for a client that does not read.
    static func with<Result>(
        port: Int, path: String, headers: [(String, String)] = [], receiveBuffer: Int? = nil,
        _ body: (inout EventStreamReader) async throws -> Result
    ) async throws -> Result {
        var bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        if let receiveBuffer { bootstrap = bootstrap.channelOption(.socketOption(.so_rcvbuf), value: receiveBuffer) }
        let channel = try await bootstrap.connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHTTPClientHandlers()
                return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(
                    wrappingChannelSynchronously: channel)
            }
        }
        return try await channel.executeThenClose { inbound, outbound in
            var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path)
            head.headers.add(name: "Host", value: "127.0.0.1")
            head.headers.add(name: "Accept", value: "text/event-stream")
            for (name, value) in headers { head.headers.add(name: name, value: value) }
            try await outbound.write(.head(head))
            try await outbound.write(.end(nil))
            var iterator = inbound.makeAsyncIterator()
            guard case .head(let response) = try await iterator.next() else {
                throw StreamClientError("no response head")
            }
            var reader = EventStreamReader(status: response.status, headers: response.headers, inbound: iterator)
            return try await body(&reader)
        }
    }

    /// The next event or comment block; `nil` once the server ended the response or closed.
    mutating func next() async throws -> StreamMessage? {
        while true {
            if let end = blockEnd() {
                let block = String(decoding: pending[..<end], as: UTF8.self)
                pending.removeFirst(end + 2)
                searched = 0
                var message = StreamMessage()
                for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
                    if line.hasPrefix(":") {
                        message.comments.append(line.dropFirst().trimmingCharacters(in: .whitespaces))
                    } else if line.hasPrefix("id: ") {
                        message.id = String(line.dropFirst(4))
                    } else if line.hasPrefix("data: ") {
                        message.data = String(line.dropFirst(6))
                    }
                }
                return message
            }
            guard !ended, let part = try await inbound.next() else {
                ended = true
                return nil
            }
            switch part {
            case .body(let buffer): pending += buffer.readableBytesView
            case .end: ended = true
            case .head: throw StreamClientError("a second response head")
            }
        }
    }

    /// Where the first blank line starts, searching only what was not searched before.
    private mutating func blockEnd() -> Int? {
        let newline = UInt8(ascii: "\n")
        var index = max(0, searched - 1)
        while index + 1 < pending.count {
            if pending[index] == newline && pending[index + 1] == newline { return index }
            index += 1
        }
        searched = pending.count
        return nil
    }

    /// The next `count` events that carry data, skipping comments and position-only ids.
    mutating func events(_ count: Int) async throws -> [StreamMessage] {
        var events: [StreamMessage] = []
        while events.count < count {
            guard let message = try await next() else {
                throw StreamClientError("the stream ended after \(events.count) of \(count) events")
            }
            if message.data != nil { events.append(message) }
        }
        return events
    }

    /// Events up to and including the one with `messageId`.
    mutating func events(through messageId: String) async throws -> [StreamMessage] {
        var events: [StreamMessage] = []
        while events.last?.messageId != messageId {
            guard let message = try await next() else {
                throw StreamClientError("the stream ended after \(events.count) events, before \(messageId)")
            }
            if message.data != nil { events.append(message) }
        }
        return events
    }

}

struct StreamClientError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
