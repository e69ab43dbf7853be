import ArgumentParser
import Logging
import TrackerConfiguration

struct ProtocolsCommand: BenchmarkCommand {
    static let configuration = CommandConfiguration(
        commandName: "protocols",
        abstract: "Batch ingest of the same events through each SDK protocol vs. Segment's /v1/batch.",
        discussion: "Uses DATABASE_URL and truncates ingest_staging there.")

    @OptionGroup var options: BenchmarkOptions

    @Option(help: "Seconds measured per scenario.")
    var seconds = 10

    @Option(help: "Seconds of warm-up per scenario.")
    var warmup = 2

    @Option(help: "Rounds of all scenarios in turn; each scenario reports its median round.")
    var rounds = 3

    func report(_ settings: ProcessSettings, logger: Logger) async throws -> String {
        try await ProtocolBenchmark(
            database: settings.database, duration: .seconds(seconds), warmup: .seconds(warmup), rounds: rounds,
            logger: logger
        ).run()
    }
}
