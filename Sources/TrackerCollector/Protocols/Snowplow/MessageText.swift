import TrackerCore

/// A JSON object written straight as bytes, members in the order given: the translation writes
/// each message once, without dictionaries of values to sort and encode.
struct MessageText {
    private(set) var bytes: [UInt8] = []
    /// Whether the object being written has no member yet.
    private var first = true

    init(capacity: Int) {
        bytes.reserveCapacity(capacity)
        bytes.append(UInt8(ascii: "{"))
    }

    private mutating func key(_ name: StaticString) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        bytes.append(contentsOf: #"":"#.utf8)
    }

    /// A string member; nothing when `value` is nil.
    mutating func string(_ name: StaticString, _ value: String?) {
        guard let value else { return }
        key(name)
        JSONValue.writeString(value, to: &bytes)
    }

    /// A member whose value is JSON text already (a number, an object).
    mutating func raw(_ name: StaticString, _ json: String) {
        key(name)
        bytes.append(contentsOf: json.utf8)
    }

    /// A member holding an object written by `body`.
    mutating func object(_ name: StaticString, _ body: (inout MessageText) -> Void) {
        key(name)
        bytes.append(UInt8(ascii: "{"))
        first = true
        body(&self)
        bytes.append(UInt8(ascii: "}"))
        first = false
    }

    /// Members named at run time: a self-describing event's data.
    mutating func members(_ members: some Sequence<(key: String, value: JSONValue)>) {
        for (name, value) in members {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            JSONValue.writeString(name, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
            bytes.append(contentsOf: value.jsonText.utf8)
        }
    }

    /// String members named at run time (`context.snowplow`'s fields, as sent).
    mutating func strings(_ members: some Sequence<(key: String, value: String)>) {
        for (name, value) in members {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            JSONValue.writeString(name, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
            JSONValue.writeString(value, to: &bytes)
        }
    }

    /// The finished object.
    mutating func close() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }
}
