import ArgumentParser
import Logging
import TrackerConfiguration
import TrackerHTTP
import TrackerQuery
import TrackerStore

/// The query API's options.
struct QueryOptions: ParsableArguments {
    enum Table {
        static let readTokens = Setting<ReadTokens>(
            "read-tokens", "TRACKER_READ_TOKENS", .tokens, default: ReadTokens(),
            help: "Comma-separated read tokens; empty answers only this machine's clients.")
        static let adminTokens = Setting<ReadTokens>(
            "admin-tokens", "TRACKER_ADMIN_TOKENS", .tokens, default: ReadTokens(),
            help: "Comma-separated tokens for erasure and replay; empty: readers may.")
        static let corsOrigins = Setting<AllowedOrigins>(
            "query-cors-origins", "TRACKER_QUERY_CORS_ORIGINS", .origins, default: AllowedOrigins.none,
            help: "Web origins whose pages may read this API from a browser: 'none', '*', or scheme://host[:port],…")
        static let streamMaxClients = Setting<Int>(
            "stream-max-clients", "TRACKER_STREAM_MAX_CLIENTS", .wholeNumber(1...100_000), default: 100,
            help: "Live tail streams open at once; one more is answered 503.")
        static let readDatabaseURL = Setting<DatabaseURL?>(
            "read-database-url", "TRACKER_READ_DATABASE_URL", .optionalDatabaseURL, default: .some(nil),
            help: "A streaming standby that every read goes to (replay, erasure and LISTEN stay on DATABASE_URL); "
                + "empty: reads go to DATABASE_URL.")
        static let readMaxLag = Setting<Duration>(
            "read-max-lag-seconds", "TRACKER_READ_MAX_LAG_SECONDS", .seconds(atMost: 86_400), default: .seconds(30),
            help: "/readyz answers 503 while the read standby's replay is further behind.")
    }

    @Option(Table.readTokens) var readTokens: String?
    @Option(Table.adminTokens) var adminTokens: String?
    @Option(Table.corsOrigins) var corsOrigins: String?
    @Option(Table.streamMaxClients) var streamMaxClients: String?
    @Option(Table.readDatabaseURL) var readDatabaseURL: String?
    @Option(Table.readMaxLag) var readMaxLag: String?

    /// Who may read, erase and replay; a `CHANGE-ME` placeholder left in a token refuses to start.
    func access(environment: Environment) throws(ConfigurationError) -> QueryAccess {
        let read = SettingReader(environment: environment)
        let access = QueryAccess(
            readTokens: try read(Table.readTokens, readTokens), adminTokens: try read(Table.adminTokens, adminTokens),
            crossOrigins: try read(Table.corsOrigins, corsOrigins))
        if let problem = access.placeholderProblem { throw ConfigurationError(description: problem) }
        return access
    }

    /// How the live tail serves its clients.
    func liveTail(environment: Environment) throws(ConfigurationError) -> LiveTailSettings {
        var settings = LiveTailSettings()
        settings.maxClients = try SettingReader(environment: environment)(Table.streamMaxClients, streamMaxClients)
        return settings
    }

    /// The standby reads go to, if any.
    func readStandby(environment: Environment) throws(ConfigurationError) -> ReadStandbyURL? {
        let read = SettingReader(environment: environment)
        guard let url = try read(Table.readDatabaseURL, readDatabaseURL) else { return nil }
        return ReadStandbyURL(url: url, maxLag: try read(Table.readMaxLag, readMaxLag))
    }
}

/// `TRACKER_READ_DATABASE_URL` and how far behind it may be.
struct ReadStandbyURL {
    var url: DatabaseURL
    var maxLag: Duration

    /// A pool of the process's size on the standby, with the process's statement timeout.
    func standby(process: ProcessSettings, logger: Logger) -> ReadStandby {
        var settings = process
        settings.database = url
        settings.database.statementTimeout = process.database.statementTimeout
        return ReadStandby(client: settings.makeClient(logger: logger), maxLag: maxLag)
    }
}

/// The query role's settings: who may read, erase and replay, and how the live tail serves.
struct QueryRole {
    var access: QueryAccess
    var liveTail: LiveTailSettings
    /// `TRACKER_BREAKDOWN_PROPERTIES`: breakdowns of these read the workers' counts.
    var breakdownProperties: [String] = []
    var readStandby: ReadStandbyURL? = nil
}

extension ValueParser where Value == ReadTokens {
    static let tokens = Self(
        valueName: "token,…", parse: { text throws(InvalidValue) in ReadTokens(parsing: text) },
        format: { $0.tokens.joined(separator: ",") })
}
