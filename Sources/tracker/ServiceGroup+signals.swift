import Logging
import ServiceLifecycle
import UnixSignals

/// Runs `services` (the database client first, so it stops last) until SIGTERM or SIGINT.
func runUntilSignalled(_ services: [any Service], logger: Logger) async throws {
    let group = ServiceGroup(
        configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
    try await group.run()
}
