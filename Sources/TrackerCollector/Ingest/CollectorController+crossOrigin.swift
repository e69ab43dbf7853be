import HTTPTypes
import TrackerHTTP

extension CollectorController {
    /// CORS on every ingestion path, whichever protocol registered it: every path but the
    /// operational ones, so a protocol added later is covered without a list to keep. Cookies are
    /// allowed along: the browser trackers send theirs, and the collector reads none of them.
    var crossOriginPolicy: CrossOriginPolicy {
        CrossOriginPolicy(
            origins: configuration.crossOrigins, methods: [.get, .post, .options],
            headers: [.contentType, .authorization, .contentEncoding, .idempotencyKey], allowsCredentials: true,
            exemptPaths: ["/healthz", "/readyz", "/metrics", "/openapi.json"])
    }
}
