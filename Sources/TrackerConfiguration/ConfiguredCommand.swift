import ArgumentParser
import Foundation

/// A command whose flags and environment become its settings before it does anything else: a
/// value that does not parse is printed, naming where it came from, and the process exits 2.
public protocol ConfiguredCommand: AsyncParsableCommand {
    associatedtype Settings
    /// Everything the command will use; tests give it an environment of their own.
    func settings(environment: Environment) throws(ConfigurationError) -> Settings
    func run(with settings: Settings) async throws
}

extension ConfiguredCommand {
    public func run() async throws {
        try await run(
            with: exitingOnConfigurationError { () throws(ConfigurationError) in
                try settings(environment: ProcessInfo.processInfo.environment)
            })
    }
}

extension ExitCode {
    /// Configuration that does not parse.
    public static let configurationError = ExitCode(2)
}

/// Runs `resolve`; on a configuration error prints it and exits 2 (ArgumentParser's own errors
/// exit 64, a failure at run time 1).
public func exitingOnConfigurationError<Result>(
    _ resolve: () throws(ConfigurationError) -> Result
) throws(ExitCode) -> Result {
    do {
        return try resolve()
    } catch {
        FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
        throw .configurationError
    }
}
