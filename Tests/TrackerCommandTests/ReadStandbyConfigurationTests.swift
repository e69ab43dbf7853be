import ArgumentParser
import Testing
import TrackerConfiguration

@testable import tracker

/// `TRACKER_READ_DATABASE_URL` and `TRACKER_READ_MAX_LAG_SECONDS` of `tracker query` and `tracker all`.
@Suite struct ReadStandbyConfigurationTests {
    let standbyURL = "postgres://reader@127.0.0.1:5433/tracker?sslmode=disable"

    @Test func unsetOrEmptyReadsGoToTheDatabase() throws {
        for environment in [
            ["DATABASE_URL": databaseURL], ["DATABASE_URL": databaseURL, "TRACKER_READ_DATABASE_URL": ""],
        ] {
            let query = try #require(try settings(["query"], environment) as? QueryCommand.Settings)
            #expect(query.role.readStandby == nil)
            let all = try #require(try settings(["all"], environment) as? AllCommand.Settings)
            #expect(all.readStandby == nil)
        }
    }

    @Test func theStandbyAndItsLagLimitFromTheEnvironmentOrFlags() throws {
        let environment = ["DATABASE_URL": databaseURL, "TRACKER_READ_DATABASE_URL": standbyURL]
        let query = try #require(try settings(["query"], environment) as? QueryCommand.Settings)
        let standby = try #require(query.role.readStandby)
        #expect(standby.url.host == "127.0.0.1" && standby.url.port == 5433 && standby.url.username == "reader")
        #expect(standby.maxLag == .seconds(30))
        let all = try #require(
            try settings(
                ["all", "--read-database-url", standbyURL, "--read-max-lag-seconds", "2.5"],
                ["DATABASE_URL": databaseURL])
                as? AllCommand.Settings)
        #expect(all.readStandby?.url.port == 5433 && all.readStandby?.maxLag == .milliseconds(2500))
    }

    @Test(arguments: [
        (["query"], "TRACKER_READ_DATABASE_URL: must look like postgres://"),
        (["all"], "TRACKER_READ_DATABASE_URL: must look like postgres://"),
    ])
    func aReadURLThatDoesNotParseNamesItsVariable(_ arguments: [String], _ message: String) throws {
        let environment = ["DATABASE_URL": databaseURL, "TRACKER_READ_DATABASE_URL": "mysql://db/tracker"]
        #expect {
            try settings(arguments, environment)
        } throws: { error in
            (error as? ConfigurationError)?.description.hasPrefix(message) == true
        }
    }

    @Test func aBadReadURLExits2BeforeConnecting() async throws {
        var command = try #require(
            try Tracker.parseAsRoot(["query", "--database-url", databaseURL, "--read-database-url", "postgres://"])
                as? any AsyncParsableCommand)
        await #expect(throws: ExitCode(2)) { try await command.run() }
    }
}
