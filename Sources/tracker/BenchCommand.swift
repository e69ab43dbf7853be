import ArgumentParser
import Foundation
import TrackerBench

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Benchmarks; they write Markdown tables for docs/benchmarks.md.",
        subcommands: [Ingest.self, Drain.self])

    struct Ingest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Collector throughput: batches and single events vs. one transaction per event.",
            discussion: "Uses DATABASE_URL; it truncates ingest_staging there, so give it a database of its own.")

        @OptionGroup var options: GlobalOptions

        @Option(help: "Seconds measured per scenario.")
        var seconds = 10

        @Option(help: "Seconds of warm-up per scenario.")
        var warmup = 2

        func run() async throws {
            let logger = try options.bootstrap(label: "tracker.bench")
            let benchmark = IngestBenchmark(
                database: try options.database(), duration: .seconds(seconds), warmup: .seconds(warmup),
                logger: logger)
            print(try await benchmark.run())
        }
    }

    struct Drain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Worker throughput: drain a staged backlog vs. a SQL-only move of the same rows.",
            discussion: "Uses DATABASE_URL and truncates the pipeline's tables there: give it a database of its own.")

        @OptionGroup var options: GlobalOptions

        @Option(help: "Staged events to drain.")
        var rows = 200_000

        func run() async throws {
            let logger = try options.bootstrap(label: "tracker.bench")
            print(try await DrainBenchmark(database: try options.database(), rows: rows, logger: logger).run())
        }
    }
}
