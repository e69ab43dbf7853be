import NIOCore
import PostgresNIO

/// One column of a batch, bound as a PostgreSQL array for `unnest`: written straight from the
/// rows, with SQL NULL for `nil`. Mapping each column to an array of values first would copy
/// every value once more per batch, and optionals would travel as sentinels (arrays of optionals
/// do not bind).
///
/// Values are read by index, not handed over as rows: this conformance runs unspecialized, and
/// copying a row struct per value retained every field of it.
struct ColumnArray<Value: PostgresArrayEncodable & PostgresNonThrowingEncodable>: PostgresNonThrowingEncodable {
    let count: Int
    let value: (Int) -> Value?

    init(count: Int, _ value: @escaping (Int) -> Value?) {
        self.count = count
        self.value = value
    }

    static var psqlType: PostgresDataType { Value.psqlArrayType }
    static var psqlFormat: PostgresFormat { .binary }

    /// PostgreSQL's binary array: dimensions, a flags word it does not rely on, the element type,
    /// then length and lower bound of the one dimension, then each element with its length (-1 for
    /// NULL).
    func encode<JSONEncoder: PostgresJSONEncoder>(
        into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>
    ) {
        buffer.writeInteger(count == 0 ? 0 : 1, as: UInt32.self)
        buffer.writeInteger(0, as: Int32.self)
        buffer.writeInteger(Value.psqlType.rawValue)
        guard count > 0 else { return }
        buffer.writeInteger(Int32(count))
        buffer.writeInteger(1, as: Int32.self)
        for index in 0..<count {
            guard let value = value(index) else {
                buffer.writeInteger(-1, as: Int32.self)
                continue
            }
            let lengthIndex = buffer.writerIndex
            buffer.writeInteger(0, as: Int32.self)
            value.encode(into: &buffer, context: context)
            buffer.setInteger(Int32(buffer.writerIndex - lengthIndex - 4), at: lengthIndex)
        }
    }
}
