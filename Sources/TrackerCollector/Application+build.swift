import Hummingbird
import Logging
import PostgresNIO
import TrackerHTTP
import TrackerStore

/// The collector's router: its endpoints plus the operational routes every server has.
public func buildCollectorRouter(
    controller: CollectorController,
    readiness: @escaping ReadinessCheck
) -> Router<BasicRequestContext> {
    let router = Router()
    router.addCommonMiddleware(
        answering: { isConnectionFailure($0) ? .databaseUnavailable : nil }, crossOrigin: controller.crossOriginPolicy)
    router.addOperationRoutes(readiness: readiness, openAPI: CollectorOpenAPI.document)
    controller.addRoutes(to: router)
    return router
}

/// The collector as a service: its HTTP server and its group-commit writer. The caller runs `client`.
public func buildCollectorApplication(
    client: PostgresClient,
    configuration: CollectorConfiguration,
    address: BindAddress,
    logger: Logger
) -> some ApplicationProtocol {
    if !configuration.writeKeys.isEnabled {
        logger.warning("TRACKER_WRITE_KEYS is empty: the collector accepts events without a write key")
    }
    let metrics = CollectorMetrics(writeKeys: configuration.writeKeys)
    let writer = StagingWriter(
        store: StagingStore(client: client), settings: configuration.staging, metrics: metrics, logger: logger)
    let controller = CollectorController(writer: writer, configuration: configuration, metrics: metrics)
    let router = buildCollectorRouter(
        controller: controller, readiness: databaseReadiness(client: client, logger: logger))
    return Application(
        router: router,
        server: .http1(
            configuration: .init(
                additionalChannelHandlers: [BodyDeadlineHandler(timeout: configuration.bodyTimeout)],
                idleTimeout: .init(configuration.idleTimeout))),
        configuration: .init(address: address, serverName: "tracker-collector"),
        services: [writer],
        logger: logger)
}
