/// The query API's OpenAPI 3.1 description, served at `GET /openapi.json`. The test command checks it
/// with openapi-spec-validator and runs schemathesis against a live server with it.
public enum QueryOpenAPI {
    public static let document = #"""
        {
          "openapi": "3.1.0",
          "info": {
            "title": "tracker query API",
            "version": "1.0.0",
            "description": "Filtered reads of stored events, aggregates from precomputed rollups, failed-event replay, erasure, and the original tracker's read endpoints. /v1 ranges are half-open [from, to); stats ranges have minute resolution; buckets are UTC."
          },
          "servers": [
            {
              "url": "http://localhost:8081"
            }
          ],
          "security": [
            {
              "bearerAuth": []
            }
          ],
          "paths": {
            "/v1/events": {
              "get": {
                "summary": "Events, newest first, keyset pages",
                "operationId": "listEvents",
                "tags": [
                  "v1"
                ],
                "parameters": [
                  {
                    "name": "user_id",
                    "in": "query",
                    "required": false,
                    "description": "Only this user.",
                    "schema": {
                      "type": "string",
                      "minLength": 1,
                      "maxLength": 256
                    }
                  },
                  {
                    "name": "anonymous_id",
                    "in": "query",
                    "required": false,
                    "description": "Only this anonymous id.",
                    "schema": {
                      "type": "string",
                      "minLength": 1,
                      "maxLength": 256
                    }
                  },
                  {
                    "name": "event",
                    "in": "query",
                    "required": false,
                    "description": "Only this event name (track event, or page/screen name).",
                    "schema": {
                      "type": "string",
                      "minLength": 1,
                      "maxLength": 200
                    }
                  },
                  {
                    "name": "type",
                    "in": "query",
                    "required": false,
                    "description": "Only this message type.",
                    "schema": {
                      "type": "string",
                      "enum": [
                        "track",
                        "identify",
                        "page",
                        "screen",
                        "group",
                        "alias"
                      ]
                    }
                  },
                  {
                    "name": "from",
                    "in": "query",
                    "required": false,
                    "description": "Start of the half-open range [from, to), ISO 8601.",
                    "schema": {
                      "type": "string",
                      "format": "date-time"
                    }
                  },
                  {
                    "name": "to",
                    "in": "query",
                    "required": false,
                    "description": "End of the half-open range [from, to), ISO 8601.",
                    "schema": {
                      "type": "string",
                      "format": "date-time"
                    }
                  },
                  {
                    "name": "limit",
                    "in": "query",
                    "required": false,
                    "description": "Page size.",
                    "schema": {
                      "type": "integer",
                      "minimum": 1,
                      "maximum": 1000,
                      "default": 100
                    }
                  },
                  {
                    "name": "cursor",
                    "in": "query",
                    "required": false,
                    "description": "next_cursor of the previous page, with the same filters.",
                    "schema": {
                      "type": "string",
                      "maxLength": 200
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/EventPage"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/Error"
                  },
                  "401": {
                    "$ref": "#/components/responses/Error"
                  },
                  "default": {
                    "$ref": "#/components/responses/Error"
                  }
                }
              }
            },
            "/v1/stats/top-events": {
              "get": {
                "summary": "Most frequent event names",
                "operationId": "topEvents",
                "tags": [
                  "v1"
                ],
                "parameters": [
                  {
                    "name": "from",
                    "in": "query",
                    "required": false,
                    "description": "Start of the half-open range [from, to), ISO 8601.",
                    "schema": {
                      "type": "string",
                      "format": "date-time"
                    }
                  },
                  {
                    "name": "to",
                    "in": "query",
                    "required": false,
                    "description": "End of the half-open range [from, to), ISO 8601.",
                    "schema": {
                      "type": "string",
                      "format": "date-time"
                    }
                  },
                  {
                    "name": "limit",
                    "in": "query",
                    "required": false,
                    "description": "How many names.",
                    "schema": {
                      "type": "integer",
                      "minimum": 1,
                      "maximum": 1000,
                      "default": 10
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/TopEvents"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/Error"
                  },
                  "401": {
                    "$ref": "#/components/responses/Error"
                  },
                  "default": {
                    "$ref": "#/components/responses/Error"
                  }
                }
              }
            },
            "/v1/stats/timeseries": {
              "get": {
                "summary": "Event counts per bucket, ascending, non-empty buckets",
                "operationId": "timeseries",
                "tags": [
                  "v1"
                ],
                "parameters": [
                  {
                    "name": "interval",
                    "in": "query",
                    "required": false,
                    "description": "Bucket size (UTC).",
                    "schema": {
                      "type": "string",
                      "enum": [
                        "minute",
                        "hour",
                        "day"
                      ],
                      "default": "hour"
                    }
                  },
                  {
                    "name": "from",
                    "in": "query",
                    "required": false,
                    "description": "Start of the half-open range [from, to), ISO 8601.",
                    "schema": {
                      "type": "string",
                      "format": "date-time"
                    }
                  },
                  {
                    "name": "to",
                    "in": "query",
                    "required": false,
                    "description": "End of the half-open range [from, to), ISO 8601.",
                    "schema": {
                      "type": "string",
                      "format": "date-time"
                    }
                  },
                  {
                    "name": "event",
                    "in": "query",
                    "required": false,
                    "description": "Only this event name.",
                    "schema": {
                      "type": "string",
                      "minLength": 1,
                      "maxLength": 200
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Timeseries"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/Error"
                  },
                  "401": {
                    "$ref": "#/components/responses/Error"
                  },
                  "default": {
                    "$ref": "#/components/responses/Error"
                  }
                }
              }
            },
            "/v1/stats/active-users": {
              "get": {
                "summary": "Exact distinct people (user_id, else anonymous_id) per bucket",
                "operationId": "activeUsers",
                "tags": [
                  "v1"
                ],
                "parameters": [
                  {
                    "name": "interval",
                    "in": "query",
                    "required": false,
                    "description": "Bucket size (UTC, weeks start on Monday).",
                    "schema": {
                      "type": "string",
                      "enum": [
                        "day",
                        "week",
                        "month"
                      ],
                      "default": "day"
                    }
                  },
                  {
                    "name": "from",
                    "in": "query",
                    "required": false,
                    "description": "Start of the half-open range [from, to), ISO 8601.",
                    "schema": {
                      "type": "string",
                      "format": "date-time"
                    }
                  },
                  {
                    "name": "to",
                    "in": "query",
                    "required": false,
                    "description": "End of the half-open range [from, to), ISO 8601.",
                    "schema": {
                      "type": "string",
                      "format": "date-time"
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/ActiveUsers"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/Error"
                  },
                  "401": {
                    "$ref": "#/components/responses/Error"
                  },
                  "default": {
                    "$ref": "#/components/responses/Error"
                  }
                }
              }
            },
            "/v1/failed-events": {
              "get": {
                "summary": "Messages the worker refused, newest first",
                "operationId": "listFailedEvents",
                "tags": [
                  "v1"
                ],
                "parameters": [
                  {
                    "name": "reason",
                    "in": "query",
                    "required": false,
                    "description": "Only this reason code.",
                    "schema": {
                      "type": "string",
                      "minLength": 1,
                      "maxLength": 100
                    }
                  },
                  {
                    "name": "limit",
                    "in": "query",
                    "required": false,
                    "description": "Page size.",
                    "schema": {
                      "type": "integer",
                      "minimum": 1,
                      "maximum": 1000,
                      "default": 100
                    }
                  },
                  {
                    "name": "cursor",
                    "in": "query",
                    "required": false,
                    "description": "next_cursor of the previous page, with the same reason.",
                    "schema": {
                      "type": "string",
                      "maxLength": 200
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/FailedEventPage"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/Error"
                  },
                  "401": {
                    "$ref": "#/components/responses/Error"
                  },
                  "default": {
                    "$ref": "#/components/responses/Error"
                  }
                }
              }
            },
            "/v1/failed-events/replay": {
              "post": {
                "summary": "Put failed events back into staging",
                "operationId": "replayFailedEvents",
                "tags": [
                  "v1"
                ],
                "parameters": [],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/ReplayResult"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/Error"
                  },
                  "401": {
                    "$ref": "#/components/responses/Error"
                  },
                  "413": {
                    "$ref": "#/components/responses/Error"
                  },
                  "default": {
                    "$ref": "#/components/responses/Error"
                  }
                },
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/ReplayRequest"
                      }
                    }
                  }
                }
              }
            },
            "/v1/users/{id}": {
              "delete": {
                "summary": "Erase a person everywhere",
                "operationId": "eraseUser",
                "tags": [
                  "v1"
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "description": "The user_id or anonymous_id to erase.",
                    "schema": {
                      "type": "string",
                      "minLength": 1,
                      "maxLength": 256
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Erasure"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/Error"
                  },
                  "401": {
                    "$ref": "#/components/responses/Error"
                  },
                  "default": {
                    "$ref": "#/components/responses/Error"
                  }
                }
              }
            },
            "/events": {
              "get": {
                "summary": "Original tracker: events with offset paging",
                "operationId": "legacyEvents",
                "tags": [
                  "original tracker"
                ],
                "parameters": [
                  {
                    "name": "userId",
                    "in": "query",
                    "required": false,
                    "description": "Only this user.",
                    "schema": {
                      "type": "string",
                      "minLength": 1,
                      "maxLength": 256
                    }
                  },
                  {
                    "name": "type",
                    "in": "query",
                    "required": false,
                    "description": "Only this event type (event name).",
                    "schema": {
                      "type": "string",
                      "minLength": 1,
                      "maxLength": 200
                    }
                  },
                  {
                    "name": "from",
                    "in": "query",
                    "required": false,
                    "description": "Start of the half-open range [from, to), ISO 8601.",
                    "schema": {
                      "type": "string",
                      "format": "date-time"
                    }
                  },
                  {
                    "name": "to",
                    "in": "query",
                    "required": false,
                    "description": "End of the half-open range [from, to), ISO 8601.",
                    "schema": {
                      "type": "string",
                      "format": "date-time"
                    }
                  },
                  {
                    "name": "limit",
                    "in": "query",
                    "required": false,
                    "description": "Page size.",
                    "schema": {
                      "type": "integer",
                      "minimum": 1,
                      "maximum": 500,
                      "default": 100
                    }
                  },
                  {
                    "name": "offset",
                    "in": "query",
                    "required": false,
                    "description": "Rows to skip.",
                    "schema": {
                      "type": "integer",
                      "minimum": 0,
                      "maximum": 1000000,
                      "default": 0
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/LegacyEventPage"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/Error"
                  },
                  "401": {
                    "$ref": "#/components/responses/Error"
                  },
                  "default": {
                    "$ref": "#/components/responses/Error"
                  }
                }
              }
            },
            "/stats/top-event-types": {
              "get": {
                "summary": "Original tracker: most frequent event types",
                "operationId": "legacyTopEventTypes",
                "tags": [
                  "original tracker"
                ],
                "parameters": [
                  {
                    "name": "from",
                    "in": "query",
                    "required": false,
                    "description": "Start of the half-open range [from, to), ISO 8601.",
                    "schema": {
                      "type": "string",
                      "format": "date-time"
                    }
                  },
                  {
                    "name": "to",
                    "in": "query",
                    "required": false,
                    "description": "End of the half-open range [from, to), ISO 8601.",
                    "schema": {
                      "type": "string",
                      "format": "date-time"
                    }
                  },
                  {
                    "name": "limit",
                    "in": "query",
                    "required": false,
                    "description": "How many types.",
                    "schema": {
                      "type": "integer",
                      "minimum": 1,
                      "maximum": 1000,
                      "default": 10
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/LegacyTopEventTypes"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/Error"
                  },
                  "401": {
                    "$ref": "#/components/responses/Error"
                  },
                  "default": {
                    "$ref": "#/components/responses/Error"
                  }
                }
              }
            },
            "/stats/events-per-minute": {
              "get": {
                "summary": "Original tracker: events per minute",
                "operationId": "legacyEventsPerMinute",
                "tags": [
                  "original tracker"
                ],
                "parameters": [
                  {
                    "name": "from",
                    "in": "query",
                    "required": false,
                    "description": "Start of the half-open range [from, to), ISO 8601.",
                    "schema": {
                      "type": "string",
                      "format": "date-time"
                    }
                  },
                  {
                    "name": "to",
                    "in": "query",
                    "required": false,
                    "description": "End of the half-open range [from, to), ISO 8601.",
                    "schema": {
                      "type": "string",
                      "format": "date-time"
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/LegacyEventsPerMinute"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/Error"
                  },
                  "401": {
                    "$ref": "#/components/responses/Error"
                  },
                  "default": {
                    "$ref": "#/components/responses/Error"
                  }
                }
              }
            },
            "/healthz": {
              "get": {
                "summary": "The process is alive",
                "operationId": "queryHealthz",
                "tags": [
                  "operations"
                ],
                "security": [],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "required": [
                            "status"
                          ],
                          "properties": {
                            "status": {
                              "type": "string"
                            }
                          }
                        }
                      }
                    }
                  }
                }
              }
            },
            "/readyz": {
              "get": {
                "summary": "The database answers and the schema is current",
                "operationId": "queryReadyz",
                "tags": [
                  "operations"
                ],
                "security": [],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "required": [
                            "status"
                          ],
                          "properties": {
                            "status": {
                              "type": "string"
                            }
                          }
                        }
                      }
                    }
                  },
                  "503": {
                    "$ref": "#/components/responses/Error"
                  }
                }
              }
            },
            "/metrics": {
              "get": {
                "summary": "Prometheus metrics",
                "operationId": "queryMetrics",
                "tags": [
                  "operations"
                ],
                "security": [],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "text/plain": {
                        "schema": {
                          "type": "string"
                        }
                      }
                    }
                  }
                }
              }
            },
            "/openapi.json": {
              "get": {
                "summary": "This document",
                "operationId": "queryOpenAPI",
                "tags": [
                  "operations"
                ],
                "security": [],
                "responses": {
                  "200": {
                    "description": "OK",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object"
                        }
                      }
                    }
                  }
                }
              }
            }
          },
          "components": {
            "securitySchemes": {
              "bearerAuth": {
                "type": "http",
                "scheme": "bearer",
                "description": "A token of TRACKER_READ_TOKENS; not required when none is configured."
              }
            },
            "responses": {
              "Error": {
                "description": "The request was refused or failed.",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Error"
                    }
                  }
                }
              }
            },
            "schemas": {
              "Error": {
                "type": "object",
                "required": [
                  "success",
                  "code",
                  "message"
                ],
                "properties": {
                  "success": {
                    "const": false
                  },
                  "code": {
                    "type": "string",
                    "description": "Machine-readable reason."
                  },
                  "message": {
                    "type": "string",
                    "description": "What is wrong, for a person."
                  },
                  "error": {
                    "type": "string",
                    "description": "Original tracker endpoints only."
                  },
                  "details": {
                    "type": "array",
                    "items": {
                      "type": "string"
                    },
                    "description": "Original tracker endpoints only."
                  }
                }
              },
              "Event": {
                "type": "object",
                "required": [
                  "message_id",
                  "type",
                  "timestamp",
                  "received_at",
                  "source",
                  "properties",
                  "context",
                  "traits"
                ],
                "properties": {
                  "message_id": {
                    "type": "string"
                  },
                  "type": {
                    "type": "string"
                  },
                  "event": {
                    "anyOf": [
                      {
                        "type": "string"
                      },
                      {
                        "type": "null"
                      }
                    ]
                  },
                  "user_id": {
                    "anyOf": [
                      {
                        "type": "string"
                      },
                      {
                        "type": "null"
                      }
                    ]
                  },
                  "anonymous_id": {
                    "anyOf": [
                      {
                        "type": "string"
                      },
                      {
                        "type": "null"
                      }
                    ]
                  },
                  "session_id": {
                    "anyOf": [
                      {
                        "type": "string"
                      },
                      {
                        "type": "null"
                      }
                    ]
                  },
                  "timestamp": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "received_at": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "source": {
                    "type": "string"
                  },
                  "properties": {
                    "type": "object"
                  },
                  "context": {
                    "type": "object"
                  },
                  "traits": {
                    "type": "object"
                  }
                }
              },
              "EventPage": {
                "type": "object",
                "required": [
                  "data",
                  "next_cursor"
                ],
                "properties": {
                  "data": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/Event"
                    }
                  },
                  "next_cursor": {
                    "anyOf": [
                      {
                        "type": "string"
                      },
                      {
                        "type": "null"
                      }
                    ]
                  }
                }
              },
              "TopEvents": {
                "type": "object",
                "required": [
                  "data",
                  "as_of"
                ],
                "properties": {
                  "data": {
                    "type": "array",
                    "items": {
                      "type": "object",
                      "required": [
                        "event",
                        "count"
                      ],
                      "properties": {
                        "event": {
                          "type": "string"
                        },
                        "count": {
                          "type": "integer",
                          "minimum": 1
                        }
                      }
                    }
                  },
                  "as_of": {
                    "type": "string",
                    "format": "date-time"
                  }
                }
              },
              "Timeseries": {
                "type": "object",
                "required": [
                  "data",
                  "as_of"
                ],
                "properties": {
                  "data": {
                    "type": "array",
                    "items": {
                      "type": "object",
                      "required": [
                        "bucket",
                        "count"
                      ],
                      "properties": {
                        "bucket": {
                          "type": "string",
                          "format": "date-time"
                        },
                        "count": {
                          "type": "integer",
                          "minimum": 0
                        }
                      }
                    }
                  },
                  "as_of": {
                    "type": "string",
                    "format": "date-time"
                  }
                }
              },
              "ActiveUsers": {
                "type": "object",
                "required": [
                  "data",
                  "as_of"
                ],
                "properties": {
                  "data": {
                    "type": "array",
                    "items": {
                      "type": "object",
                      "required": [
                        "bucket",
                        "users"
                      ],
                      "properties": {
                        "bucket": {
                          "type": "string",
                          "format": "date-time"
                        },
                        "users": {
                          "type": "integer",
                          "minimum": 0
                        }
                      }
                    }
                  },
                  "as_of": {
                    "type": "string",
                    "format": "date-time"
                  }
                }
              },
              "FailedEvent": {
                "type": "object",
                "required": [
                  "id",
                  "received_at",
                  "reason",
                  "detail",
                  "payload"
                ],
                "properties": {
                  "id": {
                    "type": "integer"
                  },
                  "received_at": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "failed_at": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "source": {
                    "type": "string"
                  },
                  "message_id": {
                    "type": "string"
                  },
                  "reason": {
                    "type": "string"
                  },
                  "detail": {
                    "type": "string"
                  },
                  "payload": {
                    "type": "string",
                    "description": "The message exactly as it arrived."
                  }
                }
              },
              "FailedEventPage": {
                "type": "object",
                "required": [
                  "data",
                  "next_cursor"
                ],
                "properties": {
                  "data": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/FailedEvent"
                    }
                  },
                  "next_cursor": {
                    "anyOf": [
                      {
                        "type": "string"
                      },
                      {
                        "type": "null"
                      }
                    ]
                  }
                }
              },
              "ReplayRequest": {
                "oneOf": [
                  {
                    "type": "object",
                    "required": [
                      "ids"
                    ],
                    "properties": {
                      "ids": {
                        "type": "array",
                        "minItems": 1,
                        "maxItems": 1000,
                        "items": {
                          "type": "integer",
                          "minimum": 1
                        }
                      }
                    },
                    "additionalProperties": false
                  },
                  {
                    "type": "object",
                    "required": [
                      "reason"
                    ],
                    "properties": {
                      "reason": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": 100
                      }
                    },
                    "additionalProperties": false
                  }
                ]
              },
              "ReplayResult": {
                "type": "object",
                "required": [
                  "replayed"
                ],
                "properties": {
                  "replayed": {
                    "type": "integer",
                    "minimum": 0
                  }
                }
              },
              "Erasure": {
                "type": "object",
                "required": [
                  "user_id",
                  "deleted"
                ],
                "properties": {
                  "user_id": {
                    "type": "string"
                  },
                  "deleted": {
                    "type": "object",
                    "required": [
                      "events",
                      "staged",
                      "failed_events",
                      "active_days"
                    ],
                    "properties": {
                      "events": {
                        "type": "integer",
                        "minimum": 0
                      },
                      "staged": {
                        "type": "integer",
                        "minimum": 0
                      },
                      "failed_events": {
                        "type": "integer",
                        "minimum": 0
                      },
                      "active_days": {
                        "type": "integer",
                        "minimum": 0
                      }
                    }
                  }
                }
              },
              "LegacyEvent": {
                "type": "object",
                "required": [
                  "id",
                  "timestamp",
                  "userId",
                  "sessionId",
                  "eventType",
                  "source",
                  "metadata"
                ],
                "properties": {
                  "id": {
                    "type": "string"
                  },
                  "timestamp": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "userId": {
                    "anyOf": [
                      {
                        "type": "string"
                      },
                      {
                        "type": "null"
                      }
                    ]
                  },
                  "sessionId": {
                    "anyOf": [
                      {
                        "type": "string"
                      },
                      {
                        "type": "null"
                      }
                    ]
                  },
                  "eventType": {
                    "type": "string"
                  },
                  "source": {
                    "type": "string"
                  },
                  "metadata": {
                    "type": "object"
                  }
                }
              },
              "LegacyEventPage": {
                "type": "object",
                "required": [
                  "data",
                  "total",
                  "limit",
                  "offset"
                ],
                "properties": {
                  "data": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/LegacyEvent"
                    }
                  },
                  "total": {
                    "type": "integer",
                    "minimum": 0
                  },
                  "limit": {
                    "type": "integer"
                  },
                  "offset": {
                    "type": "integer"
                  }
                }
              },
              "LegacyTopEventTypes": {
                "type": "object",
                "required": [
                  "data"
                ],
                "properties": {
                  "data": {
                    "type": "array",
                    "items": {
                      "type": "object",
                      "required": [
                        "eventType",
                        "count"
                      ],
                      "properties": {
                        "eventType": {
                          "type": "string"
                        },
                        "count": {
                          "type": "integer"
                        }
                      }
                    }
                  }
                }
              },
              "LegacyEventsPerMinute": {
                "type": "object",
                "required": [
                  "data"
                ],
                "properties": {
                  "data": {
                    "type": "array",
                    "items": {
                      "type": "object",
                      "required": [
                        "minute",
                        "count"
                      ],
                      "properties": {
                        "minute": {
                          "type": "string",
                          "format": "date-time"
                        },
                        "count": {
                          "type": "integer"
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
        """#
}
