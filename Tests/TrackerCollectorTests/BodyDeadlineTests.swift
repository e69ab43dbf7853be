import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOPosix
import Testing
import TrackerCore
import TrackerStore

@testable import TrackerCollector

@Suite struct BodyDeadlineTests {
    @Test func aBodyThatStallsGets408AndItsConnectionClosed() async throws {
        var configuration = CollectorConfiguration()
        configuration.bodyTimeout = .milliseconds(500)
        try await withCollector("collector_body_deadline", configuration: configuration, testing: .live) {
            database, client in
            let port = try #require(client.port)
            let started = ContinuousClock.now
            // Promises 100 bytes, sends 10, then waits: the server must answer and hang up.
            let answer = try await raceAgainstDeadline(.seconds(20)) {
                try await rawExchange(
                    port: port,
                    "POST /v1/batch HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 100\r\n\r\n{\"batch\":[")
            }
            #expect(ContinuousClock.now - started >= .milliseconds(500), "not before the body's deadline")
            #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer)")
            #expect(answer.contains(#""code":"body_timeout""#))
            #expect(answer.lowercased().contains("connection: close"))
            #expect(try await database.stagedCount == 0)
            // A body that arrives in time on the same server is unaffected.
            let ok = try await raceAgainstDeadline(.seconds(20)) {
                try await rawExchange(
                    port: port,
                    "POST /v1/track HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 26\r\nConnection: close\r\n\r\n{\"userId\":\"u\",\"event\":\"E\"}")
            }
            #expect(ok.hasPrefix("HTTP/1.1 200"), "\(ok)")
            #expect(try await database.stagedCount == 1)
        }
    }

    /// The connection's timer, armed by an earlier request, must still give a later one its full time
    /// and then end it: one timer per connection re-arms for the request in progress.
    @Test func aBodyThatStallsAfterAnAnsweredRequestOnTheSameConnectionGets408() async throws {
        var configuration = CollectorConfiguration()
        configuration.bodyTimeout = .milliseconds(500)
        try await withCollector("collector_body_deadline_keepalive", configuration: configuration, testing: .live) {
            database, client in
            let port = try #require(client.port)
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
            let (first, second, waited) = try await raceAgainstDeadline(.seconds(20)) {
                try await channel.executeThenClose { inbound, outbound in
                    try await outbound.write(
                        ByteBuffer(
                            string: "POST /v1/track HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
                                + "Content-Length: 26\r\n\r\n{\"userId\":\"u\",\"event\":\"E\"}"))
                    var iterator = inbound.makeAsyncIterator()
                    var first = ""
                    while !first.contains(#"{"success":true}"#), let chunk = try await iterator.next() {
                        first += String(buffer: chunk)
                    }
                    let started = ContinuousClock.now
                    try await outbound.write(
                        ByteBuffer(
                            string: "POST /v1/batch HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
                                + "Content-Length: 100\r\n\r\n{\"batch\":["))
                    var second = ""
                    while let chunk = try await iterator.next() { second += String(buffer: chunk) }
                    return (first, second, ContinuousClock.now - started)
                }
            }
            #expect(first.hasPrefix("HTTP/1.1 200"), "\(first)")
            #expect(waited >= .milliseconds(500), "the second request gets its own full time")
            #expect(second.hasPrefix("HTTP/1.1 408"), "\(second)")
            #expect(second.contains(#""code":"body_timeout""#))
            #expect(try await database.stagedCount == 1)
        }
    }

    /// Sends `request` as raw bytes and returns everything the server sends until it closes.
    private func rawExchange(port: Int, _ request: String) async throws -> String {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: request))
            var received = ByteBuffer()
            for try await chunk in inbound { received.writeImmutableBuffer(chunk) }
            return String(buffer: received)
        }
    }
}

@Suite struct MessageIDTests {
    @Test func generatedIdsAreDistinctVersion4UUIDs() {
        let ids = (0..<10_000).map { _ in MessageID.next() }
        #expect(Set(ids).count == ids.count)
        for id in ids.prefix(100) {
            let uuid = UUID(uuidString: id)
            #expect(uuid?.uuidString.lowercased() == id)
            #expect(Array(id)[14] == "4", "version 4")
            #expect("89ab".contains(Array(id)[19]), "RFC 4122 variant")
        }
    }

    @Test func formatMatchesFoundationsSpelling() {
        for _ in 0..<100 {
            let (high, low) = (UInt64.random(in: .min ... .max), UInt64.random(in: .min ... .max))
            let bytes = withUnsafeBytes(of: (high.bigEndian, low.bigEndian)) { Array($0) }
            let uuid = UUID(
                uuid: (
                    bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9],
                    bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
                ))
            #expect(MessageID.format(high: high, low: low) == uuid.uuidString.lowercased())
        }
    }
}
