import Foundation
import TrackerCore

/// Why a Snowplow request is refused as a whole (400), before anything is stored.
struct SnowplowError: Error, Equatable {
    var message: String

    init(_ message: String) {
        self.message = message
    }
}

/// One tracker protocol 2 event (its name-value pairs) as the Segment message the pipeline stages.
///
/// The translation only moves fields: whether the message is valid (a user, a name, a timestamp)
/// is the worker's judgement, as for every Segment message, so an event without `uid`, `duid` or
/// `nuid` ends in `failed_events` as `missing_user`.
struct SnowplowEvent {
    /// The Segment message, compact JSON.
    var message: String
    /// `eid`, the message's id; nil when the tracker sent none.
    var messageId: String?
    /// `aid`, the write key when write keys are configured.
    var appId: String?

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
        var message: [String: JSONValue] = [:]
        var properties: [String: JSONValue] = [:]
        var context: [String: JSONValue] = [:]
        var snowplow: [String: JSONValue] = [:]
        for (name, value) in fields where !Self.mapped.contains(name) && (keepsAppId || name != "aid") {
            snowplow[name] = .string(value)
        }
        func set(_ field: String, _ key: String, in object: inout [String: JSONValue]) {
            if let value = fields[field], !value.isEmpty { object[key] = .string(value) }
        }
        func number(_ field: String, _ key: String) throws(SnowplowError) {
            guard let text = fields[field], !text.isEmpty else { return }
            guard let value = Double(text), value.isFinite else {
                throw SnowplowError("\(field) must be a number; got \(Self.show(text)).")
            }
            properties[key] = .number(Self.json(value))
        }

        guard let type = fields["e"], !type.isEmpty else {
            throw SnowplowError("Every event needs its type in \"e\" (pv, pp, se, ue, tr or ti).")
        }
        switch type {
        case "pv":
            message["type"] = .string("page")
            if let url = fields["url"] { message["name"] = .string(Self.path(of: url)) }
            set("page", "title", in: &properties)
            set("url", "url", in: &properties)
            set("refr", "referrer", in: &properties)
        case "pp":
            message["type"] = .string("track")
            message["event"] = .string("page_ping")
            set("page", "title", in: &properties)
            set("url", "url", in: &properties)
        case "se":
            message["type"] = .string("track")
            set("se_ac", "event", in: &message)
            set("se_ca", "category", in: &properties)
            set("se_la", "label", in: &properties)
            set("se_pr", "property", in: &properties)
            try number("se_va", "value")
        case "ue":
            message["type"] = .string("track")
            let event = try SelfDescribing.unstructEvent(fields)
            message["event"] = .string(event.name)
            properties = event.data
            snowplow["event_schema"] = .string(event.schema)
        case "tr":
            message["type"] = .string("track")
            message["event"] = .string("transaction")
            for (field, key) in [
                ("tr_id", "orderId"), ("tr_af", "affiliation"), ("tr_ci", "city"), ("tr_st", "state"),
                ("tr_co", "country"), ("tr_cu", "currency"),
            ] { set(field, key, in: &properties) }
            try number("tr_tt", "total")
            try number("tr_tx", "tax")
            try number("tr_sh", "shipping")
        case "ti":
            message["type"] = .string("track")
            message["event"] = .string("transaction_item")
            for (field, key) in [
                ("ti_id", "orderId"), ("ti_sk", "sku"), ("ti_nm", "name"), ("ti_ca", "category"), ("ti_cu", "currency"),
            ] { set(field, key, in: &properties) }
            try number("ti_pr", "price")
            try number("ti_qu", "quantity")
        default:
            throw SnowplowError(
                "e \(Self.show(type)) is not an event type this collector maps (pv, pp, se, ue, tr, ti).")
        }

        set("eid", "messageId", in: &message)
        set("uid", "userId", in: &message)
        if let anonymous = [fields["duid"], fields["nuid"], fields["tnuid"]].compactMap({ $0 }).first(where: {
            !$0.isEmpty
        }) {
            message["anonymousId"] = .string(anonymous)
        }
        // `ttm` is the true time of the event: nothing to correct. Otherwise the device's creation
        // and sending times, which the worker corrects for clock skew as Segment's pair.
        if let trueTime = fields["ttm"] {
            message["timestamp"] = Self.time(trueTime)
        } else {
            if let created = fields["dtm"] { message["timestamp"] = Self.time(created) }
            if let sent = fields["stm"] { message["sentAt"] = Self.time(sent) }
        }

        var page: [String: JSONValue] = [:]
        set("url", "url", in: &page)
        set("page", "title", in: &page)
        set("refr", "referrer", in: &page)
        if let url = fields["url"] { page["path"] = .string(Self.path(of: url)) }
        if !page.isEmpty { context["page"] = .object(page) }
        set("lang", "locale", in: &context)
        set("tz", "timezone", in: &context)
        set("sid", "sessionId", in: &context)
        if let agent = fields["ua"] ?? userAgent, !agent.isEmpty { context["userAgent"] = .string(agent) }
        if let screen = fields["res"].flatMap(Self.screen) { context["screen"] = screen }
        if let version = fields["tv"] {
            context["library"] = .object(["name": .string("snowplow"), "version": .string(version)])
        }
        let contexts = try SelfDescribing.contexts(fields)
        if !contexts.isEmpty {
            snowplow["contexts"] = .array(contexts)
            // The JavaScript tracker's session context names the session when `sid` does not.
            if context["sessionId"] == nil, let session = SelfDescribing.clientSessionId(in: contexts) {
                context["sessionId"] = .string(session)
            }
        }
        snowplow["e"] = .string(type)
        context["snowplow"] = .object(snowplow)
        if !properties.isEmpty { message["properties"] = .object(properties) }
        message["context"] = .object(context)

        self.message = JSONValue.object(message).jsonText
        self.messageId = fields["eid"].flatMap { $0.isEmpty ? nil : $0 }
        self.appId = fields["aid"]
    }

    /// A URL's path, `/` for none: what a `pv` event's page is named by.
    static func path(of url: String) -> String {
        let path = URLComponents(string: url)?.percentEncodedPath ?? ""
        return path.isEmpty ? "/" : path
    }

    /// Milliseconds since 1970 as an ISO 8601 time; anything else is passed on as sent, for the
    /// worker to refuse as `bad_timestamp` with the text it got.
    static func time(_ milliseconds: String) -> JSONValue {
        guard let value = Int64(milliseconds), (0...253_402_300_799_999).contains(value) else {
            return .string(milliseconds)
        }
        return .string(ISO8601.string(from: Date(timeIntervalSince1970: Double(value) / 1000)))
    }

    /// `1920x1080` as `{"width":1920,"height":1080}`.
    static func screen(_ resolution: String) -> JSONValue? {
        let parts = resolution.split(separator: "x")
        guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]) else { return nil }
        return .object(["width": .number(String(width)), "height": .number(String(height))])
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
