import ArgumentParser
import Testing
import TrackerConfiguration

@testable import tracker

/// `TRACKER_DIRECT_DATABASE_URL`: where the connections that need a session go when `DATABASE_URL`
/// is a transaction-mode pooler.
@Suite struct DirectDatabaseConfigurationTests {
    let pooledURL = "postgres://tracker@127.0.0.1:6432/tracker?sslmode=disable"
    let directURL = "postgres://tracker@127.0.0.1:5432/tracker?sslmode=disable"

    @Test func unsetOrEmptySessionsGoToTheDatabase() throws {
        for environment in [
            ["DATABASE_URL": pooledURL], ["DATABASE_URL": pooledURL, "TRACKER_DIRECT_DATABASE_URL": ""],
        ] {
            let worker = try #require(try settings(["worker"], environment) as? WorkerCommand.Settings)
            #expect(worker.process.directDatabase.port == 6432)
        }
    }

    /// The direct connections keep the role's statement timeout (migrate's none) and the pool keeps
    /// `DATABASE_URL`.
    @Test(arguments: [(["worker"], Duration.seconds(60)), (["query"], .seconds(30))])
    func sessionsGoToTheDirectURLWithTheRoleTimeout(_ arguments: [String], _ timeout: Duration) throws {
        let environment = ["DATABASE_URL": pooledURL, "TRACKER_DIRECT_DATABASE_URL": directURL]
        let server = try #require(try settings(arguments, environment) as? any ServerSettingsCarrying)
        #expect(server.processSettings.database.port == 6432)
        #expect(server.processSettings.directDatabase.port == 5432)
        #expect(server.processSettings.directDatabase.statementTimeout == timeout)
    }

    @Test func migrateAndAllTakeTheFlag() throws {
        let migrate = try #require(
            try settings(["migrate", "--direct-database-url", directURL], ["DATABASE_URL": pooledURL])
                as? ProcessSettings)
        #expect(migrate.directDatabase.port == 5432 && migrate.directDatabase.statementTimeout == .zero)
        let all = try #require(
            try settings(["all", "--direct-database-url", directURL], ["DATABASE_URL": pooledURL])
                as? AllCommand.Settings)
        #expect(all.process.database.port == 6432 && all.process.directDatabase.port == 5432)
    }

    @Test func aDirectURLThatDoesNotParseNamesItsVariable() throws {
        let environment = ["DATABASE_URL": pooledURL, "TRACKER_DIRECT_DATABASE_URL": "mysql://db/tracker"]
        #expect {
            try settings(["worker"], environment)
        } throws: { error in
            (error as? ConfigurationError)?.description.hasPrefix(
                "TRACKER_DIRECT_DATABASE_URL: must look like postgres://") == true
        }
    }
}

/// The one-role commands' settings, whatever their role.
protocol ServerSettingsCarrying {
    var processSettings: ProcessSettings { get }
}

extension ServerSettings: ServerSettingsCarrying {
    var processSettings: ProcessSettings { process }
}
