import Foundation
import Logging
import NIOCore
import PostgresNIO
import Synchronization
import TrackerCore

/// Where the collector writes accepted messages: one `COPY` in a transaction of its own per group
/// commit.
public struct StagingStore: Sendable {
    let client: PostgresClient

    public init(client: PostgresClient) {
        self.client = client
    }

    /// Inserts `rows` and returns once their `COMMIT` is known to have succeeded; throws
    /// `StagingInsertError.unstorable` when PostgreSQL refuses the rows' contents.
    ///
    /// Everything before `COMMIT` (a pooled connection included) is raced against `deadline`: when
    /// it passes, `COMMIT` is never sent and the connection is closed (the server rolls back), so a
    /// request answered 503 was not stored. Once `COMMIT` is sent, its outcome decides, however long
    /// it takes: if its answer is lost (the connection failed, or it outlived `commitTimeout`), the
    /// server is asked what became of the transaction (`transactionCommitted`), so a request that was
    /// committed is never answered 503 and then stored again by the client's retry, and one that was
    /// not is never answered 202.
    public func insert(
        _ rows: [StagedRows], deadline: Duration, commitTimeout: Duration = .seconds(60), logger: Logger
    ) async throws {
        // One CopyData message: postgres-nio flushes the socket on every write, and a flush of many
        // small requests written one by one may not finish within the flush deadline.
        var data = rows.first?.text ?? ByteBuffer()
        if rows.count > 1 {
            data = ByteBuffer()
            data.reserveCapacity(rows.reduce(0) { $0 + $1.text.readableBytes })
            for request in rows { data.writeImmutableBuffer(request.text) }
        }
        let envelopes = rows.flatMap(\.envelopes)
        let flush = FlushState()
        let work = Task { [data, client] in
            try await client.withConnection { connection in
                flush.use(connection)
                let transaction: Int64
                do {
                    transaction = try await Self.prepare(
                        data, envelopes: envelopes, on: connection, copying: flush, logger: logger)
                } catch {
                    if let reason = Self.refusal(error) {
                        _ = try? await connection.query("ROLLBACK", logger: logger)
                        throw StagingInsertError.unstorable(reason)
                    }
                    throw error
                }
                guard flush.startCommit() else { throw DeadlineExceeded() }
                do {
                    try await raceAgainstDeadline(
                        commitTimeout, abandonWhen: { try await connection.waitUntilClosed() }
                    ) {
                        try await connection.query("COMMIT", logger: logger)
                    }
                } catch {
                    connection.startClosing()
                    guard
                        try await transactionCommitted(
                            transaction, writing: MessageKeys(copyText: data), logger: logger)
                    else { throw error }
                    logger.notice("a commit's answer was lost, but the transaction committed")
                }
            }
        }
        do {
            try await raceAgainstDeadline(deadline) { try await work.value }
        } catch is DeadlineExceeded {
            // Past the deadline before COMMIT: abandon (closing rolls back whatever still runs).
            // Already committing: only the outcome may answer.
            guard let connection = flush.abandon() else { return try await work.value }
            connection?.startClosing()
            work.cancel()
            throw DeadlineExceeded()
        }
    }

    /// Opens the transaction, stores the envelopes and COPYs the rows; returns the transaction's id.
    /// Acknowledged only after the explicit `COMMIT`: an autocommit COPY completes (CommandComplete,
    /// where postgres-nio returns) before the commit PostgreSQL runs at the Sync after it.
    static func prepare(
        _ data: ByteBuffer, envelopes: [StagedEnvelope], on connection: PostgresConnection,
        copying flush: FlushState = FlushState(), logger: Logger
    ) async throws -> Int64 {
        try await connection.query("BEGIN", logger: logger)
        if !envelopes.isEmpty {
            try await connection.query(
                """
                INSERT INTO ingest_envelopes (id, envelope)
                SELECT * FROM unnest(\(envelopes.map(\.id))::uuid[], \(envelopes.map(\.text))::text[])
                """,
                logger: logger)
        }
        guard flush.startCopy() else { throw DeadlineExceeded() }
        do {
            try await connection.copyFrom(table: "ingest_staging", columns: StagedRows.copyColumns, logger: logger) {
                writer in
                try await writer.write(data)
            }
        } catch {
            if flush.endCopy() { connection.startClosing() }
            throw error
        }
        if flush.endCopy() { connection.startClosing() }
        let rows = try await connection.query("SELECT txid_current()", logger: logger)
        for try await id in rows.decode(Int64.self) { return id }
        throw PostgresDecodingError.Code.missingData
    }

    /// Whether transaction `id`, which staged the messages `keys`, committed: asked on another
    /// connection for up to `patience`; false when it aborted or the server cannot tell in time.
    ///
    /// `txid_status` alone is no proof: after a crash, the server hands out again the transaction ids
    /// whose records never reached its disk, so the id of a commit that was lost with the crash can
    /// come back "committed" for another transaction. A commit counts only once every message it
    /// staged is also found (staged, in the dedupe window, or failed).
    func transactionCommitted(
        _ id: Int64, writing keys: MessageKeys, patience: Duration = .seconds(10), logger: Logger
    ) async throws -> Bool {
        let end = ContinuousClock.now + patience
        while ContinuousClock.now < end {
            let status = try? await raceAgainstDeadline(.seconds(2)) { [client] in
                let rows = try await client.query("SELECT txid_status(\(id))", logger: logger)
                for try await status in rows.decode(String?.self) { return status }
                return nil
            }
            switch status {
            case "committed"?:
                let found = try? await raceAgainstDeadline(.seconds(5)) {
                    try await self.allFound(keys, logger: logger)
                }
                if found == false {
                    logger.warning("a lost commit's transaction id names another transaction now: the flush was lost")
                }
                if let found { return found }
            case "aborted"?: return false
            default: break
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        return false
    }

    /// Whether every message of `keys` is staged, in the dedupe window or failed, in one snapshot.
    func allFound(_ keys: MessageKeys, logger: Logger) async throws -> Bool {
        let rows = try await client.query(
            """
            SELECT NOT EXISTS (
                SELECT FROM unnest(\(keys.sources)::text[], \(keys.messageIds)::text[]) AS m(source, message_id)
                WHERE NOT EXISTS (SELECT FROM ingest_staging s WHERE s.source = m.source AND s.message_id = m.message_id)
                  AND NOT EXISTS (SELECT FROM event_dedupe d WHERE d.source = m.source AND d.message_id = m.message_id)
                  AND NOT EXISTS (SELECT FROM failed_events f WHERE f.source = m.source AND f.message_id = m.message_id))
            """,
            logger: logger)
        for try await found in rows.decode(Bool.self) { return found }
        return false
    }

    /// SQLSTATE classes 22 (data exception) and 23 (integrity constraint violation): the server is up
    /// and refused these rows.
    static func refusal(_ error: (any Error)?) -> String? {
        if let error = error as? PostgresTransactionError { return refusal(error.closureError) }
        guard let error = error as? PSQLError, let state = error.serverInfo?[.sqlState],
            state.hasPrefix("22") || state.hasPrefix("23")
        else { return nil }
        return error.serverInfo?[.message] ?? "data exception"
    }

    /// Wakes the workers. A hint only: it carries no data.
    public func notifyWorkers(logger: Logger) async throws {
        try await client.query("SELECT pg_notify(\(StagingChannel.name), '')", logger: logger)
    }

    public func backlog(logger: Logger) async throws -> StagingBacklog {
        try await client.withConnection { try await StagingBacklog.read(on: $0, logger: logger) }
    }
}

/// Why a staging insert failed.
public enum StagingInsertError: Error, Equatable, Sendable {
    /// PostgreSQL answered and refused the data itself (SQLSTATE class 22 or 23): the database is up, and
    /// retrying the same rows would fail again.
    case unstorable(String)
}

public enum StagingChannel {
    /// The LISTEN/NOTIFY channel that tells workers staging has new rows.
    public static let name = "tracker_staging"
}

/// Where a flush is: before `COMMIT` it may be abandoned, after it only its outcome counts. One
/// lock decides between the deadline and the `COMMIT`, so never both.
///
/// A flush abandoned during its `COPY` closes its connection only once the `COPY` returns (bounded
/// by the statement timeout): postgres-nio 1.33 traps when a connection closes in the middle of a
/// `COPY FROM STDIN`. The request is answered 503 at the deadline all the same.
final class FlushState: Sendable {
    private enum Stage {
        case preparing(PostgresConnection?)
        case copying(PostgresConnection?)
        case abandonedWhileCopying
        case committing
        case abandoned
    }

    private let stage = Mutex<Stage>(.preparing(nil))

    /// Records the flush's connection; closes it at once if the flush was abandoned meanwhile.
    func use(_ connection: PostgresConnection) {
        let abandoned = stage.withLock { stage in
            guard case .abandoned = stage else {
                stage = .preparing(connection)
                return false
            }
            return true
        }
        if abandoned { connection.startClosing() }
    }

    /// Enters the `COPY` unless the flush was abandoned; true when copying.
    func startCopy() -> Bool {
        stage.withLock { stage in
            switch stage {
            case .preparing(let connection):
                stage = .copying(connection)
                return true
            case .copying, .committing: return true
            case .abandoned, .abandonedWhileCopying: return false
            }
        }
    }

    /// Leaves the `COPY`; true when the flush was abandoned meanwhile and its connection must close now.
    func endCopy() -> Bool {
        stage.withLock { stage in
            switch stage {
            case .copying(let connection):
                stage = .preparing(connection)
                return false
            case .abandonedWhileCopying:
                stage = .abandoned
                return true
            case .preparing, .committing, .abandoned: return false
            }
        }
    }

    /// Moves on to `COMMIT` unless the flush was abandoned; true when committing.
    func startCommit() -> Bool {
        stage.withLock { stage in
            switch stage {
            case .preparing, .copying:
                stage = .committing
                return true
            case .committing: return true
            case .abandoned, .abandonedWhileCopying: return false
            }
        }
    }

    /// Marks the flush abandoned unless it is committing. Returns nil when it is committing, else
    /// the connection to close now (itself nil when none was taken yet, or while it is copying).
    func abandon() -> PostgresConnection?? {
        stage.withLock { stage -> PostgresConnection?? in
            switch stage {
            case .preparing(let connection):
                stage = .abandoned
                return .some(connection)
            case .copying:
                stage = .abandonedWhileCopying
                return .some(nil)
            case .abandoned, .abandonedWhileCopying: return .some(nil)
            case .committing: return .none
            }
        }
    }
}
