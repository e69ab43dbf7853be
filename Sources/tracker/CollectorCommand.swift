import ArgumentParser
import Hummingbird
import TrackerCollector
import TrackerConfiguration
import TrackerStore

struct CollectorCommand: ConfiguredCommand {
    static let configuration = CommandConfiguration(
        commandName: "collector", abstract: "Run the collector HTTP server (Segment API and POST /events).")

    enum Table {
        static let port = Setting<Int>.port(
            "port", "TRACKER_COLLECTOR_PORT", default: 8080)
        /// Its statements are staging inserts and backlog reads of milliseconds, each under a flush
        /// deadline of 5 s.
        static let statementTimeout = Setting<Duration>.statementTimeout(default: .seconds(10))
    }

    @OptionGroup var options: GlobalOptions
    @OptionGroup var server: ServerOptions
    @OptionGroup var collector: CollectorOptions
    @Option(Table.port) var port: String?
    @Option(Table.statementTimeout) var statementTimeout: String?

    struct Settings {
        var process: ProcessSettings
        var host: String
        var port: Int
        var collector: CollectorConfiguration
    }

    func settings(environment: TrackerConfiguration.Environment) throws(ConfigurationError) -> Settings {
        let read = SettingReader(environment: environment)
        var process = try options.settings(environment: environment)
        process.database.statementTimeout = try read(Table.statementTimeout, statementTimeout)
        return Settings(
            process: process, host: try server.resolvedHost(environment: environment), port: try read(Table.port, port),
            collector: try collector.configuration(environment: environment))
    }

    func run(with settings: Settings) async throws {
        let logger = settings.process.bootstrap(label: "tracker.collector")
        let client = settings.process.makeClient(logger: logger)
        let app = buildCollectorApplication(
            client: client, configuration: settings.collector,
            address: .hostname(settings.host, port: settings.port), logger: logger)
        try await runUntilSignalled([client, app], logger: logger)
    }
}
