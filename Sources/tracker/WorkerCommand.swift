import ArgumentParser
import Hummingbird
import TrackerWorker

struct WorkerOptions: ParsableArguments {
    @Option(help: "Staged rows per move transaction. (env: TRACKER_BATCH_SIZE, default: 2000)")
    var batchSize: Int?

    @Option(
        help:
            "Move transactions at once on a backlog, less other replicas' moves in flight (at least one). (env: TRACKER_WORKER_CONCURRENCY, default: 2)"
    )
    var workerConcurrency: Int?

    @Option(help: "Days a messageId is remembered to drop retries. (env: TRACKER_DEDUPE_WINDOW_DAYS, default: 7)")
    var dedupeWindowDays: Int?

    @Option(help: "Days events are kept. (env: TRACKER_RETENTION_DAYS, default: 400)")
    var retentionDays: Int?

    @Option(
        help:
            "Seconds between refreshes of the weekly/monthly active-people views. (env: TRACKER_VIEW_REFRESH_SECONDS, default: 5)"
    )
    var viewRefreshSeconds: Int?

    func configuration() throws -> WorkerConfiguration {
        var configuration = WorkerConfiguration()
        func value(_ flag: Int?, _ name: String) -> Int? { flag ?? environment(name).flatMap(Int.init) }
        if let size = value(batchSize, "TRACKER_BATCH_SIZE") { configuration.batchSize = size }
        if let count = value(workerConcurrency, "TRACKER_WORKER_CONCURRENCY") { configuration.concurrency = count }
        if let days = value(dedupeWindowDays, "TRACKER_DEDUPE_WINDOW_DAYS") { configuration.dedupeWindowDays = days }
        if let days = value(retentionDays, "TRACKER_RETENTION_DAYS") { configuration.retentionDays = days }
        let refresh = value(viewRefreshSeconds, "TRACKER_VIEW_REFRESH_SECONDS")
        if let refresh { configuration.viewRefreshInterval = .seconds(refresh) }
        guard configuration.batchSize > 0, configuration.concurrency > 0, configuration.retentionDays > 0,
            configuration.dedupeWindowDays > 0, refresh ?? 1 > 0
        else {
            throw ValidationError(
                "batch size, concurrency, retention, dedupe window and view refresh interval must be positive")
        }
        return configuration
    }
}

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run a worker replica: move staged events into events or failed_events, keep aggregates.")

    @OptionGroup var options: GlobalOptions
    @OptionGroup var server: ServerOptions
    @OptionGroup var worker: WorkerOptions

    @Option(help: "Port for /healthz, /readyz and /metrics. (env: TRACKER_WORKER_PORT, default: 8082)")
    var port: Int?

    func run() async throws {
        let logger = try options.bootstrap(label: "tracker.worker")
        let database = try options.database()
        let client = options.makeClient(database, logger: logger)
        let port = port ?? environment("TRACKER_WORKER_PORT").flatMap(Int.init) ?? 8082
        let app = buildWorkerApplication(
            client: client, database: database, configuration: try worker.configuration(),
            address: .hostname(server.resolvedHost, port: port), logger: logger)
        try await runUntilSignalled([client, app], logger: logger)
    }
}
