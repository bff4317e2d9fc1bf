// swift-tools-version:6.1
import PackageDescription

// Every dependency is in the machine's local mirror and earns its place:
// - swift-nio: the HTTP/1.1 server that can adopt an inherited listening socket.
// - swift-nio-extras: ServerQuiescingHelper, the graceful drain of open connections.
// - swift-log: the logging API; our own JSON / journald handlers sit behind it.
// - swift-argument-parser: the `migrate` command line (the supervisor parses its few options
//   itself: the package and the FoundationEssentials it links cost ~1.5 MB of its RSS).
//
// Three executables, each linking only what it runs: `Supervisor` (installed as saas-api),
// `saas-api-worker` (Worker: SwiftNIO, libpq, hiredis), which the supervisor spawns from the
// directory of its own executable, and `saas-api-migrate` (Migrate: libpq, the argument
// parser), which `saas-api migrate …` execs. The supervisor links none of those libraries.
//
// The trait SupervisorBuildsSiblings (on by default) makes the Supervisor target depend on the
// other two, so `swift run Supervisor` builds them too. SwiftPM links an executable target's
// dependencies (not its own code) into whatever depends on it, so with the trait on the
// supervisor also links NIO, libpq and hiredis, unused. Deployment builds (make install,
// scripts/run, scripts/test, bench/run) turn it off (--disable-default-traits), which builds
// every product and a lean supervisor.
//
// Release builds drop the run-time exclusivity checks (swift_beginAccess on class properties
// and captured vars) of our own targets: ~9 % of a request's instructions under callgrind.
// Debug builds and tests keep them, so an overlapping access still traps there.
let releaseSwiftSettings: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))
]

// Release executables on Linux are linked for a small resident set, each process mapping only
// what it runs (idle RSS targets: supervisor 8 MiB, worker 16 MiB):
// - lld with packed relative relocations (DT_RELR, glibc >= 2.36): the 0.9-1.3 MB relocation
//   table that ld.so reads at every start shrinks to a few KB; the binary stays PIE (ASLR).
// - no dynamic symbol export (the static Swift runtime's default): ld.so looks up every symbol
//   of every shared library in the executable first, touching its whole dynamic symbol table.
// - libstdc++ linked statically through Linker/static-libstdc++ (only the Swift runtime uses
//   it) instead of mapping libstdc++.so.6.
// - the functions a process runs from start to idle placed together (Linker/order/, written by
//   scripts/symbol-order): the kernel maps the pages around each page touched, so scattered
//   code kept most of the binary resident (~1.5 MB more per process). A stale list only loses
//   that layout for the functions it no longer names.
func releaseLinkerSettings(order: String?) -> [LinkerSetting] {
    var flags = [
        "-use-ld=lld",
        "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
        "-Xlinker", "--no-export-dynamic",
        "-L", Context.packageDirectory + "/Linker/static-libstdc++",
    ]
    if let order {
        flags += [
            "-Xlinker", "--symbol-ordering-file=" + Context.packageDirectory + "/Linker/order/\(order).txt",
            "-Xlinker", "--no-warn-symbol-ordering",
        ]
    }
    return [.unsafeFlags(flags, .when(platforms: [.linux], configuration: .release))]
}

let package = Package(
    name: "saas-api",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "Supervisor", targets: ["Supervisor"]),
        .executable(name: "saas-api-worker", targets: ["Worker"]),
        .executable(name: "saas-api-migrate", targets: ["Migrate"]),
    ],
    traits: [
        .trait(
            name: "SupervisorBuildsSiblings",
            description: "Building Supervisor builds the other executables too (and links their libraries)."
        ),
        .default(enabledTraits: ["SupervisorBuildsSiblings"]),
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

        // What both executables use: configuration, logging, the control protocol, systemd.
        .target(
            name: "Shared",
            dependencies: [
                "CSystemd", "CSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: releaseSwiftSettings
        ),
        // libpq: connections and the migrations (worker executable and database tests only).
        .target(name: "Database", dependencies: ["Shared", "CLibPQ"], swiftSettings: releaseSwiftSettings),
        .executableTarget(
            name: "Worker",
            dependencies: [
                "Shared", "Database", "CHiredis", "CSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: releaseSwiftSettings,
            linkerSettings: releaseLinkerSettings(order: "worker")
        ),
        .executableTarget(
            name: "Migrate",
            dependencies: [
                "Shared", "Database",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: releaseSwiftSettings,
            linkerSettings: releaseLinkerSettings(order: nil)
        ),
        .executableTarget(
            name: "Supervisor",
            dependencies: [
                "Shared", "CSupport",
                .product(name: "Logging", package: "swift-log"),
                // Only so that building the supervisor builds the others (see the top of this file).
                .target(name: "Worker", condition: .when(traits: ["SupervisorBuildsSiblings"])),
                .target(name: "Migrate", condition: .when(traits: ["SupervisorBuildsSiblings"])),
            ],
            swiftSettings: releaseSwiftSettings,
            linkerSettings: releaseLinkerSettings(order: "supervisor")
        ),

        // Test support shared by every test target: the test client (`TestClient`, in process
        // or over a socket through the real parser), response helpers, the database fixtures (a
        // fresh migrated database per suite, seeded stores, tenant sessions) and `TestServer`
        // (the worker's router in process or live; internal: `@testable import TestSupport`).
        .target(
            name: "TestSupport",
            dependencies: [
                "Shared", "Database", "Worker",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/TestSupport"
        ),

        // Unit tests: pure logic, no processes or services.
        .testTarget(name: "SharedTests", dependencies: ["Shared", "TestSupport"]),
        .testTarget(name: "SupervisorTests", dependencies: ["Supervisor", "Shared"]),
        .testTarget(
            name: "WorkerTests",
            dependencies: [
                "Worker", "Shared", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // Integration tests: the built binary, real PostgreSQL, real Redis, real signals.
        .testTarget(name: "IntegrationTests", dependencies: ["Shared", "TestSupport"]),
        // The product's routes (/v1) against a real PostgreSQL, each case in process and through
        // the real parser on a socket.
        .testTarget(
            name: "FeatureTests",
            dependencies: [
                "Worker", "TestSupport", "Database", "Shared",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Also the worker's PostgreSQL pool: the tenant leak and concurrency proofs run through it.
        .testTarget(
            name: "DatabaseTests",
            dependencies: [
                "Shared", "Database", "Worker", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                // The revenue route runs in process against the real database.
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
