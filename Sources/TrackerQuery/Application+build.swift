import Hummingbird
import Logging
import PostgresNIO
import TrackerHTTP

/// The query API's router: operational routes, the API description, `/v1` and the original
/// tracker's read endpoints, behind read tokens when configured.
public func buildQueryRouter(
    repository: any QueryRepository,
    readTokens: ReadTokens,
    readiness: @escaping ReadinessCheck
) -> Router<BasicRequestContext> {
    let router = Router()
    router.addCommonMiddleware()
    router.add(middleware: ReadTokenMiddleware(tokens: readTokens))
    router.addOperationRoutes(readiness: readiness, openAPI: QueryOpenAPI.document)
    QueryController(repository: repository).addRoutes(to: router)
    LegacyQueryController(repository: repository).addRoutes(to: router)
    return router
}

/// The query API as a service. The caller runs `client`.
public func buildQueryApplication(
    client: PostgresClient,
    readTokens: ReadTokens,
    address: BindAddress,
    logger: Logger
) -> some ApplicationProtocol {
    if !readTokens.isEnabled {
        logger.warning("TRACKER_READ_TOKENS is empty: the query API answers anyone who can reach it")
    }
    let router = buildQueryRouter(
        repository: PostgresQueryRepository(client: client, logger: logger), readTokens: readTokens,
        readiness: databaseReadiness(client: client, logger: logger))
    return Application(
        router: router, configuration: .init(address: address, serverName: "tracker-query"), logger: logger)
}
