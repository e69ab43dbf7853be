import NIOCore
import PostgresNIO

extension PostgresCell {
    /// The elements of a one-dimensional array cell in PostgreSQL's binary format, as slices of
    /// the cell (`nil` for SQL NULL); a NULL cell is an empty array (`array_agg` of no rows).
    /// postgres-nio's own array decoding refuses NULL elements.
    private func arrayElements() throws -> (type: PostgresDataType, elements: [ByteBuffer?]) {
        guard var buffer = bytes else { return (dataType, []) }
        guard format == .binary,
            let (dimensions, _, element) = buffer.readMultipleIntegers(
                endianness: .big, as: (Int32, Int32, UInt32).self)
        else { throw PostgresDecodingError.Code.failure }
        let type = PostgresDataType(element)
        guard dimensions == 1 else {
            guard dimensions == 0 else { throw PostgresDecodingError.Code.failure }
            return (type, [])
        }
        guard let (count, _) = buffer.readMultipleIntegers(endianness: .big, as: (Int32, Int32).self), count >= 0
        else { throw PostgresDecodingError.Code.failure }
        var elements: [ByteBuffer?] = []
        elements.reserveCapacity(Int(count))
        for _ in 0..<count {
            guard let length = buffer.readInteger(as: Int32.self) else { throw PostgresDecodingError.Code.failure }
            guard length >= 0 else {
                elements.append(nil)
                continue
            }
            guard let element = buffer.readSlice(length: Int(length)) else {
                throw PostgresDecodingError.Code.failure
            }
            elements.append(element)
        }
        return (type, elements)
    }

    /// The elements of an array cell decoded as `Value` (binary format), `nil` for SQL NULL.
    public func arrayValues<Value: PostgresDecodable>(_: Value.Type) throws -> [Value?] {
        let (type, elements) = try arrayElements()
        return try elements.map { element in
            guard var element else { return nil }
            return try Value(from: &element, type: type, format: .binary, context: .default)
        }
    }
}
