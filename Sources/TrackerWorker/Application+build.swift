import Hummingbird
import Logging
import PostgresNIO
import TrackerHTTP
import TrackerStore

/// The worker as a service: its replica loop plus `/healthz`, `/readyz`, `/metrics` and
/// `/openapi.json`. The caller runs `client`. `direct` (default `database`) serves LISTEN and the
/// leader's session lock when `database` is a transaction-mode pooler.
public func buildWorkerApplication(
    client: PostgresClient,
    database: DatabaseURL,
    direct: DatabaseURL? = nil,
    configuration: WorkerConfiguration,
    address: BindAddress,
    logger: Logger
) -> some ApplicationProtocol {
    let worker = Worker(database: database, direct: direct, configuration: configuration, logger: logger)
    let router = Router()
    router.addCommonMiddleware { isConnectionFailure($0) ? .databaseUnavailable : nil }
    router.addOperationRoutes(
        readiness: databaseReadiness(client: client, logger: logger), openAPI: WorkerOpenAPI.document)
    return Application(
        router: router,
        configuration: .init(address: address, serverName: "tracker-worker"),
        services: [worker],
        logger: logger)
}
