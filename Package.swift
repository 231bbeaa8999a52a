// swift-tools-version:6.0
import PackageDescription

// Dependencies point one way: executable > console > (core, toolkit);
// store, sandbox and setup sit beside the console and know only the core.
let package = Package(
    name: "certpush",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "certpush", targets: ["certpush"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        // The TLS handshake that proves what a server serves (S2); async-http-client (the clouds) builds on the same.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        // Team mode (SPEC 17): a live workspace in PostgreSQL.
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        // The domain: certificates, rules, X.509 parsing. No files, no SQL, no curses.
        .target(
            name: "CertpushCore",
            dependencies: [
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        // SQLite through GRDB, behind the core's store protocols.
        .target(
            name: "CertpushStore",
            dependencies: [
                "CertpushCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // PostgreSQL through PostgresNIO (SPEC 17), behind the same store protocols:
        // the store's SQL session is CertpushStore's, run on a PostgreSQL connection.
        .target(
            name: "CertpushPostgres",
            dependencies: [
                "CertpushCore",
                "CertpushStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The training sandbox: its CA and the demo certificates.
        .target(
            name: "CertpushSandbox",
            dependencies: [
                "CertpushCore",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        // Servers reached over SSH or locally (SPEC 13): commands, discovery, deployment with proof.
        .target(
            name: "CertpushServers",
            dependencies: [
                "CertpushCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
            ]
        ),
        // Real clouds (SPEC 11, 12): signed HTTP to Huawei Cloud SCM and Alibaba Cloud CAS, and their providers.
        .target(
            name: "CertpushClouds",
            dependencies: [
                "CertpushCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // Paths, config file, logging, opening the database: what both front ends share.
        .target(
            name: "CertpushSetup",
            dependencies: [
                "CertpushCore", "CertpushStore", "CertpushSandbox", "CertpushServers", "CertpushClouds", "CertpushPostgres",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ]
        ),
        // A terminal toolkit that knows nothing about certificates.
        .target(
            name: "TerminalKit",
            dependencies: [.product(name: "TOMLKit", package: "TOMLKit")]
        ),
        .target(
            name: "CCurses",
            linkerSettings: [.linkedLibrary("ncursesw")]
        ),
        .target(name: "TerminalCurses", dependencies: ["TerminalKit", "CCurses"]),
        // Screens joining the core to the toolkit.
        .target(name: "CertpushConsole", dependencies: ["CertpushCore", "TerminalKit"]),
        .executableTarget(
            name: "certpush",
            dependencies: [
                "CertpushCore", "CertpushSetup", "CertpushServers", "CertpushConsole", "TerminalKit", "TerminalCurses",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Speed at scale, measured rather than asserted: swift run -c release certpush-bench
        .executableTarget(
            name: "certpush-bench",
            dependencies: [
                "CertpushCore", "CertpushSetup", "CertpushServers", "CertpushConsole", "TerminalKit", "CertpushStore", "CertpushPostgres",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "CertpushTestSupport",
            dependencies: [
                "CertpushCore", "CertpushStore", "CertpushSandbox", "CertpushSetup", "CertpushServers", "CertpushPostgres",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                // The clouds' test doubles are HTTP servers on swift-nio, already built for the TLS proof.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Tests/CertpushTestSupport"
        ),
        .testTarget(name: "CertpushCoreTests", dependencies: ["CertpushCore", "CertpushTestSupport"]),
        .testTarget(
            name: "CertpushStoreTests",
            dependencies: ["CertpushCore", "CertpushStore", "CertpushSandbox", "CertpushSetup", "CertpushClouds", "CertpushTestSupport", "CertpushPostgres",
                           .product(name: "GRDB", package: "GRDB.swift"), .product(name: "PostgresNIO", package: "postgres-nio")]),
        .testTarget(name: "TerminalKitTests", dependencies: ["TerminalKit"]),
        .testTarget(name: "CertpushServersTests", dependencies: ["CertpushServers", "CertpushCore", "CertpushTestSupport"]),
        .testTarget(name: "CertpushConsoleTests", dependencies: ["CertpushConsole", "TerminalKit", "CertpushTestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["CertpushCore", "CertpushSetup", "CertpushServers", "CertpushClouds", "CertpushTestSupport",
                                                          "CertpushStore", "CertpushPostgres",
                                                          .product(name: "GRDB", package: "GRDB.swift"), .product(name: "PostgresNIO", package: "postgres-nio")]),
    ]
)
