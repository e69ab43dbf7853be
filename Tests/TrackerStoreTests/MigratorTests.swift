import Foundation
import Logging
import PostgresNIO
import Testing
import TrackerTestSupport

@testable import TrackerStore

@Suite struct MigratorTests {
    let logger = Logger(label: "test.migrator")

    @Test func embeddedMigrationsEqualTheMigrationsFolder() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../migrations").standardized
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".sql") }.sorted()
        #expect(files == Migration.embedded.map(\.name), "run infra/scripts/embed-migrations.sh")
        for migration in Migration.embedded {
            let text = try String(contentsOf: folder.appendingPathComponent(migration.name), encoding: .utf8)
            #expect(text == migration.sql, "\(migration.name) differs: run infra/scripts/embed-migrations.sh")
        }
    }

    @Test func appliesEverythingOnceThenNothing() async throws {
        let database = try await TestDatabase.create("migrate_fresh", migrated: false)
        let migrator = Migrator(logger: logger)
        let first = try await database.withConnection { try await migrator.migrate(on: $0) }
        #expect(first == Migration.embedded.map(\.name))
        let second = try await database.withConnection { try await migrator.migrate(on: $0) }
        #expect(second.isEmpty)
        #expect(try await database.scalar("SELECT count(*)::int FROM schema_migrations") == Migration.embedded.count)
        #expect(try await database.scalar("SELECT count(*)::int FROM ingest_staging") == 0)
        let statuses = try await database.withConnection { try await migrator.status(on: $0) }
        #expect(statuses.allSatisfy { $0.state == .applied && $0.appliedAt != nil })
        try await database.drop()
    }

    @Test func concurrentRunnersApplyEachMigrationExactlyOnce() async throws {
        let database = try await TestDatabase.create("migrate_concurrent", migrated: false)
        let migrator = Migrator(logger: logger)
        let applied = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<3 {
                group.addTask { try await database.withConnection { try await migrator.migrate(on: $0) } }
            }
            return try await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(applied.sorted() == Migration.embedded.map(\.name))
        #expect(try await database.scalar("SELECT count(*)::int FROM schema_migrations") == Migration.embedded.count)
        try await database.drop()
    }

    @Test func refusesWhenAnAppliedFileChanged() async throws {
        let database = try await TestDatabase.create("migrate_changed", migrated: false)
        try await database.withConnection { try await Migrator(logger: logger).migrate(on: $0) }
        var edited = Migration.embedded
        edited[0].sql += "\n-- edited after release\n"
        let tampered = Migrator(migrations: edited, logger: logger)
        await #expect(throws: MigrationError.changedAfterApply(name: edited[0].name)) {
            try await database.withConnection { try await tampered.migrate(on: $0) }
        }
        await #expect(throws: MigrationError.changedAfterApply(name: edited[0].name)) {
            try await database.withConnection { try await tampered.status(on: $0) }
        }
        try await database.drop()
    }

    @Test func statusListsPendingMigrationsAndReadinessWantsThemApplied() async throws {
        let database = try await TestDatabase.create("migrate_status", migrated: true)
        let newer = Migrator(
            migrations: Migration.embedded + [Migration(name: "9999_later.sql", sql: "CREATE TABLE later (id int);")],
            logger: logger)
        let statuses = try await database.withConnection { try await newer.status(on: $0) }
        #expect(statuses.last == Migrator.Status(name: "9999_later.sql", state: .pending, appliedAt: nil))
        #expect(statuses.dropLast().allSatisfy { $0.state == .applied })
        let (before, after) = try await database.withClient { client in
            let before = try await newer.isCurrent(client: client)
            try await database.withConnection { try await newer.migrate(on: $0) }
            return (before, try await newer.isCurrent(client: client))
        }
        #expect(!before && after)
        try await database.drop()
    }
}

@Suite struct MigrationStatementsTests {
    @Test func splitsOnSemicolonsOutsideQuotesAndComments() {
        let migration = Migration(
            name: "x.sql",
            sql: """
                -- a comment; not a statement
                CREATE TABLE a (v text DEFAULT 'x;y');
                /* block; comment */ CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;
                COMMENT ON TABLE a IS 'it''s; fine';
                SELECT "odd;name" FROM a;
                -- trailing comment
                """)
        #expect(migration.statements.count == 4)
        #expect(migration.statements[0].hasSuffix("DEFAULT 'x;y')"))
        #expect(migration.statements[1].contains("$body$ SELECT 1; $body$"))
        #expect(migration.statements[2] == "COMMENT ON TABLE a IS 'it''s; fine'")
    }
}
