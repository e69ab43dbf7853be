import ArgumentParser
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import TrackerCollector
import TrackerHTTP
import TrackerQuery
import TrackerStore
import UnixSignals

/// Reads an environment variable; empty counts as unset.
func environment(_ name: String) -> String? {
    guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
    return value
}

struct GlobalOptions: ParsableArguments {
    @Option(help: "PostgreSQL URL, postgres://user:password@host:5432/database. (env: DATABASE_URL)")
    var databaseURL: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical. (env: LOG_LEVEL, default: info)")
    var logLevel: String?

    @Option(help: "json or text. (env: LOG_FORMAT, default: text)")
    var logFormat: String?

    @Option(help: "Most connections this process opens to PostgreSQL. (env: TRACKER_DB_POOL_SIZE, default: 16)")
    var dbPoolSize: Int?

    func database() throws -> DatabaseURL {
        guard let text = databaseURL ?? environment("DATABASE_URL") else {
            throw ValidationError(
                "Set DATABASE_URL (or --database-url) to postgres://user:password@host:5432/database.")
        }
        return try DatabaseURL(text)
    }

    /// Sets up logging and metrics for the process and returns its logger.
    func bootstrap(label: String) throws -> Logger {
        let levelText = logLevel ?? environment("LOG_LEVEL") ?? "info"
        guard let level = Logger.Level(rawValue: levelText.lowercased()) else {
            throw ValidationError(
                "LOG_LEVEL \(levelText) is not one of trace, debug, info, notice, warning, error, critical.")
        }
        let formatText = logFormat ?? environment("LOG_FORMAT") ?? "text"
        guard let format = Observability.LogFormat(rawValue: formatText.lowercased()) else {
            throw ValidationError("LOG_FORMAT \(formatText) is not json or text.")
        }
        Observability.bootstrapLogging(level: level, format: format)
        Observability.bootstrapMetrics()
        return Logger(label: label)
    }

    func makeClient(_ database: DatabaseURL, logger: Logger) -> PostgresClient {
        let size = dbPoolSize ?? environment("TRACKER_DB_POOL_SIZE").flatMap(Int.init) ?? 16
        DatabaseUse.shared.recordMaximum(size)
        return PostgresClient(
            configuration: database.clientConfiguration(maximumConnections: size), backgroundLogger: logger)
    }
}

struct CollectorOptions: ParsableArguments {
    @Option(help: "Comma-separated key:source pairs; empty accepts events without a key. (env: TRACKER_WRITE_KEYS)")
    var writeKeys: String?

    @Option(help: "Messages per second per write key; 0 turns the limit off. (env: TRACKER_RATE_LIMIT, default: 0)")
    var rateLimit: Double?

    @Option(help: "Staging rows above which requests get 503. (env: TRACKER_BACKLOG_LIMIT, default: 1000000)")
    var backlogLimit: Int?

    @Option(help: "Seconds a request may take to send its body before 408. (env: TRACKER_BODY_TIMEOUT, default: 10)")
    var bodyTimeout: Double?

    func configuration() throws -> CollectorConfiguration {
        var configuration = CollectorConfiguration()
        configuration.writeKeys = try WriteKeys(parsing: writeKeys ?? environment("TRACKER_WRITE_KEYS") ?? "")
        let rate = rateLimit ?? environment("TRACKER_RATE_LIMIT").flatMap(Double.init) ?? 0
        configuration.rateLimit = rate > 0 ? rate : nil
        if let limit = backlogLimit ?? environment("TRACKER_BACKLOG_LIMIT").flatMap(Int.init) {
            configuration.staging.backlogLimit = limit
        }
        if let seconds = bodyTimeout ?? environment("TRACKER_BODY_TIMEOUT").flatMap(Double.init), seconds > 0 {
            configuration.bodyTimeout = .milliseconds(Int(seconds * 1000))
        }
        return configuration
    }
}

struct QueryOptions: ParsableArguments {
    @Option(help: "Comma-separated read tokens; empty answers only this machine's clients. (env: TRACKER_READ_TOKENS)")
    var readTokens: String?

    @Option(help: "Comma-separated tokens for erasure and replay; empty: readers may. (env: TRACKER_ADMIN_TOKENS)")
    var adminTokens: String?

    /// Who may read, erase and replay; a `CHANGE-ME` placeholder left in a token exits 2.
    func access() throws -> QueryAccess {
        let access = QueryAccess(
            readTokens: ReadTokens(parsing: readTokens ?? environment("TRACKER_READ_TOKENS") ?? ""),
            adminTokens: ReadTokens(parsing: adminTokens ?? environment("TRACKER_ADMIN_TOKENS") ?? ""))
        if let problem = access.placeholderProblem {
            FileHandle.standardError.write(Data("Error: \(problem)\n".utf8))
            throw ExitCode(2)
        }
        return access
    }
}

struct ServerOptions: ParsableArguments {
    @Option(help: "Address to listen on. (env: TRACKER_HOST, default: 0.0.0.0)")
    var host: String?

    var resolvedHost: String { host ?? environment("TRACKER_HOST") ?? "0.0.0.0" }
}

/// Runs `services` (the database client first, so it stops last) until SIGTERM or SIGINT.
func runUntilSignalled(_ services: [any Service], logger: Logger) async throws {
    let group = ServiceGroup(
        configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
    try await group.run()
}
