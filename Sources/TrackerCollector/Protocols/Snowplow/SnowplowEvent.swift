import Foundation
import TrackerCore

/// One tracker protocol 2 event (its name-value pairs) as the Segment message the pipeline stages.
///
/// The translation only moves fields: whether the message is valid (a user, a name, a timestamp)
/// is the worker's judgement, as for every Segment message, so an event without `uid`, `duid` or
/// `nuid` ends in `failed_events` as `missing_user`.
struct SnowplowEvent {
    /// The Segment message, compact JSON (UTF-8).
    var message: [UInt8]
    /// `eid`, the message's id; nil when the tracker sent none.
    var messageId: String?

    /// The fields each event type maps; every other field goes to `context.snowplow` as sent.
    private static let mapped: Set<String> = [
        "e", "eid", "uid", "duid", "nuid", "tnuid", "dtm", "stm", "ttm", "url", "page", "refr", "ua", "lang", "tz",
        "res", "sid", "ue_pr", "ue_px", "cx", "co", "se_ca", "se_ac", "se_la", "se_pr", "se_va", "tr_id", "tr_af",
        "tr_tt", "tr_tx", "tr_sh", "tr_ci", "tr_st", "tr_co", "tr_cu", "ti_id", "ti_sk", "ti_nm", "ti_ca", "ti_pr",
        "ti_qu", "ti_cu",
    ]

    /// Translates `fields`. `keepsAppId` is false when `aid` is a write key: a key is not stored.
    /// `userAgent` is the request's header, used when the event carries no `ua`.
    init(_ fields: [String: String], keepsAppId: Bool, userAgent: String?) throws(SnowplowError) {
        func given(_ field: String) -> String? {
            guard let value = fields[field], !value.isEmpty else { return nil }
            return value
        }
        /// A numeric field as JSON, checked before anything is written.
        func number(_ field: String, _ key: StaticString) throws(SnowplowError) -> (StaticString, String)? {
            guard let text = given(field) else { return nil }
            guard let value = Double(text), value.isFinite else {
                throw SnowplowError("\(field) must be a number; got \(Self.show(text)).")
            }
            return (key, Self.json(value))
        }

        guard let type = given("e") else {
            throw SnowplowError("Every event needs its type in \"e\" (pv, pp, se, ue, tr or ti).")
        }
        // What can refuse the event is read before the message is written.
        let messageType: String
        var event: String?
        var strings: [(StaticString, String)] = []
        var numbers: [(StaticString, String)?] = []
        var unstruct: (name: String, schema: String, data: [String: JSONValue])?
        switch type {
        case "pv":
            messageType = "page"
            strings = [("title", "page"), ("url", "url"), ("referrer", "refr")]
        case "pp":
            (messageType, event) = ("track", "page_ping")
            strings = [("title", "page"), ("url", "url")]
        case "se":
            (messageType, event) = ("track", given("se_ac"))
            strings = [("category", "se_ca"), ("label", "se_la"), ("property", "se_pr")]
            numbers = [try number("se_va", "value")]
        case "ue":
            let decoded = try SelfDescribing.unstructEvent(fields)
            (messageType, event, unstruct) = ("track", decoded.name, decoded)
        case "tr":
            (messageType, event) = ("track", "transaction")
            strings = [
                ("orderId", "tr_id"), ("affiliation", "tr_af"), ("city", "tr_ci"), ("state", "tr_st"),
                ("country", "tr_co"), ("currency", "tr_cu"),
            ]
            numbers = [try number("tr_tt", "total"), try number("tr_tx", "tax"), try number("tr_sh", "shipping")]
        case "ti":
            (messageType, event) = ("track", "transaction_item")
            strings = [
                ("orderId", "ti_id"), ("sku", "ti_sk"), ("name", "ti_nm"), ("category", "ti_ca"), ("currency", "ti_cu"),
            ]
            numbers = [try number("ti_pr", "price"), try number("ti_qu", "quantity")]
        default:
            throw SnowplowError(
                "e \(Self.show(type)) is not an event type this collector maps (pv, pp, se, ue, tr, ti).")
        }
        let contexts = try SelfDescribing.contexts(fields)
        let path = fields["url"].map(Self.path)

        var text = MessageText(capacity: 256 + fields.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count })
        text.string("type", messageType)
        if messageType == "page" {
            text.string("name", path)
        } else {
            text.string("event", event)
        }
        text.string("messageId", given("eid"))
        text.string("userId", given("uid"))
        text.string("anonymousId", given("duid") ?? given("nuid") ?? given("tnuid"))
        // `ttm` is the true time of the event: nothing to correct. Otherwise the device's creation
        // and sending times, which the worker corrects for clock skew as Segment's pair.
        if let trueTime = fields["ttm"] {
            text.string("timestamp", Self.time(trueTime))
        } else {
            text.string("timestamp", fields["dtm"].map(Self.time))
            text.string("sentAt", fields["stm"].map(Self.time))
        }
        text.object("properties") { properties in
            for (key, field) in strings { properties.string(key, given(field)) }
            for case let (key, json)? in numbers { properties.raw(key, json) }
            if let unstruct { properties.members(unstruct.data.sorted { $0.key < $1.key }) }
        }
        text.object("context") { context in
            if given("url") != nil || given("page") != nil || given("refr") != nil {
                context.object("page") { page in
                    page.string("url", given("url"))
                    page.string("title", given("page"))
                    page.string("referrer", given("refr"))
                    page.string("path", path)
                }
            }
            context.string("locale", given("lang"))
            context.string("timezone", given("tz"))
            // The JavaScript tracker's session context names the session when `sid` does not.
            context.string("sessionId", given("sid") ?? SelfDescribing.clientSessionId(in: contexts))
            context.string("userAgent", given("ua") ?? userAgent.flatMap { $0.isEmpty ? nil : $0 })
            if let screen = fields["res"].flatMap(Self.screen) { context.raw("screen", screen) }
            if let version = fields["tv"] {
                context.object("library") { library in
                    library.string("name", "snowplow")
                    library.string("version", version)
                }
            }
            context.object("snowplow") { snowplow in
                snowplow.strings(
                    fields.lazy.filter { !Self.mapped.contains($0.key) && (keepsAppId || $0.key != "aid") })
                if !contexts.isEmpty { snowplow.raw("contexts", JSONValue.array(contexts).jsonText) }
                snowplow.string("event_schema", unstruct?.schema)
            }
        }
        self.message = text.close()
        self.messageId = given("eid")
    }

    /// An event the translation cannot map, as a message the worker refuses as `unknown_type` with
    /// `problem` in its detail: its `type` is `snowplow: <problem>`, never a Segment type. It keeps
    /// the ids and every field as sent (strings, undecoded) in `context.snowplow`, so the row in
    /// `failed_events` shows what the tracker sent.
    init(unmapped fields: [String: String], problem: SnowplowError, keepsAppId: Bool) {
        func given(_ field: String) -> String? {
            guard let value = fields[field], !value.isEmpty else { return nil }
            return value
        }
        var text = MessageText(capacity: 128 + fields.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count })
        text.string("type", "snowplow: " + problem.message)
        text.string("messageId", given("eid"))
        text.string("userId", given("uid"))
        text.string("anonymousId", given("duid") ?? given("nuid") ?? given("tnuid"))
        text.object("context") { context in
            context.object("snowplow") { snowplow in
                snowplow.strings(fields.lazy.filter { keepsAppId || $0.key != "aid" }.sorted { $0.key < $1.key })
            }
        }
        self.message = text.close()
        self.messageId = given("eid")
    }

    /// A URL's path, `/` for none: what a `pv` event's page is named by.
    static func path(of url: String) -> String {
        let path = URLComponents(string: url)?.percentEncodedPath ?? ""
        return path.isEmpty ? "/" : path
    }

    /// Milliseconds since 1970 as an ISO 8601 time; anything else is passed on as sent, for the
    /// worker to refuse as `bad_timestamp` with the text it got.
    static func time(_ milliseconds: String) -> String {
        guard let value = Int64(milliseconds), (0...253_402_300_799_999).contains(value) else { return milliseconds }
        return ISO8601.string(from: Date(timeIntervalSince1970: Double(value) / 1000))
    }

    /// `1920x1080` as `{"width":1920,"height":1080}`.
    static func screen(_ resolution: String) -> String? {
        let parts = resolution.split(separator: "x")
        guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]) else { return nil }
        return #"{"width":\#(width),"height":\#(height)}"#
    }

    /// An integral number without a fraction, so `5` stays `5` in the stored properties.
    static func json(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    static func show(_ text: String) -> String {
        "\"" + (text.count > 40 ? String(text.prefix(40)) + "…" : text) + "\""
    }
}
