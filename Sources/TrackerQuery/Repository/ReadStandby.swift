import PostgresNIO

/// A streaming standby the query API reads from (`TRACKER_READ_DATABASE_URL`).
public struct ReadStandby: Sendable {
    public var client: PostgresClient
    /// `/readyz` fails while the standby's replay is further behind (`TRACKER_READ_MAX_LAG_SECONDS`).
    public var maxLag: Duration

    public init(client: PostgresClient, maxLag: Duration = .seconds(30)) {
        self.client = client
        self.maxLag = maxLag
    }
}
