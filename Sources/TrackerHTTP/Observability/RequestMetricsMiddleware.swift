import Dispatch
import HTTPTypes
import Hummingbird
import Metrics
import Synchronization

/// Hummingbird's `MetricsMiddleware` metrics, same labels and dimensions, recorded when the handler
/// returns rather than from a closure run after the body is written, which cost an allocation and a
/// copy of the request's context on every request (about a sixth of the collector's CPU per
/// `/healthz`). For a buffered answer both moments are the same; a streamed one (the live tail)
/// counts as answered once its stream starts, and `tracker_stream_clients` counts the open streams.
public struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let cache = RequestMetricsCache()

    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        let active = cache.active(request.method)
        active.increment()
        defer { active.decrement() }
        do {
            let response = try await next(request, context)
            let metrics = cache.endpoint(
                .init(endpoint: context.endpointPath ?? "Unknown", method: request.method, status: response.status))
            metrics.counter.increment()
            metrics.timer.recordNanoseconds(DispatchTime.now().uptimeNanoseconds - start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            let metrics = cache.endpoint(
                .init(endpoint: context.endpointPath ?? "NotFound", method: request.method, status: status))
            metrics.counter.increment()
            metrics.errorCounter.increment()
            throw error
        }
    }
}

/// The metric objects of each route, method and status, made once.
final class RequestMetricsCache: Sendable {
    struct Key: Hashable {
        var endpoint: String
        var method: HTTPRequest.Method
        var status: HTTPResponse.Status
    }

    struct Endpoint: Sendable {
        let counter: Counter
        let timer: Timer
        let errorCounter: Counter
    }

    private let meters = Mutex<[HTTPRequest.Method: Meter]>([:])
    private let endpoints = Mutex<[Key: Endpoint]>([:])

    func active(_ method: HTTPRequest.Method) -> Meter {
        meters.withLock { meters in
            if let meter = meters[method] { return meter }
            let meter = Meter(
                label: "http.server.active_requests", dimensions: [("http.request.method", method.rawValue)])
            meters[method] = meter
            return meter
        }
    }

    func endpoint(_ key: Key) -> Endpoint {
        endpoints.withLock { endpoints in
            if let endpoint = endpoints[key] { return endpoint }
            let dimensions = [
                ("http.route", key.endpoint), ("http.request.method", key.method.rawValue),
                ("http.response.status_code", String(key.status.code)),
            ]
            let endpoint = Endpoint(
                counter: Counter(label: "hb.requests", dimensions: dimensions),
                timer: Timer(
                    label: "http.server.request.duration", dimensions: dimensions, preferredDisplayUnit: .seconds),
                errorCounter: Counter(
                    label: "hb.request.errors",
                    dimensions: [
                        ("http.route", key.endpoint), ("http.request.method", key.method.rawValue),
                        ("error.type", String(key.status.code)),
                    ]))
            endpoints[key] = endpoint
            return endpoint
        }
    }
}
