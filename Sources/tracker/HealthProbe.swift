import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// One `GET` over plain HTTP/1.1 that reads only the answer's status: all `tracker probe` needs,
/// on the NIO the servers link anyway, so the production binary carries no HTTP client library.
enum HealthProbe {
    struct Failure: Error {
        let reason: String
    }

    /// The status `url` (`http://host:port/path`) answers within `timeout`.
    static func status(of url: String, within timeout: Duration) async throws -> UInt {
        guard let parts = URLComponents(string: url), parts.scheme == "http", let host = parts.host else {
            throw Failure(reason: "not an http:// URL")
        }
        let target =
            (parts.percentEncodedPath.isEmpty ? "/" : parts.percentEncodedPath)
            + (parts.percentEncodedQuery.map { "?\($0)" } ?? "")
        return try await withThrowingTaskGroup(of: UInt.self) { group in
            group.addTask { try await get(host: host, port: parts.port ?? 80, target: target) }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw Failure(reason: "no answer within \(timeout)")
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    private static func get(host: String, port: Int, target: String) async throws -> UInt {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(
                        wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: target)
            head.headers.add(name: "Host", value: host)
            head.headers.add(name: "Connection", value: "close")
            try await outbound.write(.head(head))
            try await outbound.write(.end(nil))
            for try await part in inbound {
                if case .head(let response) = part { return response.status.code }
            }
            throw Failure(reason: "closed before answering")
        }
    }
}
