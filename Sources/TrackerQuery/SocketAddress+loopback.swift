import Foundation
import NIOCore

extension SocketAddress {
    /// Whether the peer is on this machine by its address alone: 127.0.0.0/8, `::1`, an IPv4-mapped
    /// 127.x address, or a Unix domain socket. Protected mode answers only these.
    var isLoopback: Bool {
        switch self {
        case .v4(let address):
            return UInt32(bigEndian: address.address.sin_addr.s_addr) >> 24 == 127
        case .v6(let address):
            let bytes = withUnsafeBytes(of: address.address.sin6_addr) { Array($0) }
            let isOne = bytes[0..<15].allSatisfy { $0 == 0 } && bytes[15] == 1
            let isMapped = bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF
            return isOne || (isMapped && bytes[12] == 127)
        case .unixDomainSocket:
            return true
        }
    }
}
