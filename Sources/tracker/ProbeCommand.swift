import ArgumentParser
import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// The container image's HEALTHCHECK: the image has no curl, and one command serves every role.
struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Exit 0 when a local tracker server answers /healthz (the container HEALTHCHECK).")

    @Option(help: "URLs to try; the first 2xx wins.")
    var url: [String] = [8080, 8081, 8082].map { "http://127.0.0.1:\($0)/healthz" }

    func run() async throws {
        for candidate in url {
            let request = HTTPClientRequest(url: candidate)
            if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(2)),
                (200..<300).contains(response.status.code)
            {
                return
            }
        }
        throw ExitCode.failure
    }
}
