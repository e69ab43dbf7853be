/// The collector's OpenAPI 3.1 description, served at `GET /openapi.json`. The test command checks it
/// with openapi-spec-validator and runs schemathesis against a live server with it.
public enum CollectorOpenAPI {
    public static let document = #"""
        {
          "openapi": "3.1.0",
          "info": {
            "title": "tracker collector",
            "version": "1.0.0",
            "description": "Segment HTTP Tracking API compatible ingest, plus the original tracker's POST /events. A 2xx means the messages are durably committed to staging; each is then validated by a worker and stored in events or failed_events with a reason. Bodies may be gzip-encoded (Content-Encoding: gzip); limits apply to the decompressed size: 32 KB per message, 500 KB per request, 2,500 messages per batch."
          },
          "servers": [
            {
              "url": "http://localhost:8080"
            }
          ],
          "security": [
            {},
            {
              "writeKey": []
            }
          ],
          "paths": {
            "/v1/batch": {
              "post": {
                "summary": "A batch of Segment messages",
                "operationId": "batch",
                "tags": [
                  "segment"
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/Batch"
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "Stored durably.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Success"
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
                  "408": {
                    "$ref": "#/components/responses/Error"
                  },
                  "413": {
                    "$ref": "#/components/responses/Error"
                  },
                  "415": {
                    "$ref": "#/components/responses/Error"
                  },
                  "429": {
                    "$ref": "#/components/responses/Error"
                  },
                  "503": {
                    "$ref": "#/components/responses/Error"
                  },
                  "default": {
                    "$ref": "#/components/responses/Error"
                  }
                }
              }
            },
            "/v1/track": {
              "post": {
                "summary": "One track call",
                "operationId": "track",
                "tags": [
                  "segment"
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/Message"
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "Stored durably.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Success"
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
                  "408": {
                    "$ref": "#/components/responses/Error"
                  },
                  "413": {
                    "$ref": "#/components/responses/Error"
                  },
                  "415": {
                    "$ref": "#/components/responses/Error"
                  },
                  "429": {
                    "$ref": "#/components/responses/Error"
                  },
                  "503": {
                    "$ref": "#/components/responses/Error"
                  },
                  "default": {
                    "$ref": "#/components/responses/Error"
                  }
                }
              }
            },
            "/v1/identify": {
              "post": {
                "summary": "One identify call",
                "operationId": "identify",
                "tags": [
                  "segment"
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/Message"
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "Stored durably.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Success"
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
                  "408": {
                    "$ref": "#/components/responses/Error"
                  },
                  "413": {
                    "$ref": "#/components/responses/Error"
                  },
                  "415": {
                    "$ref": "#/components/responses/Error"
                  },
                  "429": {
                    "$ref": "#/components/responses/Error"
                  },
                  "503": {
                    "$ref": "#/components/responses/Error"
                  },
                  "default": {
                    "$ref": "#/components/responses/Error"
                  }
                }
              }
            },
            "/v1/page": {
              "post": {
                "summary": "One page call",
                "operationId": "page",
                "tags": [
                  "segment"
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/Message"
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "Stored durably.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Success"
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
                  "408": {
                    "$ref": "#/components/responses/Error"
                  },
                  "413": {
                    "$ref": "#/components/responses/Error"
                  },
                  "415": {
                    "$ref": "#/components/responses/Error"
                  },
                  "429": {
                    "$ref": "#/components/responses/Error"
                  },
                  "503": {
                    "$ref": "#/components/responses/Error"
                  },
                  "default": {
                    "$ref": "#/components/responses/Error"
                  }
                }
              }
            },
            "/v1/screen": {
              "post": {
                "summary": "One screen call",
                "operationId": "screen",
                "tags": [
                  "segment"
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/Message"
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "Stored durably.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Success"
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
                  "408": {
                    "$ref": "#/components/responses/Error"
                  },
                  "413": {
                    "$ref": "#/components/responses/Error"
                  },
                  "415": {
                    "$ref": "#/components/responses/Error"
                  },
                  "429": {
                    "$ref": "#/components/responses/Error"
                  },
                  "503": {
                    "$ref": "#/components/responses/Error"
                  },
                  "default": {
                    "$ref": "#/components/responses/Error"
                  }
                }
              }
            },
            "/v1/group": {
              "post": {
                "summary": "One group call",
                "operationId": "group",
                "tags": [
                  "segment"
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/Message"
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "Stored durably.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Success"
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
                  "408": {
                    "$ref": "#/components/responses/Error"
                  },
                  "413": {
                    "$ref": "#/components/responses/Error"
                  },
                  "415": {
                    "$ref": "#/components/responses/Error"
                  },
                  "429": {
                    "$ref": "#/components/responses/Error"
                  },
                  "503": {
                    "$ref": "#/components/responses/Error"
                  },
                  "default": {
                    "$ref": "#/components/responses/Error"
                  }
                }
              }
            },
            "/v1/alias": {
              "post": {
                "summary": "One alias call",
                "operationId": "alias",
                "tags": [
                  "segment"
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/Message"
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "Stored durably.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Success"
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
                  "408": {
                    "$ref": "#/components/responses/Error"
                  },
                  "413": {
                    "$ref": "#/components/responses/Error"
                  },
                  "415": {
                    "$ref": "#/components/responses/Error"
                  },
                  "429": {
                    "$ref": "#/components/responses/Error"
                  },
                  "503": {
                    "$ref": "#/components/responses/Error"
                  },
                  "default": {
                    "$ref": "#/components/responses/Error"
                  }
                }
              }
            },
            "/events": {
              "post": {
                "summary": "The original tracker's event",
                "operationId": "legacyEvent",
                "tags": [
                  "original tracker"
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/LegacyEvent"
                      }
                    }
                  }
                },
                "responses": {
                  "202": {
                    "description": "Accepted and durably staged.",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/LegacyAccepted"
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Error"
                  },
                  "408": {
                    "$ref": "#/components/responses/Error"
                  },
                  "413": {
                    "$ref": "#/components/responses/Error"
                  },
                  "415": {
                    "$ref": "#/components/responses/Error"
                  },
                  "429": {
                    "$ref": "#/components/responses/Error"
                  },
                  "503": {
                    "$ref": "#/components/responses/Error"
                  },
                  "400": {
                    "description": "Invalid payload (the original tracker's shape).",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/LegacyPayloadError"
                        }
                      }
                    }
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
                "operationId": "collectorHealthz",
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
                "operationId": "collectorReadyz",
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
                "operationId": "collectorMetrics",
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
                "operationId": "collectorOpenAPI",
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
              "writeKey": {
                "type": "http",
                "scheme": "basic",
                "description": "The write key as the username, empty password; or writeKey in the body. Not required when TRACKER_WRITE_KEYS is empty."
              }
            },
            "responses": {
              "Error": {
                "description": "The whole request was refused; nothing of it was stored. 429 and 503 carry Retry-After.",
                "headers": {
                  "Retry-After": {
                    "description": "Seconds to wait (429 and 503).",
                    "schema": {
                      "type": "integer"
                    }
                  }
                },
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
              "Success": {
                "type": "object",
                "required": [
                  "success"
                ],
                "properties": {
                  "success": {
                    "const": true
                  }
                }
              },
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
                    "type": "string"
                  },
                  "message": {
                    "type": "string"
                  }
                }
              },
              "Message": {
                "type": "object",
                "description": "A Segment message; which fields are required depends on its type (userId or anonymousId always; event for track, groupId for group, previousId for alias).",
                "properties": {
                  "type": {
                    "type": "string",
                    "enum": [
                      "track",
                      "identify",
                      "page",
                      "screen",
                      "group",
                      "alias"
                    ]
                  },
                  "userId": {
                    "type": "string",
                    "maxLength": 256
                  },
                  "anonymousId": {
                    "type": "string",
                    "maxLength": 256
                  },
                  "messageId": {
                    "type": "string",
                    "maxLength": 100
                  },
                  "timestamp": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "sentAt": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "originalTimestamp": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "context": {
                    "type": "object"
                  },
                  "properties": {
                    "type": "object"
                  },
                  "traits": {
                    "type": "object"
                  },
                  "integrations": {
                    "type": "object"
                  },
                  "event": {
                    "type": "string",
                    "maxLength": 200
                  },
                  "name": {
                    "type": "string",
                    "maxLength": 200
                  },
                  "groupId": {
                    "type": "string",
                    "maxLength": 256
                  },
                  "previousId": {
                    "type": "string",
                    "maxLength": 256
                  },
                  "writeKey": {
                    "type": "string"
                  }
                }
              },
              "Batch": {
                "type": "object",
                "required": [
                  "batch"
                ],
                "properties": {
                  "batch": {
                    "type": "array",
                    "maxItems": 2500,
                    "items": {
                      "$ref": "#/components/schemas/Message"
                    }
                  },
                  "context": {
                    "type": "object"
                  },
                  "integrations": {
                    "type": "object"
                  },
                  "sentAt": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "writeKey": {
                    "type": "string"
                  }
                }
              },
              "LegacyEvent": {
                "type": "object",
                "required": [
                  "userId",
                  "sessionId",
                  "eventType"
                ],
                "properties": {
                  "userId": {
                    "type": "string",
                    "minLength": 1
                  },
                  "sessionId": {
                    "type": "string",
                    "minLength": 1
                  },
                  "eventType": {
                    "type": "string",
                    "minLength": 1
                  },
                  "timestamp": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "source": {
                    "type": "string"
                  },
                  "metadata": {
                    "type": "object"
                  }
                }
              },
              "LegacyAccepted": {
                "type": "object",
                "required": [
                  "status",
                  "eventId"
                ],
                "properties": {
                  "status": {
                    "const": "accepted"
                  },
                  "eventId": {
                    "type": "string",
                    "format": "uuid"
                  }
                }
              },
              "LegacyPayloadError": {
                "type": "object",
                "required": [
                  "error",
                  "details"
                ],
                "properties": {
                  "error": {
                    "type": "string"
                  },
                  "details": {
                    "type": "array",
                    "items": {
                      "type": "string"
                    }
                  },
                  "required": {
                    "type": "array",
                    "items": {
                      "type": "string"
                    }
                  }
                }
              }
            }
          }
        }
        """#
}
