import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import PostgresNIO
import Synchronization
import TrackerCollector
import TrackerCore
import TrackerQuery
import TrackerStore
import TrackerWorker

/// `tracker-bench stream`: the live tail with a collector, two worker replicas and a query API in
/// this process. (1) Stored → delivered to `clients` stream clients at `rate` events/s: each
/// delivery's arrival against its event's `stored_at`, the start of the transaction that stored it
/// (so an upper bound: the commit comes a little later). (2) What the collector and workers store
/// per second flat out with `clients` streams connected and reading, against none, in alternate
/// rounds.
struct StreamBenchmark: Sendable {
    var database: DatabaseURL
    var clients: Int
    var rate: Int
    var duration: Duration
    var rounds: Int
    var logger: Logger

    /// The streams' own HTTP client: the shared one opens 8 connections to a host at most.
    let http: HTTPClient

    init(database: DatabaseURL, clients: Int, rate: Int, duration: Duration, rounds: Int, logger: Logger) {
        self.database = database
        self.clients = clients
        self.rate = rate
        self.duration = duration
        self.rounds = max(1, rounds)
        self.logger = logger
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = clients + 16
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Latencies of every delivery, in seconds, filled by the clients.
    final class Deliveries: Sendable {
        let arrivals = Mutex<[(messageId: String, at: Double)]>([])
        let counts = Mutex<[Int: Int]>([:])
    }

    func run() async throws -> String {
        do {
            let report = try await measure()
            try await http.shutdown()
            return report
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    private func measure() async throws -> String {
        let drain = DrainBenchmark(database: database, rows: 0, rounds: 1, logger: logger)
        try await database.withConnection(logger: logger) { connection in
            try await Migrator(logger: logger).migrate(on: connection)
            try await PartitionStore.create(UTCDay(Date()), on: connection, logger: logger)
            try await drain.empty(connection)
            try await connection.query("TRUNCATE event_stream", logger: logger)
        }
        var quiet = logger
        quiet.logLevel = .error
        let workers = (0..<2).map { _ in Worker(database: database, configuration: WorkerConfiguration(), logger: quiet)
        }
        let liveTail = {
            var settings = LiveTailSettings()
            settings.maxClients = clients + 10
            return settings
        }()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in workers { group.addTask { try await worker.run() } }
            defer { group.cancelAll() }
            return try await withLocalServer(
                database: database, connections: 20, logger: logger,
                build: { client, address, logger in
                    buildCollectorApplication(
                        client: client, configuration: CollectorConfiguration(), address: address, logger: logger)
                }
            ) { collectorPort in
                try await withLocalServer(
                    database: database, connections: 10, logger: logger,
                    build: { [database] client, address, logger in
                        buildQueryApplication(
                            client: client, readTokens: ReadTokens(), address: address, liveTail: liveTail,
                            listenOn: database, logger: logger)
                    }
                ) { queryPort in
                    let latencies = try await measureLatency(collector: collectorPort, query: queryPort)
                    var none: [Double] = []
                    var connected: [Double] = []
                    for _ in 0..<rounds {
                        none.append(try await measureThroughput(collector: collectorPort, query: queryPort, clients: 0))
                        connected.append(
                            try await measureThroughput(collector: collectorPort, query: queryPort, clients: clients))
                    }
                    return report(latencies: latencies, none: none, connected: connected)
                }
            }
        }
    }

    /// Every delivery's stored → delivered time, in seconds.
    private func measureLatency(collector: Int, query: Int) async throws -> [Double] {
        let deliveries = Deliveries()
        let batch = 10
        let total = rate * Int(duration.components.seconds)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<clients {
                group.addTask { [http] in
                    try await Self.listen(http, port: query, client: index, into: deliveries, recording: true)
                }
            }
            try await waitUntil { deliveries.counts.withLock { $0.count } == clients }
            // `rate` events a second, in batches of 10 sent every 1/(rate/10) s.
            let interval = Duration.seconds(Double(batch) / Double(rate))
            var next = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { senders in
                for first in stride(from: 0, to: total, by: batch) {
                    try await Task.sleep(until: next, clock: .continuous)
                    next += interval
                    senders.addTask { [http] in try await Self.post(http, port: collector, ids: first..<(first + batch))
                    }
                }
                try await senders.waitForAll()
            }
            try await waitUntil(timeout: .seconds(60)) {
                deliveries.counts.withLock { $0.values.allSatisfy { $0 >= total } }
            }
            group.cancelAll()
        }
        let stored = try await storedAt()
        return deliveries.arrivals.withLock { arrivals in
            arrivals.compactMap { arrival in stored[arrival.messageId].map { max(0, arrival.at - $0) } }
        }
    }

    /// Events stored per second over `duration`, batches of 100 flat out, with `clients` streams reading.
    private func measureThroughput(collector: Int, query: Int, clients: Int) async throws -> Double {
        let deliveries = Deliveries()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<clients {
                group.addTask { [http] in
                    try await Self.listen(http, port: query, client: index, into: deliveries, recording: false)
                }
            }
            try await waitUntil { deliveries.counts.withLock { $0.count } == clients }
            let track =
                #"{"type":"track","event":"Clicked","userId":"user-42","properties":{"plan":"pro","n":1},"context":{"library":{"name":"bench"}}}"#
            let scenario = LoadGenerator.Scenario(
                name: "batch of 100", path: "/v1/batch",
                body: #"{"batch":[\#(Array(repeating: track, count: 100).joined(separator: ","))]}"#,
                eventsPerRequest: 100, connections: 8, honoursRetryAfter: true)
            let before = try await storedCount()
            let started = ContinuousClock.now
            _ = try await LoadGenerator(port: collector).measure(scenario, for: duration)
            // What was acknowledged is stored once staging is empty again.
            try await waitUntilDrained()
            let elapsed = ContinuousClock.now - started
            let stored = try await storedCount() - before
            group.cancelAll()
            return Double(stored) / elapsed.inSeconds
        }
    }

    /// One stream client: counts what it receives and, when `recording`, when each message arrived.
    private static func listen(_ http: HTTPClient, port: Int, client: Int, into deliveries: Deliveries, recording: Bool)
        async throws
    {
        let response = try await http.execute(
            HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/events/stream"), timeout: .hours(1))
        guard response.status == .ok else { throw BenchmarkError("stream answered \(response.status)") }
        deliveries.counts.withLock { $0[client] = 0 }
        let marker = Data(#""message_id":""#.utf8)
        let quote = Data("\"".utf8)
        var arrivals: [(String, Double)] = []
        defer { if recording { deliveries.arrivals.withLock { $0 += arrivals } } }
        let blank = Data("\n\n".utf8)
        var pending = Data()
        for try await buffer in response.body {
            let now = Date().timeIntervalSince1970
            // Whole messages only: one may span two buffers. Foundation's search, not a byte loop
            // of this process, which would cost more than the server it measures.
            pending.append(contentsOf: buffer.readableBytesView)
            guard let cut = pending.range(of: blank, options: .backwards) else { continue }
            let data = pending[..<cut.upperBound]
            defer { pending = Data(pending[cut.upperBound...]) }
            var found = 0
            var offset = data.startIndex
            while let hit = data.range(of: marker, in: offset..<data.endIndex) {
                let end = data.range(of: quote, in: hit.upperBound..<data.endIndex)?.lowerBound ?? data.endIndex
                if recording { arrivals.append((String(decoding: data[hit.upperBound..<end], as: UTF8.self), now)) }
                found += 1
                offset = end
            }
            deliveries.counts.withLock { $0[client, default: 0] += found }
        }
    }

    private static func post(_ http: HTTPClient, port: Int, ids: Range<Int>) async throws {
        let batch = ids.map {
            #"{"type":"track","event":"Tick","userId":"u\#($0 % 50)","messageId":"stream-\#($0)"}"#
        }
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/batch")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: #"{"batch":[\#(batch.joined(separator: ","))]}"#))
        let response = try await http.execute(request, timeout: .seconds(30))
        guard response.status == .ok else { throw BenchmarkError("collector answered \(response.status)") }
    }

    private func storedAt() async throws -> [String: Double] {
        try await database.withConnection(logger: logger) { connection in
            let rows = try await connection.query(
                "SELECT message_id, extract(epoch FROM stored_at)::float8 FROM events", logger: logger)
            var stored: [String: Double] = [:]
            for try await (id, at) in rows.decode((String, Double).self) { stored[id] = at }
            return stored
        }
    }

    private func storedCount() async throws -> Int { try await count("SELECT count(*)::int8 FROM events") }
    private func stagedCount() async throws -> Int { try await count("SELECT count(*)::int8 FROM ingest_staging") }

    private func count(_ query: PostgresQuery) async throws -> Int {
        try await database.withConnection(logger: logger) { connection in
            for try await value in try await connection.query(query, logger: logger).decode(Int64.self) {
                return Int(value)
            }
            return 0
        }
    }

    /// Until staging is empty, giving up only when it stops shrinking for a minute: on a loaded
    /// machine the backlog left by a flat-out window takes longer to drain than any fixed timeout.
    private func waitUntilDrained() async throws {
        var least = Int.max
        var deadline = ContinuousClock.now + .seconds(60)
        while true {
            let staged = try await stagedCount()
            if staged == 0 { return }
            if staged < least { (least, deadline) = (staged, ContinuousClock.now + .seconds(60)) }
            guard ContinuousClock.now < deadline else { throw BenchmarkError("staging stopped draining at \(staged)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    private func waitUntil(timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await !condition() {
            guard ContinuousClock.now < deadline else { throw BenchmarkError("timed out after \(timeout)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    private func report(latencies: [Double], none: [Double], connected: [Double]) -> String {
        let sorted = latencies.sorted()
        func percentile(_ fraction: Double) -> String {
            guard !sorted.isEmpty else { return "–" }
            return String(format: "%.1f", sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))] * 1000)
        }
        return [
            "| live tail, \(clients) clients | value |",
            "|---|---|",
            "| stored → delivered at \(rate) events/s, p50 (ms) | \(percentile(0.5)) |",
            "| stored → delivered at \(rate) events/s, p99 (ms) | \(percentile(0.99)) |",
            "| deliveries measured | \(sorted.count) |",
            "| collector + 2 workers, no stream client (events/s, median of \(none.count)) | \(Int(none.median)) (\(none.listedRates)) |",
            "| the same with \(clients) clients reading (events/s) | \(Int(connected.median)) (\(connected.listedRates)) |",
            "| ratio | \(String(format: "%.2f", connected.ratios(over: none).median)) (\(connected.ratios(over: none).listed)) |",
        ].joined(separator: "\n")
    }
}
