import TrackerHTTP

extension CollectorOpenAPI {
    /// One PostHog capture path (each also answers without its final slash).
    static func postHog(_ operation: String) -> String {
        #"""
        {"post": {
              "summary": "PostHog capture: one event, a batch, or an array of events",
              "description": "Each event is stored as a Segment message: uuid → messageId; distinct_id → userId (anonymousId when properties.$is_identified is false or it equals properties.$device_id); $pageview → page named by $pathname (else $current_url); $screen → screen named by $screen_name; $identify → identify with traits from $set and anonymousId from $anon_distinct_id; $create_alias → alias with previousId from properties.alias; any other event → track. The project key (api_key, or properties.token) is the write key. Bodies may be gzip by Content-Encoding or ?compression=gzip-js; text/plain bodies are read as JSON. The path answers with or without its final slash.",
              "operationId": "\#(operation)", "tags": ["posthog"],
              "parameters": [{
                "name": "compression", "in": "query", "required": false,
                "description": "gzip-js (posthog-js) or gzip: the body is gzip whatever its Content-Encoding; base64: an application/x-www-form-urlencoded body whose data field is the JSON in base64.",
                "schema": {"type": "string", "enum": ["gzip-js", "gzip", "base64", "none"]}
              }],
              "requestBody": {"required": true, "content": {"application/json": {"schema": {"oneOf": [
                {"$ref": "#/components/schemas/PostHogEvent"},
                {"$ref": "#/components/schemas/PostHogBatch"},
                {"type": "array", "maxItems": 2500, "items": {"$ref": "#/components/schemas/PostHogEvent"}}
              ]}}}},
              "responses": {
                \#(OpenAPI.response(200, "Stored durably.", schema: "PostHogAccepted")),
                \#(OpenAPI.errors([400, 401, 408, 413, 415, 429, 503]))
              }
            }}
        """#
    }

    static let postHogSchemas = #"""
        "PostHogEvent": {
          "type": "object",
          "description": "A PostHog event; what the mapping cannot store (no distinct_id, a bad timestamp) is kept in failed_events with a reason.",
          "properties": {
            "event": {"type": "string", "maxLength": 200},
            "distinct_id": {"type": "string", "maxLength": 256},
            "uuid": {"type": "string", "maxLength": 100},
            "timestamp": {"type": "string", "format": "date-time"},
            "properties": {"type": "object"},
            "$set": {"type": "object"},
            "api_key": {"type": "string"}
          }
        },
        "PostHogBatch": {
          "type": "object", "required": ["batch"],
          "properties": {
            "api_key": {"type": "string"},
            "batch": {"type": "array", "maxItems": 2500, "items": {"$ref": "#/components/schemas/PostHogEvent"}},
            "sent_at": {"type": "string", "format": "date-time"}
          }
        },
        "PostHogAccepted": {"type": "object", "required": ["status"], "properties": {"status": {"const": 1}}},
        """#
}
