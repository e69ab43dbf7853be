import Foundation

/// A place in the live tail's order: the storing transaction's id (`xid8`), then the event id.
///
/// Rows are read only below `pg_snapshot_xmin(pg_current_snapshot())`: every transaction with a
/// smaller id has finished, so no row can still appear before that point, and a client that has
/// every row up to a position has every row it will ever see there — even when transactions
/// committed in another order than they began (a sequence or a timestamp would skip a late commit).
/// The cost: the tail waits for the oldest transaction still running that wrote anything.
public struct StreamPosition: Comparable, Hashable, Sendable {
    public var xid: Int64
    public var id: Int64

    public init(xid: Int64, id: Int64) {
        self.xid = xid
        self.id = id
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.xid, lhs.id) < (rhs.xid, rhs.id)
    }

    /// The `id:` of a server-sent event: the position and when it was handed out, so a resume
    /// older than the log's window is refused instead of silently skipping what was deleted.
    func cursor(at time: Date) -> String {
        PageCursor(kind: "s", keys: [xid, id, Int64(time.timeIntervalSince1970)], filters: []).text
    }

    /// Reads a `Last-Event-ID`; `nil` when it is not one this API wrote. `issuedAt` is when it was
    /// handed out.
    static func parse(cursor text: String) -> (position: StreamPosition, issuedAt: Date)? {
        guard let cursor = try? PageCursor(parsing: text, kind: "s", keyCount: 3, filters: []),
            cursor.keys[0] >= 0, cursor.keys[1] >= 0
        else { return nil }
        return (
            StreamPosition(xid: cursor.keys[0], id: cursor.keys[1]), Date(timeIntervalSince1970: Double(cursor.keys[2]))
        )
    }
}

/// Which events a stream client wants; every field narrows it.
struct StreamFilter: Sendable, Equatable {
    var event: String?
    var userId: String?
    var type: String?

    func matches(_ row: StreamRow) -> Bool {
        (event == nil || row.event == event) && (userId == nil || row.userId == userId)
            && (type == nil || row.type == type)
    }
}

/// A stored event as the stream sends it: the fields the filters look at and its JSON, which is
/// `/v1/events`' rendering of it.
struct StreamRow: Sendable {
    var position: StreamPosition
    var event: String?
    var userId: String?
    var type: String
    var json: String
}
