/// An opaque keyset cursor: the position after the last row of a page, bound to the filters that
/// produced it so it cannot be replayed against another query.
///
/// Text form: base64url of `v1.<kind>.<fingerprint>.<key>.<key>…`, where the keys are integers.
public struct PageCursor: Equatable, Sendable {
    public var kind: String
    public var keys: [Int64]
    public var fingerprint: UInt64

    public init(kind: String, keys: [Int64], filters: [String]) {
        self.kind = kind
        self.keys = keys
        self.fingerprint = Self.fingerprint(of: filters)
    }

    public var text: String {
        let plain = (["v1", kind, String(fingerprint, radix: 16)] + keys.map(String.init)).joined(separator: ".")
        return Base64URL.encode(Array(plain.utf8))
    }

    public enum DecodingError: Error, Equatable {
        case malformed
        case otherQuery
    }

    /// Reads a cursor this server wrote for `kind` with `keyCount` keys and the same `filters`.
    public init(parsing text: String, kind: String, keyCount: Int, filters: [String]) throws(DecodingError) {
        guard text.utf8.count <= 200, let bytes = Base64URL.decode(text),
            let plain = String(validating: bytes, as: UTF8.self)
        else { throw .malformed }
        let parts = plain.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 + keyCount, parts[0] == "v1", parts[1] == kind,
            let fingerprint = UInt64(parts[2], radix: 16)
        else { throw .malformed }
        var keys: [Int64] = []
        for part in parts.dropFirst(3) {
            guard let key = Int64(part) else { throw .malformed }
            keys.append(key)
        }
        guard fingerprint == Self.fingerprint(of: filters) else { throw .otherQuery }
        self.kind = kind
        self.keys = keys
        self.fingerprint = fingerprint
    }

    /// FNV-1a over the filters: a check that the cursor goes with the query, not a secret.
    static func fingerprint(of filters: [String]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for filter in filters {
            for byte in filter.utf8 + [0] {
                hash ^= UInt64(byte)
                hash &*= 0x100_0000_01b3
            }
        }
        return hash
    }
}

/// Unpadded base64url (RFC 4648 §5), so cursors travel in query strings unescaped.
enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value: UInt32 = 0
            for (offset, byte) in chunk.enumerated() { value |= UInt32(byte) << (16 - 8 * offset) }
            for position in 0...chunk.count { output.append(alphabet[Int((value >> (18 - 6 * position)) & 63)]) }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    static func decode(_ text: String) -> [UInt8]? {
        var value: UInt32 = 0
        var bits = 0
        var output: [UInt8] = []
        for byte in text.utf8 {
            guard let digit = alphabet.firstIndex(of: byte) else { return nil }
            value = (value << 6) | UInt32(digit)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8((value >> UInt32(bits)) & 0xFF))
            }
        }
        // A valid encoding leaves fewer than 6 spare bits, all zero.
        guard bits < 6, value & ((1 << UInt32(bits)) - 1) == 0 else { return nil }
        return output
    }
}
