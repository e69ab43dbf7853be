import Foundation
import Logging
import PostgresNIO

/// The live tail's reads: positions from the log (`event_stream`), then their events from `events`.
///
/// Two statements, not a join: naming the events' timestamps as bound values lets the planner
/// open only the partitions they fall in, while a join would plan every daily partition (tens of
/// milliseconds at a year's retention) on every read.
struct EventStreamStore: Sendable {
    /// Where the reads go: the primary, or a read standby.
    let client: ReadClient
    /// The primary when `client` is a standby: each read first waits until the standby has
    /// replayed the primary's WAL as of that moment, so an event announced by NOTIFY (sent by the
    /// primary after its commit) is there to read.
    var primary: PostgresClient? = nil
    let logger: Logger
    let metrics = QueryMetrics()
    /// How long a read waits for the standby to catch up before it fails (and the next wake-up
    /// reads again from the same position).
    var replayWait: Duration = .seconds(5)

    /// What one read found: the matching events in stream order, and how far the log was read
    /// (`nil` when it held nothing new).
    struct Page: Sendable {
        var rows: [StreamRow]
        var end: StreamPosition?
        var logRows: Int
    }

    struct NoHorizon: Error {}

    /// Where a stream that starts now begins: every earlier transaction has finished.
    func horizon() async throws -> StreamPosition {
        try await metrics.timed("stream_horizon") {
            let rows = try await client.query(
                "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::int8", logger: logger)
            for try await xid in rows.decode(Int64.self) { return StreamPosition(xid: xid, id: 0) }
            throw NoHorizon()
        }
    }

    /// Up to `limit` log rows after `after` (and not after `through`), with the events among them
    /// that `filter` keeps.
    func read(after: StreamPosition, through: StreamPosition? = nil, limit: Int, filter: StreamFilter = .init())
        async throws -> Page
    {
        if let primary { try await awaitReplay(of: primary) }
        let log = try await positions(after: after, through: through, limit: limit)
        guard let last = log.last else { return Page(rows: [], end: nil, logRows: 0) }
        let events = try await self.events(log, filter: filter)
        let rows = log.compactMap { entry -> StreamRow? in
            guard var row = events[entry.position.id] else { return nil }
            row.position = entry.position
            return row
        }
        return Page(rows: rows, end: last.position, logRows: log.count)
    }

    /// Waits until the standby has replayed what the primary has written now. The log's rule
    /// (transactions below the snapshot's xmin) then holds on the standby too: its snapshots count
    /// every transaction it has seen WAL of, or of a later one, as running until it replays the end.
    private func awaitReplay(of primary: PostgresClient) async throws {
        try await metrics.timed("stream_replay_wait") {
            let deadline = ContinuousClock.now + replayWait
            let rows = try await primary.query("SELECT pg_current_wal_lsn()::text", logger: logger)
            for try await lsn in rows.decode(String.self) {
                try await StandbyReplay.waitForReplay(of: lsn, on: client, deadline: deadline, logger: logger)
            }
        }
    }

    private func positions(after: StreamPosition, through: StreamPosition?, limit: Int) async throws -> [(
        position: StreamPosition, timestamp: Date
    )] {
        var binds = PostgresBindings()
        binds.append(String(after.xid))
        binds.append(after.id)
        var bound = ""
        if let through {
            binds.append(String(through.xid))
            binds.append(through.id)
            bound = "AND (stored_xid, id) <= ($3::text::xid8, $4::int8)"
        }
        binds.append(limit)
        let sql = """
            SELECT stored_xid::text::int8, id, timestamp FROM event_stream
            WHERE (stored_xid, id) > ($1::text::xid8, $2::int8)
              AND stored_xid < pg_snapshot_xmin(pg_current_snapshot()) \(bound)
            ORDER BY stored_xid, id LIMIT $\(binds.count)
            """
        return try await metrics.timed("stream_log") {
            let rows = try await client.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
            var result: [(StreamPosition, Date)] = []
            for try await (xid, id, timestamp) in rows.decode((Int64, Int64, Date).self) {
                result.append((StreamPosition(xid: xid, id: id), timestamp))
            }
            return result
        }
    }

    /// The events of `log` that `filter` keeps, by id; erased ones and those of dropped partitions
    /// are simply missing.
    private func events(_ log: [(position: StreamPosition, timestamp: Date)], filter: StreamFilter) async throws
        -> [Int64: StreamRow]
    {
        var binds = PostgresBindings()
        binds.append(Array(Set(log.map(\.timestamp))))
        binds.append(log.map(\.position.id))
        let conditions =
            ["e.timestamp = ANY($1::timestamptz[])", "e.id = ANY($2::int8[])"]
            + PostgresQueryRepository.conditions(
                EventFilter(userId: filter.userId, event: filter.event, type: filter.type), binds: &binds)
        let sql = """
            SELECT e.id, e.event, e.user_id, e.type, row_to_json(r)::text
            FROM events AS e, \(PostgresQueryRepository.eventObject)
            \(PostgresQueryRepository.whereClause(conditions))
            """
        return try await metrics.timed("stream_events") {
            let rows = try await client.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
            var result: [Int64: StreamRow] = [:]
            for try await (id, event, userId, type, json) in rows.decode((Int64, String?, String?, String, String).self)
            {
                result[id] = StreamRow(
                    position: StreamPosition(xid: 0, id: id), event: event, userId: userId, type: type, json: json)
            }
            return result
        }
    }
}
