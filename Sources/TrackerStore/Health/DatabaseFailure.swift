import PostgresNIO
import TrackerCore

/// Whether `error` says the connection to PostgreSQL failed (unreachable, closed, shut down,
/// terminated, timed out) rather than that the database refused the statement: the worker retries
/// such a batch as it is, and the HTTP servers answer 503 instead of 500.
public func isConnectionFailure(_ error: any Error) -> Bool {
    switch error {
    case is DeadlineExceeded, is CancellationError: return true
    case let error as PostgresTransactionError: return error.causes.contains(where: isConnectionFailure)
    case let error as PSQLError:
        switch error.code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .poolClosed, .queryCancelled:
            return true
        case .server:
            // Class 08 (connection exception) and 57 (operator intervention: shutdown, terminate), but
            // not a cancelled statement, after which the connection is as good as before.
            let state = error.sqlState ?? ""
            return state.hasPrefix("08") || (state.hasPrefix("57") && state != queryCanceled)
        default:
            return false
        }
    default:
        return false
    }
}

/// Whether `error` says PostgreSQL cancelled a statement (SQLSTATE 57014): it ran past the role's
/// `statement_timeout`, or an operator cancelled it. Retrying it as it was would only time out again,
/// so the worker halves its next claim and the query API asks for a narrower range.
public func isStatementTimeout(_ error: any Error) -> Bool {
    switch error {
    case let error as PostgresTransactionError: error.causes.contains(where: isStatementTimeout)
    case let error as PSQLError: error.code == .server && error.sqlState == queryCanceled
    default: false
    }
}

/// `query_canceled`, what PostgreSQL reports for `statement_timeout` and `pg_cancel_backend` alike.
private let queryCanceled = "57014"

extension PSQLError {
    fileprivate var sqlState: String? { serverInfo?[.sqlState] }
}

extension PostgresTransactionError {
    /// The failures of the transaction's steps, in order.
    fileprivate var causes: [any Error] {
        [beginError, closureError, commitError, rollbackError].compactMap { $0 }
    }
}
