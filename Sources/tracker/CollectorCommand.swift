import ArgumentParser
import Hummingbird
import TrackerCollector
import TrackerConfiguration
import TrackerStore

struct CollectorCommand: ServerCommand {
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

    static var portSetting: Setting<Int> { Table.port }
    static var statementTimeoutSetting: Setting<Duration> { Table.statementTimeout }

    func role(environment: TrackerConfiguration.Environment) throws(ConfigurationError) -> CollectorConfiguration {
        try collector.configuration(environment: environment)
    }

    func run(with settings: Settings) async throws {
        let logger = settings.process.bootstrap(label: "tracker.collector")
        let client = settings.process.makeClient(logger: logger)
        let app = buildCollectorApplication(
            client: client, configuration: settings.role,
            address: .hostname(settings.host, port: settings.port), logger: logger)
        try await runUntilSignalled([client, app], logger: logger)
    }
}
