import Synchronization

/// messageIds for messages that came without one, in UUID v4 form. `UUID()` asks the kernel for
/// randomness on every call, a measurable share of a single-event request; here the first 60 bits
/// are random once per process and the last 62 count up from a random start, so ids are unique
/// within a process by construction and across processes but for a 2^-60 chance.
enum MessageID {
    private static let prefix = UInt64.random(in: .min ... .max) & 0xFFFF_FFFF_FFFF_0FFF | 0x0000_0000_0000_4000
    private static let counter = Atomic<UInt64>(.random(in: .min ... .max))

    static func next() -> String {
        let count = counter.add(1, ordering: .relaxed).newValue
        let low = count & 0x3FFF_FFFF_FFFF_FFFF | 0x8000_0000_0000_0000
        return format(high: prefix, low: low)
    }

    /// The id for a message that came without one under `Idempotency-Key`: the same for the same
    /// source, endpoint and key, so a retry is one message to the dedupe window. A 128-bit FNV-1a
    /// hash in UUID v8 form; not a secret, and only compared within one source.
    static func derived(source: String, endpoint: String, idempotencyKey: String) -> String {
        var hash: UInt128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d
        let prime: UInt128 = 0x0000_0000_0100_0000_0000_0000_0000_013B
        for byte in source.utf8 + [0] + endpoint.utf8 + [0] + idempotencyKey.utf8 {
            hash = (hash ^ UInt128(byte)) &* prime
        }
        let high = UInt64(truncatingIfNeeded: hash >> 64) & 0xFFFF_FFFF_FFFF_0FFF | 0x0000_0000_0000_8000
        let low = UInt64(truncatingIfNeeded: hash) & 0x3FFF_FFFF_FFFF_FFFF | 0x8000_0000_0000_0000
        return format(high: high, low: low)
    }

    /// Lowercase 8-4-4-4-12 hex.
    static func format(high: UInt64, low: UInt64) -> String {
        String(unsafeUninitializedCapacity: 36) { buffer in
            let digits: StaticString = "0123456789abcdef"
            var index = 0
            func emit(_ value: UInt64, nibbles: Int) {
                for shift in stride(from: (nibbles - 1) * 4, through: 0, by: -4) {
                    buffer[index] = digits.utf8Start[Int(value >> UInt64(shift) & 0xF)]
                    index += 1
                }
            }
            func dash() {
                buffer[index] = UInt8(ascii: "-")
                index += 1
            }
            emit(high >> 32, nibbles: 8)
            dash()
            emit(high >> 16 & 0xFFFF, nibbles: 4)
            dash()
            emit(high & 0xFFFF, nibbles: 4)
            dash()
            emit(low >> 48, nibbles: 4)
            dash()
            emit(low & 0xFFFF_FFFF_FFFF, nibbles: 12)
            return index
        }
    }
}
