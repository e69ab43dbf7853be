import TrackerHTTP

/// The collector's OpenAPI 3.1 description, served at `GET /openapi.json`. The test command checks it
/// with openapi-spec-validator and runs schemathesis against a live server with it.
public enum CollectorOpenAPI {
    public static let document = #"""
        {
          "openapi": "3.1.0",
          "info": {
            "title": "tracker collector", "version": "1.0.0",
            "description": "Segment HTTP Tracking API compatible ingest, plus the original tracker's POST /events, PostHog's capture API and Snowplow's tracker protocol 2. Every ingestion path answers CORS preflights (OPTIONS) for the origins of TRACKER_CORS_ORIGINS, and reads text/plain bodies as JSON. A 2xx means the messages are durably committed to staging; each is then validated by a worker and stored in events or failed_events with a reason. Bodies may be gzip-encoded (Content-Encoding: gzip); limits apply to the decompressed size: 32 KB per message, 500 KB per request, 2,500 messages per batch."
          },
          "servers": [{"url": "http://localhost:8080"}],
          "security": [{}, {"writeKey": []}],
          "paths": {
            "/v1/batch": \#(segment("batch", "A batch of Segment messages", body: batch)),
            "/v1/track": \#(segment("track", "One track call", body: message(requiring: "event"))),
            "/v1/identify": \#(segment("identify", "One identify call", body: message())),
            "/v1/page": \#(segment("page", "One page call", body: message())),
            "/v1/screen": \#(segment("screen", "One screen call", body: message())),
            "/v1/group": \#(segment("group", "One group call", body: message(requiring: "groupId"))),
            "/v1/alias": \#(segment("alias", "One alias call", body: message(requiring: "previousId"))),
            "/events": {"post": {
              "summary": "The original tracker's event", "operationId": "legacyEvent", "tags": ["original tracker"],
              "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/LegacyEvent"}}}},
              "responses": {
                \#(OpenAPI.response(202, "Accepted and durably staged.", schema: "LegacyAccepted")),
                \#(OpenAPI.response(400, "Invalid payload (the original tracker's shape).", schema: "LegacyPayloadError")),
                \#(OpenAPI.errors([401, 408, 413, 415, 429, 503]))
              }
            }},
            "/capture/": \#(postHog("postHogCapture")),
            "/batch/": \#(postHog("postHogBatch")),
            "/e/": \#(postHog("postHogE")),
            "/i/v0/e/": \#(postHog("postHogIngest")),
            "/com.snowplowanalytics.snowplow/tp2": \#(snowplowPost),
            "/i": \#(snowplowPixel),
            \#(OpenAPI.operationPaths(server: "collector"))
          },
          "components": {
            "securitySchemes": {
              "writeKey": {
                "type": "http", "scheme": "basic",
                "description": "The write key as the username, empty password; or writeKey in the body. Not required when TRACKER_WRITE_KEYS is empty."
              }
            },
            "responses": {
              "Error": {
                "description": "The whole request was refused; nothing of it was stored. 429 and 503 carry Retry-After.",
                "headers": {"Retry-After": {"description": "Seconds to wait (429 and 503).", "schema": {"type": "integer"}}},
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
              }
            },
            "schemas": {
              \#(postHogSchemas)
              \#(snowplowSchemas)
              "Success": {"type": "object", "required": ["success"], "properties": {"success": {"const": true}}},
              "Error": \#(OpenAPI.errorSchema),
              "Message": {
                "type": "object",
                "description": "A Segment message; which fields are required depends on its type (userId or anonymousId always; event for track, groupId for group, previousId for alias).",
                "properties": {
                  "type": {"type": "string", "enum": ["track", "identify", "page", "screen", "group", "alias"]},
                  "userId": {"type": "string", "maxLength": 256},
                  "anonymousId": {"type": "string", "maxLength": 256},
                  "messageId": {"type": "string", "maxLength": 100},
                  "timestamp": {"type": "string", "format": "date-time"},
                  "sentAt": {"type": "string", "format": "date-time"},
                  "originalTimestamp": {"type": "string", "format": "date-time"},
                  "context": {"type": "object"},
                  "properties": {"type": "object"},
                  "traits": {"type": "object"},
                  "integrations": {"type": "object"},
                  "event": {"type": "string", "maxLength": 200},
                  "name": {"type": "string", "maxLength": 200},
                  "groupId": {"type": "string", "maxLength": 256},
                  "previousId": {"type": "string", "maxLength": 256},
                  "writeKey": {"type": "string"}
                }
              },
              "Batch": {
                "type": "object", "required": ["batch"],
                "properties": {
                  "batch": {"type": "array", "maxItems": 2500, "items": {"$ref": "#/components/schemas/Message"}},
                  "context": {"type": "object"},
                  "integrations": {"type": "object"},
                  "sentAt": {"type": "string", "format": "date-time"},
                  "writeKey": {"type": "string"}
                }
              },
              "LegacyEvent": {
                "type": "object", "required": ["userId", "sessionId", "eventType"],
                "properties": {
                  "userId": {"type": "string", "minLength": 1},
                  "sessionId": {"type": "string", "minLength": 1},
                  "eventType": {"type": "string", "minLength": 1},
                  "timestamp": {"type": "string", "format": "date-time"},
                  "source": {"type": "string"},
                  "metadata": {"type": "object"}
                }
              },
              "LegacyAccepted": {
                "type": "object", "required": ["status", "eventId"],
                "properties": {"status": {"const": "accepted"}, "eventId": {"type": "string", "format": "uuid"}}
              },
              "LegacyPayloadError": {
                "type": "object", "required": ["error", "details"],
                "properties": {
                  "error": {"type": "string"},
                  "details": {"type": "array", "items": {"type": "string"}},
                  "required": {"type": "array", "items": {"type": "string"}}
                }
              }
            }
          }
        }
        """#

    /// A Segment endpoint: its body's schema, `200 {"success":true}`, and every refusal the
    /// collector answers with its error body.
    private static func segment(_ operation: String, _ summary: String, body: String) -> String {
        #"""
        {"post": {
              "summary": "\#(summary)", "operationId": "\#(operation)", "tags": ["segment"],
              "requestBody": {"required": true, "content": {"application/json": {"schema": \#(body)}}},
              "responses": {
                \#(OpenAPI.response(200, "Stored durably.", schema: "Success")),
                \#(OpenAPI.errors([400, 401, 408, 413, 415, 429, 503]))
              }
            }}
        """#
    }

    private static let batch = ##"{"$ref": "#/components/schemas/Batch"}"##

    /// A single message's schema: the collector refuses one without a non-empty `userId` or
    /// `anonymousId`, or without its type's own field (in a batch, the worker judges these instead).
    private static func message(requiring field: String? = nil) -> String {
        func present(_ name: String) -> String {
            #"{"required": ["\#(name)"], "properties": {"\#(name)": {"type": "string", "minLength": 1}}}"#
        }
        return #"""
            {"allOf": [
                {"$ref": "#/components/schemas/Message"},
                {"anyOf": [\#(present("userId")), \#(present("anonymousId"))]}\#(field.map { ", " + present($0) } ?? "")
              ]}
            """#
    }
}
