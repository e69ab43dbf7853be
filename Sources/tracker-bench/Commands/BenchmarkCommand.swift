import ArgumentParser
import Logging
import TrackerConfiguration
import TrackerStore

/// What every benchmark takes: the database, logging and pool options of `tracker`, and leave to
/// empty a database that is not the benchmarks' own.
struct BenchmarkOptions: ParsableArguments {
    @OptionGroup var global: GlobalOptions

    @Flag(help: "Empty the database first when it holds data that is not tracker-bench's, instead of refusing it.")
    var resetDatabase = false
}

/// A benchmark: every database it writes to must be the benchmarks' own (`BenchmarkDatabase`),
/// checked before anything is written; then it prints its Markdown.
protocol BenchmarkCommand: AsyncParsableCommand {
    var options: BenchmarkOptions { get }
    /// Every database the benchmark writes to: `DATABASE_URL`'s and any other it was given.
    func databases(_ settings: ProcessSettings) throws -> [DatabaseURL]
    /// Runs the benchmark and returns its report.
    func report(_ settings: ProcessSettings, logger: Logger) async throws -> String
}

extension BenchmarkCommand {
    func databases(_ settings: ProcessSettings) throws -> [DatabaseURL] { [settings.database] }

    func run() async throws {
        let settings = try options.global.settings()
        let claimed = try await claimDatabases(settings)
        let logger = settings.bootstrap(label: "tracker.bench")
        for database in claimed where database.holdsForeignData {
            logger.notice(
                "emptied for the benchmarks (--reset-database)",
                metadata: [
                    "database": "\(database.url)", "tables": "\(database.tablesWithRows.joined(separator: ", "))",
                ])
        }
        print(try await report(settings, logger: logger))
    }

    /// Inspects every database the benchmark writes to, refuses them all if one holds data not the
    /// benchmarks' and `--reset-database` was not given, else marks them as the benchmarks'.
    func claimDatabases(_ settings: ProcessSettings) async throws -> [BenchmarkDatabase] {
        // Before logging is set up: what goes wrong here is thrown, and nothing is logged on stdout,
        // where the report goes.
        let logger = Logger(label: "tracker.bench") { _ in SwiftLogNoOpLogHandler() }
        var found: [BenchmarkDatabase] = []
        for url in try databases(settings) { found.append(try await BenchmarkDatabase.inspect(url, logger: logger)) }
        if !options.resetDatabase, let foreign = found.first(where: \.holdsForeignData) {
            throw ForeignDataError(database: foreign)
        }
        for database in found { try await database.claim(logger: logger) }
        return found
    }
}
