import ArgumentParser
import Hummingbird
import ServiceLifecycle
import TrackerCollector
import TrackerConfiguration
import TrackerQuery
import TrackerStore
import TrackerWorker

struct AllCommand: ConfiguredCommand {
    static let configuration = CommandConfiguration(
        commandName: "all", abstract: "Run every role in one process, for a laptop.")

    enum Table {
        static let collectorPort = Setting<Int>.port(
            "collector-port", "TRACKER_COLLECTOR_PORT", default: 8080, help: "Collector port.")
        static let queryPort = Setting<Int>.port(
            "query-port", "TRACKER_QUERY_PORT", default: 8081, help: "Query API port.")
        static let workerPort = Setting<Int>.port(
            "worker-port", "TRACKER_WORKER_PORT", default: 8082,
            help: "Worker port (/healthz, /readyz, /metrics).")
        /// The roles share one pool, so the worker's, the longest any of them needs.
        static let statementTimeout = Setting<Duration>.statementTimeout(default: .seconds(60))
    }

    @OptionGroup var options: GlobalOptions
    @OptionGroup var server: ServerOptions
    @OptionGroup var collector: CollectorOptions
    @OptionGroup var worker: WorkerOptions
    @OptionGroup var query: QueryOptions
    @OptionGroup var analysis: AnalysisOptions
    @Option(Table.collectorPort) var collectorPort: String?
    @Option(Table.queryPort) var queryPort: String?
    @Option(Table.workerPort) var workerPort: String?
    @Option(Table.statementTimeout) var statementTimeout: String?

    struct Settings {
        var process: ProcessSettings
        var host: String
        var ports: (collector: Int, query: Int, worker: Int)
        var collector: CollectorConfiguration
        var worker: WorkerConfiguration
        var access: QueryAccess
        var liveTail: LiveTailSettings
        var readStandby: ReadStandbyURL?
    }

    func settings(environment: TrackerConfiguration.Environment) throws(ConfigurationError) -> Settings {
        let read = SettingReader(environment: environment)
        var process = try options.settings(environment: environment)
        process.database.statementTimeout = try read(Table.statementTimeout, statementTimeout)
        return Settings(
            process: process, host: try server.resolvedHost(environment: environment),
            ports: (
                try read(Table.collectorPort, collectorPort), try read(Table.queryPort, queryPort),
                try read(Table.workerPort, workerPort)
            ),
            collector: try collector.configuration(environment: environment),
            worker: try workerConfiguration(environment: environment),
            access: try query.access(environment: environment),
            liveTail: try query.liveTail(environment: environment),
            readStandby: try query.readStandby(environment: environment))
    }

    func run(with settings: Settings) async throws {
        let logger = settings.process.bootstrap(label: "tracker")
        let client = settings.process.makeClient(logger: logger)
        let standby = settings.readStandby?.standby(process: settings.process, logger: logger)
        let collectorApp = buildCollectorApplication(
            client: client, configuration: settings.collector,
            address: .hostname(settings.host, port: settings.ports.collector), logger: logger)
        let workerApp = buildWorkerApplication(
            client: client, database: settings.process.database, direct: settings.process.directDatabase,
            configuration: settings.worker,
            address: .hostname(settings.host, port: settings.ports.worker), logger: logger)
        let queryApp = buildQueryApplication(
            client: client, readTokens: settings.access.readTokens, adminTokens: settings.access.adminTokens,
            crossOrigins: settings.access.crossOrigins,
            address: .hostname(settings.host, port: settings.ports.query),
            breakdownProperties: Set(settings.worker.analysis?.breakdownProperties ?? []),
            liveTail: settings.liveTail, listenOn: settings.process.directDatabase, readStandby: standby,
            logger: logger)
        let services: [(any Service)?] = [client, standby?.client, workerApp, collectorApp, queryApp]
        try await runUntilSignalled(services.compactMap { $0 }, logger: logger)
    }

    /// The worker's settings with the analysis options, which the query API reads from them too.
    private func workerConfiguration(environment: TrackerConfiguration.Environment) throws(ConfigurationError)
        -> WorkerConfiguration
    {
        var configuration = try worker.configuration(environment: environment)
        configuration.analysis = AnalysisUpkeep(breakdownProperties: try analysis.properties(environment: environment))
        return configuration
    }
}
