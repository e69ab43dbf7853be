import ArgumentParser
import Foundation
import Logging
import PostgresNIO
import TrackerConfiguration
import TrackerStore

struct MigrateCommand: ConfiguredCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending migrations (safe to run from several places at once).",
        discussion: "Exits 0 when the schema is up to date; refuses to run if an applied migration changed."
    )

    @OptionGroup var options: GlobalOptions

    @Flag(help: "List applied and pending migrations instead of applying them.")
    var status = false

    /// A migration may rewrite a large table: no statement timeout, whatever the role's default.
    func settings(environment: Environment) throws(ConfigurationError) -> ProcessSettings {
        var settings = try options.settings(environment: environment)
        settings.database.statementTimeout = .zero
        return settings
    }

    func run(with settings: ProcessSettings) async throws {
        let logger = settings.bootstrap(label: "tracker.migrate")
        // The migrations' session advisory lock needs a session: not a transaction-mode pooler.
        let database = settings.directDatabase
        let migrator = Migrator(logger: logger)
        do {
            try await database.withConnection(logger: logger) { connection in
                if status {
                    for entry in try await migrator.status(on: connection) {
                        let when = entry.appliedAt.map { " \($0.formatted(.iso8601))" } ?? ""
                        print(
                            "\(entry.state.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(entry.name)\(when)"
                        )
                    }
                } else {
                    let applied = try await migrator.migrate(on: connection)
                    print(
                        applied.isEmpty
                            ? "schema is up to date" : "applied \(applied.count): \(applied.joined(separator: ", "))")
                }
            }
        } catch let error as MigrationError {
            throw ValidationError(error.description)
        }
    }
}
