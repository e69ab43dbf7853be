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

/// `tracker-bench standby`: the query benchmark's reads through a query API reading a streaming
/// standby and through one reading the primary, in alternate passes of the same run, while a
/// collector and two workers ingest at half the rate they sustain flat out; the standby's replay lag
/// under that ingest; ingest with the reads against without; and the connections each role opens
/// on each server. Everything runs in this process and on this machine: the reads, the ingest, the
/// primary and the standby share its cores.
struct StandbyBenchmark: Sendable {
    /// The primary and its data set: seeding and the read mix are the query benchmark's.
    var data: QueryBenchmark
    var standby: DatabaseURL
    var duration: Duration
    var rounds: Int
    var readers: Int
    var poolSize: Int
    var logger: Logger

    /// Reached in seconds flat out, and more than the workers drain while refused clients wait.
    static let backlogLimit = 300_000
    static let workers = 2

    /// The `application_name` each role's connections carry, by which they are counted.
    enum Role: String, CaseIterable {
        case collector = "bench-collector"
        case worker = "bench-worker"
        case queryPrimary = "bench-query-primary-reads"
        case queryStandby = "bench-query-standby-reads"
        case sampler = "bench-sampler"

        var label: String {
            switch self {
            case .collector: "collector (pool)"
            case .worker: "\(StandbyBenchmark.workers) worker replicas (moves, LISTEN, leader election, readiness)"
            case .queryPrimary: "query API reading the primary (pool, live-tail LISTEN)"
            case .queryStandby: "query API reading the standby (primary pool and LISTEN; standby pool)"
            case .sampler: "this benchmark's own samplers"
            }
        }
    }

    func url(_ database: DatabaseURL, _ role: Role) -> DatabaseURL {
        var tagged = database
        tagged.applicationName = role.rawValue
        return tagged
    }

    /// Set while a window's side tasks should go on.
    final class Running: Sendable {
        private let on = Atomic<Bool>(true)
        private let next = Atomic<Int>(0)
        var isOn: Bool { on.load(ordering: .relaxed) && !Task.isCancelled }
        func stop() { on.store(false, ordering: .relaxed) }
        /// A new index for each read, so the per-person reads spread over people.
        func index() -> Int { next.add(1, ordering: .relaxed).newValue }
    }

    /// One measured window.
    struct Window {
        var stored: Double
        var acknowledged: Double
        var refused: Int
        var backlogAfter: Int
        /// (bytes the standby's replay was behind, seconds until it replayed what the primary had written).
        var lag: [(bytes: Double, seconds: Double)]
        /// Peak connections per "server role" key.
        var connections: [String: Int]
        /// Read latencies in ms per "target|read" key, and other answers per "target|status code".
        var reads: [String: [Double]]
        var failedReads: [String: Int]
    }

    func run() async throws -> String {
        let from = ISO8601.string(from: Date().addingTimeInterval(-Double(data.days) * 86_400))
        try await standby.withConnection(logger: logger) { connection in
            guard try await value("SELECT pg_is_in_recovery()", Bool.self, connection) else {
                throw BenchmarkError("--read-database-url \(standby) is not a standby (pg_is_in_recovery() is false)")
            }
        }
        try await data.database.withConnection(logger: logger) { connection in
            try await Migrator(logger: logger).migrate(on: connection)
            if try await data.scalar("SELECT count(*)::int8 FROM events", connection) != data.events {
                try await data.seed(connection)
            }
            try await connection.query("TRUNCATE ingest_staging", logger: logger)
            try await PartitionStore.create(UTCDay(Date()), on: connection, logger: logger)
        }
        try await waitForReplay()
        let stored = try await data.database.withConnection(logger: logger) {
            try await data.scalar("SELECT count(*)::int8 FROM events", $0)
        }
        var quiet = logger
        quiet.logLevel = .error
        let workers = (0..<Self.workers).map { _ in
            Worker(database: url(data.database, .worker), configuration: WorkerConfiguration(), logger: quiet)
        }
        let standbyPool = PostgresClient(
            configuration: url(standby, .queryStandby).clientConfiguration(maximumConnections: poolSize),
            backgroundLogger: quiet)
        var collector = CollectorConfiguration()
        collector.staging.backlogLimit = Self.backlogLimit
        let (database, poolSize, endpoints) = (data.database, poolSize, data.endpoints(from: from))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in workers { group.addTask { try await worker.run() } }
            group.addTask { await standbyPool.run() }
            defer { group.cancelAll() }
            return try await withLocalServer(
                database: url(database, .collector), connections: poolSize, logger: logger,
                build: { client, address, logger in
                    buildCollectorApplication(
                        client: client, configuration: collector, address: address, logger: logger)
                }
            ) { collectorPort in
                try await withLocalServer(
                    database: url(database, .queryPrimary), connections: poolSize, logger: logger,
                    build: { client, address, logger in
                        buildQueryApplication(
                            client: client, readTokens: ReadTokens(), address: address,
                            listenOn: url(database, .queryPrimary), logger: logger)
                    }
                ) { primaryPort in
                    try await withLocalServer(
                        database: url(database, .queryStandby), connections: poolSize, logger: logger,
                        build: { client, address, logger in
                            buildQueryApplication(
                                client: client, readTokens: ReadTokens(), address: address,
                                listenOn: url(database, .queryStandby), readStandby: ReadStandby(client: standbyPool),
                                logger: logger)
                        }
                    ) { standbyPort in
                        try await measure(
                            collector: collectorPort, targets: [("standby", standbyPort), ("primary", primaryPort)],
                            endpoints: endpoints, stored: stored)
                    }
                }
            }
        }
    }

    private func measure(
        collector: Int, targets: [(String, Int)], endpoints: [(String, @Sendable (Int) -> String)], stored: Int
    ) async throws -> String {
        // Caches and connections warmed on both sides, unrecorded.
        let warm = Running()
        for (_, port) in targets {
            for _ in 0..<3 { _ = try await readPass(port: port, endpoints: endpoints, running: warm) }
        }
        let readers = self.readers
        let reading: @Sendable (Running) async throws -> ([String: [Double]], [String: Int]) = { running in
            try await read(targets: targets, endpoints: endpoints, readers: readers, running: running)
        }
        logger.info("flat out without reads: the sustainable rate")
        let alone = try await window(reading: nil) { try await flatOut(collector: collector) }
        try await waitForDrain()
        logger.info("flat out with reads", metadata: ["stored events/s alone": "\(Int(alone.stored))"])
        let loaded = try await window(reading: reading) { try await flatOut(collector: collector) }
        try await waitForDrain()
        let rate = alone.stored / 2
        var half: [Window] = []
        var halfReading: [Window] = []
        for round in 1...rounds {
            logger.info("half rate", metadata: ["round": "\(round)", "events/s": "\(Int(rate))"])
            half.append(try await window(reading: nil) { try await paced(collector: collector, rate: rate) })
            halfReading.append(try await window(reading: reading) { try await paced(collector: collector, rate: rate) })
        }
        try await waitForDrain()
        return report(
            stored: stored, rate: rate, flatOut: (alone, loaded), half: half, halfReading: halfReading,
            endpoints: endpoints.map(\.0), targets: targets.map(\.0))
    }

    /// Runs `load` with the lag and connection samplers (and the reads, when given) beside it.
    private func window(
        reading: (@Sendable (Running) async throws -> ([String: [Double]], [String: Int]))?,
        load: () async throws -> (acknowledged: Double, refused: Int)
    ) async throws -> Window {
        let running = Running()
        async let lag = sampleLag(running)
        async let connections = sampleConnections(running)
        async let reads = reading?(running) ?? ([:], [:])
        let before = try await snapshot()
        let ingest = try await load()
        let after = try await snapshot()
        running.stop()
        return Window(
            stored: Double(after.stored - before.stored) / (after.at - before.at).inSeconds,
            acknowledged: ingest.acknowledged, refused: ingest.refused, backlogAfter: after.backlog,
            lag: try await lag, connections: try await connections, reads: try await reads.0,
            failedReads: try await reads.1)
    }

    /// Batches of 100 flat out on 16 connections, waiting out `Retry-After` as the SDKs do: until the
    /// backlog reaches the collector's limit, then a 5 s warm-up, then the measured `duration`.
    private func flatOut(collector: Int) async throws -> (acknowledged: Double, refused: Int) {
        let generator = LoadGenerator(port: collector)
        let scenario = LoadGenerator.Scenario(
            name: "batch of 100", path: "/v1/batch", body: Self.batch, eventsPerRequest: 100, connections: 16,
            honoursRetryAfter: true)
        let started = ContinuousClock.now
        var refused = 0
        while refused == 0, ContinuousClock.now - started < .seconds(120) {
            refused = try await generator.measure(scenario, for: .seconds(1)).failures
        }
        _ = try await generator.measure(scenario, for: .seconds(5))
        let result = try await generator.measure(scenario, for: duration)
        return (result.eventsPerSecond, result.failures)
    }

    /// Batches of 100 sent at `rate` events/s (open loop) for `duration`.
    private func paced(collector: Int, rate: Double) async throws -> (acknowledged: Double, refused: Int) {
        let interval = Duration.seconds(100 / rate)
        let started = ContinuousClock.now
        let end = started + duration
        let body = ByteBuffer(string: Self.batch)
        let (acknowledged, refused) = try await withThrowingTaskGroup(of: Bool.self) { senders in
            var next = started
            while next < end {
                try await Task.sleep(until: next, clock: .continuous)
                next += interval
                senders.addTask {
                    var request = HTTPClientRequest(url: "http://127.0.0.1:\(collector)/v1/batch")
                    request.method = .POST
                    request.headers.add(name: "Content-Type", value: "application/json")
                    request.body = .bytes(body)
                    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                    _ = try await response.body.collect(upTo: 1 << 20)
                    return response.status == .ok
                }
            }
            return try await senders.reduce(into: (0, 0)) { $0 = $1 ? ($0.0 + 1, $0.1) : ($0.0, $0.1 + 1) }
        }
        return (Double(acknowledged * 100) / (ContinuousClock.now - started).inSeconds, refused)
    }

    static let batch: String = {
        let track =
            #"{"type":"track","event":"Clicked","userId":"user-42","properties":{"plan":"pro","path":"/pricing","n":1},"context":{"library":{"name":"bench"}}}"#
        return #"{"batch":[\#(Array(repeating: track, count: 100).joined(separator: ","))]}"#
    }()

    /// `readers` clients, each sending the read mix one request after the other, a pass against
    /// each target in turn (reader 0 starts with the first, reader 1 with the second, …).
    private func read(
        targets: [(String, Int)], endpoints: [(String, @Sendable (Int) -> String)], readers: Int, running: Running
    ) async throws -> ([String: [Double]], [String: Int]) {
        try await withThrowingTaskGroup(of: ([String: [Double]], [String: Int]).self) { group in
            for reader in 0..<readers {
                group.addTask {
                    var latencies: [String: [Double]] = [:]
                    var failures: [String: Int] = [:]
                    var pass = reader
                    while running.isOn {
                        let (target, port) = targets[pass % targets.count]
                        pass += 1
                        for (read, milliseconds, failure) in try await readPass(
                            port: port, endpoints: endpoints, running: running)
                        {
                            if let failure {
                                failures["\(target)|\(failure)", default: 0] += 1
                            } else {
                                latencies["\(target)|\(read)", default: []].append(milliseconds)
                            }
                        }
                    }
                    return (latencies, failures)
                }
            }
            return try await group.reduce(into: ([:], [:])) { all, one in
                all.0.merge(one.0, uniquingKeysWith: +)
                all.1.merge(one.1, uniquingKeysWith: +)
            }
        }
    }

    /// Each read of the mix once: (read, ms, nil for a 200 else its status and error code).
    private func readPass(port: Int, endpoints: [(String, @Sendable (Int) -> String)], running: Running)
        async throws -> [(String, Double, String?)]
    {
        var results: [(String, Double, String?)] = []
        for (name, path) in endpoints {
            let start = ContinuousClock.now
            let response = try await HTTPClient.shared.execute(
                HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path(running.index()))"), timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 16 << 20)
            let milliseconds = QueryBenchmark.milliseconds(since: start)
            guard response.status.code != 200 else {
                results.append((name, milliseconds, nil))
                continue
            }
            let answer = try? JSONSerialization.jsonObject(with: Data(String(buffer: body).utf8)) as? [String: Any]
            results.append((name, milliseconds, "\(response.status.code) \(answer?["code"] as? String ?? "")"))
        }
        return results
    }

    /// Every 100 ms: the primary's WAL position now, how many bytes the standby's replay is behind
    /// it, and how long until the standby has replayed it: polled every 2 ms at first, each wait a
    /// tenth of the time so far (at most 20 ms), so a long lag is timed within 10 % without the
    /// polling itself loading the standby.
    private func sampleLag(_ running: Running) async throws -> [(bytes: Double, seconds: Double)] {
        try await url(data.database, .sampler).withConnection(logger: logger) { primary in
            try await url(standby, .sampler).withConnection(logger: logger) { standby in
                var samples: [(bytes: Double, seconds: Double)] = []
                while running.isOn {
                    let start = ContinuousClock.now
                    let position = try await value("SELECT pg_current_wal_lsn()::text", String.self, primary)
                    var behind: Double?
                    while running.isOn {
                        let bytes = try await value(
                            "SELECT pg_wal_lsn_diff(\(position)::pg_lsn, pg_last_wal_replay_lsn())::float8",
                            Double.self, standby)
                        if behind == nil { behind = max(0, bytes) }
                        if bytes <= 0 {
                            samples.append((behind ?? 0, (ContinuousClock.now - start).inSeconds))
                            break
                        }
                        try await Task.sleep(
                            for: min(.milliseconds(20), max(.milliseconds(2), (ContinuousClock.now - start) / 10)))
                    }
                    try await Task.sleep(until: start + .milliseconds(100), clock: .continuous)
                }
                return samples
            }
        }
    }

    /// Every 500 ms on each server: client backends of the database (and WAL senders) per
    /// `application_name`; the peak of each.
    private func sampleConnections(_ running: Running) async throws -> [String: Int] {
        try await url(data.database, .sampler).withConnection(logger: logger) { primary in
            try await url(standby, .sampler).withConnection(logger: logger) { standby in
                var peaks: [String: Int] = [:]
                while running.isOn {
                    for (server, connection) in [("primary", primary), ("standby", standby)] {
                        let rows = try await connection.query(
                            """
                            SELECT coalesce(nullif(application_name, ''), backend_type), count(*)::int8
                            FROM pg_stat_activity
                            WHERE (backend_type = 'client backend' AND datname = current_database())
                               OR backend_type = 'walsender'
                            GROUP BY 1
                            """, logger: logger)
                        for try await (name, count) in rows.decode((String, Int64).self) {
                            peaks["\(server)|\(name)"] = max(peaks["\(server)|\(name)"] ?? 0, Int(count))
                        }
                    }
                    try await Task.sleep(for: .milliseconds(500))
                }
                return peaks
            }
        }
    }

    /// Events stored and staged now, and when.
    private func snapshot() async throws -> (stored: Int, backlog: Int, at: ContinuousClock.Instant) {
        try await url(data.database, .sampler).withConnection(logger: logger) { connection in
            let stored = try await data.scalar("SELECT count(*)::int8 FROM events", connection)
            let backlog = try await data.scalar("SELECT count(*)::int8 FROM ingest_staging", connection)
            return (stored, backlog, ContinuousClock.now)
        }
    }

    /// Until staging is empty and the standby has replayed everything the primary wrote until then.
    private func waitForDrain() async throws {
        var least = Int.max
        var deadline = ContinuousClock.now + .seconds(60)
        while true {
            let staged = try await snapshot().backlog
            if staged == 0 { break }
            if staged < least { (least, deadline) = (staged, ContinuousClock.now + .seconds(60)) }
            guard ContinuousClock.now < deadline else { throw BenchmarkError("staging stopped draining at \(staged)") }
            try await Task.sleep(for: .milliseconds(100))
        }
        try await waitForReplay()
    }

    /// Until the standby has replayed what the primary has written now, giving up only when replay
    /// makes no progress for a minute (the seeding writes gigabytes of WAL).
    private func waitForReplay() async throws {
        let position = try await data.database.withConnection(logger: logger) {
            try await value("SELECT pg_current_wal_lsn()::text", String.self, $0)
        }
        try await standby.withConnection(logger: logger) { connection in
            var least = Double.infinity
            var deadline = ContinuousClock.now + .seconds(60)
            while true {
                let behind = try await value(
                    "SELECT pg_wal_lsn_diff(\(position)::pg_lsn, pg_last_wal_replay_lsn())::float8", Double.self,
                    connection)
                if behind <= 0 { return }
                if behind < least { (least, deadline) = (behind, ContinuousClock.now + .seconds(60)) }
                guard ContinuousClock.now < deadline else {
                    throw BenchmarkError("the standby's replay stopped \(Int(behind)) bytes behind the primary")
                }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    private func value<Value: PostgresDecodable>(
        _ query: PostgresQuery, _ type: Value.Type, _ connection: PostgresConnection
    ) async throws -> Value {
        for try await value in try await connection.query(query, logger: logger).decode(Value.self) { return value }
        throw BenchmarkError("no row for \(query.sql)")
    }
}
