import TrackerHTTP

/// The worker's OpenAPI 3.1 description, served at `GET /openapi.json`: its HTTP side is only the
/// operation routes; its real interface is the staging table and the metrics.
public enum WorkerOpenAPI {
    public static let document = #"""
        {
          "openapi": "3.1.0",
          "info": {
            "title": "tracker worker", "version": "1.0.0",
            "description": "A worker replica: moves staged messages into events or failed_events and keeps the aggregates current. Its HTTP server reports liveness, readiness and Prometheus metrics."
          },
          "servers": [{"url": "http://localhost:8082"}],
          "paths": {
            \#(OpenAPI.operationPaths(server: "worker"))
          },
          "components": {
            "responses": {
              "Error": {
                "description": "Not ready: the database does not answer or its schema is not the one this binary expects.",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
              }
            },
            "schemas": {"Error": \#(OpenAPI.errorSchema)}
          }
        }
        """#
}
