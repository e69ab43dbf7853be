import ArgumentParser
import Hummingbird
import TrackerCollector

struct CollectorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collector", abstract: "Run the collector HTTP server (Segment API and POST /events).")

    @OptionGroup var options: GlobalOptions
    @OptionGroup var server: ServerOptions
    @OptionGroup var collector: CollectorOptions

    @Option(help: "Port to listen on. (env: TRACKER_COLLECTOR_PORT, default: 8080)")
    var port: Int?

    func run() async throws {
        let logger = try options.bootstrap(label: "tracker.collector")
        let database = try options.database()
        let client = options.makeClient(database, logger: logger)
        let port = port ?? environment("TRACKER_COLLECTOR_PORT").flatMap(Int.init) ?? 8080
        let app = buildCollectorApplication(
            client: client, configuration: try collector.configuration(),
            address: .hostname(server.resolvedHost, port: port), logger: logger)
        try await runUntilSignalled([client, app], logger: logger)
    }
}
