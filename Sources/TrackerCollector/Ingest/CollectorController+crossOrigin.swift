import HTTPTypes
import TrackerHTTP

extension CollectorController {
    /// CORS on every ingestion path, whichever protocol registered it: every path but the
    /// operational ones, so a protocol added later is covered without a list to keep.
    var crossOriginPolicy: CrossOriginPolicy {
        CrossOriginPolicy(
            origins: configuration.crossOrigins, setting: "TRACKER_CORS_ORIGINS", methods: [.get, .post, .options],
            headers: [.contentType, .authorization, .contentEncoding, .idempotencyKey],
            exemptPaths: ["/healthz", "/readyz", "/metrics", "/openapi.json"])
    }
}
