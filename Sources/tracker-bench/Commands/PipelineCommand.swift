import ArgumentParser
import Logging
import TrackerConfiguration

struct PipelineCommand: BenchmarkCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Ingest and drain at once: what a collector and two workers sustain, vs. the SQL-only move.",
        discussion: "Uses DATABASE_URL and truncates the pipeline's tables there.")

    @OptionGroup var options: BenchmarkOptions

    @Option(help: "Seconds measured per round.")
    var seconds = 30

    @Option(help: "Seconds of load before each measured window, once the backlog first reached the limit.")
    var warmup = 10

    @Option(help: "Rounds of baseline and pipeline in turn; each reports its median.")
    var rounds = 3

    func report(_ settings: ProcessSettings, logger: Logger) async throws -> String {
        try await PipelineBenchmark(
            database: settings.database, duration: .seconds(seconds), warmup: .seconds(warmup), rounds: rounds,
            logger: logger
        ).run()
    }
}
