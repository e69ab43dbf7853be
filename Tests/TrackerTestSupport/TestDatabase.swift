import Foundation
import Logging
import PostgresNIO
import TrackerStore

/// A database of its own for one test suite, on the server the test command started
/// (`TRACKER_TEST_DATABASE_URL`), migrated and dropped again afterwards.
public struct TestDatabase: Sendable {
    public let url: DatabaseURL
    public let logger: Logger

    /// The server every suite shares; its database is only used to create the suites' own.
    public static func serverURL() throws -> DatabaseURL {
        guard let text = ProcessInfo.processInfo.environment["TRACKER_TEST_DATABASE_URL"], !text.isEmpty else {
            throw TestDatabaseError(
                "TRACKER_TEST_DATABASE_URL is not set: run the tests with infra/scripts/test.sh, which starts PostgreSQL"
            )
        }
        return try DatabaseURL(text)
    }

    /// Creates an empty database named after the suite; `migrated` applies every migration.
    public static func create(_ suite: String, migrated: Bool = true) async throws -> TestDatabase {
        let server = try serverURL()
        let name = "t_\(suite.lowercased())_\(UInt32.random(in: 0...UInt32.max))"
        var logger = Logger(label: "test.\(suite)")
        // TRACKER_TEST_LOG_LEVEL=debug shows what the servers and workers under test log.
        logger.logLevel =
            ProcessInfo.processInfo.environment["TRACKER_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:))
            ?? .error
        try await withConnection(server, logger: logger) { connection in
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \"\(name)\""), logger: logger)
        }
        let database = TestDatabase(url: server.with(database: name), logger: logger)
        if migrated {
            try await database.withConnection { try await Migrator(logger: logger).migrate(on: $0) }
        }
        return database
    }

    /// Runs `body` on a new connection to this database.
    @discardableResult
    public func withConnection<Result: Sendable>(
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await Self.withConnection(url, logger: logger, body)
    }

    @discardableResult
    static func withConnection<Result: Sendable>(
        _ url: DatabaseURL, logger: Logger, _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await url.withConnection(logger: logger, body)
    }

    /// A pooled client for this database, running while `body` runs.
    public func withClient<Result: Sendable>(
        maximumConnections: Int = 20,
        _ body: @Sendable (PostgresClient) async throws -> Result
    ) async throws -> Result {
        let client = PostgresClient(
            configuration: url.clientConfiguration(maximumConnections: maximumConnections), backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    /// One integer a query returns, e.g. a count.
    public func scalar(_ query: PostgresQuery) async throws -> Int {
        try await withConnection { connection in
            let rows = try await connection.query(query, logger: logger)
            for try await value in rows.decode(Int.self) { return value }
            throw TestDatabaseError("query returned no row")
        }
    }

    /// Drops the database (suites call it at the end; a failed run leaves it for inspection).
    public func drop() async throws {
        let server = try Self.serverURL()
        try await Self.withConnection(server, logger: logger) { connection in
            try await connection.query(
                PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \"\(url.database)\" WITH (FORCE)"), logger: logger)
        }
    }
}

public struct TestDatabaseError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Polls `condition` until it holds or `timeout` passes: tests wait on facts, never on fixed sleeps.
/// The default deadline is generous, not a speed check: with every suite running at once on two
/// cores, a collector's first flushes in a fresh database were seen to need more than 10 s.
public func waitUntil(
    timeout: Duration = .seconds(30),
    _ what: String,
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw TestDatabaseError("timed out after \(timeout) waiting for: \(what)")
}

extension TestDatabase {
    /// Runs `body` on a connection to the shared server's own database, for server-wide commands.
    public static func onServer(_ body: (PostgresConnection, Logger) async throws -> Void) async throws {
        let logger = Logger(label: "test.server")
        try await withConnection(try serverURL(), logger: logger) { try await body($0, logger) }
    }
}
