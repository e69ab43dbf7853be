import TrackerHTTP

/// The query API's OpenAPI 3.1 description, served at `GET /openapi.json`. The test command checks it
/// with openapi-spec-validator and runs schemathesis against a live server with it.
public enum QueryOpenAPI {
    public static let document = #"""
        {
          "openapi": "3.1.0",
          "info": {
            "title": "tracker query API", "version": "1.0.0",
            "description": "Filtered reads of stored events, aggregates from precomputed rollups, failed-event replay, erasure, and the original tracker's read endpoints. /v1 ranges are half-open [from, to); stats ranges have minute resolution; buckets are UTC. Query strings are decoded as HTML forms (application/x-www-form-urlencoded): + is a space, %XX a byte of UTF-8, so a + in a time offset is sent as %2B; a parameter given twice is refused with 400 unless it is documented as repeatable."
          },
          "servers": [{"url": "http://localhost:8081"}],
          "security": [{"bearerAuth": []}],
          "paths": {
            "/v1/events": {"get": {
              "summary": "Events, newest first, keyset pages", "operationId": "listEvents", "tags": ["v1"],
              "parameters": [
                {"name": "user_id", "in": "query", "required": false, "style": "form", "explode": true, "description": "Only this user.", "schema": {"type": "string", "minLength": 1, "maxLength": 256}},
                {"name": "anonymous_id", "in": "query", "required": false, "style": "form", "explode": true, "description": "Only this anonymous id.", "schema": {"type": "string", "minLength": 1, "maxLength": 256}},
                {"name": "event", "in": "query", "required": false, "style": "form", "explode": true, "description": "Only this event name (track event, or page/screen name).", "schema": {"type": "string", "minLength": 1, "maxLength": 200}},
                {"name": "type", "in": "query", "required": false, "style": "form", "explode": true, "description": "Only this message type.", "schema": {"type": "string", "enum": ["track", "identify", "page", "screen", "group", "alias"]}},
                \#(range),
                {"name": "limit", "in": "query", "required": false, "style": "form", "explode": true, "description": "Page size.", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}},
                {"name": "cursor", "in": "query", "required": false, "style": "form", "explode": true, "description": "next_cursor of the previous page, with the same filters.", "schema": {"type": "string", "maxLength": 200}}
              ],
              "responses": {\#(OpenAPI.response(200, "OK", schema: "EventPage")), \#(refusals)}
            }},
            "/v1/events/stream": {"get": {
              "summary": "Live tail: stored events as server-sent events", "operationId": "streamEvents", "tags": ["v1"],
              "description": "An endless text/event-stream: each stored event matching the filters as `id: <position>` and `data: <the event as /v1/events answers it>`, in the order their transactions finished, and a `: heartbeat` comment every 15 s. The first message carries only an id, the starting position. Reconnecting with that id (Last-Event-ID, which browsers send by themselves) continues without gap or duplicate for 23 hours. Without one the stream starts now.",
              "parameters": [
                {"name": "event", "in": "query", "required": false, "style": "form", "explode": true, "description": "Only this event name (track event, or page/screen name).", "schema": {"type": "string", "minLength": 1, "maxLength": 200}},
                {"name": "user_id", "in": "query", "required": false, "style": "form", "explode": true, "description": "Only this user.", "schema": {"type": "string", "minLength": 1, "maxLength": 256}},
                {"name": "type", "in": "query", "required": false, "style": "form", "explode": true, "description": "Only this message type.", "schema": {"type": "string", "enum": ["track", "identify", "page", "screen", "group", "alias"]}},
                {"name": "Last-Event-ID", "in": "header", "required": false, "description": "The id of the last event received: continue after it.", "schema": {"type": "string", "maxLength": 200}},
                {"name": "last_event_id", "in": "query", "required": false, "style": "form", "explode": true, "description": "The same as Last-Event-ID, for clients that cannot set headers; the header wins.", "schema": {"type": "string", "maxLength": 200}}
              ],
              "responses": {
                "200": {"description": "The stream; it ends only when the server stops or drops a client that does not keep up.", "content": {"text/event-stream": {"schema": {"type": "string"}}}},
                \#(OpenAPI.errors([400, 401, 503]))
              }
            }},
            "/v1/stats/top-events": {"get": {
              "summary": "Most frequent event names", "operationId": "topEvents", "tags": ["v1"],
              "parameters": [
                \#(range),
                {"name": "limit", "in": "query", "required": false, "style": "form", "explode": true, "description": "How many names.", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 10}}
              ],
              "responses": {\#(OpenAPI.response(200, "OK", schema: "TopEvents")), \#(refusals)}
            }},
            "/v1/stats/timeseries": {"get": {
              "summary": "Event counts per bucket, ascending, non-empty buckets", "operationId": "timeseries", "tags": ["v1"],
              "parameters": [
                {"name": "interval", "in": "query", "required": false, "style": "form", "explode": true, "description": "Bucket size (UTC).", "schema": {"type": "string", "enum": ["minute", "hour", "day"], "default": "hour"}},
                \#(range),
                {"name": "event", "in": "query", "required": false, "style": "form", "explode": true, "description": "Only this event name.", "schema": {"type": "string", "minLength": 1, "maxLength": 200}}
              ],
              "responses": {\#(OpenAPI.response(200, "OK", schema: "Timeseries")), \#(refusals)}
            }},
            "/v1/stats/active-users": {"get": {
              "summary": "Exact distinct people (user_id, else anonymous_id) per bucket", "operationId": "activeUsers", "tags": ["v1"],
              "parameters": [
                {"name": "interval", "in": "query", "required": false, "style": "form", "explode": true, "description": "Bucket size (UTC, weeks start on Monday).", "schema": {"type": "string", "enum": ["day", "week", "month"], "default": "day"}},
                \#(range)
              ],
              "responses": {\#(OpenAPI.response(200, "OK", schema: "ActiveUsers")), \#(refusals)}
            }},
            "/v1/stats/funnel": {"get": {
              "summary": "People who did the steps in order", "operationId": "funnel", "tags": ["v1"],
              "description": "people at step k: persons (user_id, else the user_id an identify or alias linked their anonymous_id to, else anonymous_id) with events e1…ek of steps 1…k, e1 in [from, to), each at or after the one before (equal times count as in order), ek no later than within after e1. Computed from the stored events at the time of the read; from/to span at most 90 days (default: the 30 days before to).",
              "parameters": [
                {"name": "step", "in": "query", "required": true, "style": "form", "explode": true, "description": "An event name (a page or screen counts under its name), repeated once per step in order: 2 to 10 times.", "schema": {"type": "array", "minItems": 2, "maxItems": 10, "items": {"type": "string", "minLength": 1, "maxLength": 200}}},
                {"name": "within", "in": "query", "required": false, "style": "form", "explode": true, "description": "ISO 8601 duration from the first step to the last: PnW or PnDTnHnMnS in whole numbers, PT5M to P90D.", "schema": {"type": "string", "default": "P1D", "maxLength": 40}},
                \#(range)
              ],
              "responses": {\#(OpenAPI.response(200, "OK", schema: "Funnel")), \#(OpenAPI.errors([400, 401, 503]))}
            }},
            "/v1/stats/retention": {"get": {
              "summary": "Retention cohorts by first stored event", "operationId": "retention", "tags": ["v1"],
              "description": "A cohort is the persons (user_id, else anonymous_id) whose first stored event falls in its bucket; cohorts whose bucket starts in [date_trunc(from), to) and that have members, each with returned[k] = members active in bucket cohort + k. from/to span at most 366 days (default: the 30 days before to).",
              "parameters": [
                {"name": "interval", "in": "query", "required": false, "style": "form", "explode": true, "description": "Bucket size (UTC days, or weeks starting on Monday).", "schema": {"type": "string", "enum": ["day", "week"], "default": "day"}},
                {"name": "periods", "in": "query", "required": false, "style": "form", "explode": true, "description": "Buckets per cohort in returned.", "schema": {"type": "integer", "minimum": 1, "maximum": 30, "default": 8}},
                \#(range)
              ],
              "responses": {\#(OpenAPI.response(200, "OK", schema: "Retention")), \#(refusals)}
            }},
            "/v1/stats/breakdown": {"get": {
              "summary": "Counts of one event per value of a property", "operationId": "breakdown", "tags": ["v1"],
              "description": "value is the property's JSON value (null when missing; a value whose JSON text exceeds 200 bytes is counted under one marker string), largest count first. Properties in TRACKER_BREAKDOWN_PROPERTIES are read from the workers' rollups over any range; any other is counted from the stored events, over at most 31 days and under a statement timeout (503 breakdown_timeout past it).",
              "parameters": [
                {"name": "event", "in": "query", "required": true, "style": "form", "explode": true, "description": "The event name (a page or screen counts under its name).", "schema": {"type": "string", "minLength": 1, "maxLength": 200}},
                {"name": "property", "in": "query", "required": true, "style": "form", "explode": true, "description": "A top-level key of the events' properties.", "schema": {"type": "string", "minLength": 1, "maxLength": 200}},
                {"name": "limit", "in": "query", "required": false, "style": "form", "explode": true, "description": "Values at most.", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 10}},
                \#(range)
              ],
              "responses": {\#(OpenAPI.response(200, "OK", schema: "Breakdown")), \#(OpenAPI.errors([400, 401, 503]))}
            }},
            "/v1/failed-events": {"get": {
              "summary": "Messages the worker refused, newest first", "operationId": "listFailedEvents", "tags": ["v1"],
              "parameters": [
                {"name": "reason", "in": "query", "required": false, "style": "form", "explode": true, "description": "Only this reason code.", "schema": {"type": "string", "minLength": 1, "maxLength": 100}},
                {"name": "limit", "in": "query", "required": false, "style": "form", "explode": true, "description": "Page size.", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}},
                {"name": "cursor", "in": "query", "required": false, "style": "form", "explode": true, "description": "next_cursor of the previous page, with the same reason.", "schema": {"type": "string", "maxLength": 200}}
              ],
              "responses": {\#(OpenAPI.response(200, "OK", schema: "FailedEventPage")), \#(refusals)}
            }},
            "/v1/failed-events/replay": {"post": {
              "summary": "Put failed events back into staging", "operationId": "replayFailedEvents", "tags": ["v1"],
              "description": "With TRACKER_ADMIN_TOKENS configured, needs one of them: a read token is refused with 403.",
              "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ReplayRequest"}}}},
              "responses": {\#(OpenAPI.response(200, "OK", schema: "ReplayResult")), \#(OpenAPI.errors([400, 401, 403, 413]))}
            }},
            "/v1/users/{id}": {"delete": {
              "summary": "Erase a person everywhere", "operationId": "eraseUser", "tags": ["v1"],
              "description": "With TRACKER_ADMIN_TOKENS configured, needs one of them: a read token is refused with 403.",
              "parameters": [
                {"name": "id", "in": "path", "required": true, "description": "The user_id, anonymous_id or alias previousId to erase.", "schema": {"type": "string", "minLength": 1, "maxLength": 256}}
              ],
              "responses": {\#(OpenAPI.response(200, "OK", schema: "Erasure")), \#(OpenAPI.errors([400, 401, 403]))}
            }},
            "/v1/messages/{messageId}": {"get": {
              "summary": "Receipt: where one message is", "operationId": "messageReceipt", "tags": ["v1"],
              "description": "staged (waiting for a worker), stored (with the event as /v1/events answers it), failed (with the reason and detail of failed_events) or unknown (never received, erased, or stored longer ago than the dedupe window). Always 200 for an id a message could have.",
              "parameters": [
                {"name": "messageId", "in": "path", "required": true, "description": "The messageId the message was sent with (eid for Snowplow, uuid for PostHog, the eventId POST /events answered), at most 100 bytes (UTF-8).", "schema": {"type": "string", "minLength": 1, "maxLength": 100}},
                {"name": "source", "in": "query", "required": true, "style": "form", "explode": true, "description": "The source it was sent to: its write key's source, or default when the collector has no write keys.", "schema": {"type": "string", "minLength": 1, "maxLength": 256}}
              ],
              "responses": {\#(OpenAPI.response(200, "OK", schema: "Receipt")), \#(refusals)}
            }},
            "/events": {"get": {
              "summary": "Original tracker: events with offset paging", "operationId": "legacyEvents", "tags": ["original tracker"],
              "parameters": [
                {"name": "userId", "in": "query", "required": false, "style": "form", "explode": true, "description": "Only this user.", "schema": {"type": "string", "minLength": 1, "maxLength": 256}},
                {"name": "type", "in": "query", "required": false, "style": "form", "explode": true, "description": "Only this event type (event name).", "schema": {"type": "string", "minLength": 1, "maxLength": 200}},
                \#(range),
                {"name": "limit", "in": "query", "required": false, "style": "form", "explode": true, "description": "Page size.", "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}},
                {"name": "offset", "in": "query", "required": false, "style": "form", "explode": true, "description": "Rows to skip, at most 10000; narrow from and to to read further back.", "schema": {"type": "integer", "minimum": 0, "maximum": 10000, "default": 0}}
              ],
              "responses": {\#(OpenAPI.response(200, "OK", schema: "LegacyEventPage")), \#(refusals)}
            }},
            "/stats/top-event-types": {"get": {
              "summary": "Original tracker: most frequent event types", "operationId": "legacyTopEventTypes", "tags": ["original tracker"],
              "parameters": [
                \#(range),
                {"name": "limit", "in": "query", "required": false, "style": "form", "explode": true, "description": "How many types.", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 10}}
              ],
              "responses": {\#(OpenAPI.response(200, "OK", schema: "LegacyTopEventTypes")), \#(refusals)}
            }},
            "/stats/events-per-minute": {"get": {
              "summary": "Original tracker: events per minute", "operationId": "legacyEventsPerMinute", "tags": ["original tracker"],
              "parameters": [\#(range)],
              "responses": {\#(OpenAPI.response(200, "OK", schema: "LegacyEventsPerMinute")), \#(refusals)}
            }},
            \#(OpenAPI.operationPaths(server: "query"))
          },
          "components": {
            "securitySchemes": {
              "bearerAuth": {
                "type": "http", "scheme": "bearer",
                "description": "A token of TRACKER_READ_TOKENS or TRACKER_ADMIN_TOKENS. With no read tokens configured, clients on the server's own machine (loopback) need none and others are refused (protected mode)."
              }
            },
            "parameters": {
              "From": {"name": "from", "in": "query", "required": false, "style": "form", "explode": true, "description": "Start of the half-open range [from, to), ISO 8601.", "schema": {"type": "string", "format": "date-time"}},
              "To": {"name": "to", "in": "query", "required": false, "style": "form", "explode": true, "description": "End of the half-open range [from, to), ISO 8601.", "schema": {"type": "string", "format": "date-time"}}
            },
            "responses": {
              "Error": {
                "description": "The request was refused or failed.",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
              }
            },
            "schemas": {
              "Error": {
                "type": "object", "required": ["success", "code", "message"],
                "properties": {
                  "success": {"const": false},
                  "code": {"type": "string", "description": "Machine-readable reason."},
                  "message": {"type": "string", "description": "What is wrong, for a person."},
                  "error": {"type": "string", "description": "Original tracker endpoints only."},
                  "details": {"type": "array", "items": {"type": "string"}, "description": "Original tracker endpoints only."}
                }
              },
              "Event": {
                "type": "object",
                "required": ["message_id", "type", "timestamp", "received_at", "source", "properties", "context", "traits"],
                "properties": {
                  "message_id": {"type": "string"},
                  "type": {"type": "string"},
                  "event": \#(nullableString),
                  "user_id": \#(nullableString),
                  "anonymous_id": \#(nullableString),
                  "session_id": \#(nullableString),
                  "timestamp": {"type": "string", "format": "date-time"},
                  "received_at": {"type": "string", "format": "date-time"},
                  "source": {"type": "string"},
                  "properties": {"type": "object"},
                  "context": {"type": "object"},
                  "traits": {"type": "object"}
                }
              },
              "Receipt": {
                "type": "object", "required": ["message_id", "source", "status"],
                "properties": {
                  "message_id": {"type": "string"},
                  "source": {"type": "string"},
                  "status": {"type": "string", "enum": ["staged", "stored", "failed", "unknown"]},
                  "event": {"$ref": "#/components/schemas/Event"},
                  "failed": {
                    "type": "object", "required": ["reason", "detail"],
                    "properties": {"reason": {"type": "string"}, "detail": {"type": "string"}}
                  }
                }
              },
              "EventPage": {
                "type": "object", "required": ["data", "next_cursor"],
                "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}}, "next_cursor": \#(nullableString)}
              },
              "TopEvents": \#(stats(["event": #"{"type": "string"}"#, "count": #"{"type": "integer", "minimum": 1}"#])),
              "Timeseries": \#(stats(["bucket": timestamp, "count": #"{"type": "integer", "minimum": 0}"#])),
              "ActiveUsers": \#(stats(["bucket": timestamp, "users": #"{"type": "integer", "minimum": 0}"#])),
              "Funnel": \#(stats(["step": #"{"type": "integer", "minimum": 1}"#, "event": #"{"type": "string"}"#, "people": #"{"type": "integer", "minimum": 0}"#, "conversion": #"{"type": "number", "minimum": 0, "maximum": 1}"#])),
              "Retention": \#(stats(["cohort": timestamp, "people": #"{"type": "integer", "minimum": 0}"#, "returned": #"{"type": "array", "items": {"type": "integer", "minimum": 0}}"#])),
              "Breakdown": \#(stats(["value": #"{"description": "The property's JSON value; null when missing."}"#, "count": #"{"type": "integer", "minimum": 1}"#])),
              "FailedEvent": {
                "type": "object", "required": ["id", "received_at", "reason", "detail", "payload"],
                "properties": {
                  "id": {"type": "integer"},
                  "received_at": {"type": "string", "format": "date-time"},
                  "failed_at": {"type": "string", "format": "date-time"},
                  "source": {"type": "string"},
                  "message_id": {"type": "string"},
                  "reason": {"type": "string"},
                  "detail": {"type": "string"},
                  "payload": {"type": "string", "description": "The message exactly as it arrived."}
                }
              },
              "FailedEventPage": {
                "type": "object", "required": ["data", "next_cursor"],
                "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/FailedEvent"}}, "next_cursor": \#(nullableString)}
              },
              "ReplayRequest": {
                "oneOf": [
                  {
                    "type": "object", "required": ["ids"], "additionalProperties": false,
                    "properties": {"ids": {"type": "array", "minItems": 1, "maxItems": 1000, "items": {"type": "integer", "minimum": 1}}}
                  },
                  {
                    "type": "object", "required": ["reason"], "additionalProperties": false,
                    "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": 100}}
                  }
                ]
              },
              "ReplayResult": {"type": "object", "required": ["replayed"], "properties": {"replayed": {"type": "integer", "minimum": 0}}},
              "Erasure": {
                "type": "object", "required": ["user_id", "deleted"],
                "properties": {
                  "user_id": {"type": "string"},
                  "deleted": {
                    "type": "object", "required": ["events", "staged", "failed_events", "active_days"],
                    "properties": {
                      "events": {"type": "integer", "minimum": 0},
                      "staged": {"type": "integer", "minimum": 0},
                      "failed_events": {"type": "integer", "minimum": 0},
                      "active_days": {"type": "integer", "minimum": 0}
                    }
                  }
                }
              },
              "LegacyEvent": {
                "type": "object", "required": ["id", "timestamp", "userId", "sessionId", "eventType", "source", "metadata"],
                "properties": {
                  "id": {"type": "string"},
                  "timestamp": {"type": "string", "format": "date-time"},
                  "userId": \#(nullableString),
                  "sessionId": \#(nullableString),
                  "eventType": {"type": "string"},
                  "source": {"type": "string"},
                  "metadata": {"type": "object"}
                }
              },
              "LegacyEventPage": {
                "type": "object", "required": ["data", "total", "limit", "offset"],
                "properties": {
                  "data": {"type": "array", "items": {"$ref": "#/components/schemas/LegacyEvent"}},
                  "total": {"type": "integer", "minimum": 0},
                  "limit": {"type": "integer"},
                  "offset": {"type": "integer"}
                }
              },
              "LegacyTopEventTypes": \#(rows(["eventType": #"{"type": "string"}"#, "count": #"{"type": "integer"}"#])),
              "LegacyEventsPerMinute": \#(rows(["minute": timestamp, "count": #"{"type": "integer"}"#]))
            }
          }
        }
        """#

    /// The `from` and `to` parameters of every ranged read.
    private static let range = ##"{"$ref": "#/components/parameters/From"}, {"$ref": "#/components/parameters/To"}"##

    /// What a read answers when it refuses: bad parameters, a missing or unknown token, or anything else.
    private static let refusals = OpenAPI.errors([400, 401])

    private static let nullableString = #"{"anyOf": [{"type": "string"}, {"type": "null"}]}"#

    private static let timestamp = #"{"type": "string", "format": "date-time"}"#

    /// `{"data": [row…]}`, each row holding every one of `fields` (name and schema).
    private static func rows(_ fields: KeyValuePairs<String, String>) -> String {
        #"{"type": "object", "required": ["data"], "properties": {"data": \#(array(fields))}}"#
    }

    /// `{"data": [row…], "as_of"}`: a stats answer and how fresh its rollups are.
    private static func stats(_ fields: KeyValuePairs<String, String>) -> String {
        #"""
        {"type": "object", "required": ["data", "as_of"], "properties": {"data": \#(array(fields)), "as_of": \#(timestamp)}}
        """#
    }

    private static func array(_ fields: KeyValuePairs<String, String>) -> String {
        let required = fields.map { "\"\($0.key)\"" }.joined(separator: ", ")
        let properties = fields.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ")
        return #"""
            {"type": "array", "items": {"type": "object", "required": [\#(required)], "properties": {\#(properties)}}}
            """#
    }
}
