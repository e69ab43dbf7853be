import Foundation
import Logging
import PostgresNIO
import TrackerCore
import TrackerStore

/// How far a streaming standby has replayed what its primary wrote.
///
/// `pg_last_xact_replay_timestamp()` alone stops advancing on an idle primary although nothing is
/// missing; so a standby that has replayed all it received counts as current (as of now, lag 0),
/// and only one with received WAL still to replay is as of its last replayed commit.
struct StandbyReplay: Sendable {
    /// Every change the primary committed before this time is visible on the standby.
    var asOf: Date
    /// Seconds the standby is behind; `nil` while it has received WAL but replayed no commit yet.
    var lagSeconds: Double?

    /// The state of the server `client` reads from; a primary (not in recovery) is current.
    static func read(from client: ReadClient, logger: Logger) async throws -> StandbyReplay {
        let rows = try await client.query(
            """
            SELECT CASE WHEN current THEN now ELSE coalesce(least(replayed, now), now) END,
                   CASE WHEN current THEN 0 ELSE extract(epoch FROM now - replayed)::float8 END
            FROM (
                SELECT statement_timestamp() AS now, pg_last_xact_replay_timestamp() AS replayed,
                       NOT pg_is_in_recovery()
                       OR coalesce(pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn(), false) AS current
            ) AS s
            """, logger: logger)
        for try await (asOf, lag) in rows.decode((Date, Double?).self) {
            return StandbyReplay(asOf: asOf, lagSeconds: lag.map { max($0, 0) })
        }
        throw PostgresDecodingError.Code.missingData
    }

    /// Waits until the standby `client` has replayed the primary's WAL up to `lsn` (text, as
    /// `pg_current_wal_lsn()` gives it), polling until `deadline`; throws `DeadlineExceeded` past it.
    static func waitForReplay(of lsn: String, on client: ReadClient, deadline: ContinuousClock.Instant, logger: Logger)
        async throws
    {
        while true {
            let rows = try await client.query(
                "SELECT NOT pg_is_in_recovery() OR pg_last_wal_replay_lsn() >= \(lsn)::pg_lsn", logger: logger)
            for try await replayed in rows.decode(Bool.self) where replayed { return }
            guard ContinuousClock.now < deadline else { throw DeadlineExceeded() }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}

extension PostgresQueryRepository {
    public func freshness() async throws -> Date {
        guard readsFromStandby else { return Date() }
        return try await metrics.timed("standby_replay") {
            try await StandbyReplay.read(from: client, logger: logger).asOf
        }
    }
}

/// `/readyz` of a query process reading a standby: the primary's migrations are current, and the
/// standby is at most `maxLag` behind (answered within two seconds, like the primary's check).
func standbyReadiness(primary: PostgresClient, standby: PostgresClient, maxLag: Duration, logger: Logger)
    -> @Sendable () async throws -> Bool
{
    let migrations = databaseReadiness(client: primary, logger: logger)
    let limit = Double(maxLag.components.seconds) + Double(maxLag.components.attoseconds) / 1e18
    return {
        guard try await migrations() else { return false }
        let replay = try await raceAgainstDeadline(.seconds(2)) {
            try await StandbyReplay.read(from: ReadClient(client: standby), logger: logger)
        }
        guard let lag = replay.lagSeconds, lag <= limit else {
            logger.notice("read standby behind", metadata: ["lag_seconds": "\(replay.lagSeconds ?? .infinity)"])
            return false
        }
        return true
    }
}
