import NIOCore
import PostgresNIO

extension PostgresCell {
    /// Walks a one-dimensional array cell in PostgreSQL's binary format, handing `element` the
    /// cell's bytes positioned at each non-NULL element with its length (`nil` for SQL NULL); a NULL
    /// cell is an empty array (`array_agg` of no rows). postgres-nio's own array decoding refuses
    /// NULL elements.
    private func decodeArray<Value>(
        _ element: (inout ByteBuffer, _ length: Int, PostgresDataType) throws -> Value
    ) throws -> [Value?] {
        guard var buffer = bytes else { return [] }
        guard format == .binary,
            let (dimensions, _, elementType) = buffer.readMultipleIntegers(
                endianness: .big, as: (Int32, Int32, UInt32).self)
        else { throw PostgresDecodingError.Code.failure }
        guard dimensions == 1 else {
            guard dimensions == 0 else { throw PostgresDecodingError.Code.failure }
            return []
        }
        guard let (count, _) = buffer.readMultipleIntegers(endianness: .big, as: (Int32, Int32).self), count >= 0
        else { throw PostgresDecodingError.Code.failure }
        let type = PostgresDataType(elementType)
        var values: [Value?] = []
        values.reserveCapacity(Int(count))
        for _ in 0..<count {
            guard let length = buffer.readInteger(as: Int32.self) else { throw PostgresDecodingError.Code.failure }
            guard length >= 0 else {
                values.append(nil)
                continue
            }
            values.append(try element(&buffer, Int(length), type))
        }
        return values
    }

    /// The elements of an array cell decoded as `Value` (binary format), `nil` for SQL NULL.
    public func arrayValues<Value: PostgresDecodable>(_: Value.Type) throws -> [Value?] {
        try decodeArray { buffer, length, type in
            guard var element = buffer.readSlice(length: length) else { throw PostgresDecodingError.Code.failure }
            return try Value(from: &element, type: type, format: .binary, context: .default)
        }
    }

    /// Text elements read straight from the cell: a slice per element (what `Value` decoding
    /// takes) cost a retain and a release of the whole claim's buffer for each of them.
    public func arrayValues(_: String.Type) throws -> [String?] {
        try decodeArray { buffer, length, type in
            guard type == .text || type == .varchar || type == .name else {
                guard var element = buffer.readSlice(length: length) else { throw PostgresDecodingError.Code.failure }
                return try String(from: &element, type: type, format: .binary, context: .default)
            }
            guard let text = buffer.readString(length: length) else { throw PostgresDecodingError.Code.failure }
            return text
        }
    }
}
