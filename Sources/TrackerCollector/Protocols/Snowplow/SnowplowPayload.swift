import NIOCore
import TrackerCore

/// The body of `POST /com.snowplowanalytics.snowplow/tp2`: the `payload_data` self-describing JSON,
/// `{"schema":"iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-x","data":[event…]}`,
/// each event an object of string values.
enum SnowplowPayload {
    static let schemaPrefix = "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-"

    static func events(in body: ByteBuffer) throws(SnowplowError) -> [[String: String]] {
        let parsed = body.withUnsafeReadableBytes { bytes in
            Result { () throws(JSONScanError) in try JSONValue(parsing: bytes) }
        }
        let value: JSONValue
        switch parsed {
        case .success(let decoded): value = decoded
        case .failure(let error): throw SnowplowError("Invalid JSON: \(error.description).")
        }
        guard let schema = value["schema"]?.stringValue, schema.hasPrefix(schemaPrefix) else {
            throw SnowplowError(
                "The body must be a payload_data JSON: {\"schema\":\"\(schemaPrefix)4\",\"data\":[…]}.")
        }
        guard case .array(let items)? = value["data"] else {
            throw SnowplowError("\"data\" must be an array of events.")
        }
        var events: [[String: String]] = []
        events.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            guard let members = item.objectValue else {
                throw SnowplowError("data[\(index)] must be a JSON object of strings.")
            }
            var event: [String: String] = [:]
            for (name, member) in members {
                guard let text = member.stringValue else {
                    throw SnowplowError("data[\(index)].\(name) must be a string, as tracker protocol 2 sends it.")
                }
                event[name] = text
            }
            events.append(event)
        }
        return events
    }
}
