import Hummingbird
import NIOCore

/// The query API's request context: it keeps the client's address, which protected mode needs, and
/// the connection, which the live tail closes when it drops a client.
public struct QueryRequestContext: RemoteAddressRequestContext, ClosableRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
        self.channel = source.channel
    }
}
