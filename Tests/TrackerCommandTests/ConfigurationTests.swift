import ArgumentParser
import Logging
import PostgresNIO
import Testing
import TrackerCollector
import TrackerConfiguration
import TrackerStore
import TrackerTestSupport
import TrackerWorker

@testable import tracker

/// A command line and an environment whose configuration does not parse, and the start of the
/// message that must name the variable (or flag) at fault.
struct BadConfiguration: Sendable, CustomTestStringConvertible {
    var arguments: [String]
    var environment: Environment
    var message: String
    var testDescription: String { message }
}

let databaseURL = "postgres://tracker@127.0.0.1:5432/tracker?sslmode=disable"

@Suite struct ConfigurationTests {
    static let badConfigurations: [BadConfiguration] = [
        .init(arguments: ["collector"], environment: [:], message: "DATABASE_URL is not set (nor --database-url)"),
        .init(
            arguments: ["collector"], environment: ["DATABASE_URL": databaseURL, "TRACKER_RATE_LIMIT": "100/s"],
            message: "TRACKER_RATE_LIMIT: '100/s' is not a number."),
        .init(
            arguments: ["collector"], environment: ["DATABASE_URL": databaseURL, "TRACKER_WRITE_KEYS": ":"],
            message: "TRACKER_WRITE_KEYS: entry 1 has no key before its ':'."),
        .init(
            arguments: ["collector"], environment: ["DATABASE_URL": databaseURL, "TRACKER_BODY_TIMEOUT": "0"],
            message: "TRACKER_BODY_TIMEOUT: 0 is not more than 0 and at most 3600 seconds."),
        .init(
            arguments: ["worker"], environment: ["DATABASE_URL": databaseURL, "TRACKER_BATCH_SIZE": "abc"],
            message: "TRACKER_BATCH_SIZE: 'abc' is not a whole number."),
        .init(
            arguments: ["worker", "--batch-size", "0"], environment: ["DATABASE_URL": databaseURL],
            message: "--batch-size: 0 is not between 1 and 100000."),
        .init(
            arguments: ["worker"], environment: ["DATABASE_URL": databaseURL, "TRACKER_VIEW_REFRESH_SECONDS": "5s"],
            message: "TRACKER_VIEW_REFRESH_SECONDS: '5s' is not a number."),
        .init(
            arguments: ["query"], environment: ["DATABASE_URL": databaseURL + "x"],
            message: "DATABASE_URL: sslmode 'disablex' is not one of disable, prefer, require, verify-ca, verify-full."),
        .init(
            arguments: ["query"], environment: ["DATABASE_URL": databaseURL, "TRACKER_QUERY_PORT": "80a"],
            message: "TRACKER_QUERY_PORT: '80a' is not a whole number."),
        .init(
            arguments: ["all"], environment: ["DATABASE_URL": databaseURL, "TRACKER_STATEMENT_TIMEOUT": "10s"],
            message: "TRACKER_STATEMENT_TIMEOUT: '10s' is not a number."),
        .init(
            arguments: ["all", "--worker-port", "70000"], environment: ["DATABASE_URL": databaseURL],
            message: "--worker-port: 70000 is not between 1 and 65535."),
        .init(
            arguments: ["all"], environment: ["DATABASE_URL": databaseURL, "TRACKER_HOST": " "],
            message: "TRACKER_HOST: is empty."),
        .init(
            arguments: ["query", "--admin-tokens", "CHANGE-ME"], environment: ["DATABASE_URL": databaseURL],
            message: "TRACKER_ADMIN_TOKENS still holds the placeholder CHANGE-ME"),
        .init(
            arguments: ["migrate"], environment: ["DATABASE_URL": "postgres://tracker:CHANGE-ME@db/tracker"],
            message: "DATABASE_URL: the password is the placeholder CHANGE-ME: set the real one."),
        .init(
            arguments: ["migrate"], environment: ["DATABASE_URL": databaseURL, "LOG_LEVEL": "loud"],
            message: "LOG_LEVEL: 'loud' is not one of trace, debug, info, notice, warning, error, critical."),
    ]

    @Test(arguments: badConfigurations)
    func aValueThatDoesNotParseNamesItsVariable(_ bad: BadConfiguration) throws {
        #expect {
            try settings(bad.arguments, bad.environment)
        } throws: { error in
            (error as? ConfigurationError)?.description.hasPrefix(bad.message) == true
        }
    }

    @Test(arguments: [
        ["worker", "--database-url", databaseURL, "--batch-size", "abc"],
        ["migrate", "--database-url", databaseURL + "&sslmode=bogus"],
    ])
    func aCommandWhoseConfigurationDoesNotParseExits2BeforeConnecting(_ arguments: [String]) async throws {
        var command = try #require(try Tracker.parseAsRoot(arguments) as? any AsyncParsableCommand)
        await #expect(throws: ExitCode(2)) { try await command.run() }
    }

    @Test func theDefaultsAreTheLibrarysOwn() throws {
        let environment = ["DATABASE_URL": databaseURL]
        let collector = try #require(try settings(["collector"], environment) as? CollectorCommand.Settings)
        let library = CollectorConfiguration()
        #expect(collector.role.writeKeys == library.writeKeys && collector.role.rateLimit == nil)
        #expect(collector.role.staging.backlogLimit == library.staging.backlogLimit)
        #expect(collector.role.bodyTimeout == library.bodyTimeout)
        #expect(collector.host == "0.0.0.0" && collector.port == 8080)
        #expect(collector.process.poolSize == 16 && collector.process.logLevel == .info)
        let worker = try #require(try settings(["worker"], environment) as? WorkerCommand.Settings)
        let defaults = WorkerConfiguration()
        #expect(worker.role.batchSize == defaults.batchSize && worker.role.concurrency == defaults.concurrency)
        #expect(worker.role.dedupeWindowDays == defaults.dedupeWindowDays)
        #expect(worker.role.retentionDays == defaults.retentionDays)
        #expect(worker.role.viewRefreshInterval == defaults.viewRefreshInterval)
        #expect(worker.port == 8082)
        let query = try #require(try settings(["query"], environment) as? QueryCommand.Settings)
        #expect(query.port == 8081)
        let all = try #require(try settings(["all"], environment) as? AllCommand.Settings)
        #expect(all.ports == (8080, 8081, 8082))
    }

    @Test func flagsWinOverTheEnvironmentAndAnEmptyVariableIsUnset() throws {
        let environment = [
            "DATABASE_URL": databaseURL, "TRACKER_BATCH_SIZE": "500", "TRACKER_RETENTION_DAYS": "",
            "TRACKER_RATE_LIMIT": "0.5", "TRACKER_WRITE_KEYS": "k1:web,k2:ios",
        ]
        let worker = try #require(
            try settings(["worker", "--batch-size", "700", "--view-refresh-seconds", "0.25"], environment)
                as? WorkerCommand.Settings)
        #expect(worker.role.batchSize == 700)
        #expect(worker.role.retentionDays == 400)
        #expect(worker.role.viewRefreshInterval == .milliseconds(250))
        let all = try #require(try settings(["all", "--collector-port", "9000"], environment) as? AllCommand.Settings)
        #expect(all.ports == (9000, 8081, 8082))
        #expect(all.worker.batchSize == 500)
        #expect(all.collector.rateLimit == 0.5)
        #expect(all.collector.writeKeys.sources == ["k1": "web", "k2": "ios"])
    }

    /// What `statement_timeout` the server reports on a pooled connection made as `settings` says.
    func pooledStatementTimeout(_ settings: ProcessSettings, logger: Logger) async throws -> String {
        let client = settings.makeClient(logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await show(client.query("SHOW statement_timeout", logger: logger))
        }
    }

    func show(_ rows: PostgresRowSequence) async throws -> String {
        for try await value in rows.decode(String.self) { return value }
        return ""
    }

    @Test func eachRoleRunsItsStatementsUnderItsOwnTimeout() async throws {
        let logger = Logger(label: "test.configuration")
        let server = try TestDatabase.serverURL()
        let url = "postgres://\(server.username)@\(server.host):\(server.port)/\(server.database)?sslmode=disable"
        let environment = ["DATABASE_URL": url]
        let expected = [("collector", "10s"), ("query", "30s"), ("worker", "1min"), ("all", "1min")]
        for (role, timeout) in expected {
            let command = try #require(try Tracker.parseAsRoot([role]) as? any ConfiguredCommand)
            let settings = try command.settings(environment: environment)
            let process = try #require(
                (settings as? CollectorCommand.Settings)?.process ?? (settings as? QueryCommand.Settings)?.process
                    ?? (settings as? WorkerCommand.Settings)?.process ?? (settings as? AllCommand.Settings)?.process)
            #expect(try await pooledStatementTimeout(process, logger: logger) == timeout, "\(role)")
            // The worker's own connections (moves, LISTEN, the leader's) are made from the same URL.
            let dedicated = try await process.database.withConnection(logger: logger) {
                try await show($0.query("SHOW statement_timeout", logger: logger))
            }
            #expect(dedicated == timeout, "\(role)'s dedicated connections")
        }
        let worker = try #require(
            try settings(["worker", "--statement-timeout", "2.5"], environment) as? WorkerCommand.Settings)
        #expect(try await pooledStatementTimeout(worker.process, logger: logger) == "2500ms")
        let migrate = try #require(
            try settings(["migrate"], environment.merging(["TRACKER_STATEMENT_TIMEOUT": "5"]) { $1 })
                as? ProcessSettings)
        let migrations = try await migrate.database.withConnection(logger: logger) {
            try await show($0.query("SHOW statement_timeout", logger: logger))
        }
        #expect(migrations == "0", "migrations run with no statement timeout, whatever the environment says")
    }
}
