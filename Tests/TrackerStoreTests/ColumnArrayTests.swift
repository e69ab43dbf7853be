import Foundation
import PostgresNIO
import Testing
import TrackerTestSupport

@testable import TrackerStore

/// The worker binds every column of a batch with `ColumnArray`: PostgreSQL must read back each
/// value, each NULL and the empty batch exactly.
@Suite struct ColumnArrayTests {
    @Test(arguments: [
        [String?](),
        ["a", nil, "", "ünïcode ✓", nil],
        [nil],
        (0..<3_000).map { $0 % 7 == 0 ? nil : String(repeating: "x", count: $0 % 300) },
    ])
    func textColumnsRoundTrip(_ values: [String?]) async throws {
        let database = try await TestDatabase.create("column_array_text", migrated: false)
        try await database.withConnection { connection in
            let column = ColumnArray(count: values.count) { values[$0] }
            let rows = try await connection.query(
                "SELECT v, v IS NULL FROM unnest(\(column)::text[]) WITH ORDINALITY AS t(v, i) ORDER BY i",
                logger: database.logger)
            var read: [String?] = []
            for try await (value, isNull) in rows.decode((String?, Bool).self) {
                #expect(isNull == (value == nil))
                read.append(value)
            }
            #expect(read == values)
        }
        try await database.drop()
    }

    @Test func timestampColumnsRoundTrip() async throws {
        let database = try await TestDatabase.create("column_array_time", migrated: false)
        let values: [Date?] = [
            Date(timeIntervalSince1970: 1_795_000_000.123456), nil, Date(timeIntervalSince1970: 0),
            Date(timeIntervalSince1970: -86_400.5),
        ]
        try await database.withConnection { connection in
            let column = ColumnArray(count: values.count) { values[$0] }
            let rows = try await connection.query(
                "SELECT extract(epoch FROM v)::float8 FROM unnest(\(column)::timestamptz[]) WITH ORDINALITY AS t(v, i) ORDER BY i",
                logger: database.logger)
            var read: [Double?] = []
            for try await seconds in rows.decode(Double?.self) { read.append(seconds) }
            #expect(read.count == values.count)
            for (seconds, date) in zip(read, values) {
                #expect((seconds == nil) == (date == nil))
                if let seconds, let date { #expect(abs(seconds - date.timeIntervalSince1970) < 0.000_001) }
            }
        }
        try await database.drop()
    }

    /// The claim reads its columns back as arrays (`PostgresCell.arrayValues`): every value, every
    /// NULL element, an empty array and a NULL array (`array_agg` of no rows) must come back as sent.
    @Test(arguments: [
        ["a", nil, "", "ünïcode ✓\t\\N", nil],
        [nil],
        (0..<3_000).map { $0 % 5 == 0 ? nil : String(repeating: "y", count: $0 % 400) },
    ])
    func arraysReadBackWithTheirNulls(_ values: [String?]) async throws {
        let database = try await TestDatabase.create("column_array_read", migrated: false)
        try await database.withConnection { connection in
            let column = ColumnArray(count: values.count) { values[$0] }
            let numbers = ColumnArray(count: values.count) { values[$0] == nil ? nil : Int64($0) * -7 }
            let rows = try await connection.query(
                """
                SELECT \(column)::text[], \(numbers)::int8[], '{}'::text[],
                       (SELECT array_agg(x) FROM generate_series(1, 0) AS x)
                """,
                logger: database.logger)
            var read = 0
            for try await row in rows {
                let cells = Array(row)
                #expect(try cells[0].arrayValues(String.self) == values)
                #expect(
                    try cells[1].arrayValues(Int64.self)
                        == values.indices.map { values[$0] == nil ? nil : Int64($0) * -7 })
                #expect(try cells[2].arrayValues(String.self).isEmpty)
                #expect(try cells[3].arrayValues(Int32.self).isEmpty)
                read += 1
            }
            #expect(read == 1)
        }
        try await database.drop()
    }
}
