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
    liveTail: LiveTail? = nil,
    standbyMonitor: StandbyMonitor? = nil
) -> Router<QueryRequestContext> {
    let router = Router(context: QueryRequestContext.self)
    router.addCommonMiddleware(answering: APIError.answeringQuery, crossOrigin: access.crossOriginPolicy)
    router.add(middleware: QueryAccessMiddleware(access: access))
    if let standbyMonitor { router.add(middleware: StandbyGateMiddleware(monitor: standbyMonitor)) }
    router.addOperationRoutes(readiness: readiness, openAPI: QueryOpenAPI.document)
    QueryController(repository: repository).addRoutes(to: router)
    LegacyQueryController(repository: repository).addRoutes(to: router)
    AnalysisController(repository: repository, keptProperties: breakdownProperties).addRoutes(to: router)
    if let liveTail { EventStreamController(hub: liveTail.hub).addRoutes(to: router) }
    Explorer.addRoutes(to: router)
    return router
}

/// The query API as a service, with the live tail's listener (LISTEN on `database`, else polling
/// alone). With `readStandby`, every read goes to it and `client` (the primary) keeps replay,
/// erasure and the live tail's replay fence. The caller runs `client` and the standby's client.
public func buildQueryApplication(
    client: PostgresClient,
    readTokens: ReadTokens,
    adminTokens: ReadTokens = ReadTokens(),
    crossOrigins: AllowedOrigins = .none,
    address: BindAddress,
    breakdownProperties: Set<String> = [],
    liveTail settings: LiveTailSettings = .init(),
    listenOn database: DatabaseURL? = nil,
    readStandby: ReadStandby? = nil,
    logger: Logger
) -> some ApplicationProtocol {
    let access = QueryAccess(readTokens: readTokens, adminTokens: adminTokens, crossOrigins: crossOrigins)
    access.log(to: logger)
    let monitor = readStandby.map { StandbyMonitor(standby: $0.client, logger: logger) }
    let reads = ReadClient(client: readStandby?.client ?? client, monitor: monitor)
    let liveTail = LiveTail(
        reads: reads, primary: readStandby.map { _ in client }, settings: settings, logger: logger)
    let readiness =
        readStandby.map {
            standbyReadiness(primary: client, standby: $0.client, maxLag: $0.maxLag, logger: logger)
        } ?? databaseReadiness(client: client, logger: logger)
    let router = buildQueryRouter(
        repository: PostgresQueryRepository(reads: reads, writes: client, logger: logger), access: access,
        readiness: readiness, breakdownProperties: breakdownProperties, liveTail: liveTail, standbyMonitor: monitor)
    // Started before the server and stopped after it, which first ends the streams.
    return Application(
        router: router, configuration: .init(address: address, serverName: "tracker-query"),
        services: [liveTail.listener(database: database, logger: logger)] + (monitor.map { [$0] } ?? []),
        logger: logger)
}
