import Hummingbird
import Logging
import PostgresNIO
import TrackerHTTP
import TrackerStore

/// The query API's router: operational routes, the API description, `/v1` and the original
/// tracker's read endpoints, behind `access`, and the Explorer page.
public func buildQueryRouter(
    repository: any QueryRepository,
    access: QueryAccess,
    readiness: @escaping ReadinessCheck,
    breakdownProperties: Set<String> = [],
    liveTail: LiveTail? = nil
) -> Router<QueryRequestContext> {
    let router = Router(context: QueryRequestContext.self)
    router.addCommonMiddleware(answering: APIError.answeringQuery, crossOrigin: access.crossOriginPolicy)
    router.add(middleware: QueryAccessMiddleware(access: access))
    router.addOperationRoutes(readiness: readiness, openAPI: QueryOpenAPI.document)
    QueryController(repository: repository).addRoutes(to: router)
    LegacyQueryController(repository: repository).addRoutes(to: router)
    AnalysisController(repository: repository, keptProperties: breakdownProperties).addRoutes(to: router)
    if let liveTail { EventStreamController(hub: liveTail.hub).addRoutes(to: router) }
    Explorer.addRoutes(to: router)
    return router
}

/// The query API as a service, with the live tail's listener (LISTEN on `database`, else polling
/// alone). The caller runs `client`.
public func buildQueryApplication(
    client: PostgresClient,
    readTokens: ReadTokens,
    adminTokens: ReadTokens = ReadTokens(),
    crossOrigins: AllowedOrigins = .none,
    address: BindAddress,
    breakdownProperties: Set<String> = [],
    liveTail settings: LiveTailSettings = .init(),
    listenOn database: DatabaseURL? = nil,
    logger: Logger
) -> some ApplicationProtocol {
    let access = QueryAccess(readTokens: readTokens, adminTokens: adminTokens, crossOrigins: crossOrigins)
    access.log(to: logger)
    let liveTail = LiveTail(client: client, settings: settings, logger: logger)
    let router = buildQueryRouter(
        repository: PostgresQueryRepository(client: client, logger: logger), access: access,
        readiness: databaseReadiness(client: client, logger: logger), breakdownProperties: breakdownProperties,
        liveTail: liveTail)
    // Started before the server and stopped after it, which first ends the streams.
    return Application(
        router: router, configuration: .init(address: address, serverName: "tracker-query"),
        services: [liveTail.listener(database: database, logger: logger)], logger: logger)
}
