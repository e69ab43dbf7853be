import Synchronization

/// Thrown when the connection an operation ran on closed before the operation returned.
public struct ConnectionLost: Error, Sendable {
    public init() {}
}

/// Thrown when an operation outlives its deadline.
public struct DeadlineExceeded: Error, Sendable {
    public init() {}
}

/// Runs `operation`, cancelling it after `timeout`: a database that stopped answering must turn into
/// an error the caller can report, never a request that hangs.
public func withDeadline<Result: Sendable>(
    _ timeout: Duration,
    _ operation: @Sendable @escaping () async throws -> Result
) async throws -> Result {
    try await withThrowingTaskGroup(of: Result.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw DeadlineExceeded()
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

/// Like `withDeadline`, but does not wait for `operation` to notice its cancellation: a query whose
/// backend was terminated was seen to never return, and a worker must not hang with it. The
/// abandoned operation is cancelled and left to finish (or not) on its own. It is also abandoned,
/// with `ConnectionLost`, as soon as `abandonWhen` returns; it is cancelled once the race is settled.
public func raceAgainstDeadline<Result: Sendable>(
    _ timeout: Duration,
    abandonWhen: (@Sendable () async throws -> Void)? = nil,
    _ operation: @Sendable @escaping () async throws -> Result
) async throws -> Result {
    let settled = SettledFlag()
    let work = Task { try await operation() }
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            let watcher = abandonWhen.map { abandonWhen in
                Task {
                    guard (try? await abandonWhen()) != nil, settled.claim() else { return }
                    work.cancel()
                    continuation.resume(throwing: ConnectionLost())
                }
            }
            let deadline = Task {
                guard (try? await Task.sleep(for: timeout)) != nil, settled.claim() else { return }
                work.cancel()
                watcher?.cancel()
                continuation.resume(throwing: DeadlineExceeded())
            }
            Task {
                let result = await work.result
                // Without this, every call would leave a task sleeping out the whole timeout.
                deadline.cancel()
                watcher?.cancel()
                if settled.claim() { continuation.resume(with: result) }
            }
            settled.onCancel = { if settled.claim() { continuation.resume(throwing: CancellationError()) } }
        }
    } onCancel: {
        work.cancel()
        settled.cancel()
    }
}

/// Whichever of the operation, the deadline and the caller's cancellation comes first resumes the
/// caller, exactly once.
private final class SettledFlag: Sendable {
    private let settled = Atomic<Bool>(false)
    private let state = Mutex<(cancelled: Bool, onCancel: (@Sendable () -> Void)?)>((false, nil))

    func claim() -> Bool { !settled.exchange(true, ordering: .acquiringAndReleasing) }

    var onCancel: (@Sendable () -> Void)? {
        get { state.withLock { $0.onCancel } }
        set {
            let runNow = state.withLock { state -> Bool in
                state.onCancel = newValue
                return state.cancelled
            }
            if runNow { newValue?() }
        }
    }

    func cancel() {
        let handler = state.withLock { state -> (@Sendable () -> Void)? in
            state.cancelled = true
            return state.onCancel
        }
        handler?()
    }
}
