import ArgumentParser
import TrackerConfiguration
import TrackerWorker

/// The worker's options.
struct WorkerOptions: ParsableArguments {
    enum Table {
        static let batchSize = Setting<Int>(
            "batch-size", "TRACKER_BATCH_SIZE", .wholeNumber(1...100_000), default: 2_000,
            help: "Staged rows per move transaction.")
        static let workerConcurrency = Setting<Int>(
            "worker-concurrency", "TRACKER_WORKER_CONCURRENCY", .wholeNumber(1...64), default: 2,
            help: "Move transactions at once on a backlog, less other replicas' moves in flight (at least one).")
        static let dedupeWindowDays = Setting<Int>(
            "dedupe-window-days", "TRACKER_DEDUPE_WINDOW_DAYS", .wholeNumber(1...3_650),
            default: 7, help: "Days a messageId is remembered to drop retries.")
        static let retentionDays = Setting<Int>(
            "retention-days", "TRACKER_RETENTION_DAYS", .wholeNumber(1...36_500), default: 400,
            help: "Days events are kept.")
        static let viewRefreshSeconds = Setting<Duration>(
            "view-refresh-seconds", "TRACKER_VIEW_REFRESH_SECONDS", .seconds(atMost: 86_400),
            default: .seconds(5), help: "Seconds between refreshes of the weekly/monthly active-people views.")
    }

    @Option(Table.batchSize) var batchSize: String?
    @Option(Table.workerConcurrency) var workerConcurrency: String?
    @Option(Table.dedupeWindowDays) var dedupeWindowDays: String?
    @Option(Table.retentionDays) var retentionDays: String?
    @Option(Table.viewRefreshSeconds) var viewRefreshSeconds: String?

    func configuration(environment: Environment) throws(ConfigurationError) -> WorkerConfiguration {
        let read = SettingReader(environment: environment)
        var configuration = WorkerConfiguration()
        configuration.batchSize = try read(Table.batchSize, batchSize)
        configuration.concurrency = try read(Table.workerConcurrency, workerConcurrency)
        configuration.dedupeWindowDays = try read(Table.dedupeWindowDays, dedupeWindowDays)
        configuration.retentionDays = try read(Table.retentionDays, retentionDays)
        configuration.viewRefreshInterval = try read(Table.viewRefreshSeconds, viewRefreshSeconds)
        return configuration
    }
}
