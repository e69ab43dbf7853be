/// JSON text shared by the OpenAPI 3.1 documents the servers publish at `GET /openapi.json`: each
/// server writes its own paths and schemas and splices these in, so the routes every server has are
/// described once.
public enum OpenAPI {
    /// `paths` members for `/healthz`, `/readyz`, `/metrics` and `/openapi.json`, which no server
    /// guards with a token. Operation ids start with `server` (`collector` → `collectorHealthz`);
    /// the document must define `#/components/responses/Error`.
    public static func operationPaths(server: String) -> String {
        let status = #"{"type": "object", "required": ["status"], "properties": {"status": {"type": "string"}}}"#
        return #"""
            "/healthz": {"get": {
              "summary": "The process is alive", "operationId": "\#(server)Healthz", "tags": ["operations"], "security": [],
              "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": \#(status)}}}}
            }},
            "/readyz": {"get": {
              "summary": "The database answers and the schema is current", "operationId": "\#(server)Readyz",
              "tags": ["operations"], "security": [],
              "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": \#(status)}}},
                "503": {"$ref": "#/components/responses/Error"}
              }
            }},
            "/metrics": {"get": {
              "summary": "Prometheus metrics", "operationId": "\#(server)Metrics", "tags": ["operations"], "security": [],
              "responses": {"200": {"description": "OK", "content": {"text/plain": {"schema": {"type": "string"}}}}}
            }},
            "/openapi.json": {"get": {
              "summary": "This document", "operationId": "\#(server)OpenAPI", "tags": ["operations"], "security": [],
              "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}}
            }}
            """#
    }

    /// A `responses` member answering with `schema` (a `$ref` target under `#/components/schemas/`).
    public static func response(_ status: Int, _ description: String, schema: String) -> String {
        ##""\##(status)": {"description": "\##(description)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/\##(schema)"}}}}"##
    }

    /// `responses` members for `statuses` and `default`, all pointing at
    /// `#/components/responses/Error`.
    public static func errors(_ statuses: [Int]) -> String {
        (statuses.map { "\"\($0)\"" } + [#""default""#])
            .map { ##"\##($0): {"$ref": "#/components/responses/Error"}"## }
            .joined(separator: ", ")
    }

    /// The product's error body, `{"success": false, "code", "message"}`.
    public static let errorSchema = #"""
        {
          "type": "object", "required": ["success", "code", "message"],
          "properties": {
            "success": {"const": false},
            "code": {"type": "string", "description": "Machine-readable reason."},
            "message": {"type": "string", "description": "What is wrong, for a person."}
          }
        }
        """#
}
