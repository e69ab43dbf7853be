import Logging
import PostgresNIO
import Testing
import TrackerStore
import TrackerTestSupport

@Suite struct DatabaseFailureTests {
    let logger = Logger(label: "test.database_failure")

    /// A statement cancelled at `statement_timeout` (57014) leaves its connection as good as before:
    /// it is no lost connection, so the worker halves its claim instead of retrying it as it was.
    @Test func aStatementTimeoutIsNotALostConnection() async throws {
        var url = try TestDatabase.serverURL()
        url.statementTimeout = .milliseconds(100)
        try await url.withConnection(logger: logger) { connection in
            let alone = await #expect(throws: PSQLError.self) {
                for try await _ in try await connection.query("SELECT pg_sleep(30)", logger: logger) {}
            }
            let inTransaction = await #expect(throws: PostgresTransactionError.self) {
                try await connection.withTransaction(logger: logger) { connection in
                    for try await _ in try await connection.query("SELECT pg_sleep(30)", logger: logger) {}
                }
            }
            for error in [alone as (any Error)?, inTransaction].compactMap({ $0 }) {
                #expect(isStatementTimeout(error), "\(String(reflecting: error))")
                #expect(!isConnectionFailure(error), "\(String(reflecting: error))")
            }
            let rows = try await connection.query("SELECT 1", logger: logger)
            for try await one in rows.decode(Int.self) { #expect(one == 1) }
        }
    }

    /// What the server reports decides, whatever raised it: the rest of class 57 (a terminated
    /// backend, a shutdown) and class 08 still mean the connection is gone; other errors are neither.
    @Test(arguments: [
        ("57014", true, false), ("57P01", false, true), ("57P02", false, true), ("08006", false, true),
        ("23505", false, false),
    ])
    func classifiesByTheSQLState(_ state: String, timeout: Bool, lost: Bool) async throws {
        let url = try TestDatabase.serverURL()
        try await url.withConnection(logger: logger) { connection in
            let raise = "DO $$ BEGIN RAISE EXCEPTION 'raised' USING ERRCODE = '\(state)'; END $$"
            let error = await #expect(throws: PSQLError.self) {
                try await connection.query(PostgresQuery(unsafeSQL: raise), logger: logger)
            }
            #expect(error.map(isStatementTimeout) == timeout, "\(state)")
            #expect(error.map(isConnectionFailure) == lost, "\(state)")
        }
    }
}
