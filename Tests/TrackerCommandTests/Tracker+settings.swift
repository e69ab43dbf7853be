import Testing
import TrackerConfiguration

@testable import tracker

/// The settings `arguments` and `environment` give, as the command would read them before it runs.
func settings(_ arguments: [String], _ environment: Environment) throws -> Any {
    let command = try #require(try Tracker.parseAsRoot(arguments) as? any ConfiguredCommand)
    return try command.settings(environment: environment)
}
