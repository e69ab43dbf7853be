import Logging
import PostgresNIO
import Testing
import TrackerCore
import TrackerTestSupport

/// The worker refuses numbers `jsonb` cannot hold instead of failing its batch: its rule must agree
/// with PostgreSQL's on every side of each limit.
@Suite struct NumericLimitTests {
    static let numbers = [
        "1", "-0", "1e131071", "1e131072", "1E+131073", "12e131070", "12e131071", "1e-16383", "1e-16384",
        "0.1e-16383", "0e-20000", "1.5e-16382", "1e999999", "1e-999999", "-7.25e3",
        String(repeating: "9", count: 131_072), String(repeating: "9", count: 131_073),
        "0." + String(repeating: "1", count: 16_383), "0." + String(repeating: "1", count: 16_384),
    ]

    @Test func fitsNumericAgreesWithPostgres() async throws {
        let database = try await TestDatabase.create("numeric_limits", migrated: false)
        try await database.withConnection { connection in
            for number in Self.numbers {
                let stored: Bool
                do {
                    try await connection.query("SELECT (\("[" + number + "]")::text)::jsonb", logger: database.logger)
                    stored = true
                } catch let error as PSQLError where error.serverInfo?[.sqlState] == "22003" {
                    stored = false
                }
                #expect(JSONValue.fitsNumeric(number) == stored, "\(number.prefix(20))… (\(number.count) chars)")
            }
        }
        try await database.drop()
    }
}
