import ArgumentParser
import Logging
import TrackerConfiguration
import TrackerStore

struct StandbyCommand: BenchmarkCommand {
    static let configuration = CommandConfiguration(
        commandName: "standby",
        abstract:
            "Reads on a streaming standby vs. the primary under half the sustainable ingest; replay lag, ingest with vs. without the reads, connections per role.",
        discussion: """
            DATABASE_URL is the primary: its events are replaced by the query benchmark's data set when their \
            number differs, and the pipeline's tables are written. --read-database-url is a streaming standby \
            of it (pg_basebackup -R), only read.
            """)

    @OptionGroup var options: BenchmarkOptions

    @Option(help: ArgumentHelp("A streaming standby of DATABASE_URL.", valueName: "url"))
    var readDatabaseURL: String

    @Option(help: "Stored events.")
    var events = 1_000_000

    @Option(help: "Days they span, ending now.")
    var days = 30

    @Option(help: "Distinct people.")
    var people = 100_000

    @Option(help: "Seconds measured per window.")
    var seconds = 20

    @Option(help: "Rounds of half-rate ingest without and with the reads, in turn.")
    var rounds = 3

    @Option(help: "Clients sending reads at once, each one request after the other.")
    var readers = 2

    func report(_ settings: ProcessSettings, logger: Logger) async throws -> String {
        let data = QueryBenchmark(
            database: settings.database, events: events, days: days, people: people, samples: 0, rawSamples: 0,
            logger: logger)
        return try await StandbyBenchmark(
            data: data, standby: try DatabaseURL(readDatabaseURL), duration: .seconds(seconds), rounds: max(1, rounds),
            readers: max(1, readers), poolSize: settings.poolSize, logger: logger
        ).run()
    }
}
