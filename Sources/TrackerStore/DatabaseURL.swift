import Foundation
import Logging
import PostgresNIO

/// Reads `DATABASE_URL` (`postgres://user:pass@host:port/db?sslmode=…`) into postgres-nio settings.
public struct DatabaseURL: Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var sslMode: String

    public init(_ text: String) throws {
        guard let components = URLComponents(string: text),
            components.scheme == "postgres" || components.scheme == "postgresql",
            let host = components.host, !host.isEmpty
        else {
            throw DatabaseURLError(
                message: "DATABASE_URL must look like postgres://user:password@host:5432/database")
        }
        self.host = host
        self.port = components.port ?? 5432
        self.username = components.user?.removingPercentEncoding ?? "postgres"
        self.password = components.password?.removingPercentEncoding
        let path = components.path.drop(while: { $0 == "/" })
        self.database = path.isEmpty ? self.username : String(path)
        self.sslMode = components.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "prefer"
    }

    /// The URL with its password hidden, for logs.
    public var description: String { "postgres://\(username)@\(host):\(port)/\(database)" }

    public var tls: PostgresClient.Configuration.TLS {
        switch sslMode {
        case "disable": .disable
        case "require", "verify-ca", "verify-full": .require(.makeClientConfiguration())
        default: .prefer(.makeClientConfiguration())
        }
    }

    public func clientConfiguration(maximumConnections: Int = 20) -> PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls)
        configuration.options.maximumConnections = maximumConnections
        // A stopped database must turn into a quick 503, not a request hanging for the default 10 s.
        configuration.options.connectTimeout = .seconds(3)
        return configuration
    }

    /// Settings for a dedicated connection (migrations, LISTEN), outside the pool.
    public func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS =
            switch sslMode {
            case "disable": .disable
            case "require", "verify-ca", "verify-full": .require(try .init(configuration: .makeClientConfiguration()))
            default: .prefer(try .init(configuration: .makeClientConfiguration()))
            }
        return PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls)
    }

    /// The same server, another database (tests give each suite its own).
    public func with(database: String) -> DatabaseURL {
        var copy = self
        copy.database = database
        return copy
    }
}

public struct DatabaseURLError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

extension DatabaseURL {
    /// Runs `body` on a dedicated connection (outside the pool), closing it however `body` ends.
    @discardableResult
    public func withConnection<Result>(
        logger: Logger,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let connection = try await PostgresConnection.connect(
            configuration: connectionConfiguration(), id: Int.random(in: 1...Int.max), logger: logger)
        do {
            let result = try await body(connection)
            await connection.closeWithin()
            return result
        } catch {
            await connection.closeWithin()
            throw error
        }
    }
}
