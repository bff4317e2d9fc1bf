// swift-tools-version:6.0
import PackageDescription

// Every dependency is in the machine's local mirror and earns its place:
// - swift-nio: the HTTP/1.1 server that can adopt an inherited listening socket.
// - swift-nio-extras: ServerQuiescingHelper, the graceful drain of open connections.
// - swift-log: the logging API; our own JSON / journald handlers sit behind it.
// - swift-argument-parser: the Supervisor command tree (serve, migrate, status).
// Release builds drop the run-time exclusivity checks (swift_beginAccess on class properties
// and captured vars) of our own targets: ~9 % of a request's instructions under callgrind.
// Debug builds and tests keep them, so an overlapping access still traps there.
let releaseSwiftSettings: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))
]

let package = Package(
    name: "saas-api",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "Supervisor", targets: ["Supervisor"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    ],
    targets: [
        // C libraries, one system-library target each, found through pkg-config.
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CHiredis", pkgConfig: "hiredis", providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        // Small C shims for what Swift cannot call directly (variadic prctl, argv rewriting).
        .target(name: "CSupport"),

        .target(
            name: "Shared",
            dependencies: [
                "CLibPQ", "CSystemd", "CSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: releaseSwiftSettings
        ),
        .target(
            name: "Worker",
            dependencies: [
                "Shared", "CLibPQ", "CHiredis", "CSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: releaseSwiftSettings
        ),
        .executableTarget(
            name: "Supervisor",
            dependencies: [
                "Shared", "Worker", "CSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: releaseSwiftSettings
        ),

        // Unit tests: pure logic, no processes or services.
        .testTarget(name: "SharedTests", dependencies: ["Shared"]),
        .testTarget(name: "SupervisorTests", dependencies: ["Supervisor", "Shared"]),
        .testTarget(
            name: "WorkerTests",
            dependencies: [
                "Worker", "Shared",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // Integration tests: the built binary, real PostgreSQL, real Redis, real signals.
        .testTarget(name: "IntegrationTests", dependencies: ["Shared"]),
        .testTarget(name: "DatabaseTests", dependencies: ["Shared"]),
    ],
    swiftLanguageModes: [.v6]
)
