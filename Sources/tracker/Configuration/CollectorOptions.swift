import ArgumentParser
import TrackerCollector
import TrackerConfiguration
import TrackerHTTP

/// The collector's options.
struct CollectorOptions: ParsableArguments {
    enum Table {
        static let writeKeys = Setting<WriteKeys>(
            "write-keys", "TRACKER_WRITE_KEYS", .writeKeys, default: WriteKeys(),
            help: "Comma-separated key:source pairs; empty accepts events without a key.")
        static let rateLimit = Setting<Double>(
            "rate-limit", "TRACKER_RATE_LIMIT", .perSecond, default: 0,
            help: "Messages per second per write key, a plain number (100, 0.5); 0 turns the limit off.")
        static let backlogLimit = Setting<Int>(
            "backlog-limit", "TRACKER_BACKLOG_LIMIT", .wholeNumber(1...1_000_000_000),
            default: 1_000_000, help: "Staging rows above which requests get 503.")
        static let bodyTimeout = Setting<Duration>(
            "body-timeout", "TRACKER_BODY_TIMEOUT", .seconds(atMost: 3_600), default: .seconds(10),
            help: "Seconds a request may take to send its body before 408.")
        static let corsOrigins = Setting<AllowedOrigins>(
            "cors-origins", "TRACKER_CORS_ORIGINS", .origins, default: .any,
            help: "Web origins that may send events from a browser: '*', 'none', or scheme://host[:port],…")
    }

    @Option(Table.writeKeys) var writeKeys: String?
    @Option(Table.rateLimit) var rateLimit: String?
    @Option(Table.backlogLimit) var backlogLimit: String?
    @Option(Table.bodyTimeout) var bodyTimeout: String?
    @Option(Table.corsOrigins) var corsOrigins: String?

    func configuration(environment: Environment) throws(ConfigurationError) -> CollectorConfiguration {
        let read = SettingReader(environment: environment)
        var configuration = CollectorConfiguration()
        configuration.writeKeys = try read(Table.writeKeys, writeKeys)
        let rate = try read(Table.rateLimit, rateLimit)
        configuration.rateLimit = rate > 0 ? rate : nil
        configuration.staging.backlogLimit = try read(Table.backlogLimit, backlogLimit)
        configuration.bodyTimeout = try read(Table.bodyTimeout, bodyTimeout)
        configuration.crossOrigins = try read(Table.corsOrigins, corsOrigins)
        return configuration
    }
}

extension ValueParser where Value == WriteKeys {
    /// Errors never quote a key.
    static let writeKeys = Self(
        valueName: "key:source,…",
        parse: { text throws(InvalidValue) in
            do throws(WriteKeysError) {
                return try WriteKeys(parsing: text)
            } catch {
                throw InvalidValue(error.reason)
            }
        }, format: { $0.sources.map { "\($0.key):\($0.value)" }.sorted().joined(separator: ",") })
}

extension ValueParser where Value == AllowedOrigins {
    static let origins = Self(
        valueName: "origins",
        parse: { text throws(InvalidValue) in
            do throws(AllowedOriginsError) {
                return try AllowedOrigins(parsing: text)
            } catch {
                throw InvalidValue(error.reason)
            }
        }, format: { $0.description })
}
