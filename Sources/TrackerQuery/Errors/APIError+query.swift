import TrackerHTTP
import TrackerStore

extension APIError {
    /// A read PostgreSQL cancelled at the role's statement timeout: the database is fine, the read
    /// too large, so the client is told to narrow it rather than that the database is down.
    static let queryTimeout = unavailable(
        "query_timeout",
        "The query took longer than the database allows; narrow the time range with from and to, or filter further, then retry.",
        retryAfter: 5)

    /// The query API's answers to failures of its database.
    @Sendable static func answeringQuery(_ error: any Error) -> APIError? {
        if isStatementTimeout(error) { return .queryTimeout }
        return isConnectionFailure(error) ? .databaseUnavailable : nil
    }
}
