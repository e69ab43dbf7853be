import PostgresNIO
import Testing
import TrackerQuery
import TrackerTestSupport

@Suite struct QueryTimeoutTests {
    /// A read PostgreSQL cancels at the role's statement timeout answers 503 `query_timeout`, not
    /// `database_unavailable`: the database is fine and the client should ask for less. The reads wait
    /// on a lock the test holds until they are answered, so the timeout is what ends them every time.
    @Test func aReadPastTheStatementTimeoutAsksForANarrowerRange() async throws {
        let database = try await TestDatabase.create("query_timeout")
        try await database.withConnection { connection in
            // Every later session of this database starts with it, the query API's pool included.
            try await connection.query(
                PostgresQuery(
                    unsafeSQL: #"ALTER DATABASE "\#(database.url.database)" SET statement_timeout = '200ms'"#),
                logger: database.logger)
        }
        try await database.withConnection { holder in
            try await holder.query("BEGIN", logger: database.logger)
            try await holder.query("LOCK TABLE events IN ACCESS EXCLUSIVE MODE", logger: database.logger)
            try await withQueryAPI(database) { api in
                for uri in ["/v1/events", "/events"] {
                    let answer = try await api.get(uri)
                    #expect(answer.status == .serviceUnavailable, "\(uri)")
                    #expect(answer.code == "query_timeout", "\(uri)")
                    #expect(answer.retryAfter == 5, "\(uri)")
                    #expect((answer.json["message"] as? String)?.contains("narrow the time range") == true)
                }
            }
            try await holder.query("ROLLBACK", logger: database.logger)
        }
        try await withQueryAPI(database) { api in
            let answer = try await api.get("/v1/events")
            #expect(answer.status == .ok)
        }
        try await database.drop()
    }
}
