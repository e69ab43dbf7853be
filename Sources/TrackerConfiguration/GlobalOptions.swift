import ArgumentParser
import Foundation
import Logging
import PostgresNIO
import TrackerHTTP
import TrackerStore

/// What every command takes: the database, logging and the connection pool.
public struct GlobalOptions: ParsableArguments {
    enum Table {
        static let databaseURL = Setting<DatabaseURL>(
            "database-url", "DATABASE_URL", .databaseURL, default: nil,
            help: """
                PostgreSQL URL, postgres://user:password@host:5432/database, with an optional \
                ?sslmode=disable|prefer|require|verify-ca|verify-full.
                """)
        static let directDatabaseURL = Setting<DatabaseURL?>(
            "direct-database-url", "TRACKER_DIRECT_DATABASE_URL", .optionalDatabaseURL, default: .some(nil),
            help: """
                The same database without a transaction-mode pooler, for what needs a session of its own: \
                LISTEN, the maintenance leader's lock, migrations. Empty: DATABASE_URL.
                """)
        static let logLevel = Setting<Logger.Level>(
            "log-level", "LOG_LEVEL", .oneOf, default: .info, help: "The least severe level logged.")
        static let logFormat = Setting<Observability.LogFormat>(
            "log-format", "LOG_FORMAT", .oneOf, default: .text,
            help: "json writes one JSON object per line.")
        static let dbPoolSize = Setting<Int>(
            "db-pool-size", "TRACKER_DB_POOL_SIZE", .wholeNumber(1...10_000), default: 16,
            help: "Most connections this process opens to PostgreSQL.")
    }

    @Option(Table.databaseURL) var databaseURL: String?
    @Option(Table.directDatabaseURL) var directDatabaseURL: String?
    @Option(Table.logLevel) var logLevel: String?
    @Option(Table.logFormat) var logFormat: String?
    @Option(Table.dbPoolSize) var dbPoolSize: String?

    public init() {}

    public func settings(environment: Environment) throws(ConfigurationError) -> ProcessSettings {
        let read = SettingReader(environment: environment)
        return ProcessSettings(
            database: try read(Table.databaseURL, databaseURL),
            direct: try read(Table.directDatabaseURL, directDatabaseURL), logLevel: try read(Table.logLevel, logLevel),
            logFormat: try read(Table.logFormat, logFormat), poolSize: try read(Table.dbPoolSize, dbPoolSize))
    }

    /// The settings from this process's environment, for commands that take no others.
    public func settings() throws(ExitCode) -> ProcessSettings {
        try exitingOnConfigurationError { () throws(ConfigurationError) in
            try settings(environment: ProcessInfo.processInfo.environment)
        }
    }
}

/// What every command reads from `GlobalOptions`.
public struct ProcessSettings {
    /// Server commands set its statement timeout: each role its own.
    public var database: DatabaseURL
    /// `TRACKER_DIRECT_DATABASE_URL`, when `database` is a transaction-mode pooler.
    public var direct: DatabaseURL?
    public var logLevel: Logger.Level
    public var logFormat: Observability.LogFormat
    public var poolSize: Int

    /// Sets up logging and metrics for the process and returns its logger.
    public func bootstrap(label: String) -> Logger {
        Observability.bootstrapLogging(level: logLevel, format: logFormat)
        Observability.bootstrapMetrics()
        return Logger(label: label)
    }

    /// Where the connections that need a session go (LISTEN, session advisory locks): the direct URL
    /// with `database`'s statement timeout, else `database` itself.
    public var directDatabase: DatabaseURL {
        guard var direct else { return database }
        direct.statementTimeout = database.statementTimeout
        return direct
    }

    public func makeClient(logger: Logger) -> PostgresClient {
        DatabaseUse.shared.recordMaximum(poolSize)
        return PostgresClient(
            configuration: database.clientConfiguration(maximumConnections: poolSize), backgroundLogger: logger)
    }
}
