import ArgumentParser

@main
struct TrackerBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tracker-bench",
        abstract: "Benchmarks of tracker; they write Markdown tables for docs/benchmarks.md.",
        discussion: """
            Each benchmark truncates and rewrites the tables of the database it is given, so it runs only \
            on a database of its own: a new or only migrated one, which it marks with the table \
            tracker_bench_marker, or one it marked before. Any other database is refused unless \
            --reset-database allows emptying it first.
            """,
        subcommands: [
            IngestCommand.self, DrainCommand.self, PipelineCommand.self, QueryCommand.self, ProtocolsCommand.self,
            AnalysisCommand.self, StreamCommand.self, StandbyCommand.self, HTTPCeilingCommand.self,
        ]
    )
}
