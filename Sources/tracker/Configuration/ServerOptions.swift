import ArgumentParser
import TrackerConfiguration

/// What every server command takes besides its port.
struct ServerOptions: ParsableArguments {
    enum Table {
        static let host = Setting<String>(
            "host", "TRACKER_HOST", .text(valueName: "address"), default: "0.0.0.0",
            help: "Address to listen on.")
    }

    @Option(Table.host) var host: String?

    func resolvedHost(environment: Environment) throws(ConfigurationError) -> String {
        try SettingReader(environment: environment)(Table.host, host)
    }
}

extension Setting where Value == Int {
    /// A server's port; each command has its own variable and default.
    static func port(_ flag: String, _ variable: String, default port: Int, help: String = "Port to listen on.") -> Self
    {
        Self(flag, variable, .port, default: port, help: help)
    }
}

extension Setting where Value == Duration {
    /// How long PostgreSQL lets one statement of the process run; each role has its own default,
    /// above the deadlines it sets itself, so that it stops what a deadline abandoned.
    static func statementTimeout(default timeout: Duration) -> Self {
        Self(
            "statement-timeout", "TRACKER_STATEMENT_TIMEOUT", .seconds(atMost: 86_400, zeroMeansNoLimit: true),
            default: timeout,
            help: "Longest a statement of this process may run before PostgreSQL cancels it; 0: no limit.")
    }
}
