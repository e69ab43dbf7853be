import Logging
import PostgresNIO
import TrackerStore

/// A database as the benchmarks see it before they write to it. They truncate and rewrite its
/// tables, so they run only on one of their own: one they marked (the table
/// `tracker_bench_marker`), or one whose tables are all empty (new, or only migrated), which they
/// mark. Another is refused unless `--reset-database` allows emptying it first.
///
/// A mark rather than a test of every row: the benchmarks' data (a stored data set of millions of
/// events, rollups, the collector's staging) is not told apart from real data by its rows.
struct BenchmarkDatabase {
    let url: DatabaseURL
    /// Whether the benchmarks marked it as theirs.
    let isMarked: Bool
    /// Every table holding rows (schema-qualified, quoted), but the record of applied migrations.
    let tablesWithRows: [String]

    var holdsForeignData: Bool { !isMarked && !tablesWithRows.isEmpty }

    /// Reads what `url` holds; writes nothing.
    static func inspect(_ url: DatabaseURL, logger: Logger) async throws -> Self {
        try await url.withConnection(logger: logger) { connection in
            var isMarked = false
            for try await marked in try await connection.query(
                "SELECT to_regclass('tracker_bench_marker') IS NOT NULL", logger: logger
            ).decode(Bool.self) {
                isMarked = marked
            }
            // Every table outside PostgreSQL's own schemas; a partitioned one answers for its partitions.
            let tables = try await connection.query(
                """
                SELECT format('%I.%I', n.nspname, c.relname)
                FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
                  AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'
                  AND (c.relname, n.nspname) <> ('schema_migrations', current_schema())
                ORDER BY 1
                """, logger: logger)
            var names: [String] = []
            for try await name in tables.decode(String.self) { names.append(name) }
            var tablesWithRows: [String] = []
            for table in names {
                // `table` is an identifier PostgreSQL quoted itself (format's %I).
                let rows = try await connection.query(
                    PostgresQuery(unsafeSQL: "SELECT EXISTS (SELECT FROM \(table))"), logger: logger)
                for try await hasRows in rows.decode(Bool.self) where hasRows { tablesWithRows.append(table) }
            }
            return Self(url: url, isMarked: isMarked, tablesWithRows: tablesWithRows)
        }
    }

    /// Marks the database as the benchmarks', first emptying every table holding rows when it
    /// holds data not theirs: only once `--reset-database` allowed it.
    func claim(logger: Logger) async throws {
        guard !isMarked else { return }
        try await url.withConnection(logger: logger) { connection in
            if !tablesWithRows.isEmpty {
                try await connection.query(
                    PostgresQuery(unsafeSQL: "TRUNCATE \(tablesWithRows.joined(separator: ", ")) CASCADE"),
                    logger: logger)
                // Materialized views would still show what the tables held.
                let views = try await connection.query(
                    "SELECT format('%I.%I', schemaname, matviewname) FROM pg_matviews", logger: logger)
                var names: [String] = []
                for try await name in views.decode(String.self) { names.append(name) }
                for view in names {
                    try await connection.query(
                        PostgresQuery(unsafeSQL: "REFRESH MATERIALIZED VIEW \(view)"), logger: logger)
                }
            }
            try await connection.query("CREATE TABLE IF NOT EXISTS tracker_bench_marker ()", logger: logger)
            try await connection.query(
                """
                COMMENT ON TABLE tracker_bench_marker IS
                    'tracker-bench owns this database: its benchmarks truncate and rewrite the tables here'
                """, logger: logger)
        }
    }
}

/// A database holding data that is not the benchmarks', given without `--reset-database`.
struct ForeignDataError: Error, CustomStringConvertible {
    let database: BenchmarkDatabase

    var description: String {
        let tables = database.tablesWithRows
        let named = tables.prefix(4).joined(separator: ", ") + (tables.count > 4 ? " and \(tables.count - 4) more" : "")
        return """
            \(database.url) holds data that is not tracker-bench's (rows in \(named)), and the benchmarks \
            truncate and rewrite its tables. Give them a database of their own (new or only migrated), or pass \
            --reset-database to empty this one first.
            """
    }
}
