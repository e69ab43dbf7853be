import ArgumentParser
import Foundation
import PostgresNIO
import Testing
import TrackerConfiguration
import TrackerCore
import TrackerStore
import TrackerTestSupport

@testable import tracker_bench

/// The benchmarks truncate and rewrite the tables of the database they are given: they must
/// refuse one holding data they did not write, before writing anything to it.
@Suite struct ForeignDatabaseTests {
    /// A migrated database holding one stored event no benchmark wrote.
    func databaseWithAForeignEvent() async throws -> TestDatabase {
        let database = try await TestDatabase.create("bench")
        try await database.withConnection { connection in
            try await PartitionStore.create(UTCDay(Date()), on: connection, logger: database.logger)
            try await connection.query(
                """
                INSERT INTO events (message_id, type, event, user_id, timestamp, received_at, source)
                VALUES (\("customer-1"), 'track', 'Signed Up', 'customer', now(), now(), 'web')
                """, logger: database.logger)
        }
        return database
    }

    /// The command line's form of the database's URL.
    func commandLine(_ url: DatabaseURL) -> String {
        "postgres://\(url.username)@\(url.host):\(url.port)/\(url.database)?sslmode=disable"
    }

    func command(_ arguments: [String], database: TestDatabase) throws -> any BenchmarkCommand {
        try #require(
            try TrackerBench.parseAsRoot(arguments + ["--database-url", commandLine(database.url)])
                as? any BenchmarkCommand)
    }

    /// Whether the benchmarks marked the database as theirs.
    func isMarked(_ database: TestDatabase) async throws -> Bool {
        try await database.scalar("SELECT (to_regclass('tracker_bench_marker') IS NOT NULL)::int") == 1
    }

    @Test(arguments: [
        ["ingest", "--seconds", "1", "--warmup", "0", "--rounds", "1"],
        ["drain", "--rows", "10", "--rounds", "1"],
        ["pipeline", "--seconds", "1", "--warmup", "0", "--rounds", "1"],
        ["query", "--events", "10", "--samples", "1", "--raw-samples", "1"],
    ])
    func everyBenchmarkRefusesADatabaseHoldingAnEventNotItsOwn(_ arguments: [String]) async throws {
        let database = try await databaseWithAForeignEvent()
        var benchmark = try command(arguments, database: database)
        let error = try await #require(throws: ForeignDataError.self) { try await benchmark.run() }
        let message = TrackerBench.message(for: error)
        #expect(message.contains("\(database.url) holds data that is not tracker-bench's (rows in public.events)"))
        #expect(message.contains("--reset-database"))
        #expect(TrackerBench.exitCode(for: error) != .success)
        // Nothing written: the event stays, nothing was staged, no mark, no migration applied twice.
        #expect(try await database.scalar("SELECT count(*)::int FROM events WHERE message_id = 'customer-1'") == 1)
        #expect(try await database.scalar("SELECT count(*)::int FROM ingest_staging") == 0)
        #expect(try await isMarked(database) == false)
        try await database.drop()
    }

    @Test func drainRefusesAForeignEmptyDatabaseBeforeWritingToEither() async throws {
        let own = try await TestDatabase.create("bench")
        let foreign = try await databaseWithAForeignEvent()
        var benchmark = try command(
            ["drain", "--rows", "10", "--onto-stored", "--empty-database", commandLine(foreign.url)], database: own)
        let error = try await #require(throws: ForeignDataError.self) { try await benchmark.run() }
        #expect(TrackerBench.message(for: error).contains("\(foreign.url) holds data that is not tracker-bench's"))
        #expect(try await isMarked(own) == false)
        #expect(try await isMarked(foreign) == false)
        #expect(try await foreign.scalar("SELECT count(*)::int FROM events") == 1)
        try await own.drop()
        try await foreign.drop()
    }

    @Test func anEmptyDatabaseBecomesItsOwnAndStaysSoWithItsData() async throws {
        let database = try await TestDatabase.create("bench")
        let benchmark = try command(["drain", "--rows", "10"], database: database)
        let settings = try benchmark.options.global.settings(environment: [:])
        _ = try await benchmark.claimDatabases(settings)
        #expect(try await isMarked(database))
        // What a benchmark then writes is its own: the next run takes the database.
        try await database.withConnection { connection in
            try await PartitionStore.create(UTCDay(Date()), on: connection, logger: database.logger)
            try await connection.query(
                """
                INSERT INTO events (message_id, type, event, timestamp, received_at, source)
                VALUES ('seed-1', 'track', 'event-1', now(), now(), 'bench')
                """, logger: database.logger)
        }
        let again = try await benchmark.claimDatabases(settings)
        #expect(again.map(\.holdsForeignData) == [false])
        #expect(try await database.scalar("SELECT count(*)::int FROM events") == 1)
        try await database.drop()
    }

    @Test func resetDatabaseEmptiesAForeignDatabaseAndMarksIt() async throws {
        let database = try await databaseWithAForeignEvent()
        let benchmark = try command(["drain", "--rows", "10", "--reset-database"], database: database)
        let claimed = try await benchmark.claimDatabases(benchmark.options.global.settings(environment: [:]))
        #expect(claimed.map(\.tablesWithRows) == [["public.events"]])
        #expect(try await database.scalar("SELECT count(*)::int FROM events") == 0)
        #expect(try await database.scalar("SELECT count(*)::int FROM schema_migrations") > 0)
        #expect(try await isMarked(database))
        try await database.drop()
    }
}
