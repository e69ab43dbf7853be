/// One versioned SQL file of `migrations/`.
public struct Migration: Sendable, Equatable {
    /// The file name, e.g. `0001_ingest_staging.sql`; names sort in the order they apply.
    public var name: String
    public var sql: String

    public init(name: String, sql: String) {
        self.name = name
        self.sql = sql
    }
}
