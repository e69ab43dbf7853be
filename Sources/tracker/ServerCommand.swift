import ArgumentParser
import TrackerConfiguration
import TrackerStore

/// What a one-role server command resolves: the process, where it listens, and its role's own
/// configuration.
struct ServerSettings<Role> {
    var process: ProcessSettings
    var host: String
    var port: Int
    var role: Role
}

/// A command that serves one role: global and server options, a port and a statement timeout of
/// its own, and its role's configuration. The settings are resolved the same way for each.
protocol ServerCommand: ConfiguredCommand where Settings == ServerSettings<Role> {
    associatedtype Role
    static var portSetting: Setting<Int> { get }
    static var statementTimeoutSetting: Setting<Duration> { get }
    var options: GlobalOptions { get }
    var server: ServerOptions { get }
    var port: String? { get }
    var statementTimeout: String? { get }
    func role(environment: TrackerConfiguration.Environment) throws(ConfigurationError) -> Role
}

extension ServerCommand {
    func settings(environment: TrackerConfiguration.Environment) throws(ConfigurationError) -> Settings {
        let read = SettingReader(environment: environment)
        var process = try options.settings(environment: environment)
        process.database.statementTimeout = try read(Self.statementTimeoutSetting, statementTimeout)
        return ServerSettings(
            process: process, host: try server.resolvedHost(environment: environment),
            port: try read(Self.portSetting, port), role: try role(environment: environment))
    }
}
