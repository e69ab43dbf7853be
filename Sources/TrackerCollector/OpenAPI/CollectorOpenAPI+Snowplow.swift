import TrackerHTTP

extension CollectorOpenAPI {
    static let snowplowMapping =
        "Each event is stored as a Segment message: eid → messageId; uid → userId; duid (else nuid) → anonymousId; e=pv → page named by the path of url (page, url, refr as properties title, url, referrer); e=se → track named by se_ac (se_ca, se_la, se_pr, se_va as properties category, label, property, value); e=ue → track named by the self-describing event's schema name (ue_pr, or base64url ue_px), its data as properties; e=pp → track page_ping; e=tr → track transaction; e=ti → track transaction_item; dtm/stm (ms) are corrected for clock skew, ttm is taken as the true time. Contexts (co, or base64url cx) and every unmapped field are kept in context.snowplow. When write keys are configured, aid (the tracker's app id) is the write key."

    static let snowplowPost = #"""
        {"post": {
              "summary": "Snowplow tracker protocol 2: a batch of events",
              "description": "\#(snowplowMapping) A malformed payload or event refuses the whole request (400).",
              "operationId": "snowplowTp2", "tags": ["snowplow"],
              "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SnowplowPayload"}}}},
              "responses": {
                \#(OpenAPI.response(200, "Stored durably.", schema: "Success")),
                \#(OpenAPI.errors([400, 401, 408, 413, 415, 429, 503]))
              }
            }}
        """#

    /// The pixel's common fields; it takes every tracker protocol 2 field as a query parameter.
    static let snowplowPixel = #"""
        {"get": {
              "summary": "Snowplow tracker protocol 2: one event as a pixel",
              "description": "\#(snowplowMapping) The query string is one event; any tracker protocol 2 field is read, the common ones are listed. Success answers a 1×1 transparent GIF that is never cached; a refusal answers the collector's JSON error (an image element only sees that it failed to load).",
              "operationId": "snowplowPixel", "tags": ["snowplow"],
              "parameters": [
                \#(["e", "eid", "aid", "uid", "duid", "nuid", "url", "page", "refr", "se_ca", "se_ac", "se_la", "se_pr", "se_va", "ue_pr", "ue_px", "co", "cx", "dtm", "stm"]
                    .map { #"{"name": "\#($0)", "in": "query", "required": false, "schema": {"type": "string"}}"# }
                    .joined(separator: ",\n        "))
              ],
              "responses": {
                "200": {
                  "description": "Stored durably.",
                  "headers": {"Cache-Control": {"description": "no-store", "schema": {"type": "string"}}},
                  "content": {"image/gif": {"schema": {"type": "string", "format": "binary"}}}
                },
                \#(OpenAPI.errors([400, 401, 408, 413, 429, 503]))
              }
            }}
        """#

    static let snowplowSchemas = #"""
        "SnowplowPayload": {
          "type": "object", "required": ["schema", "data"],
          "description": "The payload_data self-describing JSON.",
          "properties": {
            "schema": {"type": "string", "pattern": "^iglu:com\\.snowplowanalytics\\.snowplow/payload_data/jsonschema/1-0-[0-9]+$"},
            "data": {
              "type": "array", "maxItems": 2500,
              "items": {"type": "object", "required": ["e"], "additionalProperties": {"type": "string"}}
            }
          }
        },
        """#
}
