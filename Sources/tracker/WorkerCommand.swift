import ArgumentParser
import Hummingbird
import TrackerConfiguration
import TrackerStore
import TrackerWorker

struct WorkerCommand: ConfiguredCommand {
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
    @Option(Table.port) var port: String?
    @Option(Table.statementTimeout) var statementTimeout: String?

    struct Settings {
        var process: ProcessSettings
        var host: String
        var port: Int
        var worker: WorkerConfiguration
    }

    func settings(environment: TrackerConfiguration.Environment) throws(ConfigurationError) -> Settings {
        let read = SettingReader(environment: environment)
        var process = try options.settings(environment: environment)
        process.database.statementTimeout = try read(Table.statementTimeout, statementTimeout)
        return Settings(
            process: process, host: try server.resolvedHost(environment: environment), port: try read(Table.port, port),
            worker: try worker.configuration(environment: environment))
    }

    func run(with settings: Settings) async throws {
        let logger = settings.process.bootstrap(label: "tracker.worker")
        let client = settings.process.makeClient(logger: logger)
        let app = buildWorkerApplication(
            client: client, database: settings.process.database, configuration: settings.worker,
            address: .hostname(settings.host, port: settings.port), logger: logger)
        try await runUntilSignalled([client, app], logger: logger)
    }
}
