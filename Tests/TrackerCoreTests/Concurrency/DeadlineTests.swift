import Foundation
import Synchronization
import Testing
import TrackerTestSupport

@testable import TrackerCore

@Suite struct DeadlineTests {
    @Test func theOperationsResultWins() async throws {
        #expect(try await raceAgainstDeadline(.seconds(10)) { 42 } == 42)
        await #expect(throws: Oops.self) { try await raceAgainstDeadline(.seconds(10)) { throw Oops() } }
    }

    @Test func aHungOperationIsAbandonedAtTheDeadline() async throws {
        let release = AsyncStream<Void>.makeStream()
        await #expect(throws: DeadlineExceeded.self) {
            try await raceAgainstDeadline(.milliseconds(50)) {
                // Ignores cancellation, like a query on a dead connection.
                for await _ in release.stream {}
            }
        }
        release.continuation.finish()
    }

    @Test func theWatcherAbandonsTheOperation() async throws {
        let release = AsyncStream<Void>.makeStream()
        await #expect(throws: ConnectionLost.self) {
            try await raceAgainstDeadline(.seconds(10), abandonWhen: {}) {
                for await _ in release.stream {}
            }
        }
        release.continuation.finish()
    }

    /// A watcher that returns normally once cancelled (as a standby monitor's wait does) never
    /// beats the operation whose end cancelled it: reads through a standby were answered 503 so.
    /// The cancellation handler holds the cancelling thread for a moment, the window in which the
    /// returning watcher used to settle first.
    @Test func aWatcherCancelledByTheOperationsEndNeverWins() async throws {
        for round in 0..<20 {
            let value = try await raceAgainstDeadline(
                .seconds(10),
                abandonWhen: {
                    let (stream, continuation) = AsyncStream<Void>.makeStream()
                    await withTaskCancellationHandler {
                        for await _ in stream {}
                    } onCancel: {
                        continuation.finish()
                        usleep(20_000)
                    }
                }
            ) { round }
            #expect(value == round)
        }
    }

    @Test func cancellingTheCallerEndsTheRace() async throws {
        let release = AsyncStream<Void>.makeStream()
        let caller = Task { try await raceAgainstDeadline(.seconds(10)) { for await _ in release.stream {} } }
        caller.cancel()
        await #expect(throws: CancellationError.self) { try await caller.value }
        release.continuation.finish()
    }

    /// A settlement outlives no race, however it ends: one that a stored closure referred back to
    /// was leaked on every call.
    @Test(arguments: [Outcome.returns, .throws, .hangs])
    func nothingOutlivesTheRace(_ outcome: Outcome) async throws {
        let watch = Watch()
        let release = AsyncStream<Void>.makeStream()
        do {
            let settlement = Settlement<Int>()
            watch.watch(settlement)
            _ = try? await race(.milliseconds(50), abandonWhen: nil, settlement: settlement) {
                switch outcome {
                case .returns: return 1
                case .throws: throw Oops()
                case .hangs:
                    for await _ in release.stream {}
                    return 0
                }
            }
        }
        release.continuation.finish()
        try await waitUntil("the settlement is released") { watch.isReleased }
    }

    enum Outcome: Sendable, CaseIterable { case returns, `throws`, hangs }
    struct Oops: Error {}
}

/// A weak reference to a settlement that the test can poll from any task.
final class Watch: Sendable {
    private struct Box { weak var settlement: Settlement<Int>? }
    private let box = Mutex(Box())

    func watch(_ settlement: Settlement<Int>) { box.withLock { $0.settlement = settlement } }
    var isReleased: Bool { box.withLock { $0.settlement == nil } }
}
