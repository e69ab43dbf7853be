import Foundation
import HummingbirdTesting
import PostgresNIO
import Testing
import TrackerHTTP
import TrackerQuery
import TrackerStore
import TrackerTestSupport
import TrackerWorker

/// The query API with its live tail (LISTEN on `database`), served on 127.0.0.1: `body` gets the
/// port, for the streaming client, and a client for the JSON answers.
func withLiveTail<Result: Sendable>(
    _ database: TestDatabase,
    settings: LiveTailSettings,
    readTokens: ReadTokens = ReadTokens(),
    _ body: @Sendable @escaping (_ port: Int, _ api: any TestClientProtocol) async throws -> Result
) async throws -> Result {
    Observability.bootstrapMetrics()
    return try await database.withClient { client in
        let app = buildQueryApplication(
            client: client, readTokens: readTokens, address: .hostname("127.0.0.1", port: 0), liveTail: settings,
            listenOn: database.url, logger: database.logger)
        return try await app.test(.live) { api in try await body(try #require(api.port), api) }
    }
}

/// Each test's limit covers its set-up too: a database created and migrated while every other suite
/// does the same took most of a minute on 2 cores.
@Suite struct LiveTailTests {
    static let stream = "/v1/events/stream"

    /// A quick poll and heartbeat, so a test waits on facts for less.
    static func settings(_ change: (inout LiveTailSettings) -> Void = { _ in }) -> LiveTailSettings {
        var settings = LiveTailSettings()
        settings.heartbeat = .seconds(1)
        settings.pollInterval = .milliseconds(200)
        change(&settings)
        return settings
    }

    static func track(_ id: String, user: String = "u", event: String = "Tick") -> String {
        trackCall(id, user: user, event: event, at: Date())
    }

    @Test(.timeLimit(.minutes(3))) func clientsWithFiltersReceiveExactlyTheirEvents() async throws {
        let database = try await TestDatabase.create("stream_filters")
        var payloads = (0..<60).map { index in
            Self.track("f\(index)", user: "u\(index % 3)", event: index % 2 == 0 ? "Signup" : "View")
        }
        payloads.append(#"{"type":"page","userId":"u1","name":"Signup","messageId":"f-page"}"#)
        let batch = payloads
        let filters = ["", "?event=Signup", "?user_id=u1&type=track"]
        let received = try await database.withWorkers { client, _ in
            try await withLiveTail(database, settings: Self.settings()) { port, api in
                let (connected, connection) = AsyncStream.makeStream(of: Void.self)
                let received = try await withThrowingTaskGroup(of: (String, [StreamMessage]).self) { group in
                    for filter in filters {
                        group.addTask {
                            try await EventStreamReader.with(port: port, path: Self.stream + filter) { reader in
                                #expect(reader.status == .ok)
                                _ = try await reader.next()
                                connection.yield()
                                return (filter, try await reader.events(through: "f-end"))
                            }
                        }
                    }
                    var waiting = connected.makeAsyncIterator()
                    for _ in filters { await waiting.next() }
                    try await database.stage(batch, client: client)
                    try await database.waitUntilDrained()
                    // Stored after all the others: every stream ends with it.
                    try await database.stage([Self.track("f-end", user: "u1", event: "Signup")], client: client)
                    var received: [String: [StreamMessage]] = [:]
                    for try await (filter, messages) in group { received[filter] = messages }
                    return received
                }
                // Each event exactly as /v1/events answers it.
                let stored = try await api.get("/v1/events?limit=1000").data
                let byId = Dictionary(uniqueKeysWithValues: stored.map { ($0["message_id"] as? String ?? "", $0) })
                for message in received[""] ?? [] {
                    let object = try #require(message.object)
                    #expect(NSDictionary(dictionary: object).isEqual(to: byId[message.messageId ?? ""] ?? [:]))
                }
                return received.mapValues { $0.compactMap(\.messageId) }
            }
        }
        let all = (0..<60).map { "f\($0)" } + ["f-page", "f-end"]
        let signups = (0..<60).filter { $0 % 2 == 0 }.map { "f\($0)" } + ["f-page", "f-end"]
        let userOneTracks = (0..<60).filter { $0 % 3 == 1 }.map { "f\($0)" } + ["f-end"]
        for (filter, expected) in [("", all), ("?event=Signup", signups), ("?user_id=u1&type=track", userOneTracks)] {
            let ids = received[filter] ?? []
            #expect(ids.count == expected.count, "\(filter): no duplicate")
            #expect(Set(ids) == Set(expected), "\(filter)")
        }
        try await database.drop()
    }

    @Test(.timeLimit(.minutes(3))) func resumesAcrossAWorkerRestartWithoutGapOrDuplicate() async throws {
        let database = try await TestDatabase.create("stream_resume")
        @Sendable func startWorker() -> Task<Void, any Error> {
            let worker = Worker(
                database: database.url, configuration: testConfiguration(batchSize: 20), logger: database.logger)
            return Task { try await worker.run() }
        }
        @Sendable func batch(_ name: String) -> [String] {
            (0..<100).map { Self.track("\(name)\($0)", user: "u\($0 % 7)") }
        }
        try await database.withClient { client in
            try await withLiveTail(database, settings: Self.settings()) { port, api in
                var worker = startWorker()
                let first = try await EventStreamReader.with(port: port, path: Self.stream) { reader in
                    _ = try await reader.next()
                    try await database.stage(batch("a"), client: client)
                    return try await reader.events(30)
                }
                // Disconnected: more events arrive while the worker is stopped mid-flow and replaced.
                try await database.stage(batch("b"), client: client)
                worker.cancel()
                _ = await worker.result
                worker = startWorker()
                try await database.stage(batch("c"), client: client)
                try await database.waitUntilDrained()
                try await database.stage([Self.track("r-end")], client: client)
                let lastId = try #require(first.last?.id)
                let resumed = try await EventStreamReader.with(
                    port: port, path: Self.stream, headers: [("Last-Event-ID", lastId)]
                ) { reader in try await reader.events(through: "r-end") }
                let union = (first + resumed).compactMap(\.messageId)
                let stored = try await api.get("/v1/events?limit=1000").data.compactMap { $0["message_id"] as? String }
                #expect(stored.count == 301)
                #expect(union.count == Set(union).count, "no duplicate")
                #expect(Set(union) == Set(stored), "no gap")

                // The same resume as a query parameter, from further on: the same order after that point.
                let middle = try #require(resumed[50].id)
                let again = try await EventStreamReader.with(
                    port: port, path: Self.stream + "?last_event_id=\(middle)"
                ) { reader in try await reader.events(through: "r-end") }
                #expect(again.compactMap(\.messageId) == resumed[51...].compactMap(\.messageId))
                worker.cancel()
                _ = await worker.result
            }
        }
        try await database.drop()
    }

    @Test(.timeLimit(.minutes(3))) func anEventCommittedLateIsNotSkipped() async throws {
        let database = try await TestDatabase.create("stream_late")
        try await database.withWorkers { client, _ in
            try await withLiveTail(database, settings: Self.settings()) { port, api in
                try await EventStreamReader.with(port: port, path: Self.stream) { reader in
                    _ = try await reader.next()
                    try await database.stage([Self.track("warm")], client: client)
                    _ = try await reader.events(through: "warm")
                    // A transaction stores "early" (the smaller id) and stays open while a worker's
                    // move stores "late" and commits.
                    try await database.withConnection { held in
                        try await held.query("BEGIN", logger: database.logger)
                        try await held.query(
                            """
                            WITH e AS (
                                INSERT INTO events (message_id, type, event, user_id, timestamp, received_at, source)
                                VALUES ('early', 'track', 'Tick', 'u', now(), now(), 'web') RETURNING id, timestamp
                            )
                            INSERT INTO event_stream (id, timestamp) SELECT id, timestamp FROM e
                            """, logger: database.logger)
                        try await database.stage([Self.track("late")], client: client)
                        try await waitUntil("the later transaction committed") {
                            try await api.get("/v1/events?user_id=u").data.contains {
                                $0["message_id"] as? String == "late"
                            }
                        }
                        try await held.query("COMMIT", logger: database.logger)
                    }
                    try await database.stage([Self.track("after")], client: client)
                    let events = try await reader.events(through: "after")
                    #expect(events.compactMap(\.messageId) == ["early", "late", "after"])
                }
            }
        }
        try await database.drop()
    }

    @Test(.timeLimit(.minutes(3))) func beyondTheClientLimitAnswers503WithRetryAfter() async throws {
        let database = try await TestDatabase.create("stream_limit")
        let settings = Self.settings {
            $0.maxClients = 2
            $0.heartbeat = .milliseconds(100)
        }
        try await withLiveTail(database, settings: settings) { port, api in
            try await EventStreamReader.with(port: port, path: Self.stream) { first in
                _ = try await first.next()
                try await EventStreamReader.with(port: port, path: Self.stream + "?event=Other") { second in
                    _ = try await second.next()
                    let refused = try await api.get(Self.stream)
                    #expect(refused.status == .serviceUnavailable)
                    #expect(refused.code == "too_many_streams")
                    #expect(refused.retryAfter != nil)
                }
            }
            // Both went: their places are free once the server notices (at its next heartbeat).
            try await waitUntil("a stream is accepted again") {
                try await EventStreamReader.with(port: port, path: Self.stream) { $0.status == .ok }
            }
        }
        try await database.drop()
    }

    @Test(.timeLimit(.minutes(3))) func aClientThatNeverReadsIsDroppedWhileAnotherKeepsReceiving() async throws {
        let database = try await TestDatabase.create("stream_slow")
        let settings = Self.settings {
            $0.pageSize = 20
            $0.clientBuffer = 300
        }
        let pad = String(repeating: "x", count: 20_000)
        // 20 MB: more than the sockets and the client's buffer hold.
        let payloads = (0..<1_000).map {
            #"{"type":"track","messageId":"s\#($0)","userId":"u","event":"Big","properties":{"pad":"\#(pad)"}}"#
        }
        try await database.withWorkers { client, _ in
            try await withLiveTail(database, settings: settings) { port, api in
                try await EventStreamReader.with(port: port, path: Self.stream, receiveBuffer: 4096) { slow in
                    _ = try await slow.next()
                    try await EventStreamReader.with(port: port, path: Self.stream) { fast in
                        _ = try await fast.next()
                        try await database.stage(payloads, client: client)
                        let received = try await fast.events(1_000).compactMap(\.messageId)
                        #expect(Set(received).count == 1_000)
                    }
                    // The slow client's connection was closed (in the middle of a chunk, which the
                    // HTTP decoder reports as an error): it ends early, whatever it reads now.
                    var count = 0
                    do {
                        while let message = try await slow.next() {
                            if message.data != nil { count += 1 }
                        }
                    } catch {}
                    #expect(count < 1_000)
                }
                let metrics = try await api.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
                #expect(metrics.contains(#"tracker_stream_clients_dropped_total{reason="slow"}"#))
            }
        }
        try await database.drop()
    }

    @Test(.timeLimit(.minutes(3))) func answersAnEventStreamWithHeartbeats() async throws {
        let database = try await TestDatabase.create("stream_heartbeat")
        try await withLiveTail(database, settings: Self.settings { $0.heartbeat = .milliseconds(100) }) { port, _ in
            try await EventStreamReader.with(port: port, path: Self.stream) { reader in
                #expect(reader.status == .ok)
                #expect(reader.headers.first(name: "Content-Type")?.hasPrefix("text/event-stream") == true)
                let hello = try #require(try await reader.next())
                #expect(hello.id != nil && hello.data == nil, "the starting position, without an event")
                var heartbeats = 0
                while heartbeats < 2, let message = try await reader.next() {
                    if message.comments.contains("heartbeat") { heartbeats += 1 }
                }
                #expect(heartbeats == 2)
            }
        }
        try await database.drop()
    }

    @Test(.timeLimit(.minutes(3))) func refusesBadFiltersPositionsAndMissingTokens() async throws {
        let database = try await TestDatabase.create("stream_refusals")
        let expired = PageCursor(kind: "s", keys: [1, 1, Int64(Date().timeIntervalSince1970) - 86_400], filters: [])
            .text
        try await withLiveTail(database, settings: Self.settings(), readTokens: ReadTokens(parsing: "secret")) {
            port, api in
            let noToken = try await api.get(Self.stream)
            #expect(noToken.status == .unauthorized)
            let badType = try await api.get(Self.stream + "?type=click", token: "secret")
            #expect(badType.status == .badRequest && badType.code == "invalid_parameter")
            let badId = try await api.execute(
                uri: Self.stream, method: .get,
                headers: [.authorization: "Bearer secret", .init("Last-Event-ID")!: "nope"]
            ) { try Answer($0.status, headers: $0.headers, body: $0.body) }
            #expect(badId.status == .badRequest && badId.code == "invalid_parameter")
            let old = try await api.get(Self.stream + "?last_event_id=\(expired)", token: "secret")
            #expect(old.status == .badRequest && old.code == "stream_expired")
            try await EventStreamReader.with(
                port: port, path: Self.stream, headers: [("Authorization", "Bearer secret")]
            ) { reader in
                #expect(reader.status == .ok)
            }
        }
        try await database.drop()
    }
}
