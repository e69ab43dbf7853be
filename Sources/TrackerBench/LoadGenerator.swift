import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TrackerStore

/// Closed-loop HTTP load: `connections` clients each send the next request as soon as the previous
/// one is answered, for a fixed time. Throughput counts only acknowledged (2xx) events.
struct LoadGenerator: Sendable {
    struct Scenario: Sendable {
        var name: String
        var path: String
        var body: String
        var eventsPerRequest: Int
        var connections: Int
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

    let client: HTTPClient
    let baseURL: String

    func run(_ scenario: Scenario, warmup: Duration, duration: Duration) async throws -> Result {
        _ = try await measure(scenario, for: warmup)
        return try await measure(scenario, for: duration)
    }

    private func measure(_ scenario: Scenario, for duration: Duration) async throws -> Result {
        let body = ByteBuffer(string: scenario.body)
        let url = baseURL + scenario.path
        let start = ContinuousClock.now
        let end = start + duration
        let perClient = try await withThrowingTaskGroup(of: (Int, Int, [Double]).self) { group in
            for _ in 0..<scenario.connections {
                group.addTask {
                    var requests = 0
                    var failures = 0
                    var latencies: [Double] = []
                    while ContinuousClock.now < end {
                        var request = HTTPClientRequest(url: url)
                        request.method = .POST
                        request.headers.add(name: "Content-Type", value: "application/json")
                        request.body = .bytes(body)
                        let sent = ContinuousClock.now
                        let response = try await client.execute(request, timeout: .seconds(30))
                        _ = try await response.body.collect(upTo: 1 << 20)
                        let elapsed = ContinuousClock.now - sent
                        if (200..<300).contains(response.status.code) {
                            requests += 1
                            latencies.append(
                                Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1e3
                            )
                        } else {
                            failures += 1
                        }
                    }
                    return (requests, failures, latencies)
                }
            }
            return try await group.reduce(into: [(Int, Int, [Double])]()) { $0.append($1) }
        }
        let elapsed = ContinuousClock.now - start
        return Result(
            scenario: scenario,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
            requests: perClient.map(\.0).reduce(0, +),
            failures: perClient.map(\.1).reduce(0, +),
            latencies: perClient.flatMap(\.2).sorted())
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
