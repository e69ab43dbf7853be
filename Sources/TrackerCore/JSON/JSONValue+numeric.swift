extension JSONValue {
    /// Whether PostgreSQL's `numeric` (the type of every `jsonb` number) can hold the JSON number
    /// `text`: at most 131,072 digits before the decimal point and 16,383 after, exponent applied.
    /// Any valid JSON number is accepted by the collector, so the worker refuses the others with a
    /// reason instead of failing its batch.
    public static func fitsNumeric(_ text: String) -> Bool {
        fitsNumeric(text.utf8)
    }

    static func fitsNumeric(_ bytes: some Sequence<UInt8>) -> Bool {
        var integerDigits = 0
        var fractionDigits = 0
        var exponent = 0
        var exponentSign = 1
        var part = 0  // 0 integer, 1 fraction, 2 exponent
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                switch part {
                case 0: integerDigits += 1
                case 1: fractionDigits += 1
                default:
                    exponent = exponent * 10 + Int(byte - UInt8(ascii: "0"))
                    if exponent > 1_000_000 { return false }
                }
            case UInt8(ascii: "."): part = 1
            case UInt8(ascii: "e"), UInt8(ascii: "E"): part = 2
            case UInt8(ascii: "-") where part == 2: exponentSign = -1
            default: continue
            }
        }
        exponent *= exponentSign
        return integerDigits + exponent <= 131_072 && fractionDigits - exponent <= 16_383
    }
}
