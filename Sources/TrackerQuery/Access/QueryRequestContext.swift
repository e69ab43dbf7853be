import Hummingbird
import NIOCore

/// The query API's request context: it keeps the client's address, which protected mode needs.
public struct QueryRequestContext: RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }
}
