import ArgumentParser
import Hummingbird
import Logging
import Testing

@testable import tracker

/// `tracker probe` is the container's HEALTHCHECK: exit 0 when a URL answers 2xx, else 1.
@Suite struct ProbeTests {
    /// Runs a server answering `/healthz` with `status` and `/slow` never, while `body` runs.
    func withServer(_ status: HTTPResponse.Status, _ body: @Sendable (Int) async throws -> Void) async throws {
        let router = Router()
        router.get("/healthz") { _, _ in status }
        router.get("/slow") { _, _ -> HTTPResponse.Status in
            try await Task.sleep(for: .seconds(60))
            return .ok
        }
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        // Stopped by cancellation, which the server would log as errors.
        var quiet = Logger(label: "test.probe")
        quiet.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { portContinuation.yield($0.localAddress!.port!) }, logger: quiet)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            defer { group.cancelAll() }
            var ports = portStream.makeAsyncIterator()
            let port = try #require(await ports.next())
            try await body(port)
        }
    }

    func probe(_ urls: [String]) async throws {
        var command = try #require(
            try Tracker.parseAsRoot(["probe"] + urls.flatMap { ["--url", $0] }) as? ProbeCommand)
        try await command.run()
    }

    @Test func theFirstURLThatAnswers2xxWins() async throws {
        try await withServer(.ok) { port in
            try await probe(["http://127.0.0.1:1/healthz", "http://127.0.0.1:\(port)/healthz"])
        }
    }

    @Test func anErrorStatusNoServerOrNoAnswerWithin2SecondsFails() async throws {
        try await withServer(.serviceUnavailable) { port in
            let urls = [
                "http://127.0.0.1:\(port)/healthz", "http://127.0.0.1:1/healthz", "http://127.0.0.1:\(port)/slow",
                "https://127.0.0.1:\(port)/healthz",
            ]
            let started = ContinuousClock.now
            await #expect(throws: ExitCode.failure) { try await probe(urls) }
            #expect(ContinuousClock.now - started < .seconds(10))
        }
    }
}
