import HTTPTypes
import TrackerHTTP

extension QueryAccess {
    /// CORS for the origins of `TRACKER_QUERY_CORS_ORIGINS` only. A preflight is answered before the
    /// token check, as browsers send it without the `Authorization` header the real call carries.
    var crossOriginPolicy: CrossOriginPolicy {
        CrossOriginPolicy(
            origins: crossOrigins,
            methods: [.get, .head, .post, .delete, .options], headers: [.authorization, .contentType])
    }
}
