import Logging
import PostgresNIO
import Testing
import TrackerTestSupport

@testable import TrackerStore

@Suite struct DatabaseURLTests {
    @Test(arguments: DatabaseURL.SSLMode.allCases)
    func everySSLModeLibpqNamesIsRead(mode: DatabaseURL.SSLMode) throws {
        let url = try DatabaseURL("postgres://u:p@db.example:5433/app?sslmode=\(mode.rawValue)")
        #expect(url.sslMode == mode)
        #expect(url.port == 5433 && url.database == "app")
    }

    @Test func noSSLModePrefersTLS() throws {
        #expect(try DatabaseURL("postgres://u@db.example/app").sslMode == .prefer)
    }

    @Test(arguments: ["requir", "allow", "", "DISABLE"])
    func anSSLModeItDoesNotHonourIsRefusedNamingDatabaseURL(mode: String) {
        #expect {
            try DatabaseURL("postgres://u:secret-password@db.example/app?sslmode=\(mode)")
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("DATABASE_URL: sslmode '\(mode)' is not one of disable, prefer, require")
                && !text.contains("secret-password")
        }
    }

    @Test func onlyTheVerifyingModesCheckTheCertificate() throws {
        let modes: [DatabaseURL.SSLMode: CertificateVerification] = [
            .prefer: .none, .require: .none, .verifyCA: .noHostnameVerification, .verifyFull: .fullVerification,
        ]
        for (mode, verification) in modes {
            let url = try DatabaseURL("postgres://u@db.example/app?sslmode=\(mode.rawValue)")
            #expect(url.certificateCheck.certificateVerification == verification, "\(mode)")
        }
    }

    @Test(arguments: ["CHANGE-ME", "change-me", "CHANGE-ME-too"])
    func aPlaceholderPasswordIsRefused(password: String) {
        #expect {
            try DatabaseURL("postgres://tracker:\(password)@db.example/tracker")
        } throws: { error in
            "\(error)" == "DATABASE_URL: the password is the placeholder CHANGE-ME: set the real one"
        }
    }

    @Test func aURLThatIsNotOneIsRefusedWithoutQuotingIt() {
        #expect {
            try DatabaseURL("mysql://u:secret-password@db.example/app")
        } throws: { error in
            "\(error)".hasPrefix("DATABASE_URL: must look like postgres://") && !"\(error)".contains("secret")
        }
    }

    /// What the server says `statement_timeout` is on a pooled and on a dedicated connection.
    func statementTimeouts(_ url: DatabaseURL, logger: Logger) async throws -> [String] {
        let show: PostgresQuery = "SHOW statement_timeout"
        let client = PostgresClient(configuration: url.clientConfiguration(maximumConnections: 1))
        let pooled = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            let rows = try await client.query(show, logger: logger)
            for try await value in rows.decode(String.self) { return value }
            return ""
        }
        let dedicated = try await url.withConnection(logger: logger) { connection in
            let rows = try await connection.query(show, logger: logger)
            for try await value in rows.decode(String.self) { return value }
            return ""
        }
        return [pooled, dedicated]
    }

    @Test func everyConnectionStartsWithTheStatementTimeout() async throws {
        var url = try TestDatabase.serverURL()
        let logger = Logger(label: "test.database_url")
        let serverDefault = try await statementTimeouts(url, logger: logger)
        url.statementTimeout = .milliseconds(1_500)
        #expect(try await statementTimeouts(url, logger: logger) == ["1500ms", "1500ms"])
        url.statementTimeout = .seconds(60)
        #expect(try await statementTimeouts(url, logger: logger) == ["1min", "1min"])
        url.statementTimeout = .zero
        #expect(try await statementTimeouts(url, logger: logger) == ["0", "0"])
        url.statementTimeout = nil
        #expect(try await statementTimeouts(url, logger: logger) == serverDefault)
    }

    @Test func aStatementOverTheTimeoutIsCancelledByTheServer() async throws {
        var url = try TestDatabase.serverURL()
        url.statementTimeout = .milliseconds(200)
        let logger = Logger(label: "test.database_url")
        await #expect {
            try await url.withConnection(logger: logger) { connection in
                for try await _ in try await connection.query("SELECT pg_sleep(5)", logger: logger) {}
            }
        } throws: { error in
            (error as? PSQLError)?.serverInfo?[.sqlState] == "57014"
        }
    }
}
