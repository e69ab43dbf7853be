import Foundation
import PostgresNIO
import Testing
import TrackerTestSupport

@testable import TrackerStore

/// When a flush's `COMMIT` answer is lost, the collector answers 202 only if the flush committed.
/// After a server crash, its transaction id may have been handed to another transaction: the
/// messages themselves must be found.
@Suite struct StagingCommitTests {
    @Test func theKeysAreReadBackFromTheCopyTextWhateverItEscaped() {
        let awkward = ["web\tapp", "back\\slash", "line\nbreak\r", "plain", "\\N"]
        let requests = awkward.map { text in
            StagedRows([
                StagedRow(
                    receivedAt: Date(), source: text, kind: .segment, impliedType: nil, messageId: "id-\(text)",
                    payload: #"{"event":"a\tb\\c"}"#, envelope: "{}")
            ])
        }
        var text = ByteBuffer()
        for request in requests { text.writeImmutableBuffer(request.text) }
        let keys = MessageKeys(copyText: text)
        #expect(keys.sources == awkward)
        #expect(keys.messageIds == awkward.map { "id-\($0)" })
    }

    @Test func anotherTransactionsCommitUnderTheSameIdDoesNotCount() async throws {
        let database = try await TestDatabase.create("staging_commit")
        try await database.withClient { client in
            let store = StagingStore(client: client)
            let keys = MessageKeys(rows: [("web", "never-staged-1"), ("web", "never-staged-2")])
            let otherCommit = try await database.scalar("SELECT txid_current()")
            #expect(try await !store.transactionCommitted(Int64(otherCommit), writing: keys, logger: database.logger))

            let rolledBack = try await database.withConnection { connection in
                try await connection.query("BEGIN", logger: database.logger)
                let rows = try await connection.query("SELECT txid_current()", logger: database.logger)
                var id: Int64 = 0
                for try await value in rows.decode(Int64.self) { id = value }
                try await connection.query("ROLLBACK", logger: database.logger)
                return id
            }
            #expect(try await !store.transactionCommitted(rolledBack, writing: keys, logger: database.logger))
        }
        try await database.drop()
    }

    @Test func aCommitCountsWhereverItsMessagesWentSince() async throws {
        let database = try await TestDatabase.create("staging_commit_found")
        let valid = #"{"type":"track","event":"Signed Up","userId":"u1","messageId":"found-valid"}"#
        let invalid = #"{"type":"track","userId":"u1","messageId":"found-invalid"}"#
        let keys = MessageKeys(rows: [("web", "found-valid"), ("web", "found-invalid")])
        let committed = try await database.scalar("SELECT txid_current()")
        try await database.withWorkers { client, _ in
            let store = StagingStore(client: client)
            try await database.stage([valid, invalid], client: client)
            #expect(try await store.transactionCommitted(Int64(committed), writing: keys, logger: database.logger))
            try await database.waitUntilDrained()
            #expect(try await database.scalar("SELECT count(*)::int FROM failed_events") == 1)
            #expect(try await store.transactionCommitted(Int64(committed), writing: keys, logger: database.logger))
            let oneMissing = MessageKeys(rows: [("web", "found-valid"), ("web", "not-found")])
            #expect(
                try await !store.transactionCommitted(Int64(committed), writing: oneMissing, logger: database.logger))
        }
        try await database.drop()
    }
}

extension MessageKeys {
    /// The keys as a flush of these messages would read them back.
    init(rows: [(source: String, messageId: String)]) {
        let staged = rows.map { row in
            StagedRow(
                receivedAt: Date(), source: row.source, kind: .segment, impliedType: nil, messageId: row.messageId,
                payload: "{}", envelope: nil)
        }
        self.init(copyText: StagedRows(staged).text)
    }
}
