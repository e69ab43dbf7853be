import PostgresNIO

/// Whether `error` says the connection to PostgreSQL failed (unreachable, closed, shut down,
/// terminated, timed out) rather than that the database refused the statement: the worker retries
/// such a batch as it is, and the HTTP servers answer 503 instead of 500.
public func isConnectionFailure(_ error: any Error) -> Bool {
    switch error {
    case is DeadlineExceeded, is CancellationError: return true
    case let error as PostgresTransactionError:
        return [error.beginError, error.closureError, error.commitError, error.rollbackError]
            .compactMap { $0 }.contains(where: isConnectionFailure)
    case let error as PSQLError:
        switch error.code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .poolClosed, .queryCancelled:
            return true
        case .server:
            // Class 08 (connection exception) and 57 (operator intervention: shutdown, terminate).
            let state = error.serverInfo?[.sqlState] ?? ""
            return state.hasPrefix("08") || state.hasPrefix("57")
        default:
            return false
        }
    default:
        return false
    }
}
