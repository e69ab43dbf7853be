import ArgumentParser
import Foundation
import TrackerBench
import TrackerStore

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Benchmarks; they write Markdown tables for docs/benchmarks.md.",
        subcommands: [Ingest.self, Drain.self, Pipeline.self, Query.self])

    struct Ingest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Collector throughput: batches and single events vs. one transaction per event.",
            discussion: "Uses DATABASE_URL; it truncates ingest_staging there, so give it a database of its own.")

        @OptionGroup var options: GlobalOptions

        @Option(help: "Seconds measured per scenario.")
        var seconds = 10

        @Option(help: "Seconds of warm-up per scenario.")
        var warmup = 2

        @Option(help: "Rounds of all scenarios in turn; each scenario reports its median round.")
        var rounds = 3

        func run() async throws {
            let settings = try options.settings()
            let logger = settings.bootstrap(label: "tracker.bench")
            let benchmark = IngestBenchmark(
                database: settings.database, duration: .seconds(seconds), warmup: .seconds(warmup),
                rounds: rounds, logger: logger)
            print(try await benchmark.run())
        }
    }

    struct Drain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Worker throughput: drain a staged backlog vs. a SQL-only move of the same rows.",
            discussion: """
                Uses DATABASE_URL and truncates the pipeline's tables there (with --onto-stored, only staging; \
                the drained events stay; --empty-database is truncated whole): give it a database of its own.
                """)

        @OptionGroup var options: GlobalOptions

        @Option(help: "Staged events to drain.")
        var rows = 200_000

        @Flag(help: "Drain onto the events already stored there (e.g. after bench query) instead of emptying it.")
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

        func run() async throws {
            let settings = try options.settings()
            let logger = settings.bootstrap(label: "tracker.bench")
            let benchmark = DrainBenchmark(
                database: settings.database, rows: rows, ontoStored: ontoStored,
                emptyPipeline: try emptyDatabase.map(DatabaseURL.init), rounds: rounds, logger: logger)
            print(try await benchmark.run())
        }
    }

    struct Pipeline: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ingest and drain at once: what a collector and two workers sustain, vs. the SQL-only move.",
            discussion: "Uses DATABASE_URL and truncates the pipeline's tables there: give it a database of its own.")

        @OptionGroup var options: GlobalOptions

        @Option(help: "Seconds measured per round.")
        var seconds = 30

        @Option(help: "Seconds of load before each measured window, once the backlog first reached the limit.")
        var warmup = 10

        @Option(help: "Rounds of baseline and pipeline in turn; each reports its median.")
        var rounds = 3

        func run() async throws {
            let settings = try options.settings()
            let logger = settings.bootstrap(label: "tracker.bench")
            let benchmark = PipelineBenchmark(
                database: settings.database, duration: .seconds(seconds), warmup: .seconds(warmup),
                rounds: rounds, logger: logger)
            print(try await benchmark.run())
        }
    }

    struct Query: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Query API read latency on a large data set vs. the original tracker's raw GROUP BY queries.",
            discussion:
                "Uses DATABASE_URL and replaces its events when their number differs: give it a database of its own.")

        @OptionGroup var options: GlobalOptions

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

        func run() async throws {
            let settings = try options.settings()
            let logger = settings.bootstrap(label: "tracker.bench")
            let benchmark = QueryBenchmark(
                database: settings.database, events: events, days: days, people: people, samples: samples,
                rawSamples: rawSamples, logger: logger)
            print(try await benchmark.run())
        }
    }
}
