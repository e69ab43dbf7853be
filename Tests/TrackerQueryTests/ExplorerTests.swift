import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import TrackerTestSupport

@testable import TrackerQuery

/// The Explorer page: its embedded files are the ones in the repository, it loads nothing from
/// another host, and it is served without a token while its data still needs one.
@Suite struct ExplorerTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Sources/TrackerQuery/Explorer/Assets").standardized

    @Test func embeddedFilesEqualTheAssetsFolder() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path)
            .filter { $0.hasSuffix(".html") || $0.hasSuffix(".css") || $0.hasSuffix(".js") }.sorted()
        #expect(files == ExplorerAsset.embedded.map(\.name).sorted(), "run infra/scripts/embed-explorer.sh")
        for asset in ExplorerAsset.embedded {
            let text = try String(contentsOf: Self.folder.appendingPathComponent(asset.name), encoding: .utf8)
            #expect(text == asset.text, "\(asset.name) differs: run infra/scripts/embed-explorer.sh")
        }
    }

    /// Every file the page names (`src`, `href`, module imports) is served, and no file names
    /// another host: the page works offline and sends nothing elsewhere.
    @Test func referencesStayOnTheServer() throws {
        let served = Explorer.paths
        let reference = try Regex(#"(?:src|href)="([^"]+)"|from "([^"]+)""#)
        var checked = 0
        for asset in ExplorerAsset.embedded {
            for match in asset.text.matches(of: reference) {
                let target = String((match.output[1].substring ?? match.output[2].substring) ?? "")
                if target.hasPrefix("?") || target.hasPrefix("#") || target.hasPrefix("data:") { continue }
                let path = target.hasPrefix("./") ? "/explorer/\(target.dropFirst(2))" : target
                #expect(served.contains(path), "\(asset.name) names \(target), which is not served")
                checked += 1
            }
            // The SVG namespace is a name, not an address the browser fetches.
            let text = asset.text.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "")
            #expect(!text.contains("http://") && !text.contains("https://"), "\(asset.name) names another host")
        }
        #expect(checked > 20, "the references were found")
    }

    @Test func thePageIsOpenItsDataIsNot() throws {
        let access = QueryAccess(readTokens: ReadTokens(["reader"]))
        let remote = try SocketAddress(ipAddress: "10.1.2.3", port: 5000)
        for path in ["/", "/explorer/app.js", "/explorer/explorer.css"] {
            #expect(access.refusal(method: .get, path: path, authorization: nil, client: remote) == nil, "\(path)")
        }
        for path in ["/v1/events", "/explorer/../v1/events", "/explorer/", "/explorer/missing.js", "//v1/events"] {
            #expect(access.refusal(method: .get, path: path, authorization: nil, client: remote) != nil, "\(path)")
        }
    }

    @Test func servesTheFilesWithTheirTypesAndPolicy() async throws {
        let database = try await TestDatabase.create("explorer_serve")
        try await withQueryAPI(database, readTokens: ReadTokens(["reader"])) { client in
            let expected = [
                "/": "text/html; charset=utf-8", "/explorer/app.js": "text/javascript; charset=utf-8",
                "/explorer/explorer.css": "text/css; charset=utf-8",
            ]
            for (path, type) in expected {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .ok, "\(path)")
                #expect(response.headers[.contentType] == type, "\(path)")
                #expect(response.headers[.cacheControl] == "no-cache")
                let policy = try #require(response.headers[HTTPField.Name("Content-Security-Policy")!])
                #expect(policy.contains("default-src 'self'") && policy.contains("script-src 'self'"))
                #expect(!policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"))
                #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")

                let etag = try #require(response.headers[.eTag])
                let again = try await client.execute(uri: path, method: .get, headers: [.ifNoneMatch: etag])
                #expect(again.status == .notModified, "\(path) revalidated")
                #expect(again.body.readableBytes == 0)
            }
            let page = try await client.execute(uri: "/", method: .get)
            #expect(String(buffer: page.body).contains(#"<script type="module" src="/explorer/app.js">"#))
            #expect(try await client.execute(uri: "/v1/events", method: .get).status == .unauthorized)
            #expect(try await client.execute(uri: "/explorer/missing.js", method: .get).status == .unauthorized)
        }
        try await database.drop()
    }
}
