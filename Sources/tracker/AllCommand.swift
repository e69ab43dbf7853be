import ArgumentParser
import Hummingbird
import TrackerCollector
import TrackerQuery
import TrackerWorker

struct AllCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "all", abstract: "Run every role in one process, for a laptop.")

    @OptionGroup var options: GlobalOptions
    @OptionGroup var server: ServerOptions
    @OptionGroup var collector: CollectorOptions
    @OptionGroup var worker: WorkerOptions
    @OptionGroup var query: QueryOptions

    @Option(help: "Collector port.")
    var collectorPort = 8080

    @Option(help: "Query API port.")
    var queryPort = 8081

    @Option(help: "Worker port (/healthz, /readyz, /metrics).")
    var workerPort = 8082

    func run() async throws {
        let logger = try options.bootstrap(label: "tracker")
        let access = try query.access()
        let database = try options.database()
        let client = options.makeClient(database, logger: logger)
        let collectorApp = buildCollectorApplication(
            client: client, configuration: try collector.configuration(),
            address: .hostname(server.resolvedHost, port: collectorPort), logger: logger)
        let workerApp = buildWorkerApplication(
            client: client, database: database, configuration: try worker.configuration(),
            address: .hostname(server.resolvedHost, port: workerPort), logger: logger)
        let queryApp = buildQueryApplication(
            client: client, readTokens: access.readTokens, adminTokens: access.adminTokens,
            address: .hostname(server.resolvedHost, port: queryPort),
            logger: logger)
        try await runUntilSignalled([client, workerApp, collectorApp, queryApp], logger: logger)
    }
}
