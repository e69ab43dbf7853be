// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// Tests import what they use without listing every transitive module.
let testSwiftSettings: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "tracker",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tracker", targets: ["tracker"]),
        .executable(name: "tracker-bench", targets: ["tracker-bench"]),
    ],
    /// Exact versions are the lock, since no Package.resolved can be committed (see .gitignore);
    /// the packages these depend on still resolve within those packages' own ranges.
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", exact: "1.33.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", exact: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-collections.git", exact: "1.6.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", exact: "1.8.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", exact: "1.37.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", exact: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", exact: "1.35.2"),
    ],
    targets: [
        /// What runs in production: migrate, the three roles, all of them at once, the health probe.
        .executableTarget(
            name: "tracker",
            dependencies: [
                "TrackerConfiguration", "TrackerStore", "TrackerHTTP", "TrackerCollector", "TrackerWorker",
                "TrackerQuery",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        /// Pure domain: message model, decoding, validation, clock skew; and the deadline race every
        /// role shares. No I/O.
        .target(name: "TrackerCore", swiftSettings: swiftSettings),
        /// PostgreSQL access: connection settings, migrations, staging writes.
        .target(
            name: "TrackerStore",
            dependencies: [
                "TrackerCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        /// Pieces every HTTP server shares: error body, request ids, health and metrics routes, logging.
        .target(
            name: "TrackerHTTP",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TrackerCollector",
            dependencies: [
                "TrackerCore", "TrackerStore", "TrackerHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TrackerWorker",
            dependencies: [
                "TrackerCore", "TrackerStore", "TrackerHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        /// The read API: filtered event reads, stats from the rollups, failed-event replay, erasure,
        /// and the Explorer page (its files are compiled in by infra/scripts/embed-explorer.sh).
        .target(
            name: "TrackerQuery",
            dependencies: [
                "TrackerCore", "TrackerStore", "TrackerHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["Explorer/Assets"],
            swiftSettings: swiftSettings
        ),
        /// The command line both executables share: option tables, the database, logging and pool options.
        .target(
            name: "TrackerConfiguration",
            dependencies: [
                "TrackerStore", "TrackerHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        /// The benchmarks and their load generators, never in the container image; they run only on a
        /// database of their own.
        .executableTarget(
            name: "tracker-bench",
            dependencies: [
                "TrackerConfiguration", "TrackerCore", "TrackerCollector", "TrackerStore", "TrackerHTTP",
                "TrackerWorker", "TrackerQuery",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TrackerTestSupport",
            dependencies: [
                "TrackerStore", "TrackerWorker",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Tests/TrackerTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TrackerCoreTests",
            dependencies: ["TrackerCore", "TrackerTestSupport"],
            swiftSettings: testSwiftSettings
        ),
        .testTarget(
            name: "TrackerStoreTests",
            dependencies: ["TrackerCore", "TrackerStore", "TrackerTestSupport"],
            swiftSettings: testSwiftSettings
        ),
        .testTarget(
            name: "TrackerWorkerTests",
            dependencies: [
                "TrackerCore", "TrackerStore", "TrackerWorker", "TrackerHTTP", "TrackerTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: testSwiftSettings
        ),
        .testTarget(
            name: "TrackerQueryTests",
            dependencies: [
                "TrackerCore", "TrackerStore", "TrackerQuery", "TrackerCollector", "TrackerWorker",
                "TrackerTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: testSwiftSettings
        ),
        .testTarget(
            name: "TrackerCollectorTests",
            dependencies: [
                "TrackerCore", "TrackerCollector", "TrackerTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: testSwiftSettings
        ),
        /// The command line: each role's options read from flags and an environment the test gives.
        .testTarget(
            name: "TrackerCommandTests",
            dependencies: [
                "tracker", "TrackerConfiguration", "TrackerCollector", "TrackerStore", "TrackerWorker",
                "TrackerTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: testSwiftSettings
        ),
        /// tracker-bench refuses a database that holds data not its own.
        .testTarget(
            name: "TrackerBenchTests",
            dependencies: [
                "tracker-bench", "TrackerConfiguration", "TrackerCore", "TrackerStore", "TrackerTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: testSwiftSettings
        ),
    ]
)
