import ArgumentParser
import Hummingbird
import ServiceLifecycle
import TrackerConfiguration
import TrackerQuery
import TrackerStore

struct QueryCommand: ServerCommand {
    static let configuration = CommandConfiguration(
        commandName: "query", abstract: "Run the query HTTP server (/v1 reads and stats, the original tracker's reads)."
    )

    enum Table {
        static let port = Setting<Int>.port("port", "TRACKER_QUERY_PORT", default: 8081)
        /// Stops a runaway read (a deep offset of the original tracker's reads, a funnel over
        /// years) while the heavy analyses at 10 million events take about a second.
        static let statementTimeout = Setting<Duration>.statementTimeout(default: .seconds(30))
    }

    @OptionGroup var options: GlobalOptions
    @OptionGroup var server: ServerOptions
    @OptionGroup var query: QueryOptions
    @OptionGroup var analysis: AnalysisOptions
    @Option(Table.port) var port: String?
    @Option(Table.statementTimeout) var statementTimeout: String?

    static var portSetting: Setting<Int> { Table.port }
    static var statementTimeoutSetting: Setting<Duration> { Table.statementTimeout }

    func role(environment: TrackerConfiguration.Environment) throws(ConfigurationError) -> QueryRole {
        QueryRole(
            access: try query.access(environment: environment), liveTail: try query.liveTail(environment: environment),
            breakdownProperties: try analysis.properties(environment: environment),
            readStandby: try query.readStandby(environment: environment))
    }

    func run(with settings: Settings) async throws {
        let logger = settings.process.bootstrap(label: "tracker.query")
        let client = settings.process.makeClient(logger: logger)
        let standby = settings.role.readStandby?.standby(process: settings.process, logger: logger)
        let app = buildQueryApplication(
            client: client, readTokens: settings.role.access.readTokens, adminTokens: settings.role.access.adminTokens,
            crossOrigins: settings.role.access.crossOrigins,
            address: .hostname(settings.host, port: settings.port),
            breakdownProperties: Set(settings.role.breakdownProperties),
            liveTail: settings.role.liveTail, listenOn: settings.process.directDatabase, readStandby: standby,
            logger: logger)
        let services: [(any Service)?] = [client, standby?.client, app]
        try await runUntilSignalled(services.compactMap { $0 }, logger: logger)
    }
}
