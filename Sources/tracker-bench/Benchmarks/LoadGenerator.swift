import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import TrackerCore
import TrackerStore

/// Closed-loop HTTP load: `connections` keep-alive connections each send the next request as soon
/// as the previous one is answered, for a fixed time. Throughput counts only acknowledged (2xx)
/// events. Each connection is a bare NIO HTTP/1.1 client driven from its event loop:
/// AsyncHTTPClient spent about as much CPU per request as the collector it measured, on the same
/// cores, and flattened every ratio.
struct LoadGenerator: Sendable {
    struct Scenario: Sendable {
        var name: String
        var path: String
        var body: String
        var eventsPerRequest: Int
        var connections: Int
        /// `GET` sends no body.
        var method: HTTPMethod = .POST
        /// After a 429 or 503, wait as long as its `Retry-After` says before the next request, as
        /// the SDKs do; otherwise send the next one at once.
        var honoursRetryAfter = false
    }

    struct Result: Sendable {
        var scenario: Scenario
        var seconds: Double
        var requests: Int
        var failures: Int
        var latencies: [Double]

        var eventsPerSecond: Double { Double(requests * scenario.eventsPerRequest) / seconds }
        var requestsPerSecond: Double { Double(requests) / seconds }

        func percentile(_ fraction: Double) -> Double {
            guard !latencies.isEmpty else { return 0 }
            return latencies[min(latencies.count - 1, Int(Double(latencies.count) * fraction))]
        }
    }

    struct ConnectionClosed: Error {}

    let port: Int

    func run(_ scenario: Scenario, warmup: Duration, duration: Duration) async throws -> Result {
        _ = try await measure(scenario, for: warmup)
        return try await measure(scenario, for: duration)
    }

    func measure(_ scenario: Scenario, for duration: Duration) async throws -> Result {
        let start = ContinuousClock.now
        let end = start + duration
        let perConnection = try await withThrowingTaskGroup(of: (Int, Int, [Double]).self) { group in
            for _ in 0..<scenario.connections {
                group.addTask { try await drive(scenario, until: end) }
            }
            return try await group.reduce(into: [(Int, Int, [Double])]()) { $0.append($1) }
        }
        let elapsed = ContinuousClock.now - start
        return Result(
            scenario: scenario,
            seconds: elapsed.inSeconds,
            requests: perConnection.map(\.0).reduce(0, +),
            failures: perConnection.map(\.1).reduce(0, +),
            latencies: perConnection.flatMap(\.2).sorted())
    }

    /// One connection's loop: (acknowledged requests, other answers, latencies in ms).
    private func drive(_ scenario: Scenario, until end: ContinuousClock.Instant) async throws -> (Int, Int, [Double]) {
        let body = ByteBuffer(string: scenario.body)
        var head = HTTPRequestHead(version: .http1_1, method: scenario.method, uri: scenario.path)
        head.headers.add(name: "Host", value: "127.0.0.1")
        if scenario.method != .GET {
            head.headers.add(name: "Content-Type", value: "application/json")
            head.headers.add(name: "Content-Length", value: "\(body.readableBytes)")
        }
        let request = head
        let deadline = NIODeadline.now() + TimeAmount(end - ContinuousClock.now)
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let done = loop.makePromise(of: (Int, Int, [Double]).self)
        let channel = try await ClientBootstrap(group: loop)
            .channelInitializer { channel in
                channel.pipeline.addHTTPClientHandlers().flatMapThrowing {
                    try channel.pipeline.syncOperations.addHandler(
                        ClosedLoopHandler(
                            head: request, body: body, end: deadline,
                            honoursRetryAfter: scenario.honoursRetryAfter, done: done))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        defer { channel.close(promise: nil) }
        return try await done.futureResult.get()
    }
}

/// Sends a request, and the next one as soon as each answer ends, until the deadline. It runs on
/// the connection's event loop: no task switch per request on the load generator's side.
private final class ClosedLoopHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    let head: HTTPRequestHead
    let body: ByteBuffer
    let end: NIODeadline
    let honoursRetryAfter: Bool
    let done: EventLoopPromise<(Int, Int, [Double])>
    private var sent = NIODeadline.now()
    private var status: UInt = 0
    private var retryAfter: Int64?
    private var requests = 0
    private var failures = 0
    private var latencies: [Double] = []
    private var finished = false

    init(
        head: HTTPRequestHead, body: ByteBuffer, end: NIODeadline, honoursRetryAfter: Bool,
        done: EventLoopPromise<(Int, Int, [Double])>
    ) {
        self.head = head
        self.body = body
        self.end = end
        self.honoursRetryAfter = honoursRetryAfter
        self.done = done
    }

    func channelActive(context: ChannelHandlerContext) {
        send(context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let response):
            status = response.status.code
            retryAfter = response.headers.first(name: "Retry-After").flatMap { Int64($0) }
        case .body: break
        case .end:
            let now = NIODeadline.now()
            if (200..<300).contains(status) {
                requests += 1
                latencies.append(Double((now - sent).nanoseconds) / 1e6)
            } else {
                failures += 1
            }
            if honoursRetryAfter, status == 429 || status == 503, let retryAfter, now < end {
                let resume = min(now + .seconds(retryAfter), end)
                context.eventLoop.assumeIsolated().scheduleTask(deadline: resume) { self.sendOrFinish(context) }
            } else {
                sendOrFinish(context)
            }
        }
    }

    private func sendOrFinish(_ context: ChannelHandlerContext) {
        if NIODeadline.now() < end {
            send(context)
        } else {
            finish(.success((requests, failures, latencies)))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(LoadGenerator.ConnectionClosed()))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(error))
        context.close(promise: nil)
    }

    private func send(_ context: ChannelHandlerContext) {
        sent = .now()
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if body.readableBytes > 0 { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    private func finish(_ result: Result<(Int, Int, [Double]), any Error>) {
        guard !finished else { return }
        finished = true
        done.completeWith(result)
    }
}

/// Waits until a server on 127.0.0.1:`port` answers `/healthz`.
func waitForServer(port: Int) async throws {
    for _ in 0..<200 {
        if let response = try? await HTTPClient.shared.execute(
            HTTPClientRequest(url: "http://127.0.0.1:\(port)/healthz"), timeout: .seconds(1)),
            response.status.code == 200
        {
            return
        }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw DeadlineExceeded()
}
