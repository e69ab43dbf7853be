import ArgumentParser
import Logging
import TrackerConfiguration
import TrackerStore

struct AnalysisCommand: BenchmarkCommand {
    static let configuration = CommandConfiguration(
        commandName: "analysis",
        abstract:
            "Funnel, retention and breakdown answer times vs. plain SQL; drain rate with vs. without their upkeep.",
        discussion: """
            Uses DATABASE_URL with the query benchmark's data set (made when the number of events differs) and \
            builds the analysis tables from it; --drain-database is emptied in every drain round.
            """)

    @OptionGroup var options: BenchmarkOptions

    @Option(help: "Stored events.")
    var events = 10_000_000

    @Option(help: "Days they span, ending now.")
    var days = 30

    @Option(help: "Distinct people.")
    var people = 100_000

    @Option(help: "Requests per API read.")
    var samples = 50

    @Option(help: "Runs per plain SQL query.")
    var rawSamples = 3

    @Option(help: ArgumentHelp("A database (URL) for the drain comparison; without it, no drains.", valueName: "url"))
    var drainDatabase: String?

    @Option(help: "Staged events per drain.")
    var drainRows = 200_000

    @Option(help: "Drain rounds (each drains with and without the upkeep); medians are reported.")
    var rounds = 3

    func databases(_ settings: ProcessSettings) throws -> [DatabaseURL] {
        [settings.database] + (try drainDatabase.map { [try DatabaseURL($0)] } ?? [])
    }

    func report(_ settings: ProcessSettings, logger: Logger) async throws -> String {
        let data = QueryBenchmark(
            database: settings.database, events: events, days: days, people: people, samples: samples,
            rawSamples: rawSamples, logger: logger)
        return try await AnalysisBenchmark(
            data: data, drainDatabase: try drainDatabase.map(DatabaseURL.init), drainRows: drainRows,
            rounds: max(1, rounds), logger: logger
        ).run()
    }
}
