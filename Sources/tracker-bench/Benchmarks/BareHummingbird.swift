import Hummingbird

/// The HTTP ceiling: Hummingbird with its defaults and nothing behind the routes, answering what the
/// collector answers (`/healthz`, and a single-event POST whose body it reads and drops), so a
/// collector figure reads against what this machine's HTTP stack allows at most.
enum BareHummingbird {
    static func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/healthz") { _, _ -> HTTPResponse.Status in .ok }
        for path in ["/v1/track", "/events"] {
            router.post(RouterPath(path)) { request, _ -> HTTPResponse.Status in
                _ = try await request.body.collect(upTo: 512 * 1024)
                return .ok
            }
        }
        return router
    }
}
