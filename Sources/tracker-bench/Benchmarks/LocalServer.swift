import Hummingbird
import Logging
import PostgresNIO
import ServiceLifecycle
import TrackerStore

/// Runs a server the benchmark measures, in this process on a free local port with a database
/// client of its own, for the duration of `body`, which gets the port; then shuts it down.
func withLocalServer<App: ApplicationProtocol, Result: Sendable>(
    database: DatabaseURL,
    connections: Int,
    logger: Logger,
    build: (PostgresClient, BindAddress, Logger) -> App,
    _ body: @Sendable @escaping (Int) async throws -> Result
) async throws -> Result {
    var quiet = logger
    quiet.logLevel = .error
    let client = PostgresClient(
        configuration: database.clientConfiguration(maximumConnections: connections), backgroundLogger: quiet)
    let port = Int.random(in: 20_000..<40_000)
    let app = build(client, .hostname("127.0.0.1", port: port), quiet)
    let services = ServiceGroup(services: [client, app], logger: quiet)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await services.run() }
        do {
            try await waitForServer(port: port)
            let result = try await body(port)
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
            return result
        } catch {
            group.cancelAll()
            throw error
        }
    }
}
