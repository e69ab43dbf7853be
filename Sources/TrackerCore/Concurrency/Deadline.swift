import Synchronization

/// Thrown when the connection an operation ran on closed before the operation returned.
public struct ConnectionLost: Error, Sendable {
    public init() {}
}

/// Thrown when an operation outlives its deadline.
public struct DeadlineExceeded: Error, Sendable {
    public init() {}
}

/// Runs `operation`, giving up on it after `timeout`: a database that stopped answering must turn
/// into an error the caller can report, never a request or a worker that hangs. It does not wait
/// for `operation` to notice its cancellation (a query whose backend was terminated was seen to
/// never return, and a COPY blocked on a lock notices only once it gets the lock): the abandoned
/// operation is cancelled and left to finish (or not) on its own. It is also abandoned, with
/// `ConnectionLost`, as soon as `abandonWhen` returns; it is cancelled once the race is settled.
public func raceAgainstDeadline<Result: Sendable>(
    _ timeout: Duration,
    abandonWhen: (@Sendable () async throws -> Void)? = nil,
    _ operation: @Sendable @escaping () async throws -> Result
) async throws -> Result {
    try await race(timeout, abandonWhen: abandonWhen, settlement: Settlement(), operation)
}

/// `raceAgainstDeadline` with the settlement given, so a test can watch it being released.
func race<Result: Sendable>(
    _ timeout: Duration,
    abandonWhen: (@Sendable () async throws -> Void)?,
    settlement: Settlement<Result>,
    _ operation: @Sendable @escaping () async throws -> Result
) async throws -> Result {
    let work = Task { try await operation() }
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            settlement.install(continuation)
            let watcher = abandonWhen.map { abandonWhen in
                Task {
                    // A watcher cancelled because the operation finished may return normally too.
                    guard (try? await abandonWhen()) != nil, !Task.isCancelled,
                        settlement.settle(.failure(ConnectionLost()))
                    else { return }
                    work.cancel()
                }
            }
            let deadline = Task {
                guard (try? await Task.sleep(for: timeout)) != nil, settlement.settle(.failure(DeadlineExceeded()))
                else { return }
                work.cancel()
                watcher?.cancel()
            }
            Task {
                // Settled before the watcher is cancelled, so a cancelled watcher finds it settled.
                settlement.settle(await work.result)
                // Without this, every call would leave a task sleeping out the whole timeout.
                deadline.cancel()
                watcher?.cancel()
            }
        }
    } onCancel: {
        work.cancel()
        settlement.settle(.failure(CancellationError()))
    }
}

/// Whichever of the operation, the deadline, the watcher and the caller's cancellation comes first
/// resumes the caller, exactly once. It holds the continuation only until then and no closure, so
/// nothing refers back to it: a stored cancellation closure that captured the settlement would be a
/// cycle, leaked on every call.
final class Settlement<Value: Sendable>: Sendable {
    private enum State {
        case idle
        case waiting(CheckedContinuation<Value, any Error>)
        /// Settled before the continuation existed (only cancellation can be that early).
        case early(Swift.Result<Value, any Error>)
        case done
    }

    private let state = Mutex<State>(.idle)

    func install(_ continuation: CheckedContinuation<Value, any Error>) {
        let early = state.withLock { state -> Swift.Result<Value, any Error>? in
            if case .early(let result) = state {
                state = .done
                return result
            }
            state = .waiting(continuation)
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    /// Resumes the caller with `result` unless it was resumed already; says whether it won.
    @discardableResult
    func settle(_ result: Swift.Result<Value, any Error>) -> Bool {
        let continuation = state.withLock { state -> CheckedContinuation<Value, any Error>? in
            switch state {
            case .idle:
                state = .early(result)
                return nil
            case .waiting(let continuation):
                state = .done
                return continuation
            case .early, .done:
                return nil
            }
        }
        continuation?.resume(with: result)
        return continuation != nil
    }
}
