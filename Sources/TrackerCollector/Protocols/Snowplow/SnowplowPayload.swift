import NIOCore
import TrackerCore

/// The body of `POST /com.snowplowanalytics.snowplow/tp2`: the `payload_data` self-describing JSON,
/// `{"schema":"iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-x","data":[event…]}`,
/// each event an object of string values. Read by one scan, without a tree of the body.
enum SnowplowPayload {
    static let schemaPrefix = "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-"

    static func events(in body: ByteBuffer) throws(SnowplowError) -> [[String: String]] {
        let scanned = body.withUnsafeReadableBytes { bytes in
            Result { () throws(SnowplowError) in try events(in: bytes) }
        }
        return try scanned.get()
    }

    static func events(in bytes: UnsafeRawBufferPointer) throws(SnowplowError) -> [[String: String]] {
        var scanner = JSONScanner(bytes)
        var schema: String?
        var events: [[String: String]]?
        // The first shape problem; the scan goes on, so invalid JSON is reported as such.
        var problem: SnowplowError?
        do throws(JSONScanError) {
            scanner.skipWhitespace()
            // Any other JSON value has no schema, refused as such below.
            if scanner.isAtEnd || bytes[scanner.offset] != UInt8(ascii: "{") {
                _ = try scanner.scanValue(depth: 0)
            } else {
                try scanObject(&scanner, bytes: bytes, schema: &schema, events: &events, problem: &problem)
            }
            scanner.skipWhitespace()
            guard scanner.isAtEnd else { throw JSONScanError.unexpectedByte(scanner.offset) }
        } catch {
            throw SnowplowError("Invalid JSON: \(error.description).")
        }
        guard let schema, schema.hasPrefix(schemaPrefix) else {
            throw SnowplowError("The body must be a payload_data JSON: {\"schema\":\"\(schemaPrefix)4\",\"data\":[…]}.")
        }
        if let problem { throw problem }
        guard let events else { throw SnowplowError("\"data\" must be an array of events.") }
        return events
    }

    /// The top-level object's members: `schema`, and `data` scanned event by event.
    private static func scanObject(
        _ scanner: inout JSONScanner, bytes: UnsafeRawBufferPointer, schema: inout String?,
        events: inout [[String: String]]?, problem: inout SnowplowError?
    ) throws(JSONScanError) {
        try scanner.scanObject(depth: 0) { scanner, key throws(JSONScanError) in
            if scanner.bytes(key.range, equal: "data"), bytes[scanner.offset] == UInt8(ascii: "[") {
                var items: [[String: String]] = []
                try scanner.scanArray(depth: 1) { scanner, index throws(JSONScanError) in
                    guard bytes[scanner.offset] == UInt8(ascii: "{") else {
                        problem = problem ?? SnowplowError("data[\(index)] must be a JSON object of strings.")
                        return try scanner.scanValue(depth: 2)
                    }
                    var event: [String: String] = [:]
                    try scanner.scanObject(depth: 2) { scanner, name throws(JSONScanError) in
                        let value = try scanner.scanValueRange(depth: 3)
                        let field = scanner.decodeString(name.range, hasEscapes: name.hasEscapes)
                        guard value.kind == .string else {
                            problem =
                                problem
                                ?? SnowplowError(
                                    "data[\(index)].\(field) must be a string, as tracker protocol 2 sends it.")
                            return value.kind
                        }
                        event[field] = scanner.decodeString(value.contents, hasEscapes: value.hasEscapes)
                        return value.kind
                    }
                    items.append(event)
                    return .object
                }
                events = items
                return .array
            }
            let value = try scanner.scanValueRange(depth: 1)
            if scanner.bytes(key.range, equal: "schema") {
                schema =
                    value.kind == .string ? scanner.decodeString(value.contents, hasEscapes: value.hasEscapes) : ""
            } else if scanner.bytes(key.range, equal: "data") {
                events = nil
                problem = problem ?? SnowplowError("\"data\" must be an array of events.")
            }
            return value.kind
        }
    }
}
