import ArgumentParser
import Logging
import TrackerConfiguration
import TrackerStore

struct DrainCommand: BenchmarkCommand {
    static let configuration = CommandConfiguration(
        commandName: "drain",
        abstract: "Worker throughput: drain a staged backlog vs. a SQL-only move of the same rows.",
        discussion: """
            Uses DATABASE_URL and truncates the pipeline's tables there (with --onto-stored, only staging; \
            the drained events stay; --empty-database is truncated whole).
            """)

    @OptionGroup var options: BenchmarkOptions

    @Option(help: "Staged events to drain.")
    var rows = 200_000

    @Flag(help: "Drain onto the events already stored there (e.g. after the query benchmark) instead of emptying it.")
    var ontoStored = false

    @Option(
        help: ArgumentHelp(
            "With --onto-stored: a database (URL) whose pipeline is emptied, where one replica drains the same backlog in every round.",
            valueName: "url"))
    var emptyDatabase: String?

    @Option(help: "Times the three scenarios run in turn; each reports its median.")
    var rounds = 3

    func validate() throws {
        if emptyDatabase != nil, !ontoStored { throw ValidationError("--empty-database needs --onto-stored.") }
    }

    func databases(_ settings: ProcessSettings) throws -> [DatabaseURL] {
        [settings.database] + (try emptyDatabase.map { [try DatabaseURL($0)] } ?? [])
    }

    func report(_ settings: ProcessSettings, logger: Logger) async throws -> String {
        try await DrainBenchmark(
            database: settings.database, rows: rows, ontoStored: ontoStored,
            emptyPipeline: try emptyDatabase.map(DatabaseURL.init), rounds: rounds, logger: logger
        ).run()
    }
}
