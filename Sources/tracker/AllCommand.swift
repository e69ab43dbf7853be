import ArgumentParser
import Hummingbird
import TrackerCollector

struct AllCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "all", abstract: "Run every role in one process, for a laptop.")

    @OptionGroup var options: GlobalOptions
    @OptionGroup var server: ServerOptions
    @OptionGroup var collector: CollectorOptions

    @Option(help: "Collector port. (default: 8080)")
    var collectorPort = 8080

    func run() async throws {
        let logger = try options.bootstrap(label: "tracker")
        let database = try options.database()
        let client = options.makeClient(database, logger: logger)
        let collectorApp = buildCollectorApplication(
            client: client, configuration: try collector.configuration(),
            address: .hostname(server.resolvedHost, port: collectorPort), logger: logger)
        try await runUntilSignalled([client, collectorApp], logger: logger)
    }
}
