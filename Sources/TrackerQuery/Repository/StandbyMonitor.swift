import Hummingbird
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization
import TrackerCore
import TrackerHTTP

/// Whether the read standby answers, asked every second. postgres-nio's pool keeps a request waiting
/// for a connection while it retries a server that refuses them (a minute before it gives up), so
/// reads check this first and answer 503 at once instead of hanging.
public final class StandbyMonitor: Service, Sendable {
    let standby: PostgresClient
    let logger: Logger
    private let reachable = Atomic<Bool>(true)

    init(standby: PostgresClient, logger: Logger) {
        self.standby = standby
        self.logger = logger
    }

    var isReachable: Bool { reachable.load(ordering: .relaxed) }

    /// Returns once the standby is found unreachable.
    func unreachable() async {
        while isReachable, !Task.isCancelled { try? await Task.sleep(for: .milliseconds(100)) }
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown { [self] in
            while !Task.isCancelled {
                let answered =
                    (try? await raceAgainstDeadline(.seconds(2)) { [self] in
                        try await StandbyReplay.read(from: ReadClient(client: standby), logger: logger)
                    }) != nil
                if reachable.exchange(answered, ordering: .relaxed) != answered {
                    logger.log(
                        level: answered ? .info : .warning, "read standby \(answered ? "answers again" : "unreachable")"
                    )
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}

/// Answers reads 503 `database_unavailable` (with `Retry-After`) while the standby is unreachable.
struct StandbyGateMiddleware<Context: RequestContext>: RouterMiddleware {
    let monitor: StandbyMonitor
    /// The original tracker's reads, at the root.
    static var legacyPaths: Set<String> { ["/events", "/stats/top-event-types", "/stats/events-per-minute"] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let path = request.uri.path
        if request.method == .get, path.hasPrefix("/v1/") || Self.legacyPaths.contains(path), !monitor.isReachable {
            throw APIError.databaseUnavailable
        }
        return try await next(request, context)
    }
}
