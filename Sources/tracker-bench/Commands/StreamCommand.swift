import ArgumentParser
import Logging
import TrackerConfiguration

struct StreamCommand: BenchmarkCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream",
        abstract: "The live tail: stored → delivered to stream clients, and throughput with them vs. none.",
        discussion: "Uses DATABASE_URL and truncates the pipeline's tables there.")

    @OptionGroup var options: BenchmarkOptions

    @Option(help: "Stream clients connected.")
    var clients = 50

    @Option(help: "Events per second sent while latency is measured.")
    var rate = 1_000

    @Option(help: "Seconds of load per measurement.")
    var seconds = 20

    @Option(help: "Rounds of throughput without and with the clients, in turn.")
    var rounds = 3

    func report(_ settings: ProcessSettings, logger: Logger) async throws -> String {
        try await StreamBenchmark(
            database: settings.database, clients: clients, rate: rate, duration: .seconds(seconds), rounds: rounds,
            logger: logger
        ).run()
    }
}
