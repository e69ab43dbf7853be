import Foundation
import Logging
import PostgresNIO

/// Reads `DATABASE_URL` (`postgres://user:pass@host:port/db?sslmode=…`) into postgres-nio settings.
public struct DatabaseURL: Sendable, CustomStringConvertible {
    /// The `sslmode` values of libpq that this client honours, with libpq's meanings.
    public enum SSLMode: String, Sendable, CaseIterable {
        case disable
        /// TLS when the server offers it, its certificate unchecked.
        case prefer
        /// TLS always, its certificate unchecked.
        case require
        /// TLS always, with a certificate a trusted authority signed, for any host name.
        case verifyCA = "verify-ca"
        /// TLS always, with a trusted certificate for this host name.
        case verifyFull = "verify-full"
    }

    /// A password left at the deployment examples' placeholder must not reach a database.
    static let placeholder = "CHANGE-ME"

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var sslMode: SSLMode
    /// Sent as `statement_timeout` when each connection starts, so the server cancels a statement
    /// that runs longer. `.zero` turns the limit off whatever the role or database says; nil leaves
    /// the server's setting.
    public var statementTimeout: Duration?
    /// Sent as `application_name` when each connection starts, so `pg_stat_activity` tells who
    /// opened it; nil sends none.
    public var applicationName: String?

    public init(_ text: String) throws(DatabaseURLError) {
        guard let components = URLComponents(string: text),
            components.scheme == "postgres" || components.scheme == "postgresql",
            let host = components.host, !host.isEmpty
        else {
            throw DatabaseURLError(reason: "must look like postgres://user:password@host:5432/database")
        }
        self.host = host
        self.port = components.port ?? 5432
        self.username = components.user?.removingPercentEncoding ?? "postgres"
        self.password = components.password?.removingPercentEncoding
        if let password, password.localizedCaseInsensitiveContains(Self.placeholder) {
            throw DatabaseURLError(reason: "the password is the placeholder \(Self.placeholder): set the real one")
        }
        let path = components.path.drop(while: { $0 == "/" })
        self.database = path.isEmpty ? self.username : String(path)
        let mode = components.queryItems?.last(where: { $0.name == "sslmode" }).map { $0.value ?? "" } ?? "prefer"
        guard let sslMode = SSLMode(rawValue: mode) else {
            throw DatabaseURLError(
                reason:
                    "sslmode '\(mode)' is not one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.sslMode = sslMode
    }

    /// The URL with its password hidden, for logs.
    public var description: String { "postgres://\(username)@\(host):\(port)/\(database)" }

    /// What TLS asks of the server's certificate in this mode.
    var certificateCheck: TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch sslMode {
        case .disable, .prefer, .require: configuration.certificateVerification = .none
        case .verifyCA: configuration.certificateVerification = .noHostnameVerification
        case .verifyFull: configuration.certificateVerification = .fullVerification
        }
        return configuration
    }

    public var tls: PostgresClient.Configuration.TLS {
        switch sslMode {
        case .disable: .disable
        case .prefer: .prefer(certificateCheck)
        case .require, .verifyCA, .verifyFull: .require(certificateCheck)
        }
    }

    /// Startup parameters every connection sends, pooled or dedicated.
    var startupParameters: [(String, String)] {
        var parameters: [(String, String)] = []
        if let statementTimeout {
            parameters.append(("statement_timeout", String(statementTimeout.roundedUpMilliseconds)))
        }
        if let applicationName { parameters.append(("application_name", applicationName)) }
        return parameters
    }

    public func clientConfiguration(maximumConnections: Int = 20) -> PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls)
        configuration.options.maximumConnections = maximumConnections
        // A stopped database must turn into a quick 503, not a request hanging for the default 10 s.
        configuration.options.connectTimeout = .seconds(3)
        configuration.options.additionalStartupParameters = startupParameters
        return configuration
    }

    /// Settings for a dedicated connection (migrations, LISTEN, the worker's moves), outside the pool.
    public func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS =
            switch sslMode {
            case .disable: .disable
            case .prefer: .prefer(try .init(configuration: certificateCheck))
            case .require, .verifyCA, .verifyFull: .require(try .init(configuration: certificateCheck))
            }
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls)
        configuration.options.additionalStartupParameters = startupParameters
        return configuration
    }

    /// The same server, another database (tests give each suite its own).
    public func with(database: String) -> DatabaseURL {
        var copy = self
        copy.database = database
        return copy
    }
}

/// Why a `DATABASE_URL` cannot be used; never quotes the URL, which holds a password.
public struct DatabaseURLError: Error, CustomStringConvertible {
    public var reason: String
    public var description: String { "DATABASE_URL: \(reason)" }
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
