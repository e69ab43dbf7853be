extension SegmentMessage {
    /// Every id a raw message names (`userId`, `anonymousId`, an alias's `previousId`), decoded, as
    /// text or a number's JSON text; empty for a body that is not JSON. The worker indexes a refused
    /// message by these and erasure matches staged messages on them, so both read ids one way.
    public static func people(in payload: String) -> [String] {
        guard let body = try? JSONValue(parsing: payload) else { return [] }
        return ["userId", "anonymousId", "previousId"].compactMap { key in
            switch body[key] {
            // NUL cannot be stored in text: such an id cannot be asked for either.
            case .string(let value)? where !value.isEmpty && !value.containsNUL: value
            case .number(let value)?: value
            default: nil
            }
        }
    }
}
