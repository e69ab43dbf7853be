import ArgumentParser

/// The container image's HEALTHCHECK: the image has no curl, and one command serves every role.
struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Exit 0 when a local tracker server answers /healthz (the container HEALTHCHECK).")

    @Option(help: "URLs to try; the first 2xx wins.")
    var url: [String] = [8080, 8081, 8082].map { "http://127.0.0.1:\($0)/healthz" }

    func run() async throws {
        for candidate in url {
            if let status = try? await HealthProbe.status(of: candidate, within: .seconds(2)),
                (200..<300).contains(status)
            {
                return
            }
        }
        throw ExitCode.failure
    }
}
