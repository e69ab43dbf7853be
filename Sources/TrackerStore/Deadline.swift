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
