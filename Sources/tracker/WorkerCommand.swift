import ArgumentParser
import Hummingbird
import TrackerConfiguration
import TrackerStore
import TrackerWorker

struct WorkerCommand: ServerCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run a worker replica: move staged events into events or failed_events, keep aggregates.")

    enum Table {
        static let port = Setting<Int>.port(
            "port", "TRACKER_WORKER_PORT", default: 8082, help: "Port for /healthz, /readyz and /metrics.")
        /// Above the 30 s after which a move is abandoned and below the 120 s after which a
        /// maintenance round is; the longest maintenance statements (the views' refresh, a fold
        /// of 50,000 people) take seconds.
        static let statementTimeout = Setting<Duration>.statementTimeout(default: .seconds(60))
    }

    @OptionGroup var options: GlobalOptions
    @OptionGroup var server: ServerOptions
    @OptionGroup var worker: WorkerOptions
    @OptionGroup var analysis: AnalysisOptions
    @Option(Table.port) var port: String?
    @Option(Table.statementTimeout) var statementTimeout: String?

    static var portSetting: Setting<Int> { Table.port }
    static var statementTimeoutSetting: Setting<Duration> { Table.statementTimeout }

    func role(environment: TrackerConfiguration.Environment) throws(ConfigurationError) -> WorkerConfiguration {
        var configuration = try worker.configuration(environment: environment)
        configuration.analysis = AnalysisUpkeep(breakdownProperties: try analysis.properties(environment: environment))
        return configuration
    }

    func run(with settings: Settings) async throws {
        let logger = settings.process.bootstrap(label: "tracker.worker")
        let client = settings.process.makeClient(logger: logger)
        let app = buildWorkerApplication(
            client: client, database: settings.process.database, direct: settings.process.directDatabase,
            configuration: settings.role,
            address: .hostname(settings.host, port: settings.port), logger: logger)
        try await runUntilSignalled([client, app], logger: logger)
    }
}
