import Foundation
import Logging
import PostgresNIO
import Synchronization
import Testing
import TrackerCore
import TrackerStore
import TrackerTestSupport

@testable import TrackerWorker

@Suite struct WorkerTests {
    @Test func threeReplicasMoveFiftyThousandMessagesExactlyOnce() async throws {
        let database = try await TestDatabase.create("worker_drain")
        let valid = (0..<45_000).map { track($0) }
        let retries = (0..<2_500).map { track($0 * 7, timestamp: "2026-11-20T00:00:00Z", messageId: "msg-\($0 * 7)") }
        let invalid = (0..<2_500).map { #"{"type":"track","userId":"u","messageId":"bad-\#($0)"}"# }
        let deadlocksBefore = try await database.scalar(
            "SELECT deadlocks::int FROM pg_stat_database WHERE datname = current_database()")
        try await database.withWorkers(3, configuration: testConfiguration(batchSize: 1_000)) { client, workers in
            try await database.stage((valid + retries + invalid).shuffled(), client: client)
            try await database.waitUntilDrained(timeout: .seconds(120))
        }
        #expect(try await database.scalar("SELECT count(*)::int FROM events") == 45_000)
        #expect(try await database.scalar("SELECT count(DISTINCT message_id)::int FROM events") == 45_000)
        #expect(
            try await database.scalar("SELECT count(*)::int FROM failed_events WHERE reason = 'missing_event'") == 2_500
        )
        #expect(try await database.scalar("SELECT count(*)::int FROM failed_events") == 2_500)
        #expect(try await database.scalar("SELECT coalesce(sum(count), 0)::int FROM event_counts_minute") == 45_000)
        #expect(try await database.scalar("SELECT count(*)::int FROM active_people_daily") >= 97)
        let deadlocksAfter = try await database.scalar(
            "SELECT deadlocks::int FROM pg_stat_database WHERE datname = current_database()")
        #expect(deadlocksAfter == deadlocksBefore)
        try await database.drop()
    }

    @Test func aRetryWithAnotherTimestampIsStoredOnce() async throws {
        let database = try await TestDatabase.create("worker_dedupe")
        try await database.withWorkers { client, _ in
            try await database.stage([track(1, timestamp: "2026-11-25T10:00:00Z", messageId: "same")], client: client)
            try await database.waitUntilDrained()
            try await waitUntil("the first copy is stored") {
                try await database.scalar("SELECT count(*)::int FROM events") == 1
            }
            try await database.stage([track(1, timestamp: "2026-11-25T11:00:00Z", messageId: "same")], client: client)
            try await database.waitUntilDrained()
            try await database.stage([track(1, messageId: "same")], source: "ios", client: client)
            try await database.waitUntilDrained()
        }
        #expect(try await database.scalar("SELECT count(*)::int FROM events WHERE source = 'web'") == 1)
        #expect(
            try await database.scalar(
                "SELECT count(*)::int FROM events WHERE source = 'web' AND timestamp = '2026-11-25T10:00:00Z'") == 1)
        #expect(try await database.scalar("SELECT count(*)::int FROM events WHERE source = 'ios'") == 1)
        #expect(try await database.scalar("SELECT count(*)::int FROM failed_events") == 0)
        try await database.drop()
    }

    @Test func killedConnectionsLoseAndDuplicateNothing() async throws {
        let database = try await TestDatabase.create("worker_kill")
        try await database.withWorkers(configuration: testConfiguration(batchSize: 300)) { client, _ in
            try await database.stage((0..<20_000).map { track($0) }, client: client)
            for round in 1...4 {
                try await waitUntil(timeout: .seconds(60), "progress before kill \(round)") {
                    try await database.scalar("SELECT count(*)::int FROM events") >= round * 2_000
                }
                // Mid-batch: end every connection of this database, the workers' pool and listener included.
                try await database.terminateBackends()
            }
            try await database.waitUntilDrained(timeout: .seconds(120))
        }
        #expect(try await database.scalar("SELECT count(*)::int FROM events") == 20_000)
        #expect(try await database.scalar("SELECT count(DISTINCT message_id)::int FROM events") == 20_000)
        #expect(try await database.scalar("SELECT coalesce(sum(count), 0)::int FROM event_counts_minute") == 20_000)
        try await database.drop()
    }

    @Test func theListenerReconnectsAndDrainsWhatArrivedMeanwhile() async throws {
        let database = try await TestDatabase.create("worker_listen")
        var configuration = testConfiguration()
        configuration.pollInterval = .seconds(3_600)  // only notifications and reconnects wake it
        let listening = "query LIKE 'LISTEN%'"
        try await database.withWorkers(configuration: configuration) { client, _ in
            try await waitUntil("the listener is connected") {
                try await database.scalar(
                    PostgresQuery(
                        unsafeSQL:
                            "SELECT count(*)::int FROM pg_stat_activity WHERE datname = current_database() AND \(listening)"
                    )) == 1
            }
            // Woken by NOTIFY.
            try await database.stage([track(1)], client: client)
            try await StagingStore(client: client).notifyWorkers(logger: database.logger)
            try await waitUntil("a notified message is moved") {
                try await database.scalar("SELECT count(*)::int FROM events") == 1
            }
            // Staged without a notification while the listener is cut off: the reconnect drains it.
            try await database.stage([track(2)], client: client)
            try await database.terminateBackends(where: listening)
            try await waitUntil(timeout: .seconds(15), "the reconnect drains the backlog") {
                try await database.scalar("SELECT count(*)::int FROM events") == 2
            }
        }
        try await database.drop()
    }

    /// A move that runs out of time is retried with half the rows, as a failed one is: at the same
    /// size it would run out of time on every attempt, and the queue would never move.
    @Test func aMoveThatRunsOutOfTimeIsRetriedSmaller() async throws {
        let database = try await TestDatabase.create("worker_slow_moves")
        try await database.withConnection { connection in
            // 50 ms per stored row: the first claim of 80 rows needs 4 s, twice its deadline.
            try await connection.query(
                """
                CREATE FUNCTION slow_row() RETURNS trigger LANGUAGE plpgsql
                AS $$ BEGIN PERFORM pg_sleep(0.05); RETURN NULL; END $$
                """, logger: database.logger)
            try await connection.query(
                "CREATE TRIGGER slow_row AFTER INSERT ON event_dedupe FOR EACH ROW EXECUTE FUNCTION slow_row()",
                logger: database.logger)
        }
        var configuration = testConfiguration(batchSize: 80)
        configuration.moveTimeout = .seconds(2)
        try await database.withWorkers(configuration: configuration) { client, _ in
            try await database.stage((0..<80).map { track($0) }, client: client)
            try await database.waitUntilDrained(timeout: .seconds(120))
        }
        #expect(try await database.scalar("SELECT count(*)::int FROM events") == 80)
        #expect(try await database.scalar("SELECT count(*)::int FROM failed_events") == 0)
        try await database.drop()
    }

    /// A worker of up to four movers on 500-row batches.
    private func fourMoverWorker(_ database: TestDatabase) -> Worker {
        var configuration = testConfiguration(batchSize: 500)
        configuration.concurrency = 4
        // A move that outlives its deadline brings in the other movers, as a failure should; with
        // every suite running at once on two cores, a 300-row move can outlast the usual 3 s.
        configuration.moveTimeout = .seconds(60)
        return Worker(database: database.url, configuration: configuration, logger: database.logger)
    }

    /// Each mover holds a dedicated connection, kept open once drained: the client backends on the
    /// database (this query's and `excluded` excepted; autovacuum's are not clients) say how many
    /// movers ran.
    private func workerBackends(excluding excluded: Int = 0) -> PostgresQuery {
        """
        SELECT count(*)::int FROM pg_stat_activity
        WHERE datname = current_database() AND backend_type = 'client backend'
          AND pid <> pg_backend_pid() AND pid <> \(excluded)
        """
    }

    @Test func aSmallBacklogIsMovedByOneMoverAndAFullBatchBringsInTheOthers() async throws {
        let database = try await TestDatabase.create("worker_movers")
        let worker = fourMoverWorker(database)
        let workerBackends = workerBackends()

        do {
            try await database.withClient { try await database.stage((0..<300).map { track($0) }, client: $0) }
            await worker.drain()
            #expect(try await database.scalar("SELECT count(*)::int FROM events") == 300)
            #expect(try await database.scalar("SELECT count(DISTINCT xmin::text)::int FROM events") == 1)
            try await waitUntil("one mover took the small backlog whole") {
                try await database.scalar(workerBackends) == 1
            }

            try await database.withClient { try await database.stage((300..<3_300).map { track($0) }, client: $0) }
            await worker.drain()
            #expect(try await database.scalar("SELECT count(*)::int FROM events") == 3_300)
            try await waitUntil("all four movers joined once a claim came back full") {
                try await database.scalar(workerBackends) == 4
            }
        } catch {
            await worker.connections.closeAll()
            throw error
        }
        await worker.connections.closeAll()
        try await database.drop()
    }

    @Test func moversLeaveRoomForOtherReplicasMoves() {
        #expect(Worker.movers(concurrency: 2, elsewhere: 0) == 2)
        #expect(Worker.movers(concurrency: 2, elsewhere: 1) == 1)
        #expect(Worker.movers(concurrency: 2, elsewhere: 3) == 1)
        #expect(Worker.movers(concurrency: 4, elsewhere: 1) == 3)
    }

    @Test func aReplicaRunsFewerMoversWhileAnotherReplicaMoves() async throws {
        let database = try await TestDatabase.create("worker_replicas")
        let worker = fourMoverWorker(database)
        try await database.withClient { try await database.stage((0..<3_300).map { track($0) }, client: $0) }
        // Another replica's move in flight: a transaction holding the movers' lock, open throughout.
        let other = try await PostgresConnection.connect(
            configuration: database.url.connectionConfiguration(), id: 1, logger: database.logger)
        do {
            try await other.query("BEGIN", logger: database.logger)
            try await MoveStore.announceMove(on: other, logger: database.logger)
            #expect(try await MoveStore.movesInFlight(on: other, logger: database.logger) == 1)
            await worker.drain()
            #expect(try await database.scalar("SELECT count(*)::int FROM events") == 3_300)
            let otherPID = try await other.query("SELECT pg_backend_pid()", logger: database.logger)
                .decode(Int.self).reduce(0) { $1 }
            try await waitUntil("three movers joined, one fewer than configured") {
                try await database.scalar(workerBackends(excluding: otherPID)) == 3
            }
            try await other.query("COMMIT", logger: database.logger)
            #expect(try await MoveStore.movesInFlight(on: other, logger: database.logger) == 0)
        } catch {
            await worker.connections.closeAll()
            try? await other.close()
            throw error
        }
        await worker.connections.closeAll()
        try await other.close()
        try await database.drop()
    }

    @Test func aMessageThatBreaksTheMoveIsSetAsideAndTheRestFlows() async throws {
        // A valid message the database refuses (a CHECK stands in for whatever a future bug might be):
        // its batch fails until it is alone, then it is set aside.
        try await expectPoisonSetAside(in: "worker_poison")
    }

    @Test func lateEventsGetTheirPartitionAndTooOldOnesAReason() async throws {
        let database = try await TestDatabase.create("worker_partitions")
        let today = UTCDay(Date())
        let late = today.adding(days: -100)
        let ancient = today.adding(days: -500)
        try await database.withWorkers { client, _ in
            try await database.stage(
                [
                    track(1, timestamp: "\(late)T08:00:00Z", messageId: "late"),
                    track(2, timestamp: "\(ancient)T08:00:00Z", messageId: "ancient"),
                ], client: client)
            try await database.waitUntilDrained()
            let partitions = try await database.withConnection {
                try await PartitionStore.list(on: $0, logger: database.logger)
            }
            #expect(partitions.contains(late) && !partitions.contains(ancient))
        }
        #expect(try await database.scalar("SELECT count(*)::int FROM events WHERE message_id = 'late'") == 1)
        #expect(
            try await database.scalar("SELECT count(*)::int FROM failed_events WHERE reason = 'outside_retention'") == 1
        )
        #expect(
            try await database.scalar(
                "SELECT partdefid::int FROM pg_partitioned_table WHERE partrelid = 'events'::regclass") == 0,
            "events has no default partition")
        try await database.drop()
    }
}
