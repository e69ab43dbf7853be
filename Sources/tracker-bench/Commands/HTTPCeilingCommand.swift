import ArgumentParser
import Hummingbird
import Logging

/// `tracker-bench http-ceiling`: the bare Hummingbird server on its own, as a process to drive with
/// an outside load generator (`wrk`) beside a `tracker collector` process.
struct HTTPCeilingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "http-ceiling",
        abstract: "Serve bare Hummingbird (GET /healthz, POST /v1/track and /events read the body, no database).")

    @Option(help: "Port to listen on (127.0.0.1).")
    var port = 8090

    func run() async throws {
        var logger = Logger(label: "tracker.bench.ceiling")
        logger.logLevel = .warning
        let app = Application(
            router: BareHummingbird.router(), configuration: .init(address: .hostname("127.0.0.1", port: port)),
            logger: logger)
        try await app.runService()
    }
}
