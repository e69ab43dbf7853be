import Foundation
import TrackerCore

/// Snowplow's self-describing JSON (`{"schema":"iglu:…","data":…}`) in the fields that carry it:
/// the self-describing event (`ue_pr`, or base64url in `ue_px`) and the contexts (`co`, or `cx`).
enum SelfDescribing {
    static let unstructEventSchema = "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-"
    static let contextsSchema = "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-"
    static let clientSessionSchema = "iglu:com.snowplowanalytics.snowplow/client_session/jsonschema/1-"

    /// The event of an `e=ue`: its name (the schema's name part), full schema and data.
    static func unstructEvent(_ fields: [String: String]) throws(SnowplowError) -> (
        name: String, schema: String, data: [String: JSONValue]
    ) {
        guard let wrapper = try json(fields, plain: "ue_pr", encoded: "ue_px") else {
            throw SnowplowError("A self-describing event (e=ue) needs ue_pr or ue_px.")
        }
        guard wrapper["schema"]?.stringValue?.hasPrefix(unstructEventSchema) == true,
            let event = wrapper["data"]
        else {
            throw SnowplowError("The self-describing event must be an \(unstructEventSchema)x-y JSON with \"data\".")
        }
        guard let schema = event["schema"]?.stringValue, let name = Self.name(ofSchema: schema) else {
            throw SnowplowError(
                "The self-describing event's data needs a \"schema\" of the form iglu:vendor/name/jsonschema/1-0-0.")
        }
        switch event["data"] {
        case .object(let data)?: return (name, schema, data)
        case nil, .null?: return (name, schema, [:])
        default: throw SnowplowError("The self-describing event's \"data\" (\(name)) must be a JSON object.")
        }
    }

    /// The entries of `co`/`cx`, each a self-describing JSON; empty when the event carries none.
    static func contexts(_ fields: [String: String]) throws(SnowplowError) -> [JSONValue] {
        guard let wrapper = try json(fields, plain: "co", encoded: "cx") else { return [] }
        guard wrapper["schema"]?.stringValue?.hasPrefix(contextsSchema) == true,
            case .array(let entries)? = wrapper["data"]
        else {
            throw SnowplowError("Contexts must be an \(contextsSchema)x-y JSON whose \"data\" is an array.")
        }
        for entry in entries where entry["schema"]?.stringValue == nil {
            throw SnowplowError("Each context must be a JSON object with a \"schema\" string.")
        }
        return entries
    }

    /// The session id of the JavaScript tracker's `client_session` context.
    static func clientSessionId(in contexts: [JSONValue]) -> String? {
        contexts.first { $0["schema"]?.stringValue?.hasPrefix(clientSessionSchema) == true }?["data"]?["sessionId"]?
            .stringValue
    }

    /// `iglu:vendor/name/format/version` → `name`.
    static func name(ofSchema schema: String) -> String? {
        guard schema.hasPrefix("iglu:") else { return nil }
        let parts = schema.dropFirst(5).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 4, parts.allSatisfy({ !$0.isEmpty }) else { return nil }
        return String(parts[1])
    }

    /// The JSON object of the plain field, else of the base64url one; nil when neither is given.
    static func json(_ fields: [String: String], plain: String, encoded: String) throws(SnowplowError) -> JSONValue? {
        let text: String
        let field: String
        if let value = fields[plain], !value.isEmpty {
            (text, field) = (value, plain)
        } else if let value = fields[encoded], !value.isEmpty {
            guard let decoded = base64URLDecoded(value) else {
                throw SnowplowError("\(encoded) is not base64url-encoded UTF-8 text.")
            }
            (text, field) = (decoded, encoded)
        } else {
            return nil
        }
        do {
            let value = try JSONValue(parsing: text)
            guard value.objectValue != nil else { throw SnowplowError("\(field) must hold a JSON object.") }
            return value
        } catch let error as JSONScanError {
            throw SnowplowError("\(field) is not valid JSON: \(error.description).")
        } catch let error as SnowplowError {
            throw error
        } catch {
            throw SnowplowError("\(field) is not valid JSON.")
        }
    }

    /// Base64url with or without padding. Standard base64 too: a `+` that a query string turned
    /// into a space is read back as `+`.
    static func base64URLDecoded(_ text: String) -> String? {
        var standard = String(
            text.map { character -> Character in
                switch character {
                case "-": "+"
                case "_": "/"
                case " ": "+"
                default: character
                }
            })
        switch standard.utf8.count % 4 {
        case 2: standard += "=="
        case 3: standard += "="
        case 1: return nil
        default: break
        }
        guard let data = Data(base64Encoded: standard) else { return nil }
        return String(validating: data, as: UTF8.self)
    }
}
