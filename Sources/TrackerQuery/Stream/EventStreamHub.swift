import Foundation
import Logging
import Metrics
import NIOCore
import Synchronization

/// Feeds every stream client of this process from one reader: after each wake-up it reads what is
/// new once, for all clients, and hands each client the events its filter keeps. A client whose
/// buffer is full is dropped (its connection closed), so a slow reader costs a bounded amount of
/// memory and never holds the others back.
///
/// A client joins at a position at or after the reader's: one that resumes from further back first
/// reads the rows in between itself (`EventStreamController`), then joins, so it gets every event
/// once, in order.
final class EventStreamHub: Sendable {
    enum Message: Sendable {
        /// The events of one read that the client's filter keeps, written at once: one write
        /// per wake-up and client, not one per event.
        case events(ByteBuffer, count: Int)
        case heartbeat
    }

    /// Events handed to a client and not yet written to its connection.
    final class Backlog: Sendable {
        let events = Atomic<Int>(0)
    }

    struct Subscriber: Sendable {
        var filter: StreamFilter
        /// Rows up to here were sent before the client joined.
        var cursor: StreamPosition
        var continuation: AsyncStream<Message>.Continuation
        var backlog: Backlog
        /// Closes the client's connection: a dropped client may be stuck writing to a full socket.
        var close: @Sendable () -> Void
    }

    enum Joining {
        case joined(id: Int)
        /// The reader is further on: read up to this position first.
        case behind(StreamPosition)
    }

    private struct State {
        /// How far the shared reader has read; `nil` while no client has joined.
        var position: StreamPosition?
        /// Changes whenever `position` is set other than by a read, so an older read is discarded.
        var generation = 0
        var subscribers: [Int: Subscriber] = [:]
        var nextID = 0
        var open = 0
    }

    let settings: LiveTailSettings
    let store: EventStreamStore
    let metrics = StreamMetrics()
    private let state = Mutex(State())

    init(settings: LiveTailSettings, store: EventStreamStore) {
        self.settings = settings
        self.store = store
    }

    /// A place for one more client, or `nil` at the limit.
    func open() -> StreamSlot? {
        let opened = state.withLock { state in
            guard state.open < settings.maxClients else { return nil as Int? }
            state.open += 1
            return state.open
        }
        guard let opened else {
            metrics.dropped(reason: "limit")
            return nil
        }
        metrics.clients.record(opened)
        return StreamSlot(hub: self)
    }

    fileprivate func close() {
        metrics.clients.record(
            state.withLock { state in
                state.open -= 1
                return state.open
            })
    }

    /// Where the shared reader is; `nil` while it is idle.
    var position: StreamPosition? { state.withLock { $0.position } }

    /// Joins the shared feed at `subscriber.cursor`, unless the reader is already further on.
    func join(_ subscriber: Subscriber) -> Joining {
        state.withLock { state in
            if let position = state.position, subscriber.cursor < position { return .behind(position) }
            if state.position == nil {
                state.position = subscriber.cursor
                state.generation += 1
            }
            state.nextID += 1
            state.subscribers[state.nextID] = subscriber
            return .joined(id: state.nextID)
        }
    }

    func leave(_ id: Int) {
        state.withLock { state in
            state.subscribers[id] = nil
            if state.subscribers.isEmpty {
                state.position = nil
                state.generation += 1
            }
        }
    }

    /// Reads everything new and hands it out; one caller at a time (the listener's loop).
    func readNew() async throws {
        while true {
            guard let (start, generation) = state.withLock({ state in state.position.map { ($0, state.generation) } })
            else { return }
            let page = try await store.read(after: start, limit: settings.pageSize)
            guard let end = page.end else { return }
            let now = Date()
            let rendered = page.rows.map { ($0, Self.render($0, at: now)) }
            let dropped = state.withLock { state -> [Subscriber] in
                guard state.generation == generation, state.position == start else { return [] }
                state.position = end
                var dropped: [Subscriber] = []
                for (id, subscriber) in state.subscribers {
                    var bytes = ByteBuffer()
                    var count = 0
                    for (row, event) in rendered
                    where row.position > subscriber.cursor && subscriber.filter.matches(row) {
                        bytes.writeImmutableBuffer(event)
                        count += 1
                    }
                    guard count > 0 else { continue }
                    let backlog = subscriber.backlog.events.add(count, ordering: .relaxed).newValue
                    guard backlog <= settings.clientBuffer,
                        case .enqueued = subscriber.continuation.yield(.events(bytes, count: count))
                    else {
                        state.subscribers[id] = nil
                        dropped.append(subscriber)
                        continue
                    }
                }
                if state.subscribers.isEmpty {
                    state.position = nil
                    state.generation += 1
                }
                return dropped
            }
            for subscriber in dropped {
                metrics.dropped(reason: "slow")
                subscriber.continuation.finish()
                subscriber.close()
            }
            if page.logRows < settings.pageSize { return }
        }
    }

    /// One server-sent event: the position as its id, the event's JSON as its data (one line:
    /// `row_to_json` writes no newline).
    static func render(_ row: StreamRow, at time: Date) -> ByteBuffer {
        ByteBuffer(string: "id: \(row.position.cursor(at: time))\ndata: \(row.json)\n\n")
    }
}

/// One client's place under `TRACKER_STREAM_MAX_CLIENTS`, given back when the stream ends — or when
/// its response is dropped before its body ran.
final class StreamSlot: Sendable {
    private let hub: EventStreamHub
    private let released = Atomic<Bool>(false)

    fileprivate init(hub: EventStreamHub) {
        self.hub = hub
    }

    func release() {
        if !released.exchange(true, ordering: .relaxed) { hub.close() }
    }

    deinit { release() }
}
