import ArgumentParser
import Logging
import TrackerConfiguration

struct QueryCommand: BenchmarkCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Query API read latency on a large data set vs. the original tracker's raw GROUP BY queries.",
        discussion: "Uses DATABASE_URL and replaces its events when their number differs.")

    @OptionGroup var options: BenchmarkOptions

    @Option(help: "Stored events.")
    var events = 10_000_000

    @Option(help: "Days they span, ending now.")
    var days = 30

    @Option(help: "Distinct people.")
    var people = 100_000

    @Option(help: "Requests per API read.")
    var samples = 200

    @Option(help: "Runs per raw query.")
    var rawSamples = 5

    func report(_ settings: ProcessSettings, logger: Logger) async throws -> String {
        try await QueryBenchmark(
            database: settings.database, events: events, days: days, people: people, samples: samples,
            rawSamples: rawSamples, logger: logger
        ).run()
    }
}
