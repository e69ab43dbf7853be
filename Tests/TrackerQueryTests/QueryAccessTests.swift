import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import TrackerTestSupport

@testable import TrackerQuery

@Suite struct QueryAccessTests {
    @Test func loopbackIsOnlyThisMachine() throws {
        for local in ["127.0.0.1", "127.255.0.9", "::1", "::ffff:127.0.0.1", "::ffff:127.1.2.3"] {
            #expect(try SocketAddress(ipAddress: local, port: 80).isLoopback, "\(local)")
        }
        for remote in [
            "10.0.0.1", "192.0.2.2", "128.0.0.1", "126.255.255.255", "0.0.0.0", "::", "::2", "fd00::2",
            "::ffff:10.0.0.1", "::127.0.0.1", "fe80::1",
        ] {
            #expect(try !SocketAddress(ipAddress: remote, port: 80).isLoopback, "\(remote)")
        }
        #expect(try SocketAddress(unixDomainSocketPath: "/tmp/tracker-query.sock").isLoopback)
    }

    @Test func protectedModeAnswersOnlyLoopbackClients() throws {
        let access = QueryAccess()
        let loopback = try SocketAddress(ipAddress: "127.0.0.1", port: 5000)
        let remote = try SocketAddress(ipAddress: "10.1.2.3", port: 5000)
        #expect(access.refusal(method: .get, path: "/v1/events", authorization: nil, client: loopback) == nil)
        #expect(access.refusal(method: .delete, path: "/v1/users/u", authorization: nil, client: loopback) == nil)
        for client in [remote, nil] {
            let refusal = access.refusal(method: .get, path: "/v1/events", authorization: "Bearer x", client: client)
            #expect(refusal?.status == .unauthorized)
            #expect(refusal?.code == "protected_mode")
            #expect(refusal?.message.contains("TRACKER_READ_TOKENS") == true)
        }
        for path in ["/healthz", "/readyz", "/metrics", "/openapi.json"] {
            #expect(access.refusal(method: .get, path: path, authorization: nil, client: remote) == nil)
        }
    }

    @Test func adminTokensAloneEraseAndReplayAndAlsoRead() throws {
        let access = QueryAccess(readTokens: ReadTokens(["reader"]), adminTokens: ReadTokens(["admin"]))
        let loopback = try SocketAddress(ipAddress: "127.0.0.1", port: 5000)
        func code(_ method: HTTPRequest.Method, _ path: String, _ token: String?) -> String? {
            access.refusal(method: method, path: path, authorization: token.map { "Bearer \($0)" }, client: loopback)?
                .code
        }
        for (method, path) in [(HTTPRequest.Method.delete, "/v1/users/u"), (.post, "/v1/failed-events/replay/")] {
            #expect(code(method, path, "admin") == nil)
            #expect(code(method, path, "reader") == "admin_token_required")
            #expect(code(method, path, nil) == "invalid_token", "loopback alone does not erase once admins exist")
            #expect(code(method, path, "other") == "invalid_token")
        }
        #expect(code(.get, "/v1/events", "reader") == nil)
        #expect(code(.get, "/v1/events", "admin") == nil)
        #expect(code(.get, "/v1/events", nil) == "invalid_token")

        // Without read tokens, an admin token reads from anywhere; reads stay loopback-only otherwise.
        let adminsOnly = QueryAccess(adminTokens: ReadTokens(["admin"]))
        let remote = try SocketAddress(ipAddress: "10.1.2.3", port: 5000)
        #expect(
            adminsOnly.refusal(method: .get, path: "/v1/events", authorization: "Bearer admin", client: remote) == nil)
        #expect(adminsOnly.refusal(method: .get, path: "/v1/events", authorization: nil, client: remote) != nil)
        #expect(adminsOnly.refusal(method: .get, path: "/v1/events", authorization: nil, client: loopback) == nil)
    }

    @Test func placeholdersNameTheirVariable() {
        #expect(QueryAccess(readTokens: ReadTokens(["a-real-one"])).placeholderProblem == nil)
        let read = QueryAccess(readTokens: ReadTokens(parsing: "fine, CHANGE-ME"))
        #expect(read.placeholderProblem?.contains("TRACKER_READ_TOKENS") == true)
        let admin = QueryAccess(readTokens: ReadTokens(["fine"]), adminTokens: ReadTokens(["admin-change-me-2"]))
        #expect(admin.placeholderProblem?.contains("TRACKER_ADMIN_TOKENS") == true)
    }

    /// The server bound to an address of this machine other than loopback, and a client connecting
    /// to it: the client's address is that one, as a client on another machine's would be, and no
    /// traffic leaves the machine.
    @Test(.enabled(if: localAddress != nil, "this machine has no address besides loopback"))
    func protectedModeRefusesAClientOutsideLoopback() async throws {
        let database = try await TestDatabase.create("query_protected_mode")
        let host = try #require(localAddress)
        let access = QueryAccess(adminTokens: ReadTokens(["admin"]))
        try await withQueryAPI(database, servedOn: host, access: access) { api in
            let refused = try await api.call("/v1/events", method: .get)
            #expect(refused.status == .unauthorized)
            #expect(refused.code == "protected_mode")
            #expect((refused.json["message"] as? String)?.contains("TRACKER_READ_TOKENS") == true)
            #expect(try await api.call("/v1/users/u", method: .delete).status == .unauthorized)
            #expect(try await api.call("/events", method: .get, token: "wrong").code == "protected_mode")
            for open in ["/healthz", "/readyz", "/metrics", "/openapi.json"] {
                #expect(try await api.get(open).status == .ok, "\(open)")
            }
            #expect(try await api.call("/v1/events", method: .get, token: "admin").status == .ok)
        }
        try await database.drop()
    }

    @Test func readTokensOnlyReadOnceAdminTokensExist() async throws {
        let database = try await TestDatabase.create("query_admin_tokens")
        let tokens = (read: ReadTokens(["reader"]), admin: ReadTokens(["admin"]))
        try await withQueryAPI(database, readTokens: tokens.read, adminTokens: tokens.admin) { api in
            let replay = #"{"reason":"missing_event"}"#
            let erased = try await api.call("/v1/users/u1", method: .delete, token: "reader")
            #expect(erased.status == .forbidden)
            #expect(erased.code == "admin_token_required")
            let replayed = try await api.call("/v1/failed-events/replay", method: .post, body: replay, token: "reader")
            #expect(replayed.status == .forbidden)
            #expect(try await api.call("/v1/users/u1", method: .delete).status == .unauthorized)
            #expect(try await api.call("/v1/failed-events/replay", method: .post, body: replay).status == .unauthorized)
            #expect(try await api.call("/v1/users/u1", method: .delete, token: "admin").status == .ok)
            #expect(
                try await api.call("/v1/failed-events/replay", method: .post, body: replay, token: "admin").status
                    == .ok)
            #expect(try await api.get("/v1/events", token: "reader").status == .ok)
            #expect(try await api.get("/v1/events", token: "admin").status == .ok)
            #expect(try await api.get("/v1/events").status == .unauthorized)
        }
        try await database.drop()
    }
}

/// An IPv4 address of this machine that is not loopback, if it has one.
let localAddress: String? = {
    let devices = (try? System.enumerateDevices()) ?? []
    return devices.lazy.compactMap(\.address).first { address in
        guard case .v4 = address else { return false }
        return !address.isLoopback
    }?.ipAddress
}()
