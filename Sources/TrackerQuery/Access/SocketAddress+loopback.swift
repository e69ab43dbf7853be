import NIOCore

extension SocketAddress {
    /// Whether the peer is on this machine by its address alone: 127.0.0.0/8, `::1`, an IPv4-mapped
    /// 127.x address, or a Unix domain socket. Protected mode answers only these. Read from the
    /// address's canonical text (`inet_ntop`): the `sockaddr` fields belong to whichever C module
    /// declared them first, which member import visibility does not let a file rely on.
    var isLoopback: Bool {
        switch self {
        case .v4, .v6:
            guard let text = ipAddress else { return false }
            return text.hasPrefix("127.") || text == "::1" || text.hasPrefix("::ffff:127.")
        case .unixDomainSocket:
            return true
        }
    }
}
