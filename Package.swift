// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Suport",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "suport", targets: ["suport"]),
        .executable(name: "suport-ingest", targets: ["suport-ingest"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // PostgreSQL for several daemons on one database (docs/architecture.md says why this one).
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // Parsing and composing Internet messages. Ours on purpose: see docs/mime.md.
        .target(name: "MIME"),
        // libcurl, with one typed wrapper per variadic setopt/getinfo argument type.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // OpenSSL's libcrypto, for SHA-256 of raw messages and attachments.
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .target(name: "MailTransport", dependencies: ["CCurl"]),
        .target(name: "Tickets", dependencies: ["MIME", .product(name: "Mustache", package: "swift-mustache")]),
        .target(name: "TicketStore", dependencies: [
            "Tickets", "MIME", "CCrypto", .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "SuportService", dependencies: [
            "MIME", "MailTransport", "Tickets", "TicketStore",
            .product(name: "TOMLKit", package: "TOMLKit"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            // bcrypt alone (C, no swift-crypto): staff passwords for the web desk.
            .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            .product(name: "Metrics", package: "swift-metrics"),
        ]),
        // The web desk: Hummingbird routes and pages; every action calls the Desk.
        .target(name: "SuportWeb", dependencies: [
            "SuportService", "Tickets", "MIME",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),  // the peer's address, for limits and proxies
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        // The command line as a library, so its commands run in process in tests.
        .target(name: "SuportCLI", dependencies: [
            "SuportService", "Tickets", "TicketStore", "MIME",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // `suport bench …`, linked only into the executable.
        .target(name: "SuportBenchmarks", dependencies: [
            "SuportService", "Tickets", "TicketStore", "MIME", "MailTransport",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // The MTA pipe alone: a process per message pays for what it links.
        .executableTarget(name: "suport-ingest", dependencies: ["SuportService"]),
        .executableTarget(name: "suport", dependencies: [
            "SuportCLI", "SuportWeb", "SuportBenchmarks",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // MIME's conformance alone: the fixture walk needs no database or configuration built.
        .testTarget(name: "MIMETests", dependencies: [
            "MIME", "CCrypto",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "MailTransportTests", dependencies: ["MailTransport"]),
        .testTarget(name: "TicketsTests", dependencies: ["Tickets"]),
        .testTarget(name: "TicketStoreTests", dependencies: ["TicketStore"]),
        // Which engine the store's and the web desk's suites run on, and a fresh database for each fixture.
        .target(name: "StoreTestSupport", dependencies: ["TicketStore"], path: "Tests/StoreTestSupport"),
        .testTarget(name: "SuportServiceTests", dependencies: ["SuportService", "SuportCLI", "Tickets", "TicketStore", "MIME", "StoreTestSupport",
                                                       .product(name: "GRDB", package: "GRDB.swift"),
                                                       .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")]),
        .testTarget(name: "SuportWebTests", dependencies: [
            "SuportWeb", "SuportService", "Tickets", "TicketStore", "MIME", "StoreTestSupport",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Against real Dovecot and Postfix started by scripts/mail-servers (root, loopback only).
        .testTarget(name: "IntegrationTests", dependencies: ["SuportService", "MailTransport", "MIME"]),
    ]
)
