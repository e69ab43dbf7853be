import ArgumentParser
import Hummingbird
import TrackerQuery

struct QueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query", abstract: "Run the query HTTP server (/v1 reads and stats, the original tracker's reads)."
    )

    @OptionGroup var options: GlobalOptions
    @OptionGroup var server: ServerOptions
    @OptionGroup var query: QueryOptions

    @Option(help: "Port to listen on. (env: TRACKER_QUERY_PORT, default: 8081)")
    var port: Int?

    func run() async throws {
        let logger = try options.bootstrap(label: "tracker.query")
        let access = try query.access()
        let database = try options.database()
        let client = options.makeClient(database, logger: logger)
        let port = port ?? environment("TRACKER_QUERY_PORT").flatMap(Int.init) ?? 8081
        let app = buildQueryApplication(
            client: client, readTokens: access.readTokens, adminTokens: access.adminTokens,
            address: .hostname(server.resolvedHost, port: port),
            logger: logger)
        try await runUntilSignalled([client, app], logger: logger)
    }
}
